/**
 * The pre-screen's class names and word folds, and the build-time compilation of its data (the word lists of
 * `lexicon/words.ts`, the rules of `lexicon/rules.ts`, the prompt cues of `lexicon/prompt-cues.ts`) into the lookup
 * tables the engine ({@link ./engine}) and the prompt score ({@link ./prompt-score}) read at load.
 *
 * Nothing is compiled at load: folding and sorting the lexicon's 3,400 words cost about 10 ms of the gateway's
 * cold-start module load, and building tries, class lists, rule tables and the cue index from them another 4 MB of
 * allocation (small arrays, Maps, strings) and interpreted loops whose garbage collections and tier-ups landed in the
 * same cold start. `npm run compile:lexicon` (scripts/compile-lexicon.ts) writes the tables to `lexicon/compiled.ts`
 * as JSON ({@link compileTables}, {@link compilePromptCues}): small lists as JSON arrays, per-trie-node tables as
 * little-endian typed arrays in base64, which the engine views without a loop over their entries, and class lists
 * deduplicated and referred to by index. test/lambda/shared/screening/engine.test.ts fails if that file differs from a
 * fresh compilation. The engine takes its class list from that file too (not from {@link CLASS_NAMES}, which needs the
 * word lists: 47 KB of the gateway bundle that every cold start would parse), and refuses to load one that lacks a
 * class it reads itself.
 *
 * @module
 */
import { fold, hasCjkChar } from './fold';
import { LEXICON } from './lexicon/words';
import { PROMPT_CUES } from './lexicon/prompt-cues';
import { READER_CUES, RULES } from './lexicon/rules';

/**
 * Pseudo-token classes emitted by the tokenizer: sentence end, colon, e-mail address, and the opening and closing
 * marks of a quotation (`"`, `“ ”`, `« »`, `「 」`, a word's leading or trailing apostrophe), so rules can see where a
 * literal starts and ends ("respond only with *"* …").
 */
const PSEUDO = ['EOS', 'COLON', 'EMAILADDR', 'QOPEN', 'QEND'] as const;
/** Classes emitted by rules (derived concepts), not by words. */
const DERIVED = [...new Set(['D_SYSPROMPT', 'D_OVERRIDE', ...RULES.flatMap((r) => (r.emit === undefined ? [] : [r.emit]))])];

/** Every class, by id: the lexicon's word classes, then the pseudo-token classes, then the derived ones. */
export const CLASS_NAMES: readonly string[] = [...Object.keys(LEXICON), ...PSEUDO, ...DERIVED];

/**
 * The lexicon's words by kind, each with its class ids (positions in {@link CLASS_NAMES}): plain words (`exact`),
 * two-word phrases as `"a b"` (`bigrams`) and CJK words (`cjk`, with the longest one's length), each in the order
 * {@link compileLexicon} first meets them, which is the order the engine's maps iterate in.
 */
export interface CompiledLexicon {
  /** {@link CLASS_NAMES} joined by spaces: the ids below are positions in it. */
  readonly classes: string;
  readonly exact: ReadonlyArray<readonly [string, number[]]>;
  readonly bigrams: ReadonlyArray<readonly [string, number[]]>;
  readonly cjk: ReadonlyArray<readonly [string, number[]]>;
  readonly cjkMaxLen: number;
}

function addTo(map: Map<string, number[]>, key: string, id: number): void {
  const cur = map.get(key);
  if (cur === undefined) map.set(key, [id]);
  else if (!cur.includes(id)) cur.push(id);
}

/** Folds and sorts the lexicon's words ({@link LEXICON}) into plain words, phrases and CJK words with their class ids. */
export function compileLexicon(): CompiledLexicon {
  const exact = new Map<string, number[]>();
  const bigrams = new Map<string, number[]>();
  const cjk = new Map<string, number[]>();
  let cjkMaxLen = 1;
  Object.entries(LEXICON).forEach(([, list], id) => {
    for (const raw of list.split(/\s+/)) {
      if (raw === '') continue;
      if (hasCjkChar(raw)) {
        addTo(cjk, raw, id);
        cjkMaxLen = Math.max(cjkMaxLen, raw.length);
        continue;
      }
      const entry = fold(raw);
      if (entry.includes('_')) {
        addTo(bigrams, entry.replace('_', ' '), id);
      } else {
        addTo(exact, entry, id);
      }
    }
  });
  return { classes: CLASS_NAMES.join(' '), exact: [...exact], bigrams: [...bigrams], cjk: [...cjk], cjkMaxLen };
}

