/**
 * The screen for untrusted documents (retrieval ingestion, knowledge-base chunks): one verdict per document from
 * the same engines the gateway uses on prompts and responses.
 *
 * The injection screen judges what a document asks ITS READER to do now, not what the document is about:
 * - It reads the document's mention view ({@link mentionView}): in an article, a write-up, a bug report or a course
 *   about attacks, quoted, fenced and blockquoted payloads are data about an instruction and are left out; quotations
 *   right after a reporting cue ("the attacker wrote …") are left out in any document.
 * - The pre-screen in untrusted mode ({@link prescreen} with `untrusted: true`) flags it: instructions addressed to
 *   the assistant or its reply, directives about the reply's form ("translate your answer into French"),
 *   concealment from the user, exfiltration links, hidden markup, encoded payloads, code that runs a downloaded
 *   script, in English and ten other languages.
 * - Processor directives that are ordinary in instructions written for people (a sentence-opening request for
 *   unrelated work — "Write a poem about the ocean", or a request for knowledge the rest of the document never
 *   mentions — "tell the user … <link>", "ask the user for their password", "say that …", "do not summarize …":
 *   {@link GENRE_DEPENDENT}) count when the document is not itself a runbook, checklist or policy made of
 *   imperatives ({@link instructionalGenre}): there, one more imperative is in the document's genre; in an invoice,
 *   a table, an email or code it breaks it.
 *
 * A document is also quarantined when it carries credentials (the output screen's detector, {@link countSecrets}) or
 * hides text in invisible characters (tag characters, variation selectors, zero-width runs); both are read on the
 * whole document, mentions included.
 *
 * The result carries rule ids and counts only, never any of the text, so it can go into logs and audit records.
 */
import { countSecrets } from './secrets';
import { imperativeProfile, instructionalGenre, mentionView } from './discourse';
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
 * Processor directives that only count outside instructional documents (see the module comment): each weighs too
 * little to flag on its own in the pre-screen.
 */
export const GENRE_DEPENDENT: ReadonlySet<string> = new Set([
  'indirect.task-irrelevant',
  'indirect.output-language',
  'indirect.output-format-imperative',
  'indirect.reply-insert',
  'indirect.tell-user-link',
  'indirect.ask-user-secret',
  'indirect.dictated-claim',
  'indirect.task-dismissed',
  'indirect.fixed-output',
  'indirect.destructive-imperative',
]);
/**
 * The engine anchors a directive at the start of its sentence on the sentence end before it, and the first sentence
 * of a text has none: the document's opening (this many characters) is screened again behind {@link OPENING_MARK}, a
 * word without meaning and a line end, for the directives that need the anchor.
 */
const OPENING = 400;
const OPENING_MARK = '0\n';
/**
 * Signals that do not make a document suspicious on their own: "maintenance mode", "debug mode" are operations
 * vocabulary in documents, not a jailbreak of the reader.
 */
const WEAK_IN_DOCUMENTS: ReadonlySet<string> = new Set(['persona.special-mode', 'persona.mode-enabled']);
/**
 * Signal families that describe an attack on an assistant without addressing this document's reader. In a document
 * that discusses attacks (an article, a write-up, a course) they are the subject ("asking the model to repeat the
 * text above"); only reader-directed signals (`indirect.*`, `override.*`, `delimiter.*`, `obfuscation.*`) count there.
 */
const DESCRIPTIVE_FAMILIES = ['extraction.', 'persona.'];

/**
 * Screen one untrusted document. Deterministic, no I/O, linear in the input length; never throws for any string.
 *
 * @param text - the document's extracted text.
 */
export function screenDocument(text: string): DocumentScreenResult {
  const signals = new Set<string>();
  const view = mentionView(text);
  const injection = prescreen(view.text, { untrusted: true });
  const fired = injection.signals.filter((s) => !s.startsWith('context.'));
  const counts = (s: string): boolean =>
    !WEAK_IN_DOCUMENTS.has(s) && !GENRE_DEPENDENT.has(s) && !(view.discussion && DESCRIPTIVE_FAMILIES.some((f) => s.startsWith(f)));
  const strong = injection.verdict !== 'allow' && fired.some(counts);
  const directives = fired.filter((s) => GENRE_DEPENDENT.has(s));
  for (const s of prescreen(OPENING_MARK + view.text.slice(0, OPENING), { untrusted: true }).signals) {
    if (GENRE_DEPENDENT.has(s) && !directives.includes(s)) directives.push(s);
  }
  if (strong) for (const s of injection.signals) signals.add(s);
  if (!strong) {
    const profile = imperativeProfile(text);
    if (profile.offTopicRequests > 0) directives.push('indirect.off-topic-request');
    if (directives.length > 0 && !instructionalGenre(profile)) {
      for (const s of directives) signals.add(s);
      signals.add('indirect.genre-break');
    }
  }

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
