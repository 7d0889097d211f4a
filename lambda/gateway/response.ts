/**
 * OpenAI response shapes (chat completion, model list) and the mapping from a Converse answer to them. Pure.
 *
 * @module
 */
import type { ContentBlock } from '@aws-sdk/client-bedrock-runtime';
import type { ToolDefinition } from './request';
import type { Citation } from './retrieve';
import { validateAgainstSchema } from './tool-schema';

/** OpenAI `finish_reason` values the gateway returns. */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls';

/** An OpenAI tool call in a response message. */
export interface OpenAiToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

/** Token counts, OpenAI style. */
export interface OpenAiUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

/** An OpenAI `chat.completion` object with one choice. */
export interface ChatCompletion {
  readonly id: string;
  readonly object: 'chat.completion';
  readonly created: number;
  /** The alias the client asked for, never the Bedrock model id. */
  readonly model: string;
  readonly choices: ReadonlyArray<{
    readonly index: 0;
    readonly message: {
      readonly role: 'assistant';
      readonly content: string | null;
      readonly refusal: null;
      readonly tool_calls?: readonly OpenAiToolCall[];
      /**
       * Extension (aliases bound to a knowledge base): the sources the answer was grounded on, numbered as the model
       * cites them. OpenAI clients keep unknown fields without reading them.
       */
      readonly citations?: readonly Citation[];
    };
    readonly logprobs: null;
    readonly finish_reason: FinishReason;
  }>;
  readonly usage: OpenAiUsage;
}

/** An OpenAI model list. */
export interface ModelList {
  readonly object: 'list';
  readonly data: ReadonlyArray<{ readonly id: string; readonly object: 'model'; readonly created: number; readonly owned_by: string }>;
}

/**
 * Maps a Converse `stopReason` to an OpenAI `finish_reason`: `end_turn`/`stop_sequence` → `stop`, `max_tokens` and
 * `model_context_window_exceeded` → `length`, `guardrail_intervened`/`content_filtered` → `content_filter`,
 * `tool_use` → `tool_calls`, anything else → `stop`.
 */
export function finishReasonOf(stopReason: string | undefined): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    case 'tool_use':
      return 'tool_calls';
    default:
      return 'stop';
  }
}

/** A token count Bedrock could have reported: a whole, non-negative number. */
function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function openAiUsage(prompt: number, completion: number): OpenAiUsage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Token counts from Converse `usage`, tolerating missing or non-numeric fields (0). */
export function usageOf(usage: { inputTokens?: unknown; outputTokens?: unknown } | undefined): OpenAiUsage {
  return openAiUsage(isCount(usage?.inputTokens) ? usage.inputTokens : 0, isCount(usage?.outputTokens) ? usage.outputTokens : 0);
}

/**
 * The usage Bedrock reported, or `undefined` when it reported none that can be counted (not an object whose
 * `inputTokens` and `outputTokens` are both whole, non-negative numbers): Bedrock always reports both, so the answer
 * is malformed, and the caller settles the whole reservation rather than charge nothing.
 */
export function reportedUsage(usage: unknown): OpenAiUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const { inputTokens, outputTokens } = usage as { inputTokens?: unknown; outputTokens?: unknown };
  return isCount(inputTokens) && isCount(outputTokens) ? openAiUsage(inputTokens, outputTokens) : undefined;
}

/** The parameters of {@link chatCompletion}. */
export interface ChatCompletionParts {
  readonly id: string;
  /** Epoch seconds. */
  readonly created: number;
  readonly model: string;
  readonly content: string | null;
  readonly finishReason: FinishReason;
  readonly usage: OpenAiUsage;
  readonly toolCalls?: readonly OpenAiToolCall[];
  /** The grounding sources' citations (extension field `message.citations`). @default - none */
  readonly citations?: readonly Citation[];
}

/** Builds an OpenAI `chat.completion` object. */
export function chatCompletion(parts: ChatCompletionParts): ChatCompletion {
  // The optional fields are added after the fixed ones, in the same order as the type lists them (the JSON's order).
  const message: { -readonly [K in keyof ChatCompletion['choices'][number]['message']]: ChatCompletion['choices'][number]['message'][K] } = {
    role: 'assistant',
    content: parts.content,
    refusal: null,
  };
  if (parts.toolCalls !== undefined && parts.toolCalls.length > 0) message.tool_calls = parts.toolCalls;
  if (parts.citations !== undefined) message.citations = parts.citations;
  return {
    id: parts.id,
    object: 'chat.completion',
    created: parts.created,
    model: parts.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: parts.finishReason }],
    usage: parts.usage,
  };
}