/** Per class name, the counter of the engine's matcher it feeds (1 META, 2 MENTION, 3 YOU/YOUR, 4 QWORD, 5 D_FICTION). */
export const COUNTED_CLASSES: Readonly<Record<string, number>> = { META: 1, MENTION: 2, YOU: 3, YOUR: 3, QWORD: 4, D_FICTION: 5 };

/**
 * Per class id, 1 for the classes that matter when screening the user's own text (no `untrusted` rule): a class of a
 * step, a blocker, a pre- or post-context of such a rule, a class one emits, a counter ({@link COUNTED_CLASSES}) or
 * the sentence end. The engine's direct matcher never reads the others, so the lexicon's tables drop them from the
 * class lists it feeds (`*DirectList` in {@link EngineTables}).
 */
export function directClassMask(classNames: readonly string[]): Uint8Array {
  const id = (name: string): number => {
    const i = classNames.indexOf(name);
    if (i < 0) throw new Error(`lexicon-compile: no class ${name}`);
    return i;
  };
  const mask = new Uint8Array(classNames.length);
  for (const spec of RULES) {
    if (spec.untrusted === true) continue;
    for (const [classes] of spec.seq) for (const c of classes.split('|')) mask[id(c)] = 1;
    for (const c of [...(spec.block ?? []), ...(spec.pre ?? []), ...(spec.post ?? [])]) mask[id(c)] = 1;
    if (spec.emit !== undefined) mask[id(spec.emit)] = 1;
  }
  for (const name of [...Object.keys(COUNTED_CLASSES), 'EOS']) mask[id(name)] = 1;
  return mask;
}

/**
 * The engine's lookup tables, derived from the compiled lexicon at build time so that loading the engine costs no
 * work per lexicon word: class lists are deduplicated ({@link EngineTables.lists}) and referred to by `1 + index`
 * (0: no word ends there); per-node tables are little-endian typed arrays in base64, which the engine views without
 * a loop over their entries.
 */
export interface EngineTables {
  /** {@link CLASS_NAMES} joined by spaces: every id below is a position in it. */
  readonly classes: string;
  /** The distinct class lists of words, phrases and CJK words, and the same lists without the classes the direct matcher drops. */
  readonly lists: number[][];
  /** Per list reference (0 for none), the reference of the same list without the classes the direct matcher drops. */
  readonly directOf: number[];
  /**
   * Trie of the plain ASCII words (a–z: plain words, and both words of two-word phrases), nodes numbered breadth-first
   * in sorted order; node 0 is the dead state, node 1 the root. Per node from 2: its parent (Uint16) and letter
   * (Uint8, 0 for `a`), from which the engine fills its transition table.
   */
  readonly asciiParent: string;
  readonly asciiLetter: string;
  /** Per node (Uint16): the list reference of the word ending there (0 inside a word). */
  readonly asciiList: string;
  /**
   * Per node (Uint8), three runs of the node count: its flags for the untrusted matcher (1: the word ending there has
   * classes, 2: it starts a two-word phrase), the same for the direct matcher, and 1 where a phrase starts.
   */
  readonly asciiFlags: string;
  /** The plain ASCII first words of two-word phrases (sorted), and their trie nodes. */
  readonly asciiHeads: string[];
  readonly asciiHeadNodes: number[];
  /** Two-word phrases (`"a b"`), with the list reference of each and the trie node of its second word (0 when it is not plain ASCII). */
  readonly bigrams: string[];
  readonly bigramLists: number[];
  readonly bigramSecondNodes: number[];
  /** Lexicon words that are not plain a–z words (read by the engine's `classify` on first use), with their list references. */
  readonly otherWords: string[];
  readonly otherLists: number[];
  /**
   * Trie of the CJK words, nodes numbered breadth-first (children in code order); node 0 is the dead state, node 1 the
   * root. Per node (Uint16): its first child (node `n`'s children are `childStart[n] … childStart[n + 1] - 1`, so the
   * array has one more entry), and per node its code unit and list references.
   */
  readonly cjkChildStart: string;
  readonly cjkCode: string;
  readonly cjkList: string;
  readonly cjkMaxLen: number;
  /** The rules compiled into the streaming matcher's tables ({@link compileRules}). */
  readonly rules: RuleTables;
}

