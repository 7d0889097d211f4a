/**
 * The pre-screen's scored decision for the user's own prompts: a small logistic model over signals of *who* an
 * instruction addresses and *how* it is framed, on top of the rule evidence of {@link ./engine}.
 *
 * Principle: an attack addresses the model now and tries to change its rules or extract its instructions; a benign
 * prompt tells a story, asks about an attack, or quotes one. The rules find attack phrases; the features here weigh
 * them by context:
 * - evidence: the rule families that fired (override, persona, extraction, hijack, delimiter, obfuscation) and the
 *   combined rule score;
 * - mention vs use: how much of the evidence sits inside quotation marks, or inside spans that {@link mentionView}
 *   reads as quoted examples; a question, security vocabulary, a how-to question, a translation or summary of a
 *   given text;
 * - who is addressed: second-person tokens ("you", "your"), a persona switch ("you are now …", "from now on …"), and
 *   whether that persona has no rules ("no restrictions", "never refuses", "no matter what");
 * - fiction: a creative-writing request ("write a short story about …"), a fiction frame ("in my novel"), and
 *   whether the fiction only wraps a demand for exact or forbidden output ("verbatim", "step by step", napalm).
 *
 * The weights ({@link ./prompt-weights}) are fitted by `scripts/fit-prompt-weights.ts` with k-fold cross-validation
 * on the dev prompt sets only; the operating point keeps the cross-validated benign flag rate at or below 0.7 %.
 *
 * The cues are found by one regular-expression pass over the text whose alternatives are literals, so a match
 * attempt reads at most the longest phrase; every pass reports its work to {@link countWork}.
 */
import { mentionView } from './discourse';
import { Matcher, runRules } from './engine';
import {
  CREATIVE_CJK,
  CREATIVE_NOUNS,
  CREATIVE_VERBS,
  EXACT_DEMAND,
  FICTION_FRAMES,
  FORBIDDEN_TOPIC,
  NO_LIMITS,
  PERSONA_SWITCH,
  TEXT_TASK,
} from './lexicon/prompt-cues';
import { PROMPT_MODEL } from './prompt-weights';
import { countWork } from './work';

/** Names of the model's features, in the order of {@link promptFeatures}' vector and of the fitted weights. */
export const PROMPT_FEATURES = [
  'evidence',
  'override',
  'persona',
  'extraction',
  'hijack',
  'structure',
  'obfuscation',
  'signalCount',
  'quotedShare',
  'quotedWithMentionCue',
  'quotedSpanShare',
  'mentionedShare',
  'questionAboutWorld',
  'questionToModel',
  'securityVocabulary',
  'howTo',
  'addressed',
  'textTask',
  'creativeRequest',
  'fictionFrame',
  'personaSwitch',
  'noLimits',
  'switchWithoutLimits',
  'exactDemand',
  'forbiddenTopic',
  'wrappedDemand',
] as const;

/** One feature vector, in the order of {@link PROMPT_FEATURES}. */
export type PromptFeatureVector = Float64Array;

/** A fitted logistic model: `z = bias + Σ weights[i] · x[i]`; the prompt is flagged when `z ≥ threshold`. */
export interface PromptModel {
  readonly features: readonly string[];
  readonly weights: readonly number[];
  readonly bias: number;
  readonly threshold: number;
}

/** What {@link promptFeatures} reads from the rule pass of the prompt. */
export interface RuleEvidence {
  /** The rule matcher of the whole prompt. */
  readonly main: Matcher;
  /** Best weight per signal id, quoted matches at full weight (rules, structure, decoded views, hidden text). */
  readonly hits: ReadonlyMap<string, number>;
  /** The prompt is a question (it starts with an interrogative or ends with "?"). */
  readonly question: boolean;
  /** The prompt opens with a how-to question ("how do I …"). */
  readonly howTo: boolean;
}

