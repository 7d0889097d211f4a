/**
 * A fast, deterministic pre-screen for prompt injection, jailbreaks and system-prompt extraction (OWASP LLM01/LLM07).
 *
 * It runs before the model and before the Bedrock guardrail, so it must be cheap (tens of microseconds for a typical
 * prompt), linear on adversarial input (no regular expression with nested or unbounded overlapping quantifiers runs
 * over the text) and conservative on benign look-alikes: security questions, role-play, and text that merely mentions
 * "ignore" or "system prompt" must pass.
 *
 * How it works:
 * 1. The text is normalized ({@link normalizeText}: NFKC, invisible characters removed); text hidden in tag
 *    characters or variation selectors is decoded and screened as a separate view.
 * 2. One regex pass (a single character class per alternative, so linear) splits it into word tokens; CJK runs are
 *    segmented against a small dictionary. Each token is folded (lower case, diacritics removed) and looked up in a
 *    multilingual lexicon of word classes (IGNORE, PRIOR, INSTR, REVEAL, SYSPROMPT, …). Tokens that miss are retried
 *    through leetspeak and homoglyph folds; runs of single letters ("i g n o r e") and hyphenated fragments are
 *    re-joined. Sentence ends and colons become pseudo-tokens.
 * 3. Rules ({@link ./lexicon/rules}, compiled by {@link ./engine}) are short sequences of classes with a maximum gap in tokens between consecutive steps
 *    (`ignore ≤3 all/previous ≤3 instructions`). All rules advance together in one streaming pass: each step keeps
 *    only the most recent position where it matched, so the pass is O(tokens × matching steps) with no backtracking.
 *    Rules can be interrupted by blocker classes (a sentence end, "my"), weakened by what precedes them (reported
 *    speech, negation), cancelled by the next token ("instructions *for* returning an item"), and weakened when the
 *    match sits inside quotation marks.
 * 4. Structural detectors look for chat-template tokens, fake role tags and role lines, and decode base64, base32, hex,
 *    percent-encoded, ROT13 (said so, or written in ROT13 words) or reversed payloads into extra views screened by the
 *    same rules.
 * 5. The user's own prompt is decided by a small fitted model ({@link ./prompt-score}): the rule evidence weighed by who
 *    is addressed and how it is framed (quoted or translated text, a question about attacks rather than to the model,
 *    a creative request or fiction frame before the phrase, a persona switch without rules, fiction that wraps a
 *    demand for forbidden or verbatim output). Its weights are fitted with k-fold cross-validation on the dev prompt
 *    sets (`scripts/fit-prompt-weights.ts`); the score is its probability shifted to the fitted operating point.
 *    Untrusted content keeps the rule score: each distinct signal carries a weight, the score is `1 − Π(1 − w)`,
 *    halved for a question about attacks or a how-to question. `flag` at {@link PRESCREEN_FLAG_THRESHOLD}, `block` at
 *    {@link PRESCREEN_BLOCK_THRESHOLD}.
 *
 * With `untrusted: true` (retrieved documents, tool results) rules for indirect injection are enabled too:
 * instructions addressed to an AI, concealment from the user, exfiltration URLs, hidden markup and code that runs a
 * downloaded script. They judge what the text asks ITS READER to do, not its topic: reader cues (an AI addressee, a
 * directive about "your reply" or "when summarizing this email", "tell the user", concealment, a task switch; see
 * `READER_CUES` in `lexicon/rules.ts`) count only when two different ones occur within a few sentences.
 *
 * The rule set and the prompt model were tuned on `test/fixtures/injection-eval/dev-*.json` only; `holdout-*.json`
 * measures them.
 *
 * Every scanning loop, native call, trie walk and matcher step reports its work to {@link countWork}, so tests prove
 * linear cost by counting instead of timing.
 */
import { decodedViews } from './decode';
import { Matcher, runRules } from './engine';
import { W } from './lexicon/rules';
import { extractHiddenText, NormalizedText, normalizeText, totalRemoved } from './normalize';
import { PROMPT_FEATURES, promptFeatures, promptLogit } from './prompt-score';
import { Add, structural, URL_RE } from './structural';
import { countWork } from './work';