/** Lists flattened into one array: list `k` is `items[off[k]] … items[off[k + 1] - 1]`. */
export interface FlatTable {
  readonly off: number[];
  readonly items: number[];
}

/**
 * The rules ({@link RULES}) as the engine's matcher reads them. A "stage" is one step of one rule; the stages of a rule
 * are contiguous. Per rule: its signal id, weight, first and last stage, the class it emits (-1 for none), whether it
 * is for untrusted content only or for the user's own text only (0/1), and its first step's, blocker, pre- and
 * post-context classes. Per stage: its rule, step and gap, and the classes listening to it (none for step 0, which the
 * matcher reads from the latest positions of its classes). Per class: the stages of steps ≥ 1 listening to it for the
 * direct and the untrusted matcher (later stages first, so one token never advances two consecutive steps of a rule),
 * the single-step rules it starts, the counter it feeds ({@link COUNTED_CLASSES}) and 1 + its reader cue
 * ({@link READER_CUES}, 0 for none). Per quotation mark class: the classes of the steps right before a step on it,
 * with that step's gap.
 */
export interface RuleTables {
  readonly ids: string[];
  readonly weights: number[];
  readonly first: number[];
  readonly last: number[];
  readonly emit: number[];
  readonly untrusted: number[];
  readonly direct: number[];
  readonly start: FlatTable;
  readonly block: FlatTable;
  readonly pre: FlatTable;
  readonly post: FlatTable;
  readonly stageRule: number[];
  readonly stageStep: number[];
  readonly stageGap: number[];
  readonly stageClasses: FlatTable;
  readonly directStages: FlatTable;
  readonly allStages: FlatTable;
  readonly singles: FlatTable;
  readonly counter: number[];
  readonly cue: number[];
  readonly cueCount: number;
  readonly qopen: MarkTriggerTable;
  readonly qend: MarkTriggerTable;
}

/** When a quotation mark can advance a rule: the classes of the steps right before a step on it, with that step's gap. */
export interface MarkTriggerTable {
  readonly classes: number[];
  readonly gaps: number[];
}

function flatTable(lists: readonly (readonly number[])[]): FlatTable {
  const off = [0];
  for (const l of lists) off.push(off[off.length - 1]! + l.length);
  return { off, items: lists.flat() };
}

/** Compiles the rules ({@link RULES}) against a class list into the matcher's tables ({@link RuleTables}). */
export function compileRules(classNames: readonly string[]): RuleTables {
  const cid = (name: string): number => {
    const i = classNames.indexOf(name);
    if (i < 0) throw new Error(`lexicon-compile: a rule uses the unknown class ${name}`);
    return i;
  };
  const n = classNames.length;
  const ids: string[] = [];
  const weights: number[] = [];
  const first: number[] = [];
  const last: number[] = [];
  const emit: number[] = [];
  const start: number[][] = [];
  const block: number[][] = [];
  const pre: number[][] = [];
  const post: number[][] = [];
  const stageRule: number[] = [];
  const stageStep: number[] = [];
  const stageGap: number[] = [];
  const stageClasses: number[][] = [];
  const directByClass: number[][] = Array.from({ length: n }, () => []);
  const allByClass: number[][] = Array.from({ length: n }, () => []);
  const singles: number[][] = Array.from({ length: n }, () => []);
  for (const spec of RULES) {
    const r = ids.length;
    ids.push(spec.id);
    weights.push(spec.w);
    first.push(stageRule.length);
    last.push(stageRule.length + spec.seq.length - 1);
    pre.push((spec.pre ?? []).map(cid));
    post.push((spec.post ?? []).map(cid));
    emit.push(spec.emit === undefined ? -1 : cid(spec.emit));
    spec.seq.forEach(([classes, gap], step) => {
      const s = stageRule.length;
      stageRule.push(r);
      stageStep.push(step);
      stageGap.push(gap);
      const stepIds = classes.split('|').map(cid);
      stageClasses.push(step === 0 ? [] : stepIds);
      if (step === 0) {
        start.push(stepIds);
        if (spec.seq.length === 1) for (const c of stepIds) singles[c]!.push(r);
        return;
      }
      for (const c of stepIds) {
        if (spec.direct !== true) allByClass[c]!.push(s);
        if (spec.untrusted !== true) directByClass[c]!.push(s);
      }
    });
    block.push((spec.block ?? []).map(cid));
  }
  const byStageDesc = (a: number, b: number): number => b - a;
  const markTrigger = (mark: string): MarkTriggerTable => {
    const classes: number[] = [];
    const gaps: number[] = [];
    for (const spec of RULES) {
      spec.seq.forEach(([step, gap], k) => {
        if (!step.split('|').includes(mark)) return;
        if (k === 0) throw new Error(`lexicon-compile: rule ${spec.id || spec.emit} starts with the quotation mark ${mark}`);
        for (const c of spec.seq[k - 1]![0].split('|').map(cid)) {
          const at = classes.indexOf(c);
          if (at < 0) {
            classes.push(c);
            gaps.push(gap);
          } else {
            gaps[at] = Math.max(gaps[at]!, gap);
          }
        }
      });
    }
    return { classes, gaps };
  };
  const counter = new Array<number>(n).fill(0);
  for (const [name, k] of Object.entries(COUNTED_CLASSES)) counter[cid(name)] = k;
  const cue = new Array<number>(n).fill(0);
  Object.values(READER_CUES).forEach((classes, k) => {
    for (const c of classes) cue[cid(c)] = k + 1;
  });
  return {
    ids,
    weights,
    first,
    last,
    emit,
    untrusted: RULES.map((spec) => (spec.untrusted === true ? 1 : 0)),
    direct: RULES.map((spec) => (spec.direct === true ? 1 : 0)),
    start: flatTable(start),
    block: flatTable(block),
    pre: flatTable(pre),
    post: flatTable(post),
    stageRule,
    stageStep,
    stageGap,
    stageClasses: flatTable(stageClasses),
    directStages: flatTable(directByClass.map((l) => l.sort(byStageDesc))),
    allStages: flatTable(allByClass.map((l) => l.sort(byStageDesc))),
    singles: flatTable(singles),
    counter,
    cue,
    cueCount: Object.keys(READER_CUES).length,
    qopen: markTrigger('QOPEN'),
    qend: markTrigger('QEND'),
  };
}