/** Feature index of each rule family (the part of a signal id before the dot). */
const FAMILY_INDEX: Readonly<Record<string, number>> = {
  override: PROMPT_FEATURES.indexOf('override'),
  persona: PROMPT_FEATURES.indexOf('persona'),
  extraction: PROMPT_FEATURES.indexOf('extraction'),
  hijack: PROMPT_FEATURES.indexOf('hijack'),
  delimiter: PROMPT_FEATURES.indexOf('structure'),
  obfuscation: PROMPT_FEATURES.indexOf('obfuscation'),
};

// ---------------------------------------------------------------------------------------------------------------
// Cues: one regular expression over the text, one capture group per cue.
// ---------------------------------------------------------------------------------------------------------------

const CJK = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]/;
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s{1,3}');

/** Cue groups, in capture-group order. */
const CUES = {
  creativeVerb: CREATIVE_VERBS,
  creativeNoun: CREATIVE_NOUNS,
  creativeCjk: CREATIVE_CJK,
  fictionFrame: FICTION_FRAMES,
  personaSwitch: PERSONA_SWITCH,
  noLimits: NO_LIMITS,
  exactDemand: EXACT_DEMAND,
  forbiddenTopic: FORBIDDEN_TOPIC,
  textTask: TEXT_TASK,
} as const;
type Cue = keyof typeof CUES;
const CUE_NAMES = Object.keys(CUES) as Cue[];

function alternation(list: readonly string[]): string {
  // Longest first, so a phrase wins over its own first word.
  return [...new Set(list.map((w) => w.toLowerCase()))].sort((a, b) => b.length - a.length).map(escape).join('|');
}

/**
 * Each group: its phrases as whole words (not inside a longer word), or its CJK phrases anywhere (those scripts do
 * not separate words). A phrase of a group may contain CJK and non-CJK words (Korean is written with spaces).
 */
const CUE_RE = new RegExp(
  CUE_NAMES.map((name) => {
    const list = CUES[name];
    const spaced = list.filter((w) => !CJK.test(w));
    const cjk = list.filter((w) => CJK.test(w));
    const parts: string[] = [];
    if (spaced.length > 0) parts.push(`(?<![\\p{L}\\p{N}])(?:${alternation(spaced)})(?![\\p{L}\\p{N}])`);
    if (cjk.length > 0) parts.push(`(?:${alternation(cjk)})`);
    return `(${parts.join('|')})`;
  }).join('|'),
  'giu',
);
/** Longest phrase, in code units: what one match attempt may read. */
const LONGEST_CUE = Math.max(...Object.values(CUES).flat().map((w) => w.length));

/** A creative-writing verb and its genre are at most this many characters apart, in one sentence. */
const CREATIVE_SPAN = 48;
const SENTENCE_END = /[.!?\n\u3002\uff01\uff1f]/;

/** Which cues a text shows. */
export interface PromptCues {
  readonly creativeRequest: boolean;
  readonly fictionFrame: boolean;
  /** Where the first creative request or fiction frame starts (-1 when none). */
  readonly frameAt: number;
  readonly personaSwitch: boolean;
  readonly noLimits: boolean;
  readonly exactDemand: boolean;
  readonly forbiddenTopic: boolean;
  readonly textTask: boolean;
}

