/**
 * The pre-screen's matching engine: the lexicon and rules (`lexicon/`) compiled into lookup tables, the token
 * classifier (leetspeak, homoglyph, spaced and joined-letter folds), the tokenizer (one left-to-right pass over char
 * codes, CJK dictionary segmentation) and the streaming rule matcher.
 *
 * Rules are short sequences of classes with a maximum gap in tokens between consecutive steps
 * (`ignore ≤3 all/previous ≤3 instructions`). All rules advance together in one streaming pass: each step keeps only
 * the most recent position where it matched, so the pass is O(tokens × matching steps) with no backtracking.
 *
 * Every scanning loop, trie walk and matcher step reports its work to {@link countWork}.
 *
 * Its tables are compiled at build time (./lexicon-compile, `npm run compile:lexicon`) and only viewed at load: no
 * loop over the lexicon's words or trie nodes runs at cold start (one over the trie's nodes fills its transition
 * table from parent/letter arrays); the few maps that need strings (phrases, and the words that are not plain a–z
 * words, built on first use) are built from a few hundred entries.
 */
import { ENGINE_TABLES_JSON } from './lexicon/compiled';
import { READER_WINDOW } from './lexicon/rules';
import { NON_ASCII, fold, hasCjkChar, isOwnLowerCase } from './fold';
import type { EngineTables, FlatTable, MarkTriggerTable } from './lexicon-compile';
import { LATIN_CONFUSABLES } from './normalize';
import { UnitBuffer } from './units';
import { countWork } from './work';

/**
 * The lexicon's lookup tables (tries, class lists, phrases), derived from the word lists at build time (see
 * ./lexicon-compile): loading them costs no work per lexicon word. Their class list is the engine's: the ids in them
 * are positions in it.
 */
const TABLES: EngineTables = JSON.parse(ENGINE_TABLES_JSON) as EngineTables;
const CLASS_NAMES: readonly string[] = TABLES.classes.split(' ');
const CLASS_ID = new Map<string, number>(CLASS_NAMES.map((c, i) => [c, i]));
/** A class the rules or the engine use; a compiled lexicon without it was compiled from older word lists or rules. */
function cid(name: string): number {
  const id = CLASS_ID.get(name);
  if (id === undefined) throw new Error(`prescreen: lexicon/compiled.ts is stale (it has no class ${name}); run npm run compile:lexicon`);
  return id;
}

const EMPTY: readonly number[] = [];

/**
 * The lexicon's distinct class lists by reference: the tables refer to list `k` as `k + 1`, and to none (inside a
 * word, no word) as 0. The per-node tables hold references, not arrays: filling an array per trie node at load was a
 * loop over 5,000 nodes.
 */