/** A typed array as little-endian base64. */
function base64(values: readonly number[], bytes: 1 | 2): string {
  const buf = Buffer.alloc(values.length * bytes);
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** (8 * bytes)) throw new Error(`lexicon-compile: ${v} does not fit ${bytes} byte(s)`);
    if (bytes === 1) buf.writeUInt8(v, i);
    else buf.writeUInt16LE(v, 2 * i);
  });
  return buf.toString('base64');
}

/** Builds the engine's tables ({@link EngineTables}) from a compiled lexicon. */
export function compileTables(lexicon: CompiledLexicon): EngineTables {
  const classNames = lexicon.classes.split(' ');
  const direct = directClassMask(classNames);
  const lists: number[][] = [];
  const listIndex = new Map<string, number>();
  /** The reference (1 + index) of a list, added when new. */
  const ref = (ids: readonly number[]): number => {
    const key = ids.join(',');
    let k = listIndex.get(key);
    if (k === undefined) {
      k = lists.length;
      lists.push([...ids]);
      listIndex.set(key, k);
    }
    return k + 1;
  };
  const directRef = (ids: readonly number[]): number => ref(ids.filter((c) => direct[c] === 1));

  // The ASCII trie, breadth-first: at each depth, the new prefixes in sorted order of the words.
  const exact = new Map(lexicon.exact);
  const AZ = /^[a-z]+$/;
  const heads = [...new Set(lexicon.bigrams.map(([k]) => k.slice(0, k.indexOf(' '))))];
  const seconds = lexicon.bigrams.map(([k]) => k.slice(k.indexOf(' ') + 1));
  const words = [...new Set([...exact.keys(), ...heads, ...seconds])].filter((w) => AZ.test(w)).sort();
  const node = new Map<string, number>([['', 1]]);
  const parent = [0, 0];
  const letter = [0, 0];
  const maxLen = Math.max(0, ...words.map((w) => w.length));
  for (let depth = 1; depth <= maxLen; depth++) {
    for (const w of words) {
      if (w.length < depth || node.has(w.slice(0, depth))) continue;
      node.set(w.slice(0, depth), parent.length);
      parent.push(node.get(w.slice(0, depth - 1))!);
      letter.push(w.charCodeAt(depth - 1) - 0x61);
    }
  }
  if (parent.length > 0xffff) throw new Error('lexicon-compile: the ASCII trie exceeds 65535 nodes');
  const asciiList = new Array<number>(parent.length).fill(0);
  const asciiDirectList = new Array<number>(parent.length).fill(0);
  for (const w of words) {
    const ids = exact.get(w) ?? [];
    asciiList[node.get(w)!] = ref(ids);
    asciiDirectList[node.get(w)!] = directRef(ids);
  }
  const asciiHeads = heads.filter((h) => AZ.test(h)).sort();
  const isHead = new Array<number>(parent.length).fill(0);
  for (const h of asciiHeads) isHead[node.get(h)!] = 1;
  const flags = (refs: readonly number[]): number[] => refs.map((r, n) => (r !== 0 && lists[r - 1]!.length > 0 ? 1 : 0) | (isHead[n] === 1 ? 2 : 0));
  const asciiFlags = [...flags(asciiList), ...flags(asciiDirectList), ...isHead];

  // CJK trie, breadth-first, children in code order.
  const cjkChildren: Array<Map<number, number>> = [new Map(), new Map()];
  const cjkWordEnd: Array<readonly number[] | undefined> = [undefined, undefined];
  for (const [w, ids] of lexicon.cjk) {
    let n = 1;
    for (let k = 0; k < w.length; k++) {
      let child = cjkChildren[n]!.get(w.charCodeAt(k));
      if (child === undefined) {
        child = cjkChildren.length;
        cjkChildren.push(new Map());
        cjkWordEnd.push(undefined);
        cjkChildren[n]!.set(w.charCodeAt(k), child);
      }
      n = child;
    }
    cjkWordEnd[n] = ids;
  }
  // Renumber breadth-first so that each node's children are consecutive.
  const order = [1];
  const renumbered = new Map<number, number>([[1, 1]]);
  const childStart = [0, 2];
  const cjkCode = [0, 0];
  for (let q = 0; q < order.length; q++) {
    const children = [...cjkChildren[order[q]!]!].sort(([a], [b]) => a - b);
    for (const [code, child] of children) {
      renumbered.set(child, order.length + 1);
      order.push(child);
      cjkCode.push(code);
    }
    childStart.push(order.length + 1);
  }
  const cjkCount = order.length + 1;
  if (cjkCount > 0xffff) throw new Error('lexicon-compile: the CJK trie exceeds 65535 nodes');
  const cjkList = new Array<number>(cjkCount).fill(0);
  order.forEach((old, q) => {
    const ids = cjkWordEnd[old];
    if (ids === undefined) return;
    cjkList[q + 1] = ref(ids);
  });

  const other = lexicon.exact.filter(([w]) => !AZ.test(w));
  const otherLists = other.map(([, ids]) => ref(ids));
  const bigramLists = lexicon.bigrams.map(([, ids]) => ref(ids));
  // Last, once every list has its reference (the direct lists this adds are their own direct lists).
  const directOf = [0];
  for (let k = 0; k < lists.length; k++) directOf.push(directRef(lists[k]!));
  return {
    classes: lexicon.classes,
    lists,
    directOf,
    asciiParent: base64(parent, 2),
    asciiLetter: base64(letter, 1),
    asciiList: base64(asciiList, 2),
    asciiFlags: base64(asciiFlags, 1),
    asciiHeads,
    asciiHeadNodes: asciiHeads.map((h) => node.get(h)!),
    bigrams: lexicon.bigrams.map(([k]) => k),
    bigramLists,
    bigramSecondNodes: seconds.map((w) => node.get(w) ?? 0),
    otherWords: other.map(([w]) => w),
    otherLists,
    cjkChildStart: base64(childStart, 2),
    cjkCode: base64(cjkCode, 2),
    cjkList: base64(cjkList, 2),
    cjkMaxLen: lexicon.cjkMaxLen,
    rules: compileRules(classNames),
  };
}

