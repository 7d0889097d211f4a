/**
 * Character classes and the word fold shared by the pre-screen's engine ({@link ./engine}) and the compilation of its
 * lexicon ({@link ./lexicon-compile}), in a module of their own so the engine loads without the word lists.
 *
 * @module
 */

// The Unicode-property regexes are created on first use, not at cold start: each costs 0.05-0.25 ms to create (its
// ICU sets), and the engine asks them only for characters outside its tables.
let cjkChar: RegExp | undefined;
let marks: RegExp | undefined;

/** Whether `text` has a character of a CJK script (Han, Hiragana, Katakana, the prolonged sound mark). */
export function hasCjkChar(text: string): boolean {
  return (cjkChar ??= /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u30fc]/u).test(text);
}
export const NON_ASCII = /[\u0080-\uffff]/;

/** Per BMP code unit, whether it is its own lower case in any word, filled on first sight: 0 not yet known, 1 no, 2 yes. */
const OWN_LOWER = new Uint8Array(0x10000);

/**
 * Whether code unit `u` is its own lower case in any word: `toLowerCase` maps it to itself, and it is not U+03A3
 * (Σ, the only character whose lower case depends on its context, which is not its own lower case anyway).
 */
export function isOwnLowerCase(u: number): boolean {
  let known = OWN_LOWER[u]!;
  if (known === 0) {
    const ch = String.fromCharCode(u);
    known = ch.toLowerCase() === ch ? 2 : 1;
    OWN_LOWER[u] = known;
  }
  return known === 2;
}

/**
 * Per BMP code unit, how {@link fold} treats it within a word, filled on first sight ({@link unitFold}): 0 not yet
 * known, 1 only a fold of the whole word is exact, 2 it folds to itself, 3 it folds to {@link UNIT_FOLDED}'s string.
 */
const UNIT_FOLD = new Uint8Array(0x10000);
const FOLD_WHOLE = 1;
const FOLD_SELF = 2;
const FOLD_OTHER = 3;
/** The fold of each code unit whose {@link UNIT_FOLD} is 3 (as many as the distinct such units seen: bounded by 65,536). */
const UNIT_FOLDED = new Map<number, string>();
/** Combining marks of the lowest and the highest non-zero combining class (1 and 240), to detect any non-zero class. */
const LOW_MARK = '\u0334';
const HIGH_MARK = '\u0345';

/** Whether `ch` is of combining class 0: canonical reordering moves it past neither mark. */
function isStarter(ch: string): boolean {
  return (HIGH_MARK + ch).normalize('NFD') === HIGH_MARK + ch && (ch + LOW_MARK).normalize('NFD') === ch + LOW_MARK;
}

/**
 * How {@link fold} treats code unit `u` within any word (see {@link UNIT_FOLD}). The fold of a word is the
 * concatenation of its units' folds when for each unit: it is not a surrogate or U+03A3 (Σ: its lower case depends on
 * its context); the NFD of its lower case, less its combining marks, holds only characters of combining class 0
 * (canonical reordering, which runs across units, then moves none of them) and does not start with a Hangul vowel or
 * trailing jamo (under NFC, a syllable or a leading jamo composes with what follows it only when that is such a jamo:
 * every other composition pairs a starter with a combining mark, and the fold removes those). Then lower case, NFD,
 * the mark removal and NFC act on each unit apart, and the apostrophe replacement maps one character to one.
 */
function unitFold(u: number): number {
  let kind = UNIT_FOLD[u]!;
  if (kind !== 0) return kind;
  kind = FOLD_WHOLE;
  if (!(u >= 0xd800 && u <= 0xdfff) && u !== 0x3a3) {
    const ch = String.fromCharCode(u);
    const bare = ch.toLowerCase().normalize('NFD').replace((marks ??= /\p{M}/gu), '');
    const first = bare.charCodeAt(0);
    let starters = true;
    for (const c of bare) starters &&= isStarter(c);
    if (starters && !((first >= 0x1160 && first <= 0x11ff) || (first >= 0xd7b0 && first <= 0xd7ff))) {
      const folded = bare.normalize('NFC').replace(/\u2019/g, "'");
      kind = folded === ch ? FOLD_SELF : FOLD_OTHER;
      if (kind === FOLD_OTHER) UNIT_FOLDED.set(u, folded);
    }
  }
  UNIT_FOLD[u] = kind;
  return kind;
}

/** Lower-case, strip diacritics, unify apostrophes (lexicon entries and sliced non-ASCII tokens). */
export function fold(word: string): string {
  // Folded unit by unit (a table read per unit, see unitFold) instead of lower case, NFD, a regular expression and
  // NFC over the word: most words are their own fold or differ in a few accented or capital letters.
  let out: string | undefined;
  for (let i = 0; i < word.length; i++) {
    const u = word.charCodeAt(i);
    const kind = u < 0x80 ? (u >= 0x41 && u <= 0x5a ? FOLD_OTHER : FOLD_SELF) : unitFold(u);
    if (kind === FOLD_SELF) {
      if (out !== undefined) out += word[i]!;
      continue;
    }
    if (kind === FOLD_WHOLE) return foldSlow(word);
    out = (out ?? word.slice(0, i)) + (u < 0x80 ? String.fromCharCode(u | 0x20) : UNIT_FOLDED.get(u)!);
  }
  return out ?? word;
}

/** {@link fold} of the whole word at once: the definition, which {@link fold} computes unit by unit. @internal */
export function foldSlow(word: string): string {
  const lower = word.toLowerCase();
  if (!NON_ASCII.test(lower)) return lower;
  return lower.normalize('NFD').replace((marks ??= /\p{M}/gu), '').normalize('NFC').replace(/\u2019/g, "'");
}