/** What the gateway should do with the screened text. */
export type PrescreenVerdict = 'allow' | 'flag' | 'block';

/** Options for {@link prescreen}. */
export interface PrescreenOptions {
  /**
   * The text is untrusted content (a retrieved document, a tool result), not the user's own message: also look for
   * indirect injection — instructions addressed to the model, concealment, exfiltration links, hidden markup.
   * @default false
   */
  readonly untrusted?: boolean;
}

/** The result of {@link prescreen}. */
export interface PrescreenResult {
  /** Combined risk in [0, 1]. */
  readonly score: number;
  /** `block` at or above {@link PRESCREEN_BLOCK_THRESHOLD}, `flag` at or above {@link PRESCREEN_FLAG_THRESHOLD}. */
  readonly verdict: PrescreenVerdict;
  /** Short rule ids that fired (for example `override.ignore-instructions`), sorted; never any of the text. */
  readonly signals: string[];
}

/** Score at or above which the verdict is `flag`. */
export const PRESCREEN_FLAG_THRESHOLD = 0.5;
/** Score at or above which the verdict is `block`. */
export const PRESCREEN_BLOCK_THRESHOLD = 0.85;

const HOW_TO = /^\s{0,8}how\s{1,3}(?:do|can|could|should|would|to)\s{1,3}(?:i|we)?\b/;
/** HOW_TO matches within the first 26 characters of a text, so it reads only a lower-cased head. */
const HOW_TO_HEAD = 64;

declare const PREPARED: unique symbol;

/**
 * A client text made ready for {@link prescreen} by {@link prepareText}: normalized ({@link normalizeText}), with the
 * text its raw form hid in tag characters or variation selectors ({@link extractHiddenText}), which normalization
 * removes. A caller that normalizes its texts anyway (the gateway) prepares them once and reuses the normalized text;
 * only {@link prepareText} makes one, so raw text cannot be passed off as normalized.
 */
export interface PreparedText extends NormalizedText {
  /** The text hidden in the raw text's invisible characters, `''` when none. */
  readonly hidden: string;
  readonly [PREPARED]: true;
}

/**
 * Normalize a raw text for {@link prescreen} and read what it hides. Text can only hide in tag characters and
 * variation selectors, which normalization removes and counts, so the raw text is searched for hidden text only when
 * it had some (a presentation selector kept after an emoji carries no hidden text).
 *
 * @param raw - any string, as the client sent it.
 */
export function prepareText(raw: string): PreparedText {
  const normalized = normalizeText(raw);
  const { tagCharacters, variationSelectors } = normalized.removed;
  const hidden = tagCharacters + variationSelectors > 0 ? extractHiddenText(raw) : '';
  return { text: normalized.text, removed: normalized.removed, hidden } as PreparedText;
}

/**
 * Screen one text for prompt injection, jailbreak and system-prompt extraction attempts.
 *
 * Deterministic, no I/O, linear in the input length. Never throws for any string.
 *
 * @param input - the user's message, or with `untrusted: true` a retrieved document or tool result: raw (the screen
 *   normalizes it and reads text hidden in invisible characters), or already prepared by {@link prepareText}.
 * @param opts - {@link PrescreenOptions}.
 * @returns score, verdict and the ids of the rules that fired.
 */
export function prescreen(input: string | PreparedText, opts: PrescreenOptions = {}): PrescreenResult {
  return prescreenStaged(input, opts).finish();
}

/**
 * {@link prescreen} in two stages, for a caller that must decide before it acts but may complete the record after:
 * `mayBlock` says, from the rules alone, whether the verdict can be `block`; `finish()` returns the verdict, exactly
 * {@link prescreen}'s (it runs the prompt model, which only a user's own prompt needs, when it is first called).
 *
 * A user's prompt is blocked only when the rules' own score, rounded as the verdict's, reaches
 * {@link PRESCREEN_BLOCK_THRESHOLD} (see `decidePrompt`: the model can lower a verdict or flag, never refuse). So when
 * `mayBlock` is false the verdict is `flag` or `allow` whatever the model says, and a caller that only refuses on
 * `block` can send the request first and call `finish()` for its audit record afterwards. An untrusted text's verdict
 * is the rules' own and is complete at once.
 */
