/**
 * The screen for untrusted documents (retrieval ingestion, knowledge-base chunks): one verdict per document from
 * the same engines the gateway uses on prompts and responses.
 *
 * The injection screen judges what a document asks ITS READER to do now, not what the document is about, and it
 * decides with a score, not with "any rule fired" ({@link ./document-score}):
 * - It reads the document's mention view ({@link mentionView}): in an article, a write-up, a bug report or a course
 *   about attacks, quoted, fenced and blockquoted payloads are data about an instruction and are left out;
 *   quotations and blockquotes right after a reporting cue ("the attacker wrote …") are left out in any document;
 *   in source code, string literals (prompt templates, docstrings) are left out ({@link programView}), and in
 *   structured data the values of prompt and test-case keys (an evaluation suite's inputs, `promptValuesBlanked`).
 * - The pre-screen in untrusted mode ({@link prescreen} with `untrusted: true`) finds instructions addressed to the
 *   assistant or its reply, concealment, exfiltration links, hidden markup, encoded payloads and processor
 *   directives; {@link addressProfile} finds whom each sentence speaks to; {@link imperativeProfile} gives the
 *   document's own genre, in English and 22 other languages (`lexicon/document-cues.ts`). Each is a feature of one
 *   logistic model whose weights and thresholds were fitted with cross-validation on the dev sets
 *   (`scripts/fit-document-weights.ts`): one weak signal no longer quarantines a document, several together or one
 *   strong one do. A document read as written in another language (`readsAsOtherLanguage`) has its own
 *   threshold, chosen by the same clean-rate rule among such documents.
 * - Hard signals quarantine alone, and fire on what the document does to its reader, not on what it shows:
 *   credentials that are not documentation placeholders ({@link countLeakedSecrets}), text hidden in invisible
 *   characters, chat-template turns in prose (not shown as code in a document about chat formats), an image URL with
 *   a placeholder for the reader to fill in (not shown as code, which is never rendered), and an instruction to the
 *   reader hidden in an HTML comment or an `alt`/`title` attribute.
 *
 * The result carries rule ids and counts only, never any of the text, so it can go into logs and audit records.
 */
import { documentEvidence, documentRisk } from './document-score';
import { DOCUMENT_MODEL } from './document-weights';

export { GENRE_DEPENDENT } from './document-score';

/** What to do with a screened document. */
export type DocumentVerdict = 'clean' | 'quarantine';

/** The result of {@link screenDocument}. */
export interface DocumentScreenResult {
  /**
   * `quarantine` when a hard signal fired or the risk reached the threshold (of documents read as English, or as
   * another language); only `clean` documents may become retrievable.
   */
  readonly verdict: DocumentVerdict;
  /** Injection risk in [0, 1] from the untrusted-content pre-screen. */
  readonly injectionScore: number;
  /**
   * Sorted ids of what made the document suspicious (`indirect.address-ai`, `credential`, `hidden-text`,
   * `document.risk`, …), empty exactly when the verdict is `clean`; never any of the text.
   */
  readonly signals: string[];
  /** Number of credentials found. */
  readonly credentials: number;
  /** Number of invisible or smuggling code points removed by normalization. */
  readonly invisibleCharacters: number;
}

/** Reported when the scored decision quarantines a document (with the soft signals that fired). */
export const RISK_SIGNAL = 'document.risk';

/**
 * Screen one untrusted document. Deterministic, no I/O, linear in the input length; never throws for any string.
 *
 * @param text - the document's extracted text.
 */
export function screenDocument(text: string): DocumentScreenResult {
  const evidence = documentEvidence(text);
  const signals = new Set(evidence.hard);
  const threshold = evidence.otherLanguage ? DOCUMENT_MODEL.otherLanguageThreshold : DOCUMENT_MODEL.threshold;
  if (documentRisk(evidence.features) >= threshold) {
    signals.add(RISK_SIGNAL);
    for (const s of evidence.soft) signals.add(s);
  }
  return {
    verdict: signals.size > 0 ? 'quarantine' : 'clean',
    injectionScore: evidence.injectionScore,
    signals: [...signals].sort(),
    credentials: evidence.credentials,
    invisibleCharacters: evidence.invisibleCharacters,
  };
}
