import * as fc from 'fast-check';
import { fold, foldSlow, isOwnLowerCase } from '../../../../lambda/shared/screening/fold';

/** Characters of the scripts the lexicon and ordinary prompts use, with the cases the unit-by-unit fold must get right. */
const TRICKY = [
  'Σ', 'σ', 'ς', 'İ', 'ı', 'ß', 'ẞ', '\u2019', "'", 'Å', 'Ω', 'K', 'ﬁ', 'Ǆ', 'ǅ', 'ŉ', 'ΐ', '\u0301', '\u0308', '\u0345',
  '\u0334', '\u093f', '\u0b3e', '\u0bbe', '\u0dcf', '\u102e', '\u1100', '\u1161', '\u11a8', '\uac00', '\uac01', '\ud7b0',
  '\u3099', '\u309a', 'か', 'ガ', 'Ａ', '\ud835\udc00', '\ud83d\ude00', '\ud800',
];
const RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x20, 0x7e], [0xa0, 0x24f], [0x300, 0x36f], [0x370, 0x3ff], [0x400, 0x52f], [0x590, 0x6ff], [0x900, 0x97f],
  [0xb00, 0xbff], [0xd80, 0xdff], [0x1000, 0x109f], [0x1100, 0x11ff], [0x1e00, 0x1fff], [0x2000, 0x214f],
  [0x3040, 0x30ff], [0x4e00, 0x4e40], [0xac00, 0xac40], [0xfb00, 0xfb4f], [0xff00, 0xffef],
];
const unit = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.constantFrom(...RANGES).chain(([from, to]) => fc.integer({ min: from, max: to }).map((u) => String.fromCharCode(u))),
);
const word = fc.array(unit, { minLength: 1, maxLength: 8 }).map((units) => units.join(''));

describe('fold', () => {
  test('folds every BMP code unit on its own as the whole-word fold does', () => {
    // GIVEN / WHEN / THEN
    for (let u = 0; u < 0x10000; u++) {
      const ch = String.fromCharCode(u);
      if (fold(ch) !== foldSlow(ch)) throw new Error(`U+${u.toString(16)}: ${JSON.stringify(fold(ch))} vs ${JSON.stringify(foldSlow(ch))}`);
    }
  });

  test('folds any word unit by unit as the whole-word fold does', () => {
    fc.assert(fc.property(word, (w) => fold(w) === foldSlow(w)), { numRuns: 20_000 });
  });

  test('no character that composes with a preceding starter is folded unit by unit', () => {
    // GIVEN: the starters that follow the first character of a canonical decomposition (the Hangul vowel and trailing
    // jamo, U+16D67): NFC may join them to the character before them, across units.
    const isStarter = (ch: string): boolean => ('\u0345' + ch).normalize('NFD') === '\u0345' + ch && (ch + '\u0334').normalize('NFD') === ch + '\u0334';
    const joiners = new Set<string>();
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const parts = [...String.fromCodePoint(cp).normalize('NFD')];
      for (const part of parts.slice(1)) if (isStarter(part) && !/\p{M}/u.test(part)) joiners.add(part);
    }
    // WHEN / THEN: a word of a syllable or leading jamo and such a starter folds as a whole.
    expect(joiners.size).toBeGreaterThan(0);
    for (const joiner of joiners) {
      for (const before of ['\u1100', '\uac00', 'a']) expect(fold(before + joiner)).toBe(foldSlow(before + joiner));
    }
  });
});

describe('isOwnLowerCase', () => {
  test('agrees with toLowerCase on every BMP code unit, and Σ is never its own lower case', () => {
    for (let u = 0; u < 0x10000; u++) {
      const ch = String.fromCharCode(u);
      if (isOwnLowerCase(u) !== (ch.toLowerCase() === ch)) throw new Error(`U+${u.toString(16)}`);
    }
    expect(isOwnLowerCase(0x3a3)).toBe(false);
  });

  test('a word of units that are their own lower case is its own lower case', () => {
    fc.assert(fc.property(word, (w) => {
      const own = [...Array(w.length).keys()].every((i) => isOwnLowerCase(w.charCodeAt(i)));
      return !own || w.toLowerCase() === w;
    }), { numRuns: 20_000 });
  });
});
