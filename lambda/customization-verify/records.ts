/**
 * Training records of Amazon Bedrock fine-tuning datasets (JSONL, one record per line) and their screen.
 *
 * Accepted record formats (Amazon Bedrock User Guide, "Prepare data for fine-tuning text-to-text models" and
 * "Fine-tuning Amazon Nova models"):
 * - non-conversational: `{"prompt": "…", "completion": "…"}`;
 * - conversational: `{"system"?: "…", "messages": [{"role": "user" | "assistant", "content": "…"}, …]}`;
 * - Amazon Nova conversational: `{"schemaVersion": "bedrock-conversation-2024", "system"?: [{"text": "…"}],
 *   "messages": [{"role": "user" | "assistant", "content": [{"text": "…"}, …]}, …]}`.
 *
 * Anything else is unparsable: a record the screen cannot read is a record it cannot vouch for. Every text field of a
 * record goes through {@link screenDocument} (instructions addressed to a model, concealment, exfiltration links,
 * credentials, hidden text) and {@link countPersonalData}; a record with any signal is suspicious.
 *
 * @module
 */
import { z } from 'zod';
import { screenDocument } from '../shared/screening/document';
import { countPersonalData } from '../shared/screening/personal-data';

const text = z.string().min(1);
const role = z.enum(['user', 'assistant']);

const promptCompletion = z.strictObject({ prompt: text, completion: text });
const conversational = z.strictObject({
  system: z.string().optional(),
  messages: z.array(z.strictObject({ role, content: text })).min(2),
});
const novaConversational = z.strictObject({
  schemaVersion: z.literal('bedrock-conversation-2024'),
  system: z.array(z.strictObject({ text })).optional(),
  messages: z.array(z.strictObject({ role, content: z.array(z.strictObject({ text })).min(1) })).min(2),
});

/** The outcome of reading one JSONL line. */
export type ParsedRecord = { readonly ok: true; readonly texts: string[] } | { readonly ok: false };

/** The text fields of one training record, or `ok: false` when the line is not a record of an accepted format. */
export function parseRecord(line: string): ParsedRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false };
  }
  const pc = promptCompletion.safeParse(value);
  if (pc.success) return { ok: true, texts: [pc.data.prompt, pc.data.completion] };
  const conv = conversational.safeParse(value);
  if (conv.success) {
    return { ok: true, texts: [...(conv.data.system ? [conv.data.system] : []), ...conv.data.messages.map((m) => m.content)] };
  }
  const nova = novaConversational.safeParse(value);
  if (nova.success) {
    return {
      ok: true,
      texts: [...(nova.data.system ?? []).map((s) => s.text), ...nova.data.messages.flatMap((m) => m.content.map((c) => c.text))],
    };
  }
  return { ok: false };
}

/** Sorted signal ids of one record's texts (empty when clean): screenDocument's ids and `personal-data.<kind>`. */
export function screenRecord(texts: readonly string[]): string[] {
  const signals = new Set<string>();
  for (const t of texts) {
    for (const s of screenDocument(t).signals) signals.add(s);
    for (const kind of Object.keys(countPersonalData(t))) signals.add(`personal-data.${kind}`);
  }
  return [...signals].sort();
}