/** A phrase of a prompt cue, as words (lower case). */
export interface CuePhrase {
  readonly cue: string;
  readonly words: readonly string[];
}

/**
 * The prompt score's phrase index ({@link ./prompt-score}), built from the cue groups ({@link PROMPT_CUES}) at build
 * time: the phrases by first word (`byHead`, in the order the groups list them), the CJK phrases (searched as
 * substrings), the longest first word and the most words in a phrase, and the trie of the first words of plain ASCII
 * letters as the prompt score's flat transition table (`headNextLength` entries, node 0 dead, node 1 the root, nodes
 * numbered in the order of `byHead`): per node from 2, its slot `parent * 26 + letter`; per first word of plain
 * ASCII letters, its index in `byHead` and its node.
 */
export interface PromptCueTables {
  /** The names of the cue groups, in order. */
  readonly cues: string[];
  readonly byHead: Array<[string, CuePhrase[]]>;
  readonly cjk: Array<{ readonly cue: string; readonly text: string }>;
  readonly longestHead: number;
  readonly longestPhrase: number;
  readonly headNextLength: number;
  readonly headSlots: number[];
  readonly asciiHeads: number[];
  readonly asciiHeadNodes: number[];
}

/** The words of a cue phrase in lower case: its runs of letters, digits, `'`, `’`, `&` and `-` (as `splitWords` in ./prompt-score). */
const NON_WORD_RUN = /[^\p{L}\p{N}'\u2019&-]+/u;
const CUE_CJK = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]/;