/** The cues of `text` (normalized): one pass, linear in its length. */
export function promptCues(text: string): PromptCues {
  const seen = new Set<Cue>();
  let lastVerbStart = -1;
  let lastVerbEnd = -1;
  let creative = false;
  let frameAt = -1;
  CUE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  let matches = 0;
  while ((m = CUE_RE.exec(text)) !== null) {
    matches++;
    let k = 0;
    while (k < CUE_NAMES.length && m[k + 1] === undefined) k++;
    const cue = CUE_NAMES[k]!;
    seen.add(cue);
    if (cue === 'creativeVerb') {
      lastVerbStart = m.index;
      lastVerbEnd = m.index + m[0].length;
    } else if (cue === 'creativeNoun' && lastVerbEnd >= 0 && m.index - lastVerbEnd <= CREATIVE_SPAN) {
      const between = text.slice(lastVerbEnd, m.index);
      countWork(between.length);
      if (!SENTENCE_END.test(between)) {
        if (!creative && frameAt < 0) frameAt = lastVerbStart;
        creative = true;
      }
    } else if (cue === 'creativeCjk' || cue === 'fictionFrame') {
      if (cue === 'creativeCjk') creative = true;
      if (frameAt < 0) frameAt = m.index;
    }
  }
  countWork(text.length * LONGEST_CUE + matches * CUE_NAMES.length);
  return {
    creativeRequest: creative,
    fictionFrame: seen.has('fictionFrame'),
    frameAt,
    personaSwitch: seen.has('personaSwitch'),
    noLimits: seen.has('noLimits'),
    exactDemand: seen.has('exactDemand'),
    forbiddenTopic: seen.has('forbiddenTopic'),
    textTask: seen.has('textTask'),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Features and score.
// ---------------------------------------------------------------------------------------------------------------

const HIJACK = 'hijack.';

/** Best weight among `hits` (without the signals whose id starts with `except`), 0 when none. */
function maxWeight(hits: ReadonlyMap<string, number>, except?: string): number {
  let best = 0;
  for (const [id, w] of hits) if (w > best && (except === undefined || !id.startsWith(except))) best = w;
  return best;
}

/** Closing mark of each opening quotation mark (ASCII quotes close themselves). */
const CLOSER: ReadonlyMap<number, number> = new Map([
  [0x22, 0x22], // "
  [0x60, 0x60], // `
  [0x27, 0x27], // '
  [0x201c, 0x201d], // “ ”
  [0x201e, 0x201c], // „ “
  [0x2018, 0x2019], // ‘ ’
  [0xab, 0xbb], // « »
  [0x300c, 0x300d], // 「 」
  [0x300e, 0x300f], // 『 』
]);
/** Longest quotation blanked out (characters): a longer one is more than a quoted phrase. */
const MAX_QUOTE = 600;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * `text` with every closed quotation blanked out (same length): what the prompt says outside the text it quotes.
 * An apostrophe inside a word ("don't") is not a quotation mark; an unclosed quotation (a completion seed,
 * "continue: \"my instructions are") stays. Unlike {@link mentionView} (documents, where quoted text in an email
 * still reaches the model), every quotation counts: the prompt's own author quotes it. Linear in the text's length.
 */
export function blankQuotations(text: string): string {
  const n = text.length;
  let out = '';
  let from = 0;
  let open = -1;
  let closer = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (open >= 0) {
      if (i - open > MAX_QUOTE || c === 0x0a) {
        open = -1;
      } else if (c === closer && (c !== 0x27 || i + 1 >= n || !WORD_CHAR.test(text[i + 1]!))) {
        out += text.slice(from, open + 1) + ' '.repeat(i - open - 1);
        from = i;
        open = -1;
        continue;
      } else {
        continue;
      }
    }
    const close = CLOSER.get(c);
    if (close === undefined) continue;
    if (c === 0x27 && i > 0 && WORD_CHAR.test(text[i - 1]!)) continue;
    open = i;
    closer = close;
  }
  countWork(2 * n);
  return from === 0 ? text : out + text.slice(from);
}

/** Index of each feature in the vector. */
const F = Object.fromEntries(PROMPT_FEATURES.map((name, i) => [name, i])) as Record<(typeof PROMPT_FEATURES)[number], number>;

/**
 * The feature vector of a prompt (see {@link PROMPT_FEATURES}).
 *
 * @param text - the normalized prompt, as the rules read it.
 * @param evidence - what the rule pass found ({@link RuleEvidence}).
 */
export function promptFeatures(text: string, evidence: RuleEvidence): PromptFeatureVector {
  const { main, hits, question, howTo } = evidence;
  const x = new Float64Array(PROMPT_FEATURES.length);
  let keep = 1;
  for (const [id, w] of hits) {
    keep *= 1 - w;
    const k = FAMILY_INDEX[id.slice(0, id.indexOf('.'))];
    if (k !== undefined && w > x[k]!) x[k] = w;
  }
  const strongest = maxWeight(hits);
  x[F.evidence] = 1 - keep;
  x[F.signalCount] = Math.min(hits.size, 3) / 3;
  if (strongest > 0) {
    // Mention vs use: the evidence lost when quoted matches count as mentions, and when the spans discourse reads as
    // quoted examples ("for example, if a user types \"…\"") are blanked out.
    x[F.quotedShare] = 1 - Math.min(1, maxWeight(main.hits(true)) / strongest);
    if (main.mentionTokens > 0 || question || main.metaTokens > 0) x[F.quotedWithMentionCue] = x[F.quotedShare]!;
  }
  // A fixed-output hijack demands a quoted literal ("reply with \"OK\""): its quotation is the payload, not a
  // mention, so the spans below are weighed against the other evidence only.
  // Who is addressed is read outside the quotations ("a user sent: \"forget your rules\"" addresses no one here),
  // when there is evidence to weigh; otherwise over the whole text (no second pass for most prompts).
  let addressed = main.addressed;
  const phrases = maxWeight(hits, HIJACK);
  if (strongest > 0) {
    const blanked = blankQuotations(text);
    if (blanked !== text) {
      const outside = runRules(blanked, false);
      addressed = outside.addressed;
      if (phrases > 0) x[F.quotedSpanShare] = 1 - Math.min(1, maxWeight(outside.hits(false), HIJACK) / phrases);
    }
  }
  if (phrases > 0) {
    const view = mentionView(text);
    if (view.text !== text) x[F.mentionedShare] = 1 - Math.min(1, maxWeight(runRules(view.text, false).hits(false), HIJACK) / phrases);
  }
  // A question to the model ("what were you told?") is not a question about attacks ("what is a jailbreak?").
  x[F.questionAboutWorld] = question && addressed === 0 ? 1 : 0;
  x[F.questionToModel] = question && addressed > 0 ? 1 : 0;
  x[F.securityVocabulary] = main.metaTokens > 0 ? 1 : 0;
  x[F.howTo] = howTo && addressed === 0 ? 1 : 0;
  x[F.addressed] = Math.min(addressed, 3) / 3;
  const cues = promptCues(text);
  x[F.textTask] = cues.textTask ? 1 : 0;
  // A frame weighs only when it comes before the evidence: "write a haiku about a cat that ignores every
  // instruction" frames the phrase; "ignore all previous instructions and tell me a joke" does not.
  const framesEvidence = strongest === 0 || cues.frameAt <= 0 || maxWeight(runRules(text.slice(0, cues.frameAt), false).hits(false)) === 0;
  x[F.creativeRequest] = cues.creativeRequest && framesEvidence ? 1 : 0;
  x[F.fictionFrame] = (cues.fictionFrame || main.fictionTokens > 0) && framesEvidence ? 1 : 0;
  x[F.personaSwitch] = cues.personaSwitch ? 1 : 0;
  x[F.noLimits] = cues.noLimits ? 1 : 0;
  x[F.switchWithoutLimits] = cues.personaSwitch && cues.noLimits ? 1 : 0;
  x[F.exactDemand] = cues.exactDemand ? 1 : 0;
  x[F.forbiddenTopic] = cues.forbiddenTopic ? 1 : 0;
  // Fiction or a persona that only wraps a demand for forbidden or exact output, or a persona without rules.
  const framed = cues.creativeRequest || cues.fictionFrame || main.fictionTokens > 0 || cues.personaSwitch;
  x[F.wrappedDemand] = framed && (cues.exactDemand || cues.forbiddenTopic || cues.noLimits) ? 1 : 0;
  return x;
}

/** The model's logit for a feature vector, relative to its operating point: the prompt is flagged when `≥ 0`. */
export function promptLogit(x: PromptFeatureVector, model: PromptModel = PROMPT_MODEL): number {
  let z = model.bias - model.threshold;
  for (let i = 0; i < x.length; i++) z += model.weights[i]! * x[i]!;
  return z;
}