export function prescreenStaged(input: string | PreparedText, opts: PrescreenOptions = {}): PrescreenStages {
  const untrusted = opts.untrusted === true;
  const { hits, main, question, howTo, prose } = gather(input, untrusted);
  const rules = ruleScore(hits, main.metaTokens > 0, question, main.addressed === 0 && howTo);
  if (untrusted) {
    if (rules.context !== undefined) hits.set(rules.context, 0);
    const done = result(rules.score, hits);
    return { mayBlock: done.verdict === 'block', finish: () => done };
  }
  let done: PrescreenResult | undefined;
  return {
    mayBlock: rounded(rules.score) >= PRESCREEN_BLOCK_THRESHOLD,
    finish: () => (done ??= decidePrompt(promptFeatures(prose, { main, hits, question, howTo }), hits, rules.score)),
  };
}

/** What {@link prescreenStaged} returns. */
export interface PrescreenStages {
  /** Whether {@link PrescreenStages.finish} can return `block`; when false it returns `flag` or `allow`. */
  readonly mayBlock: boolean;
  /** The verdict, exactly {@link prescreen}'s; computed on the first call. */
  readonly finish: () => PrescreenResult;
}

/**
 * The rules' own score: each distinct signal's weight combined as `1 − Π(1 − w)`, halved for a question about attacks
 * ("what is a prompt injection?" mentions attack phrases without making one) or a how-to question ("how do I print
 * the system prompt in LangChain?" asks about the user's own application, not this assistant), which it then reports.
 */
function ruleScore(hits: Map<string, number>, meta: boolean, question: boolean, howTo: boolean): { readonly score: number; readonly context?: string } {
  let keep = 1;
  for (const w of hits.values()) keep *= 1 - w;
  const score = 1 - keep;
  if (score > 0 && meta && question) return { score: score * 0.5, context: 'context.security-question' };
  if (score > 0 && howTo) return { score: score * 0.5, context: 'context.how-to-question' };
  return { score };
}

/**
 * The feature vector the scored decision reads for the user's own prompt ({@link PROMPT_FEATURES}), for the fitting
 * script (`scripts/fit-prompt-weights.ts`): exactly what {@link prescreen} computes before deciding.
 */
export function prescreenFeatures(input: string | PreparedText): Float64Array {
  const { hits, main, question, howTo, prose } = gather(input, false);
  return promptFeatures(prose, { main, hits, question, howTo });
}

/** What the rule, structure and decoded-view passes found in one text. */
interface Gathered {
  readonly hits: Map<string, number>;
  readonly main: Matcher;
  readonly question: boolean;
  readonly howTo: boolean;
  /** The normalized text with its URLs replaced, as the rules read it. */
  readonly prose: string;
}

function gather(input: string | PreparedText, untrusted: boolean): Gathered {
  const hits = new Map<string, number>();
  const add: Add = (id, w) => {
    if (w > (hits.get(id) ?? 0)) hits.set(id, w);
  };

  const { text: norm, removed, hidden } = typeof input === 'string' ? prepareText(input) : input;

  // URLs are screened structurally; their path words ("…/model-internet-free") are not prose.
  URL_RE.lastIndex = 0;
  countWork(norm.length);
  const prose = norm.includes('://') ? norm.replace(URL_RE, ' http ') : norm;
  if (prose !== norm) countWork(norm.length);
  const main = runRules(prose, untrusted);
  const question = main.startsWithQuestion || /\?\s*$/.test(norm.length > 64 ? norm.slice(-64) : norm);
  // In a document, a quoted match counts as a mention when the text discusses, quotes or translates something. The
  // user's own prompt keeps the full evidence: its decision weighs quoting and framing itself (decidePrompt).
  const mention = untrusted && (question || main.metaTokens > 0 || main.mentionTokens > 0);
  for (const [id, w] of main.hits(mention)) add(id, w);
  if (main.obfuscated) add('obfuscation.obfuscated-words', W.obfuscatedWords);
  // Two or more different reader cues close together: the document instructs its reader (see READER_CUES).
  if (main.readerCues >= 2) add('indirect.reader-instruction', main.readerCues >= 3 ? W.readerInstructionStrong : W.readerInstruction);

  if (hidden.length >= 8) {
    add('obfuscation.hidden-text', W.hiddenText);
    const v = runRules(normalizeText(hidden).text, untrusted);
    for (const [id, w] of v.hits(false)) add(id, w);
  } else if (totalRemoved(removed) - removed.variationSelectors >= 4 && hits.size > 0) {
    add('obfuscation.invisible-characters', W.invisibleCharacters);
  }

  for (const view of decodedViews(norm)) {
    const v = runRules(normalizeText(view.text).text, untrusted);
    const viewHits = v.hits(false);
    if (viewHits.size === 0) continue;
    add(view.kind, W.encodedPayload);
    for (const [id, w] of viewHits) add(id, w);
  }

  structural(norm, untrusted, add);
  // Read only when there is evidence to weigh (the untrusted score halves it; the prompt model weighs it).
  const howTo = hits.size > 0 && HOW_TO.test(norm.slice(0, HOW_TO_HEAD).toLowerCase());
  return { hits, main, question, howTo, prose };
}

