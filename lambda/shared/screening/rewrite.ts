/**
 * The machinery the output screen's rewriting passes (secrets, links) share: the state of one screening call, the
 * bookkeeping of edits that may leave text un-normalized, and candidate-driven matching that keeps every pattern's
 * work linear in the text length.
 */
import { encodedRuns } from './normalize';
import { countWork, execCounted } from './work';

/** The state of one screening call, shared by its passes. */
export interface PassState {
  redactions: number;
  removedLinks: number;
  reasons: Set<string>;
  /** Runs of base64-alphabet characters of the last text examined (the canary check and the AWS secret hint share them). */
  runs?: { readonly text: string; readonly runs: Array<[number, number]> };
  /** The shortest run either reader needs. */
  minRun: number;
  /**
   * An edit of this pass may have left the text not NFKC-normalized (see {@link noteEdit}); otherwise the pass output,
   * made of pieces of a normalized text and ASCII, is normalized as it is.
   */
  unsettled: boolean;
}

/**
 * Record the replacement of `text[start, end)` by `rep`. Every piece of a pass output is a substring of the
 * (normalized) pass input or ASCII; a substring of an NFKC-normalized, well-formed text is normalized, and an ASCII
 * character is a normalization boundary. So the output stays normalized unless a junction puts a non-ASCII
 * character right after it (a combining mark on a new base, a presentation selector after a non-emoji, half of a
 * surrogate pair) or leaves a high surrogate right before it: only then does the pass output need normalizing again.
 */
export function noteEdit(acc: PassState, text: string, start: number, end: number, rep: string): void {
  const before = start > 0 ? text.charCodeAt(start - 1) : 0;
  const after = end < text.length ? text.charCodeAt(end) : 0;
  if (rep.length === 0 ? unsafeJunction(before, after) : unsafeJunction(before, rep.charCodeAt(0)) || unsafeJunction(rep.charCodeAt(rep.length - 1), after)) {
    acc.unsettled = true;
  }
}

/** Whether joining code units `left` and `right` may leave a text not normalized (see {@link noteEdit}). */
function unsafeJunction(left: number, right: number): boolean {
  return right >= 0x80 || (left >= 0xd800 && left <= 0xdbff);
}

/** Maximal base64-alphabet runs of at least `acc.minRun` characters in `text`, computed once per text. */
export function runsOf(text: string, acc: PassState): Array<[number, number]> {
  if (acc.runs?.text !== text) acc.runs = { text, runs: encodedRuns(text, acc.minRun) };
  return acc.runs.runs;
}

// ---------------------------------------------------------------------------------------------------------------
// Candidate-driven matching. A pattern that must start with (or contain, at a bounded offset) a literal is run
// sticky only at the positions a native `indexOf` scan finds for that literal, instead of being scanned over the
// whole text. Candidate lists are ascending supersets of the positions where the pattern can match, so the result is
// exactly that of a global `replace` (leftmost, non-overlapping matches). When candidates are dense (adversarial
// text made of the trigger character), the global scan is used instead, so the work stays linear either way.
// ---------------------------------------------------------------------------------------------------------------

/** More candidates than `length / DENSE` fall back to a plain global scan. */
const DENSE = 16;

/** A sticky copy of a global pattern, for matching at one position. */
export function sticky(re: RegExp): RegExp {
  return new RegExp(re.source, `${re.flags.replace('g', '')}y`);
}

/** The most trigger positions worth visiting one by one in a text of `length` characters. */
export function denseLimit(length: number): number {
  return Math.floor(length / DENSE) + 64;
}

/**
 * Start positions of `literal` (overlapping ones too) for which `accept` holds, appended to `out`; `undefined` when
 * they are dense. The native scan looks for one character of the literal, `literal[anchor]`: a single-character
 * `indexOf` is a vectorized scan, while a literal whose first character is common ("sk-", "eyJ") is searched slowly.
 */