/** Compiles the prompt cues ({@link PROMPT_CUES}) into the prompt score's phrase index ({@link PromptCueTables}). */
export function compilePromptCues(): PromptCueTables {
  const byHead = new Map<string, CuePhrase[]>();
  const cjk: Array<{ cue: string; text: string }> = [];
  for (const [cue, list] of Object.entries(PROMPT_CUES)) {
    for (const phrase of list) {
      if (CUE_CJK.test(phrase)) {
        cjk.push({ cue, text: phrase });
        continue;
      }
      const words = phrase.toLowerCase().split(NON_WORD_RUN).filter((w) => w !== '');
      const head = byHead.get(words[0]!) ?? [];
      head.push({ cue, words });
      byHead.set(words[0]!, head);
    }
  }
  const heads = [...byHead.keys()];
  const asciiHeads = heads.filter((w) => /^[a-z]+$/.test(w));
  const headNextLength = 26 * (2 + asciiHeads.reduce((sum, w) => sum + w.length, 0));
  const next = new Map<number, number>();
  const headSlots = [0, 0];
  const asciiHeadNodes: number[] = [];
  for (const head of asciiHeads) {
    let node = 1;
    for (let k = 0; k < head.length; k++) {
      const slot = node * 26 + head.charCodeAt(k) - 0x61;
      if (!next.has(slot)) {
        next.set(slot, headSlots.length);
        headSlots.push(slot);
      }
      node = next.get(slot)!;
    }
    asciiHeadNodes.push(node);
  }
  return {
    cues: Object.keys(PROMPT_CUES),
    byHead: [...byHead],
    cjk,
    longestHead: Math.max(...heads.map((w) => w.length)),
    longestPhrase: Math.max(...[...byHead.values()].flat().map((p) => p.words.length)),
    headNextLength,
    headSlots,
    asciiHeads: asciiHeads.map((h) => heads.indexOf(h)),
    asciiHeadNodes,
  };
}

/** `value` as JSON in ASCII: other characters as `\\uXXXX` escapes (which JSON.parse reads back as they were). */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[^ -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The module `lexicon/compiled.ts` holding the engine's tables ({@link compileTables}), as `scripts/compile-lexicon.ts` writes it. */
export function renderCompiledLexicon(lexicon: CompiledLexicon): string {
  return [
    '// Generated by `npm run compile:lexicon` (scripts/compile-lexicon.ts) from lexicon/words.ts, lexicon/rules.ts and',
    '// lexicon/prompt-cues.ts with compileTables and compilePromptCues (../lexicon-compile.ts): do not edit. JSON, because',
    '// V8 parses it much faster than a literal; its non-ASCII characters are JSON escapes, so the strings (and the bundle)',
    '// stay one byte per character.',
    '',
    '/** The engine\'s tables ({@link ../lexicon-compile!EngineTables}) as JSON. */',
    // Single quotes: the JSON's own double quotes need no escape.
    `export const ENGINE_TABLES_JSON = '${asciiJson(compileTables(lexicon)).replace(/[\\']/g, (c) => `\\${c}`)}';`,
    '',
    '/** The prompt score\'s phrase index ({@link ../lexicon-compile!PromptCueTables}) as JSON. */',
    `export const PROMPT_CUES_JSON = '${asciiJson(compilePromptCues()).replace(/[\\']/g, (c) => `\\${c}`)}';`,
    '',
  ].join('\n');
}
