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

/** Lower-case, strip diacritics, unify apostrophes (lexicon entries and sliced non-ASCII tokens). */
export function fold(word: string): string {
  const lower = word.toLowerCase();
  if (!NON_ASCII.test(lower)) return lower;
  return lower.normalize('NFD').replace((marks ??= /\p{M}/gu), '').normalize('NFC').replace(/\u2019/g, "'");
}