/** Builds an OpenAI model list of `aliases`. */
export function modelList(aliases: readonly string[], ownedBy = 'secure-llm-gateway'): ModelList {
  return { object: 'list', data: aliases.map((id) => ({ id, object: 'model' as const, created: 0, owned_by: ownedBy })) };
}

/** The text blocks of a Converse output message, joined. */
export function outputText(content: readonly ContentBlock[] | undefined): string {
  const parts: string[] = [];
  for (const block of content ?? []) if (typeof block.text === 'string') parts.push(block.text);
  return parts.join('');
}

/** The result of {@link extractToolCalls}. */
export type ToolCallExtraction =
  | { readonly ok: true; readonly calls: readonly OpenAiToolCall[]; /** The arguments, JSON-encoded, for screening. */ readonly argumentTexts: readonly string[] }
  | { readonly ok: false; /** Why the calls were refused (tool name and JSON path only, never argument values). */ readonly reason: string };

/**
 * Maps the model's `toolUse` blocks to OpenAI tool calls, refusing them all (OWASP LLM06) when one names a tool the
 * request did not declare or its arguments do not validate against the declared schema.
 */
export function extractToolCalls(content: readonly ContentBlock[] | undefined, tools: readonly ToolDefinition[]): ToolCallExtraction {
  const calls: OpenAiToolCall[] = [];
  const argumentTexts: string[] = [];
  for (const block of content ?? []) {
    const use = block.toolUse;
    if (use === undefined) continue;
    const tool = tools.find((t) => t.name === use.name);
    if (tool === undefined) return { ok: false, reason: 'undeclared_tool' };
    const problem = validateAgainstSchema(use.input, tool.parameters);
    if (problem !== undefined) return { ok: false, reason: `invalid_arguments:${tool.name}:${problem}` };
    const args = JSON.stringify(use.input ?? {});
    argumentTexts.push(args);
    calls.push({ id: String(use.toolUseId ?? `call_${calls.length}`), type: 'function', function: { name: tool.name, arguments: args } });
  }
  return { ok: true, calls, argumentTexts };
}

/** What every chunk of one streamed answer shares. */
export interface ChunkHead {
  readonly id: string;
  /** Epoch seconds. */
  readonly created: number;
  /** The alias the client asked for. */
  readonly model: string;
  /** `stream_options.include_usage`: every chunk carries `usage: null`, and a last chunk the usage. */
  readonly includeUsage: boolean;
}

/** The `delta` of a streamed chunk. */
export interface ChunkDelta {
  readonly role?: 'assistant';
  readonly content?: string;
  readonly tool_calls?: ReadonlyArray<OpenAiToolCall & { readonly index: number }>;
  /** Extension: on the chunk that carries `finish_reason`, the citations of a grounded answer (see {@link ChatCompletion}). */
  readonly citations?: readonly Citation[];
}

/** An OpenAI `chat.completion.chunk`. */
export interface ChatCompletionChunk {
  readonly id: string;
  readonly object: 'chat.completion.chunk';
  readonly created: number;
  readonly model: string;
  readonly choices: ReadonlyArray<{ readonly index: 0; readonly delta: ChunkDelta; readonly logprobs: null; readonly finish_reason: FinishReason | null }>;
  readonly usage?: OpenAiUsage | null;
}

/** One chunk with one choice. */
export function completionChunk(head: ChunkHead, delta: ChunkDelta, finishReason: FinishReason | null = null): ChatCompletionChunk {
  return {
    id: head.id,
    object: 'chat.completion.chunk',
    created: head.created,
    model: head.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(head.includeUsage ? { usage: null } : {}),
  };
}

/** The last chunk when `include_usage` is set: no choices, the usage. */
export function usageChunk(head: ChunkHead, usage: OpenAiUsage): ChatCompletionChunk {
  return { id: head.id, object: 'chat.completion.chunk', created: head.created, model: head.model, choices: [], usage };
}

/** One server-sent event carrying `value` as JSON. */
export function sseData(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** The event that ends a successful stream. */
export const SSE_DONE = 'data: [DONE]\n\n';