export function occurrences(text: string, literal: string, anchor = 0, out: number[] = [], accept?: (i: number) => boolean): number[] | undefined {
  let budget = denseLimit(text.length);
  const ch = literal[anchor]!;
  let candidates = 0;
  // Each scan resumes after the previous hit, so together they read up to where the loop stops; each candidate
  // costs a comparison with the literal and a call of `accept`.
  for (let i = text.indexOf(ch, anchor); i >= 0; i = text.indexOf(ch, i + 1)) {
    if (--budget < 0) {
      countWork(i + 1 + candidates * (literal.length + 1));
      return undefined;
    }
    candidates++;
    const start = i - anchor;
    if (literal.length > 1 && !text.startsWith(literal, start)) continue;
    if (accept === undefined || accept(start)) out.push(start);
  }
  countWork(text.length + candidates * (literal.length + 1));
  return out;
}

export function ascending(xs: number[]): number[] {
  countWork(xs.length * Math.ceil(Math.log2(xs.length + 1)));
  return xs.sort((a, b) => a - b);
}

/**
 * Candidate positions found on demand, ascending: {@link Candidates.next} skips what a match already covers, so dense
 * candidates inside long matches are never examined. The source reports its own work.
 */
export interface Candidates {
  /** The first candidate at or after `from`, or -1 when there is none. */
  next(from: number): number;
}

/**
 * Replace the leftmost non-overlapping matches of `global` (a `g` pattern) with `fn(match)`; `at` is its sticky copy
 * and `starts` the candidate positions, a list or a {@link Candidates} source (or `undefined` for a full scan).
 * Returns `text` itself when nothing matched.
 */
export function replaceMatches(text: string, global: RegExp, at: RegExp, starts: readonly number[] | Candidates | undefined, acc: PassState, fn: (m: RegExpExecArray) => string): string {
  // Matches are recorded, and the output assembled once at the end (see assemble).
  const cuts = new Cuts();
  const reps: string[] = [];
  forEachMatch(text, global, at, starts, (m) => {
    const end = m.index + m[0].length;
    const replacement = fn(m);
    countWork(m[0].length + replacement.length);
    if (replacement !== m[0]) {
      noteEdit(acc, text, m.index, end, replacement);
      cuts.push(m.index, end);
      reps.push(replacement);
    }
    return end;
  });
  if (reps.length === 0) return text;
  countWork(text.length); // the pieces copied into one string
  return assemble(text, cuts.list, reps.length, (k) => reps[k]!);
}

/**
 * Like {@link replaceMatches} with a replacement that keeps the start of the match: the last `tail(match)` characters of
 * each match are replaced by `rep` (one string for every match), none when `tail` returns 0. No string is built per
 * match: a text made of matches (1 MB of `https://a:b@` is 87,000 URL passwords) costs the scan and one copy.
 */
export function replaceMatchTails(text: string, global: RegExp, at: RegExp, starts: readonly number[] | Candidates | undefined, acc: PassState, rep: string, tail: (m: RegExpExecArray) => number): string {
  const cuts = new Cuts();
  forEachMatch(text, global, at, starts, (m) => {
    const end = m.index + m[0].length;
    const n = tail(m);
    countWork(m[0].length + (n > 0 ? rep.length : 0));
    if (n > 0) {
      noteEdit(acc, text, end - n, end, rep);
      cuts.push(end - n, end);
    }
    return end;
  });
  if (cuts.count === 0) return text;
  countWork(text.length); // the pieces copied into one string
  return assemble(text, cuts.list, cuts.count, () => rep);
}

const EMPTY_CUTS = new Int32Array(0);

/**
 * The cut positions of a pass, pairs `[start, end)` in a typed array that doubles as it fills: its storage is outside
 * the JavaScript heap, so a pass with tens of thousands of matches does not make every minor garbage collection copy
 * a growing array of numbers (with a plain array that copying cost more than the matching).
 */
class Cuts {
  /**
   * Allocated at the first cut: most passes cut nothing (a secret rule over text without that secret), and a typed
   * array costs about a microsecond to create, which over every rule of every screen was a tenth of a short answer's
   * output screen.
   */
  private buffer: Int32Array | undefined;
  private length = 0;

  /** The pairs recorded so far (a view of the buffer). */
  get list(): Int32Array {
    return this.buffer === undefined ? EMPTY_CUTS : this.buffer.subarray(0, this.length);
  }

  /** Pairs recorded. */
  get count(): number {
    return this.length >> 1;
  }

