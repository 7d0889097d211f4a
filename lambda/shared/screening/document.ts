/**
 * The screen for untrusted documents (retrieval ingestion, knowledge-base chunks): one verdict per document from
 * the same engines the gateway uses on prompts and responses.
 *
 * A document is quarantined when any of these holds:
 * - the pre-screen in untrusted mode ({@link prescreen} with `untrusted: true`) flags it: instructions addressed to
 *   the assistant or its reply, concealment from the user, exfiltration links, hidden markup, encoded payloads,
 *   code that runs a downloaded script — two different reader cues close together, in English and ten other languages;
 * - it carries credentials (the output screen's detector, {@link countSecrets});
 * - it hides text in invisible characters (tag characters, variation selectors, zero-width runs).
 *
 * The result carries rule ids and counts only, never any of the text, so it can go into logs and audit records.
 */
import { countSecrets } from './secrets';
import { prescreen } from './prescreen';
import { extractHiddenText, normalizeText, totalRemoved } from './normalize';

/** What to do with a screened document. */
export type DocumentVerdict = 'clean' | 'quarantine';

/** The result of {@link screenDocument}. */
export interface DocumentScreenResult {
  /** `quarantine` when any signal fired; only `clean` documents may become retrievable. */
  readonly verdict: DocumentVerdict;
  /** Injection risk in [0, 1] from the untrusted-content pre-screen. */
  readonly injectionScore: number;
  /** Sorted ids of what fired (`indirect.addressed-to-ai`, `credential`, `hidden-text`, …); never any of the text. */
  readonly signals: string[];
  /** Number of credentials found. */
  readonly credentials: number;
  /** Number of invisible or smuggling code points removed by normalization. */
  readonly invisibleCharacters: number;
}

/** Invisible code points (beyond variation selectors) at or above which a document counts as hiding text. */
const INVISIBLE_LIMIT = 4;
/** Decoded hidden text of at least this many characters counts as hidden text. */
const HIDDEN_TEXT_LIMIT = 8;

/**
 * Screen one untrusted document. Deterministic, no I/O, linear in the input length; never throws for any string.
 *
 * @param text - the document's extracted text.
 */
export function screenDocument(text: string): DocumentScreenResult {
  const signals = new Set<string>();
  const injection = prescreen(text, { untrusted: true });
  if (injection.verdict !== 'allow') for (const s of injection.signals) signals.add(s);

  const credentials = countSecrets(text);
  if (credentials > 0) signals.add('credential');

  const { removed } = normalizeText(text);
  const invisibleCharacters = totalRemoved(removed);
  if (extractHiddenText(text).length >= HIDDEN_TEXT_LIMIT || invisibleCharacters - removed.variationSelectors >= INVISIBLE_LIMIT) {
    signals.add('hidden-text');
  }

  return {
    verdict: signals.size > 0 ? 'quarantine' : 'clean',
    injectionScore: injection.score,
    signals: [...signals].sort(),
    credentials,
    invisibleCharacters,
  };
}