const LIST_BY_REF: ReadonlyArray<readonly number[] | undefined> = [undefined, ...TABLES.lists];
/** By the reference of a list, the same list without the classes the direct matcher never reads (see `directClassMask` in ./lexicon-compile). */
const DIRECT_LIST_BY_REF: ReadonlyArray<readonly number[] | undefined> = TABLES.directOf.map((ref) => LIST_BY_REF[ref]);
const BIG_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 0;
/** A little-endian base64 table of the compiled lexicon as a typed array (a copy, aligned, in the host's byte order). */
function u16(b64: string): Uint16Array {
  const buf = Buffer.from(b64, 'base64');
  if (BIG_ENDIAN) buf.swap16();
  return new Uint16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
}
/** A base64 table of the compiled lexicon as bytes. */
function u8(b64: string): Uint8Array {
  const buf = Buffer.from(b64, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}
/** Two-word phrases as `"a b"`, with their classes. */
const bigrams = new Map<string, readonly number[]>(TABLES.bigrams.map((phrase, k) => [phrase, LIST_BY_REF[TABLES.bigramLists[k]!]!]));
const cjkMaxLen = TABLES.cjkMaxLen;

// The rules' tables, compiled at build time (`compileRules` in ./lexicon-compile). A "stage" is one step of one rule;
// stages of a rule are contiguous.
const RULE_TABLES = TABLES.rules;
const NUM_CLASSES = CLASS_NAMES.length;
const ruleIds: readonly string[] = RULE_TABLES.ids;
const ruleWeight: readonly number[] = RULE_TABLES.weights;
const ruleFirst: readonly number[] = RULE_TABLES.first;
const TOTAL_STAGES = RULE_TABLES.stageRule.length;
const STAGE_STEP = Int32Array.from(RULE_TABLES.stageStep);
const STAGE_GAP = Int32Array.from(RULE_TABLES.stageGap);
const STAGE_RULE = Int32Array.from(RULE_TABLES.stageRule);
const RULE_UNTRUSTED = Uint8Array.from(RULE_TABLES.untrusted);
const RULE_DIRECT = Uint8Array.from(RULE_TABLES.direct);
const RULE_LAST = Int32Array.from(RULE_TABLES.last);
const RULE_EMIT = Int32Array.from(RULE_TABLES.emit);

/** Per-rule class lists flattened into one array: the list of rule `r` is `cls[off[r]] … cls[off[r + 1] - 1]`. */
interface FlatLists {
  readonly off: Int32Array;
  readonly cls: Int32Array;
}
function flatLists(table: FlatTable): FlatLists {
  return { off: Int32Array.from(table.off), cls: Int32Array.from(table.items) };
}
/** Each list of a flattened table as a view of one typed array. */
function listViews(table: FlatTable): Int32Array[] {
  const { off, cls } = flatLists(table);
  return Array.from({ length: off.length - 1 }, (_, k) => cls.subarray(off[k], off[k + 1]));
}
const START = flatLists(RULE_TABLES.start);
const BLOCK = flatLists(RULE_TABLES.block);
const PRE = flatLists(RULE_TABLES.pre);
const POST = flatLists(RULE_TABLES.post);
/** Per class, the stages of steps ≥ 1 listening to it (later stages first), for the direct and the untrusted matcher. */
const DIRECT_STAGES = listViews(RULE_TABLES.directStages);
const ALL_STAGES = listViews(RULE_TABLES.allStages);
/** Classes listening to each stage (empty for step 0, which is read from `lastSeen`). */
const stageClasses = listViews(RULE_TABLES.stageClasses);
/** Per class, the single-step rules it starts. */
const singleByClass = listViews(RULE_TABLES.singles);
/** 1 for classes that start a single-step rule (see `singleByClass`). */
const HAS_SINGLES = Uint8Array.from(singleByClass, (l) => (l.length > 0 ? 1 : 0));

/** Classes the engine itself emits or reads. */
const C = {
  EOS: cid('EOS'),
  COLON: cid('COLON'),
  EMAILADDR: cid('EMAILADDR'),
  NOTC: cid('NOTC'),
  ARE: cid('ARE'),
};
const EOS_CLASSES: readonly number[] = [C.EOS];
const COLON_CLASSES: readonly number[] = [C.COLON];
const QOPEN_CLASSES: readonly number[] = [cid('QOPEN')];
const QEND_CLASSES: readonly number[] = [cid('QEND')];

/**
 * When a quotation mark can advance a rule: per mark class, the classes of the steps right before a step on it, with
 * that step's gap. The tokenizer feeds a mark only when one of them was seen within its gap, so ordinary quotations
 * (and 1 MB of `"a" "a" …`) cost nothing; a mark therefore never starts a rule (checked by `compileRules`).
 */
interface MarkTrigger {
  readonly classes: Int32Array;
  readonly gaps: Int32Array;
}
function markTrigger(table: MarkTriggerTable): MarkTrigger {
  return { classes: Int32Array.from(table.classes), gaps: Int32Array.from(table.gaps) };
}
const QOPEN_TRIGGER = markTrigger(RULE_TABLES.qopen);
const QEND_TRIGGER = markTrigger(RULE_TABLES.qend);

/** Per class, the counter it feeds in {@link Matcher}: 1 META, 2 MENTION, 3 YOU/YOUR, 4 QWORD, 5 D_FICTION. */
const COUNTER = Uint8Array.from(RULE_TABLES.counter);

/** Per class, 1 + the index of the reader cue (`READER_CUES` in ./lexicon/rules) it belongs to, 0 for none. */
const CUE = Uint8Array.from(RULE_TABLES.cue);
const CUE_COUNT = RULE_TABLES.cueCount;

// ---------------------------------------------------------------------------------------------------------------
// Token classification. Tokens arrive already folded (the whole text is folded once).
// ---------------------------------------------------------------------------------------------------------------

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', '$': 's' };
const CONFUSABLE = LATIN_CONFUSABLES;
const HAS_DIGITISH = /[0-9@$]/;
/** Created on first use, not at cold start: a Unicode-property regex costs 0.05-0.25 ms to create (its ICU sets), and English text never asks it. */
let hasLetter: RegExp | undefined;
const HAS_ASCII_LETTER = /[a-z]/;

/** Any character but a–z: the word is not in the ASCII trie. */
const NOT_AZ = /[^a-z]/;

/** Classes of a folded word: a plain a–z word is walked down the ASCII trie, others are read from {@link otherWords}. */
function lookupFolded(tok: string): readonly number[] {
  if (NOT_AZ.test(tok)) return otherWords().get(tok) ?? EMPTY;
  let node = ASCII_ROOT;
  for (let k = 0; k < tok.length && node !== 0; k++) node = ASCII_NEXT[(node << 5) + tok.charCodeAt(k) - 0x61]!;
  return LIST_BY_REF[ASCII_LIST[node]!] ?? EMPTY;
}

let otherWordMap: Map<string, readonly number[]> | undefined;
/** The lexicon's words that are not plain a–z words (non-ASCII, apostrophes, digits), on first use. */
function otherWords(): Map<string, readonly number[]> {
  otherWordMap ??= new Map(TABLES.otherWords.map((w, k) => [w, LIST_BY_REF[TABLES.otherLists[k]!]!]));
  return otherWordMap;
}

/** Bit flags for tokens recovered through a fold, to report obfuscation. */
const Obf = { None: 0, Leet: 1, Homoglyph: 2, Spaced: 4, Joined: 8 } as const;
/** Not obfuscation: the token completes a two-word phrase, so the phrase's own first word must not weaken it. */
const PHRASE = 16;

interface Classified {
  readonly classes: readonly number[];
  readonly obf: number;
}

const NONE: Classified = { classes: EMPTY, obf: Obf.None };
const cache = new Map<string, Classified>();
const CACHE_LIMIT = 50_000;

/** Classes of one lower-case word (cached; the cache is bounded and cleared when full). */
function classify(tok: string): Classified {
  const cached = cache.get(tok);
  if (cached !== undefined) return cached;
  const result = classifyUncached(tok);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(tok, result);
  return result;
}

function classifyUncached(word: string): Classified {
  let tok = NON_ASCII.test(word) ? fold(word) : word;
  if (tok.length > 1 && (tok.startsWith("'") || tok.endsWith("'"))) tok = tok.replace(/^'+|'+$/g, '');
  let classes = lookupFolded(tok);
  if (classes.length > 0) return { classes, obf: Obf.None };
  if (tok.includes("'")) {
    const [head, tail] = tok.split("'", 2) as [string, string];
    const extra: number[] = [];
    if (tail === 't') extra.push(C.NOTC);
    if (tail === 're') extra.push(C.ARE);
    classes = [...lookupFolded(head), ...extra];
    if (classes.length > 0) return { classes, obf: Obf.None };
  }
  if (tok.length > 2 && HAS_DIGITISH.test(tok) && (hasLetter ??= /\p{L}/u).test(tok)) {
    let leet = '';
    for (const ch of tok) leet += LEET[ch] ?? ch;
    classes = lookupFolded(leet);
    if (classes.length === 0 && leet.includes('i')) classes = lookupFolded(leet.replace(/i/g, 'l'));
    if (classes.length > 0) return { classes, obf: Obf.Leet };
  }
  if (HAS_ASCII_LETTER.test(tok) && NON_ASCII.test(tok)) {
    let plain = '';
    let changed = false;
    for (const ch of tok) {
      const m = CONFUSABLE[ch];
      if (m !== undefined) changed = true;
      plain += m ?? ch;
    }
    if (changed) {
      classes = lookupFolded(plain);
      if (classes.length > 0) return { classes, obf: Obf.Homoglyph };
    }
  }
  return NONE;
}


/**
 * Trie of the lexicon's plain ASCII words (a–z) as a flat transition table: the tokenizer walks it while it scans a
 * word (one typed-array load per letter), so ordinary words are classified without allocating a string. Node 0 is
 * the dead state (its row is all zeros, so walking on from it needs no branch); node 1 is the root. Nodes are numbered
 * breadth-first, so the short prefixes that every word walks through share a few cache lines. Each node's row has 32
 * entries (26 used): a row is one 64-byte cache line and its index a shift, not a multiplication. The compiled tables
 * give each node's parent and letter ({@link EngineTables}); filling the table from them is one pass over two typed
 * arrays.
 */
const ASCII_ROOT = 1;
const ASCII_PARENT = u16(TABLES.asciiParent);
const ASCII_LETTER = u8(TABLES.asciiLetter);
const ASCII_NODES = ASCII_PARENT.length;
const ASCII_NEXT = new Uint16Array(ASCII_NODES << 5);
for (let node = 2; node < ASCII_NODES; node++) ASCII_NEXT[(ASCII_PARENT[node]! << 5) + ASCII_LETTER[node]!] = node;
/** Per node, the reference of the class list of the word ending there ({@link LIST_BY_REF}), 0 inside a word. */
const ASCII_LIST = u16(TABLES.asciiList);
/** Per trie node: 1 if the word has classes, 2 if it starts a phrase (for the untrusted and the direct matcher); 1 for a phrase's first word. */
const ASCII_FLAG_RUNS = u8(TABLES.asciiFlags);
const ASCII_FLAGS = ASCII_FLAG_RUNS.subarray(0, ASCII_NODES);
const ASCII_FLAGS_DIRECT = ASCII_FLAG_RUNS.subarray(ASCII_NODES, 2 * ASCII_NODES);
const ASCII_HEAD = ASCII_FLAG_RUNS.subarray(2 * ASCII_NODES, 3 * ASCII_NODES);
/** The first words of two-word phrases by trie node (one string each, so consecutive lookups compare by identity). */
const ASCII_WORDS = new Array<string>(ASCII_NODES);
TABLES.asciiHeads.forEach((head, k) => {
  ASCII_WORDS[TABLES.asciiHeadNodes[k]!] = head;
});
/** First words of two-word phrases, so the scanner only builds a phrase key when it can match. */
const bigramHeads = new Set<string>();
/** Two-word phrases by first word, then by the trie node of a plain ASCII second word. */
const BIGRAM_SECOND = new Map<string, Map<number, readonly number[]>>();
TABLES.bigrams.forEach((phrase, k) => {
  const head = phrase.slice(0, phrase.indexOf(' '));
  bigramHeads.add(head);
  const node = TABLES.bigramSecondNodes[k]!;
  if (node === 0) return;
  let bySecond = BIGRAM_SECOND.get(head);
  if (bySecond === undefined) BIGRAM_SECOND.set(head, (bySecond = new Map()));
  bySecond.set(node, LIST_BY_REF[TABLES.bigramLists[k]!]!);
});

/** A character trie: segmenting a run walks it one char code at a time, with no string allocation. */
interface TrieNode {
  readonly next: Map<number, TrieNode>;
  classes: readonly number[] | undefined;
}
function buildTrie(entries: Iterable<[string, readonly number[]]>): TrieNode {
  const root: TrieNode = { next: new Map(), classes: undefined };
  for (const [word, classes] of entries) {
    let node = root;
    for (let k = 0; k < word.length; k++) {
      const code = word.charCodeAt(k);
      let child = node.next.get(code);
      if (child === undefined) {
        child = { next: new Map(), classes: undefined };
        node.next.set(code, child);
      }
      node = child;
    }
    node.classes = classes;
  }
  return root;
}
/** The lexicon's plain words with their classes: the ASCII trie's words (spelled from the node's parents) and the others. */
function* lexiconWords(): Generator<[string, readonly number[]]> {
  const spelled = ['', ''];
  for (let node = 2; node < ASCII_NODES; node++) {
    spelled.push(spelled[ASCII_PARENT[node]!]! + String.fromCharCode(0x61 + ASCII_LETTER[node]!));
    // Words of phrases only are in the trie with no classes; a lexicon word always has some.
    const classes = LIST_BY_REF[ASCII_LIST[node]!];
    if (classes !== undefined && classes.length > 0) yield [spelled[node]!, classes];
  }
  yield* otherWords();
}
let joinedTrie: TrieNode | undefined;
/**
 * ASCII lexicon words, for re-joining "i g n o r e" runs: built on the first such run, not at cold start (most texts
 * have none, and the build is the largest single item of the module's load).
 */
function joinTrie(): TrieNode {
  joinedTrie ??= buildTrie([...lexiconWords()].filter(([w]) => w.length >= 2 && !NON_ASCII.test(w)));
  return joinedTrie;
}
/**
 * CJK lexicon words as a flat trie: node 0 is the dead state, node 1 the root; the children of node `n` are the nodes
 * `CJK_CHILD_START[n] … CJK_CHILD_START[n + 1] - 1`, in the order of their code units ({@link CJK_CODE}).
 */
const CJK_ROOT = 1;
const CJK_CHILD_START = u16(TABLES.cjkChildStart);
const CJK_CODE = u16(TABLES.cjkCode);
/** Per node, the reference of the class list of the CJK word ending there ({@link LIST_BY_REF}), 0 for none. */
const CJK_LIST = u16(TABLES.cjkList);
/** Per code unit, the root's child for it (0 for none): segmentation skips every code unit that starts no word at once. */
const CJK_FIRST = new Uint16Array(0x10000);
for (let node = CJK_CHILD_START[CJK_ROOT]!; node < CJK_CHILD_START[CJK_ROOT + 1]!; node++) CJK_FIRST[CJK_CODE[node]!] = node;
/** The child of CJK trie node `node` for code unit `code`, 0 for none. */
function cjkNext(node: number, code: number): number {
  if (node === CJK_ROOT) return CJK_FIRST[code]!;
  for (let child = CJK_CHILD_START[node]!, end = CJK_CHILD_START[node + 1]!; child < end; child++) if (CJK_CODE[child] === code) return child;
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// The streaming matcher.
// ---------------------------------------------------------------------------------------------------------------

const NEG = -1_000_000_000;
/** Match flags carried along a rule's steps. */
const QUOTED = 1;
const WEAK = 2;
const OBFUSCATED = 4;
/** Token flag: completes a two-word phrase, so pre-context must not weaken a chain starting here. */
const NO_PRE = 8;
const PRE_WINDOW = 4;
const POST_WINDOW = 2;
const QUOTED_FACTOR = 0.4;
const WEAK_FACTOR = 0.3;
const MAX_ROUNDS = 3;

/**
 * A matcher's working arrays. Allocating a dozen typed arrays costs more than screening a short prompt, so they are
 * kept in a small pool ({@link acquireScratch}) and reset, not reallocated, for each run.
 */
class Scratch {
  readonly lastPos = new Int32Array(TOTAL_STAGES);
  readonly flags = new Uint8Array(TOTAL_STAGES);
  readonly lastSeen = new Int32Array(NUM_CLASSES);
  readonly prevSeen = new Int32Array(NUM_CLASSES);
  readonly lastFlags = new Uint8Array(NUM_CLASSES);
  readonly prevFlags = new Uint8Array(NUM_CLASSES);
  readonly writeStage = new Int32Array(TOTAL_STAGES);
  readonly writeFlags = new Uint8Array(TOTAL_STAGES);
  readonly best = new Float64Array(ruleIds.length);
  readonly bestMention = new Float64Array(ruleIds.length);
  readonly done = new Uint8Array(ruleIds.length);
  readonly lastCue = new Int32Array(CUE_COUNT);
  readonly pendingRule: number[] = [];
  readonly pendingAt: number[] = [];
  readonly pendingFlags: number[] = [];

  /** The state of a fresh matcher. `writeStage` and `writeFlags` need none: they are written before they are read. */
  reset(): void {
    this.lastPos.fill(NEG);
    this.flags.fill(0);
    this.lastSeen.fill(NEG);
    this.prevSeen.fill(NEG);
    this.lastFlags.fill(0);
    this.prevFlags.fill(0);
    this.best.fill(0);
    this.bestMention.fill(0);
    this.done.fill(0);
    this.lastCue.fill(NEG);
    this.pendingRule.length = 0;
    this.pendingAt.length = 0;
    this.pendingFlags.length = 0;
  }
}

/** Scratch sets not in use. Runs never nest, so one set is enough; a few are kept in case a caller interleaves. */
const scratchPool: Scratch[] = [];
const SCRATCH_POOL_LIMIT = 4;

/** A reset scratch set, from the pool when one is free. */
function acquireScratch(): Scratch {
  const scratch = scratchPool.pop() ?? new Scratch();
  scratch.reset();
  return scratch;
}

/** Detached, empty working arrays for a matcher whose run has ended (see {@link Matcher.release}). */
const RELEASED = new Scratch();

/**
 * Advances every rule over a stream of token classes. For each stage it keeps only the most recent position where
 * the stage completed (a later position always leaves more room for the next step's gap), so each token costs
 * O(stages listening to its classes) and nothing is ever re-scanned.
 *
 * Made and run by {@link runRules} only: its working arrays come from a pool and go back when the run ends
 * ({@link Matcher.release}); what stays readable afterwards are the counters and {@link Matcher.hits}.
 */
export class Matcher {
  /** Most recent position where each step (1…n) of each rule completed; step 0 is read from `lastSeen`. */
  private lastPos: Int32Array;
  private flags: Uint8Array;
  /** Latest position of each class and the one before it, with the token flags at those positions. */
  private lastSeen: Int32Array;
  private prevSeen: Int32Array;
  private lastFlags: Uint8Array;
  private prevFlags: Uint8Array;
  private writeStage: Int32Array;
  private writeFlags: Uint8Array;
  /** Best weight per rule, and best weight when quoted matches count as mentions; done = fired at full weight. */
  private best: Float64Array;
  private bestMention: Float64Array;
  private done: Uint8Array;
  /** Stages listening to each class; a rule's stages are dropped from this matcher's lists once it is done. */
  private stages: readonly Int32Array[];
  /** Indirect-injection rules are enabled. */
  readonly untrusted: boolean;
  private pendingRule: number[];
  private pendingAt: number[];
  private pendingFlags: number[];
  /** The working arrays, while the run lasts. */
  private scratch: Scratch;
  /** Rules that fired, with their best weights (`[rule, best, best as a mention]`), kept by {@link release}. */
  private fired: Array<[number, number, number]> | undefined;
  /** The last token fed was a sentence end (consecutive ones count once). Written by the scanner's fast path. */
  lastWasEos = true;
  /** A rule fired on a token recovered through leetspeak, homoglyph, spacing or joining. */
  obfuscated = false;
  /** Tokens of the META class (attack vocabulary in a question). */
  metaTokens = 0;
  /** Tokens addressing the assistant ("you", "your"). */
  addressed = 0;
  /** Tokens that announce a quotation or mention ("says", "translate", "story"). */
  mentionTokens = 0;
  /** Fiction framings of the user's own work ("in my novel", "my story"); direct matchers only. */
  fictionTokens = 0;
  /** The first token was an interrogative. */
  startsWithQuestion = false;
  /** Position of the next token. */
  index = 0;
  /** Most distinct reader cues seen within {@link READER_WINDOW} tokens (untrusted matchers only). */
  readerCues = 0;
  /** Latest position of each reader cue. */
  private lastCue: Int32Array;
  /** Work done for this matcher (tokenizer code units, trie steps, stages visited), reported by {@link runRules}. */
  steps = 0;

  constructor(untrusted: boolean) {
    this.untrusted = untrusted;
    this.stages = untrusted ? ALL_STAGES : DIRECT_STAGES;
    const s = acquireScratch();
    this.scratch = s;
    this.lastPos = s.lastPos;
    this.flags = s.flags;
    this.lastSeen = s.lastSeen;
    this.prevSeen = s.prevSeen;
    this.lastFlags = s.lastFlags;
    this.prevFlags = s.prevFlags;
    this.writeStage = s.writeStage;
    this.writeFlags = s.writeFlags;
    this.best = s.best;
    this.bestMention = s.bestMention;
    this.done = s.done;
    this.lastCue = s.lastCue;
    this.pendingRule = s.pendingRule;
    this.pendingAt = s.pendingAt;
    this.pendingFlags = s.pendingFlags;
  }

  /**
   * End the run: keep the rules that fired and return the working arrays to the pool. The matcher then holds the
   * detached empty set {@link RELEASED}, so a stray call cannot write into arrays another matcher is using.
   */
  release(): void {
    if (this.scratch === RELEASED) return;
    const fired: Array<[number, number, number]> = [];
    const { best, bestMention } = this;
    this.steps += best.length;
    for (let r = 0; r < best.length; r++) if (best[r]! > 0 || bestMention[r]! > 0) fired.push([r, best[r]!, bestMention[r]!]);
    this.fired = fired;
    if (scratchPool.length < SCRATCH_POOL_LIMIT) scratchPool.push(this.scratch);
    this.scratch = RELEASED;
    this.lastPos = RELEASED.lastPos;
    this.flags = RELEASED.flags;
    this.lastSeen = RELEASED.lastSeen;
    this.prevSeen = RELEASED.prevSeen;
    this.lastFlags = RELEASED.lastFlags;
    this.prevFlags = RELEASED.prevFlags;
    this.writeStage = RELEASED.writeStage;
    this.writeFlags = RELEASED.writeFlags;
    this.best = RELEASED.best;
    this.bestMention = RELEASED.bestMention;
    this.done = RELEASED.done;
    this.lastCue = RELEASED.lastCue;
    this.pendingRule = RELEASED.pendingRule;
    this.pendingAt = RELEASED.pendingAt;
    this.pendingFlags = RELEASED.pendingFlags;
  }

  /**
   * Best weight per fired signal id. With `mention` (the text discusses, quotes or translates something), matches
   * inside quotation marks count at {@link QUOTED_FACTOR}; otherwise quoting does not weaken an attack.
   */
  hits(mention: boolean): Map<string, number> {
    const hits = new Map<string, number>();
    if (this.fired === undefined) {
      const best = mention ? this.bestMention : this.best;
      for (let r = 0; r < best.length; r++) {
        const w = best[r]!;
        if (w > 0 && w > (hits.get(ruleIds[r]!) ?? 0)) hits.set(ruleIds[r]!, w);
      }
      return hits;
    }
    for (const [r, best, bestMention] of this.fired) {
      const w = mention ? bestMention : best;
      if (w > 0 && w > (hits.get(ruleIds[r]!) ?? 0)) hits.set(ruleIds[r]!, w);
    }
    return hits;
  }

  /**
   * Whether a quotation mark fed now could advance a rule ({@link markTrigger}): a class of the step before it was
   * seen within that step's gap. Direct matchers only.
   */
  markMatters(trigger: MarkTrigger): boolean {
    if (this.untrusted) return false;
    const { classes, gaps } = trigger;
    this.steps += classes.length;
    for (let k = 0; k < classes.length; k++) if (this.index - this.lastSeen[classes[k]!]! - 1 <= gaps[k]!) return true;
    return false;
  }

  /** Advance the position by `n` tokens that carry no class. */
  skip(n: number): void {
    this.index += n;
    this.lastWasEos = false;
  }

  feed(classes: readonly number[], quoted: boolean, obf: number): void {
    if (classes === EOS_CLASSES) {
      if (this.lastWasEos) return;
      this.lastWasEos = true;
    } else {
      this.lastWasEos = false;
    }
    const i = this.index++;
    this.steps += 1 + this.pendingRule.length;
    if (this.pendingRule.length > 0) this.resolvePost(classes, i);
    if (classes.length === 0) return;
    const tokenFlags = (quoted ? QUOTED : 0) | ((obf & ~PHRASE) !== 0 ? OBFUSCATED : 0) | ((obf & PHRASE) !== 0 ? NO_PRE : 0);
    let round: readonly number[] = classes;
    for (let depth = 0; depth < MAX_ROUNDS && round.length > 0; depth++) {
      const fromSingles = this.see(round, i, tokenFlags);
      const fromSteps = this.advance(round, i, tokenFlags);
      round = fromSingles.length === 0 ? fromSteps : [...new Set([...fromSingles, ...fromSteps])];
    }
  }

  /** Record that `classes` occur at position `i` (this is also step 0 of every rule starting with them). */
  private see(classes: readonly number[], i: number, tokenFlags: number): readonly number[] {
    const lastSeen = this.lastSeen;
    let emitted: number[] | undefined;
    this.steps += classes.length;
    for (let k = 0; k < classes.length; k++) {
      const c = classes[k]!;
      if (lastSeen[c]! !== i) {
        this.prevSeen[c] = lastSeen[c]!;
        this.prevFlags[c] = this.lastFlags[c]!;
        lastSeen[c] = i;
      }
      this.lastFlags[c] = tokenFlags;
      if (CUE[c] !== 0 && this.untrusted) this.cue(CUE[c]! - 1, i);
      const counter = COUNTER[c]!;
      if (counter !== 0) {
        if (counter === 1) this.metaTokens++;
        else if (counter === 2) this.mentionTokens++;
        else if (counter === 5) this.fictionTokens++;
        else if (counter === 3) this.addressed++;
        else if (i === 0) this.startsWithQuestion = true;
      }
      if (HAS_SINGLES[c] === 0) continue;
      const singles = singleByClass[c]!;
      this.steps += singles.length;
      for (let j = 0; j < singles.length; j++) {
        const r = singles[j]!;
        if (RULE_UNTRUSTED[r] ? !this.untrusted : RULE_DIRECT[r] && this.untrusted) continue;
        emitted = this.complete(r, i, this.startFlags(r, i, tokenFlags), emitted);
      }
    }
    return emitted ?? EMPTY;
  }

  /** Record reader cue `k` at position `i` and count the distinct cues within the window (constant work). */
  private cue(k: number, i: number): void {
    this.lastCue[k] = i;
    let n = 0;
    for (let j = 0; j < CUE_COUNT; j++) if (i - this.lastCue[j]! <= READER_WINDOW) n++;
    this.steps += CUE_COUNT;
    if (n > this.readerCues) this.readerCues = n;
  }

  /** Advance steps ≥ 1 listening to `classes`; returns derived classes emitted at this position. */
  private advance(classes: readonly number[], i: number, tokenFlags: number): readonly number[] {
    const lastPos = this.lastPos;
    const flags = this.flags;
    const lastSeen = this.lastSeen;
    const done = this.done;
    const obfBit = tokenFlags & OBFUSCATED;
    // With several classes, writes are deferred so a step completed by this token cannot hide an earlier
    // completion that another class of this token needs.
    const defer = classes.length > 1;
    let writes = 0;
    let emitted: number[] | undefined;
    for (let k = 0; k < classes.length; k++) {
      const list = this.stages[classes[k]!]!;
      this.steps += list.length;
      for (let j = 0; j < list.length; j++) {
        const s = list[j]!;
        const r = STAGE_RULE[s]!;
        if (done[r] === 1) continue;
        let prev: number;
        let f: number;
        if (STAGE_STEP[s] === 1) {
          // Step 0 is virtual: the most recent earlier occurrence of any of its classes.
          prev = NEG;
          f = 0;
          for (let q = START.off[r]!, qEnd = START.off[r + 1]!; q < qEnd; q++) {
            const c = START.cls[q]!;
            const last = lastSeen[c]!;
            const at = last < i ? last : this.prevSeen[c]!;
            if (at > prev) {
              prev = at;
              f = last < i ? this.lastFlags[c]! : this.prevFlags[c]!;
            }
          }
          if (prev < 0 || i - prev - 1 > STAGE_GAP[s]! || this.blocked(r, prev)) continue;
          f = this.startFlags(r, prev, f);
        } else {
          prev = lastPos[s - 1]!;
          if (prev < 0 || prev >= i || i - prev - 1 > STAGE_GAP[s]! || this.blocked(r, prev)) continue;
          f = flags[s - 1]!;
        }
        f |= obfBit;
        if (defer) {
          this.writeStage[writes] = s;
          this.writeFlags[writes] = f;
          writes++;
        } else {
          lastPos[s] = i;
          flags[s] = f;
        }
        if (s === RULE_LAST[r]) emitted = this.complete(r, i, f, emitted);
      }
    }
    for (let w = 0; w < writes; w++) {
      const s = this.writeStage[w]!;
      lastPos[s] = i;
      flags[s] = this.writeFlags[w]!;
    }
    return emitted ?? EMPTY;
  }

  /** Flags of a chain starting at position `at` with token flags `f`: quoted, obfuscated, weakened by context. */
  private startFlags(r: number, at: number, f: number): number {
    const weak = (f & NO_PRE) === 0 && this.weakened(r, at) ? WEAK : 0;
    return (f & (QUOTED | OBFUSCATED)) | weak;
  }

  private complete(r: number, i: number, f: number, emitted: number[] | undefined): number[] | undefined {
    const emit = RULE_EMIT[r]!;
    if (emit >= 0) {
      emitted ??= [];
      if (!emitted.includes(emit)) emitted.push(emit);
    } else if (POST.off[r + 1]! > POST.off[r]!) {
      this.pendingRule.push(r);
      this.pendingAt.push(i);
      this.pendingFlags.push(f);
    } else {
      this.fire(r, f);
    }
    return emitted;
  }

  finish(): void {
    this.steps += this.pendingRule.length;
    for (let k = 0; k < this.pendingRule.length; k++) this.fire(this.pendingRule[k]!, this.pendingFlags[k]!);
    this.pendingRule.length = 0;
    this.pendingAt.length = 0;
    this.pendingFlags.length = 0;
  }

  /** Resolve completed rules waiting for their post-context; the pending lists are compacted in place. */
  private resolvePost(classes: readonly number[], i: number): void {
    const rules = this.pendingRule;
    const at = this.pendingAt;
    const flags = this.pendingFlags;
    let kept = 0;
    for (let k = 0; k < rules.length; k++) {
      const r = rules[k]!;
      const p = at[k]!;
      const f = flags[k]!;
      if (p >= i) {
        // keep
      } else if (i - p > POST_WINDOW || classes === EOS_CLASSES) {
        this.fire(r, f);
        continue;
      } else if (this.hasPost(r, classes)) {
        this.fire(r, f | WEAK);
        continue;
      } else if (i - p === POST_WINDOW) {
        this.fire(r, f);
        continue;
      }
      rules[kept] = r;
      at[kept] = p;
      flags[kept] = f;
      kept++;
    }
    rules.length = kept;
    at.length = kept;
    flags.length = kept;
  }

  /** One of `classes` is a post-context class of rule `r`. */
  private hasPost(r: number, classes: readonly number[]): boolean {
    for (let q = POST.off[r]!, qEnd = POST.off[r + 1]!; q < qEnd; q++) if (classes.includes(POST.cls[q]!)) return true;
    return false;
  }

  /** A blocker class of rule `r` was seen after its previous step at `prev` (up to and including this token). */
  private blocked(r: number, prev: number): boolean {
    for (let q = BLOCK.off[r]!, qEnd = BLOCK.off[r + 1]!; q < qEnd; q++) if (this.lastSeen[BLOCK.cls[q]!]! > prev) return true;
    return false;
  }

  /**
   * A pre-context class of rule `r` was seen within PRE_WINDOW tokens before position `at`. Only the two latest
   * positions of each class are kept; if both are at or after `at` the check answers "no" (the match stays strong).
   */
  private weakened(r: number, at: number): boolean {
    for (let q = PRE.off[r]!, qEnd = PRE.off[r + 1]!; q < qEnd; q++) {
      const c = PRE.cls[q]!;
      const seen = this.lastSeen[c]! < at ? this.lastSeen[c]! : this.prevSeen[c]! < at ? this.prevSeen[c]! : NEG;
      if (seen >= at - PRE_WINDOW) return true;
    }
    return false;
  }

  private fire(r: number, flags: number): void {
    let w = ruleWeight[r]!;
    if (flags & WEAK) w *= WEAK_FACTOR;
    const wm = flags & QUOTED ? w * QUOTED_FACTOR : w;
    if (flags & OBFUSCATED) this.obfuscated = true;
    if (w > this.best[r]!) this.best[r] = w;
    if (wm > this.bestMention[r]!) this.bestMention[r] = wm;
    if ((flags & (QUOTED | WEAK)) === 0 && this.done[r] === 0) {
      this.done[r] = 1;
      this.dropStages(r);
    }
  }

  /**
   * Remove the stages of rule `r` (now done) from the lists of the classes they listen to, so repeated attack text
   * does not keep visiting them. Lists are replaced, never changed in place, so a loop over one is unaffected.
   */
  private dropStages(r: number): void {
    if (this.stages === DIRECT_STAGES || this.stages === ALL_STAGES) this.stages = [...this.stages];
    const stages = this.stages as Int32Array[];
    for (let s = ruleFirst[r]! + 1; s <= RULE_LAST[r]!; s++) {
      for (const c of stageClasses[s]!) {
        this.steps += stages[c]!.length;
        stages[c] = stages[c]!.filter((x) => STAGE_RULE[x] !== r);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer: one left-to-right pass over char codes, no regular expression over the text.
// ---------------------------------------------------------------------------------------------------------------

const KIND_UNKNOWN = 0;
const KIND_SEP = 1;
const KIND_WORD = 2;
const KIND_CJK = 3;
/** Lazily filled kind of each BMP code unit (surrogates are resolved per pair). */
const BMP_KIND = new Uint8Array(0x10000);
/** Word characters outside the tables; created on first use, not at cold start: a Unicode-property regex costs 0.05-0.25 ms to create (its ICU sets), and English text never asks it. */
let wordChar: RegExp | undefined;
/** Lazily filled kind of each supplementary code point in planes 1 and 2 (emoji, CJK extension B); others cached. */
const ASTRAL_KIND = new Uint8Array(0x20000);
const astralKindOther = new Map<number, number>();

/** The kind of a supplementary code point (cached); also answers for a lone high surrogate. */
function astralKindOf(cp: number): number {
  if (cp >= 0x10000 && cp < 0x30000) {
    let kind = ASTRAL_KIND[cp - 0x10000]!;
    if (kind === KIND_UNKNOWN) {
      kind = kindOf(cp);
      ASTRAL_KIND[cp - 0x10000] = kind;
    }
    return kind;
  }
  let kind = astralKindOther.get(cp);
  if (kind === undefined) {
    kind = kindOf(cp);
    if (astralKindOther.size < 4096) astralKindOther.set(cp, kind);
  }
  return kind;
}

/** Lower-case forms of single non-ASCII characters (single letters are rare but can be many: cached). */
const lowerChar = new Map<number, string>();
function lowerOf(code: number): string {
  let lower = lowerChar.get(code);
  if (lower === undefined) {
    lower = String.fromCharCode(code).toLowerCase();
    if (lowerChar.size < 4096) lowerChar.set(code, lower);
  }
  return lower;
}
for (let c = 0; c < 0x80; c++) {
  const ch = String.fromCharCode(c);
  BMP_KIND[c] = /[a-z0-9_@$']/.test(ch) ? KIND_WORD : /[A-Z]/.test(ch) ? KIND_WORD : KIND_SEP;
}

function kindOf(cp: number): number {
  const ch = String.fromCodePoint(cp);
  if (hasCjkChar(ch)) return KIND_CJK;
  if (cp === 0x2019 || (wordChar ??= /^[\p{L}\p{N}\p{M}]$/u).test(ch)) return KIND_WORD;
  return KIND_SEP;
}

/**
 * Whether {@link scan} reads the rest of a word's ASCII letters without the trie once its walk reached the dead state
 * (node 0, which every transition keeps): same results, one table read less per letter. Off only in the test that
 * compares both.
 */
let deadWordSkip = true;

/** For tests: {@link scan} with (`true`, the default) or without its dead-word skip. @internal */
export function setDeadWordSkip(on: boolean): void {
  deadWordSkip = on;
}

const MAX_SPACED_RUN = 4096;
const MAX_WORD = 24;
const MIN_SNAKE_PARTS = 4;
/** Hyphen-split words ("IG-NORE IN-STRUC-TIONS") are re-joined from fragments of at most this length. */
const MAX_FRAGMENT = 8;
const MAX_JOINED = 16;

/**
 * Whether the token `u[start, end)` may differ from its lower case: it has an ASCII capital, a surrogate (an astral
 * letter may have case) or another unit that is not its own lower case. Words that are already in lower case (most
 * words of scripts without case) are not lower-cased (V8 lower-cases a two-byte string through ICU); lower-casing
 * a word this answers `true` for by excess changes nothing.
 */
function needsLowerCase(u: Uint16Array, start: number, end: number): boolean {
  for (let k = start; k < end; k++) {
    const c = u[k]!;
    if (c < 0x80 ? c >= 0x41 && c <= 0x5a : (c >= 0xd800 && c <= 0xdfff) || !isOwnLowerCase(c)) return true;
  }
  return false;
}

/** Code units of the text being scanned (see {@link UnitBuffer}). */
const scanUnits = new UnitBuffer();

/**
 * Stream a normalized text through `m`. The text is not lower-cased as a whole (V8 lower-cases two-byte strings
 * through ICU, at several times the cost of this scan): ASCII letters are read as lower case, and the few tokens that
 * are sliced are lower-cased one by one. Lower-casing never changes a character's kind, and only U+0130 (İ, "i" plus
 * a combining dot) changes length, which is added to the token's length here.
 */
function scan(t: string, m: Matcher): void {
  const n = t.length;
  const u = scanUnits.read(t);
  const deadSkip = deadWordSkip;
  const wordLists = m.untrusted ? LIST_BY_REF : DIRECT_LIST_BY_REF;
  const wordFlags = m.untrusted ? ASCII_FLAGS : ASCII_FLAGS_DIRECT;
  let quoted = false;
  let prevWord = ''; // previous word when it can start a two-word phrase
  let headWord = ''; // the last phrase head looked up, and its phrases by second word's trie node
  let headPhrases: ReadonlyMap<number, readonly number[]> | undefined;
  // Hyphen-split words ("IG-NORE"): the trie node reached by the fragments joined so far, when they are a prefix of
  // a lexicon word; walking on from it needs no string building.
  let joinNode = 0; // 0: none
  let joinLen = 0;
  let spacedStart = -1; // start of a run of single letters
  let spacedLetters = '';
  let spacedQuoted = false;
  let i = 0;

  while (i < n) {
    // Separator run.
    const sepStart = i;
    let eos = false;
    let colon = false;
    let newline = false;
    let hyphen = false;
    let qopen = false;
    let qend = false;
    while (i < n) {
      const c = u[i]!;
      if (c === 0x20) {
        i++;
        continue;
      }
      let kind = BMP_KIND[c]!;
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const cp = t.codePointAt(i)!;
        kind = astralKindOf(cp);
        if (kind !== KIND_SEP) break;
        i += 2;
        continue;
      }
      if (kind === KIND_UNKNOWN) {
        kind = kindOf(c);
        BMP_KIND[c] = kind;
      }
      if (kind !== KIND_SEP) break;
      switch (c) {
        case 0x0a: // \n
          newline = true;
          eos = true;
          break;
        case 0x21: case 0x3f: case 0x3b: case 0x3002: case 0xff01: case 0xff1f: case 0xff1b: // ! ? ; 。！？；
          eos = true;
          break;
        case 0x2e: { // .
          const next = i + 1 < n ? u[i + 1]! : 0x20;
          if (next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d) eos = true;
          break;
        }
        case 0x3a: case 0xff1a: // : ：
          colon = true;
          break;
        case 0x22: case 0x60: // " `
          quoted = !quoted;
          if (quoted) qopen = true;
          else qend = true;
          break;
        case 0x201c: case 0xab: case 0x300c: case 0x300e: case 0x201e: // “ « 「 『 „
          if (!quoted) qopen = true;
          quoted = true;
          break;
        case 0x201d: case 0xbb: case 0x300d: case 0x300f: // ” » 」 』
          if (quoted) qend = true;
          quoted = false;
          break;
        case 0x2d: // -
          hyphen = i === sepStart;
          break;
        default:
          break;
      }
      i++;
    }
    if (i >= n) {
      m.steps += i - sepStart;
      break;
    }
    const sepLen = i - sepStart;

    // Token run. A word of plain a–z letters walks the lexicon trie while it is scanned.
    const start = i;
    const c0 = u[i]!;
    const tokenKind = c0 >= 0xd800 && c0 <= 0xdbff ? astralKindOf(t.codePointAt(i)!) : BMP_KIND[c0]!;
    let underscore = false;
    let dotted = 0; // U+0130 in the token: each is two characters in lower case
    let plain = tokenKind === KIND_WORD;
    let node = ASCII_ROOT;
    const wordToken = tokenKind === KIND_WORD;
    if (tokenKind === KIND_CJK) {
      // A tight loop over a CJK run (surrogates and unknown characters are left to the general loop below).
      while (i < n && BMP_KIND[u[i]!] === KIND_CJK) i++;
      plain = false;
      node = 0;
    }
    if (wordToken) {
      // A tight loop over the leading ASCII letters (usually the whole word): `(c | 0x20) - 0x61` is a letter's index
      // (0–25, read as lower case) exactly when `c` is an ASCII letter; any other unit makes it negative or larger.
      while (i < n) {
        const letter = (u[i]! | 0x20) - 0x61;
        if (letter >>> 0 > 25) break;
        node = ASCII_NEXT[(node << 5) + letter]!;
        i++;
        if (node === 0 && deadSkip) {
          // The dead state (no lexicon word starts so; it never leaves it): the rest of the letters without the trie.
          while (i < n && ((u[i]! | 0x20) - 0x61) >>> 0 <= 25) i++;
          break;
        }
      }
    }
    while (i < n) {
      const c = u[i]!;
      if (wordToken && ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a))) {
        // Fast path for the common case, an ASCII letter inside a word (read as lower case). Node 0 is the dead
        // state: the word is not a prefix of a lexicon word, or not plain.
        if (node !== 0) node = ASCII_NEXT[(node << 5) + (c | 0x20) - 0x61]!;
        i++;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const cp = t.codePointAt(i)!;
        const kind = astralKindOf(cp);
        if (kind !== tokenKind) break;
        plain = false;
        node = 0;
        i += 2;
        continue;
      }
      let kind = BMP_KIND[c]!;
      if (kind === KIND_UNKNOWN) {
        kind = kindOf(c);
        BMP_KIND[c] = kind;
      }
      if (kind !== tokenKind) break;
      if (c === 0x130) dotted++;
      // Not an ASCII letter (those take the fast path): the token is not a plain word.
      plain = false;
      node = 0;
      if (c === 0x5f) underscore = true;
      i++;
    }
    const end = i;
    const len = end - start + dotted;
    m.steps += end - sepStart; // the separator run and the token, each code unit visited once

    const singleLetter = tokenKind === KIND_WORD && len === 1 && c0 !== 0x5f && c0 !== 0x27 && !(c0 >= 0x30 && c0 <= 0x39);
    const shortSep = !newline && !colon && sepLen <= 3;
    if (spacedStart >= 0 && (!singleLetter || !shortSep || spacedLetters.length >= MAX_SPACED_RUN)) {
      flushSpaced(spacedLetters, spacedQuoted, m);
      spacedStart = -1;
      spacedLetters = '';
      prevWord = '';
    }
    if (colon) m.feed(COLON_CLASSES, quoted, 0);
    if (eos) {
      m.feed(EOS_CLASSES, quoted, 0);
      prevWord = '';
    }
    // Quotation marks are outside the quotation: a rule step on them is never a quoted match.
    // Only direct rules read them (the untrusted screen is unchanged), and only where one can advance.
    if (qend && m.markMatters(QEND_TRIGGER)) m.feed(QEND_CLASSES, false, 0);
    if (qopen && m.markMatters(QOPEN_TRIGGER)) m.feed(QOPEN_CLASSES, false, 0);

    if (tokenKind === KIND_CJK) {
      joinNode = 0;
      prevWord = '';
      segmentCjk(u, start, end, quoted, m);
      continue;
    }
    if (singleLetter) {
      if (spacedStart < 0) {
        spacedStart = start;
        spacedQuoted = quoted;
      }
      spacedLetters += c0 >= 0x41 && c0 <= 0x5a ? String.fromCharCode(c0 | 0x20) : c0 < 0x80 ? t[start]! : lowerOf(c0);
      joinNode = 0;
      continue;
    }
    if (end < n && u[end]! === 0x28) {
      // `print(x)`: a function call in code, not an imperative.
      m.skip(1);
      prevWord = '';
      joinNode = 0;
      continue;
    }
    if (plain && hyphen && sepLen === 1 && joinNode !== 0 && len <= MAX_FRAGMENT && joinLen + len <= MAX_JOINED) {
      let joined = joinNode;
      m.steps += end - start;
      for (let k = start; k < end && joined !== 0; k++) joined = ASCII_NEXT[(joined << 5) + (u[k]! | 0x20) - 0x61]!;
      const joinedClasses = LIST_BY_REF[ASCII_LIST[joined]!];
      if (joinedClasses !== undefined && joinedClasses.length > 0) {
        m.feed(joinedClasses, quoted, Obf.Joined);
        joinNode = joined;
        joinLen += len;
        prevWord = '';
        continue;
      }
      // Still a prefix of some word: keep joining. Otherwise this fragment may start a new chain.
      if (joined !== 0) {
        joinNode = joined;
        joinLen += len;
      } else {
        joinNode = node;
        joinLen = len;
      }
    } else {
      joinNode = plain && len <= MAX_FRAGMENT ? node : 0;
      joinLen = len;
    }
    if (plain && (prevWord === '' || len <= MAX_WORD)) {
      // Fast path: a word of ASCII letters, classified by the trie walk (as `classify` would: no fold applies to
      // it), and the second word of a two-word phrase found by trie node, without slicing the word.
      if (prevWord === '' && wordFlags[node] === 0) {
        // Most words: no classes and no phrase to start (a typed-array read instead of loading a class list).
        m.index++;
        m.lastWasEos = false;
        continue;
      }
      let classes = wordLists[ASCII_LIST[node]!] ?? EMPTY;
      let obf = 0;
      if (prevWord !== '' && node !== 0) {
        if (prevWord !== headWord) {
          // The heads of consecutive phrases are usually the same interned string: look its phrases up once.
          headWord = prevWord;
          headPhrases = BIGRAM_SECOND.get(prevWord);
        }
        const phrase = headPhrases?.get(node);
        if (phrase !== undefined) {
          classes = classes.length === 0 ? phrase : [...classes, ...phrase];
          obf = PHRASE;
        }
      }
      prevWord = ASCII_HEAD[node] === 1 ? ASCII_WORDS[node]! : '';
      if (classes.length === 0) {
        // m.skip(1), inlined: most tokens take this path.
        m.index++;
        m.lastWasEos = false;
      } else {
        m.feed(classes, quoted, obf);
      }
      continue;
    }
    if (underscore) {
      // Identifiers (`system_prompt`, `ignore_errors`) are inert; long snake_case runs are screened word by word.
      const parts = t.slice(start, end).toLowerCase().split('_').filter((x) => x !== '');
      m.steps += 4 * (end - start); // slice, lower-case, split, and each part classified
      if (parts.length >= MIN_SNAKE_PARTS) {
        for (const part of parts) {
          const pc = part.length <= MAX_WORD ? classify(part) : NONE;
          m.feed(pc.classes, quoted, pc.classes.length > 0 ? Obf.Joined : 0);
        }
      } else {
        m.skip(1);
      }
      prevWord = '';
      joinNode = 0;
      continue;
    }
    if (len > MAX_WORD) {
      m.skip(1);
      prevWord = '';
      joinNode = 0;
      continue;
    }
    const raw = t.slice(start, end);
    const word = needsLowerCase(u, start, end) ? raw.toLowerCase() : raw;
    m.steps += 4 * len; // slice, lower-case, classify (cached; folds on a miss), phrase key
    const cl = classify(word);
    let classes = cl.classes;
    let obf: number = cl.obf;
    const key = NON_ASCII.test(word) ? fold(word) : word;
    if (prevWord !== '') {
      const phrase = bigrams.get(`${prevWord} ${key}`);
      if (phrase !== undefined) {
        classes = classes.length === 0 ? phrase : [...classes, ...phrase];
        obf |= PHRASE;
      }
    }
    if (word.includes('@') && /\p{L}@\p{L}/u.test(word)) classes = [...classes, C.EMAILADDR];
    prevWord = bigramHeads.has(key) ? key : '';
    // A leading or trailing apostrophe quotes ('I have been PWNED'); "don't" and "users'" are one word.
    if (len > 1 && c0 === 0x27 && m.markMatters(QOPEN_TRIGGER)) m.feed(QOPEN_CLASSES, false, 0);
    if (classes.length === 0) m.skip(1);
    else m.feed(classes, quoted, obf);
    if (len > 1 && u[end - 1]! === 0x27 && u[end - 2]! !== 0x73 && m.markMatters(QEND_TRIGGER)) {
      m.feed(QEND_CLASSES, false, 0);
    }
  }
  if (spacedStart >= 0) flushSpaced(spacedLetters, spacedQuoted, m);
  m.finish();
}

/** Feed a run of single letters: re-joined and segmented when it is long enough to hide words ("i g n o r e"). */
function flushSpaced(letters: string, quoted: boolean, m: Matcher): void {
  if (letters.length >= 4) {
    segment(letters, quoted, m);
    return;
  }
  m.steps += letters.length;
  for (let k = 0; k < letters.length; k++) {
    const cl = classify(letters[k]!);
    if (cl.classes.length === 0) m.skip(1);
    else m.feed(cl.classes, quoted, cl.obf);
  }
}

/** Greedy longest-match segmentation of joined single letters ("ignoreallpreviousinstructions") over a trie. */
function segment(s: string, quoted: boolean, m: Matcher): void {
  const root = joinTrie();
  let p = 0;
  let unknown = false;
  while (p < s.length) {
    let node: TrieNode | undefined = root;
    let best = 0;
    let bestClasses: readonly number[] | undefined;
    let k = p;
    for (; k < s.length && node !== undefined; k++) {
      node = node.next.get(s.charCodeAt(k));
      if (node?.classes !== undefined) {
        best = k - p + 1;
        bestClasses = node.classes;
      }
    }
    m.steps += k - p + 1;
    if (bestClasses === undefined) {
      unknown = true;
      p++;
      continue;
    }
    if (unknown) m.skip(1);
    unknown = false;
    m.feed(bestClasses, quoted, Obf.Spaced);
    p += best;
  }
  if (unknown) m.skip(1);
}

/** Dictionary segmentation of a CJK run; unknown characters advance the position by one token per two characters. */
function segmentCjk(u: Uint16Array, start: number, end: number, quoted: boolean, m: Matcher): void {
  m.steps += end - start;
  let p = start;
  let unknown = 0;
  while (p < end) {
    if (CJK_FIRST[u[p]!] === 0) {
      unknown++;
      p++;
      continue;
    }
    let matched = 0;
    let node = CJK_ROOT;
    let hit = 0;
    let k = p;
    for (; k < end && k - p < cjkMaxLen && node !== 0; k++) {
      node = cjkNext(node, u[k]!);
      if (CJK_LIST[node] !== 0) {
        matched = k - p + 1;
        hit = node;
      }
    }
    m.steps += k - p + 1;
    if (hit !== 0) {
      if (unknown > 0) m.skip((unknown + 1) >> 1);
      unknown = 0;
      m.feed((m.untrusted ? LIST_BY_REF : DIRECT_LIST_BY_REF)[CJK_LIST[hit]!]!, quoted, 0);
    }
    if (matched === 0) {
      unknown++;
      p++;
    } else {
      p += matched;
    }
  }
  if (unknown > 0) m.skip((unknown + 1) >> 1);
}


/**
 * Stream `text` (normalized) through a fresh matcher; `untrusted` enables the indirect-injection rules.
 *
 * In untrusted mode a sentence end is fed before the first token, so a directive anchored at the start of its
 * sentence (`EOS` as a rule's first step) is found in the text's first sentence too. Only untrusted rules start
 * with `EOS`, so the user's own text is screened exactly as before.
 */
export function runRules(text: string, untrusted: boolean): Matcher {
  const m = new Matcher(untrusted);
  try {
    if (untrusted) {
      m.lastWasEos = false;
      m.feed(EOS_CLASSES, false, 0);
    }
    scan(text, m);
  } finally {
    m.release();
  }
  countWork(m.steps);
  return m;
}