/** Context signals reported with a prompt's decision, by feature (see {@link PROMPT_FEATURES}); never any text. */
const CONTEXT_SIGNALS: ReadonlyArray<readonly [number, string]> = [
  [PROMPT_FEATURES.indexOf('switchWithoutLimits'), 'persona.switch-without-limits'],
  [PROMPT_FEATURES.indexOf('wrappedDemand'), 'persona.wrapped-demand'],
  [PROMPT_FEATURES.indexOf('creativeRequest'), 'context.creative-request'],
  [PROMPT_FEATURES.indexOf('fictionFrame'), 'context.fiction-frame'],
  [PROMPT_FEATURES.indexOf('textTask'), 'context.text-task'],
  [PROMPT_FEATURES.indexOf('howTo'), 'context.how-to-question'],
];
const QUOTED = PROMPT_FEATURES.indexOf('quotedShare');
const QUOTED_SPANS = PROMPT_FEATURES.indexOf('quotedSpanShare');
const QUESTION = PROMPT_FEATURES.indexOf('questionAboutWorld');
const META = PROMPT_FEATURES.indexOf('securityVocabulary');

/**
 * The decision for the user's own prompt: the fitted model ({@link promptLogit}) over the rule evidence and the
 * prompt's context decides whether it is flagged; its probability is shifted to the fitted operating point, so `flag`
 * at {@link PRESCREEN_FLAG_THRESHOLD} is that operating point. A block also needs the rules' own score at
 * {@link PRESCREEN_BLOCK_THRESHOLD}: the model can lower a verdict (a quoted phrase, a story) or flag what the rules
 * only hint at (a persona without rules), but never turns the rules' flag into a refusal.
 */
function decidePrompt(x: Float64Array, hits: Map<string, number>, rules: number): PrescreenResult {
  const model = 1 / (1 + Math.exp(-promptLogit(x)));
  const flagged = model >= PRESCREEN_FLAG_THRESHOLD;
  const score = flagged ? Math.max(PRESCREEN_FLAG_THRESHOLD, Math.min(model, rules)) : model;
  if (hits.size > 0 || flagged) {
    for (const [k, id] of CONTEXT_SIGNALS) if (x[k] === 1) hits.set(id, Math.max(hits.get(id) ?? 0, 0));
    if (x[QUESTION] === 1 && x[META] === 1) hits.set('context.security-question', 0);
    if (x[QUOTED]! >= 0.5 || x[QUOTED_SPANS]! >= 0.5) hits.set('context.quoted', 0);
  }
  return result(score, hits);
}

/** A score as the verdict reads it: to three decimals. */
function rounded(raw: number): number {
  return Math.round(raw * 1000) / 1000;
}

function result(raw: number, hits: ReadonlyMap<string, number>): PrescreenResult {
  const score = rounded(raw);
  const verdict: PrescreenVerdict = score >= PRESCREEN_BLOCK_THRESHOLD ? 'block' : score >= PRESCREEN_FLAG_THRESHOLD ? 'flag' : 'allow';
  return { score, verdict, signals: [...hits.keys()].sort() };
}
