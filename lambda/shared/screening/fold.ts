/**
 * Character classes and the word fold shared by the pre-screen's engine ({@link ./engine}) and the compilation of its
 * lexicon ({@link ./lexicon-compile}), in a module of their own so the engine loads without the word lists.
 *
 * @module
 */

/** A character of a CJK script (Han, Hiragana, Katakana, the prolonged sound mark). */
export const CJK_CHAR = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u30fc]/u;
export const NON_ASCII = /[\u0080-\uffff]/;
const MARKS = /\p{M}/gu;

/** Lower-case, strip diacritics, unify apostrophes (lexicon entries and sliced non-ASCII tokens). */
export function fold(word: string): string {
  const lower = word.toLowerCase();
  if (!NON_ASCII.test(lower)) return lower;
  return lower.normalize('NFD').replace(MARKS, '').normalize('NFC').replace(/\u2019/g, "'");
}