  push(start: number, end: number): void {
    if (this.buffer === undefined) this.buffer = new Int32Array(64);
    else if (this.length + 2 > this.buffer.length) {
      const grown = new Int32Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = start;
    this.buffer[this.length++] = end;
  }
}

/**
 * Calls `take` on the leftmost non-overlapping matches of `global` (see {@link replaceMatches}); `take` returns where
 * the match ends, and the next match is looked for from there (after an empty match, one further).
 */
function forEachMatch(text: string, global: RegExp, at: RegExp, starts: readonly number[] | Candidates | undefined, take: (m: RegExpExecArray) => number): void {
  const next = (m: RegExpExecArray): number => {
    const end = take(m);
    return end > m.index ? end : m.index + 1;
  };
  if (starts === undefined) {
    global.lastIndex = 0;
    for (let m = execCounted(global, text); m !== null; m = execCounted(global, text)) global.lastIndex = next(m);
  } else if (!isList(starts)) {
    let from = 0;
    for (let p = starts.next(0); p >= 0; p = starts.next(Math.max(from, p + 1))) {
      at.lastIndex = p;
      const m = execCounted(at, text);
      if (m !== null) from = next(m);
    }
  } else {
    let from = 0;
    countWork(starts.length);
    for (let k = 0; k < starts.length; k++) {
      const p = starts[k]!;
      if (p < from) continue;
      at.lastIndex = p;
      const m = execCounted(at, text);
      if (m !== null) from = next(m);
    }
  }
}

/** Fewer replacements than this are concatenated; more are copied into one buffer. */
const FEW_EDITS = 256;
/** Code units that fit one byte: anything else in the text makes the output UTF-16. */
const TWO_BYTE = /[^\u0000-\u00ff]/; // eslint-disable-line no-control-regex -- a range of code units, not controls

/**
 * `text` with `text[cuts[2k], cuts[2k + 1])` replaced by `reps[k]` (ascending, non-overlapping cuts), as one flat
 * string. A few replacements are concatenated; many (each match of 1 MB of `https://a:b@` is one: 87,000) are copied
 * code unit by code unit into a typed array decoded once, which allocates nothing per piece: collecting thousands of
 * small strings and ropes made garbage collection most of the cost, and `Array#join` of many pieces is slower still.
 */
function assemble(text: string, cuts: ArrayLike<number>, count: number, repAt: (k: number) => string): string {
  if (count < FEW_EDITS) {
    let out = '';
    let copied = 0;
    for (let k = 0; k < count; k++) {
      out += text.slice(copied, cuts[2 * k]);
      out += repAt(k);
      copied = cuts[2 * k + 1]!;
    }
    return out + text.slice(copied);
  }
  let length = text.length;
  let oneByte = !TWO_BYTE.test(text);
  let lastRep: string | undefined;
  for (let k = 0; k < count; k++) {
    const rep = repAt(k);
    length += rep.length - (cuts[2 * k + 1]! - cuts[2 * k]!);
    // The same placeholder again (every match of a secret rule) is tested once.
    if (oneByte && rep !== lastRep && TWO_BYTE.test(rep)) oneByte = false;
    lastRep = rep;
  }
  // One-byte text stays one byte (latin1); other text is UTF-16, which the decode keeps exactly (lone surrogates too).
  const out = oneByte ? new Uint8Array(length) : new Uint16Array(length);
  let at = 0;
  let copied = 0;
  for (let k = 0; k <= count; k++) {
    const cut = k < count ? cuts[2 * k]! : text.length;
    for (let i = copied; i < cut; i++) out[at++] = text.charCodeAt(i);
    if (k === count) break;
    const rep = repAt(k);
    for (let i = 0; i < rep.length; i++) out[at++] = rep.charCodeAt(i);
    copied = cuts[2 * k + 1]!;
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength).toString(oneByte ? 'latin1' : 'utf16le');
}

function isList(starts: readonly number[] | Candidates): starts is readonly number[] {
  return Array.isArray(starts);
}

/** Whether `text` has `word` (lower-case ASCII letters) ending just before `end`, ignoring ASCII case. */
export function endsWithWord(text: string, end: number, word: string): boolean {
  const start = end - word.length;
  if (start < 0) return false;
  for (let k = 0; k < word.length; k++) {
    if ((text.charCodeAt(start + k) | 0x20) !== word.charCodeAt(k)) return false;
  }
  return true;
}
