import * as fc from 'fast-check';
import { PassState, replaceMatches, replaceMatchTails, sticky } from '../../../../lambda/shared/screening/rewrite';

const state = (): PassState => ({ redactions: 0, removedLinks: 0, reasons: new Set(), minRun: 40, unsettled: false });

describe('replaceMatches', () => {
  // Few and many replacements (the output is assembled differently above 256), one-byte and two-byte text, lone
  // surrogates, replacements longer, shorter and equal to their match.
  const unit = fc.constantFrom('x', 'xx', 'a', ' ', 'é', 'ÿ', '€', '😀', '\ud800', '\udc00', '\n');
  const text = fc.oneof(
    fc.array(unit, { maxLength: 60 }).map((u) => u.join('')),
    fc.tuple(fc.array(unit, { minLength: 1, maxLength: 8 }), fc.integer({ min: 100, max: 400 })).map(([u, n]) => u.join('').repeat(n)),
  );
  const replacement = fc.constantFrom('', 'X', '[REDACTED:password]', 'Ω', '\ud83d', 'same');

  test('gives what a global replace gives, however many replacements', () => {
    fc.assert(fc.property(text, replacement, fc.boolean(), (t, rep, list) => {
      // GIVEN a pattern, its sticky copy, and candidates (every position) or a full scan
      const global = /x+/g;
      const fn = (m: string): string => (rep === 'same' ? m : rep);
      const starts = list ? Array.from({ length: t.length }, (_, i) => i) : undefined;
      // WHEN / THEN
      expect(replaceMatches(t, global, sticky(global), starts, state(), (m) => fn(m[0]))).toBe(t.replace(/x+/g, fn));
    }), { numRuns: 500 });
  });
});

/** A URL password (the tail of the match), as the secret rules find them. */
const USERINFO = /:\/\/([^\s:/?#@]{1,16}):([^\s/?#@]{1,16})(?=@[a-z])/g;
const USERINFO_AT = sticky(USERINFO);
const REP = '[REDACTED:password]';

/** Candidate starts: every `:` of `://`. */
const starts = (text: string): number[] => {
  const out: number[] = [];
  for (let i = text.indexOf('://'); i >= 0; i = text.indexOf('://', i + 1)) out.push(i);
  return out;
};

describe('replaceMatchTails', () => {
  describe('defaults', () => {
    test('replaces only the tail of each match, as replacing the whole match by its kept start and the placeholder does', () => {
      // GIVEN texts of URLs with and without passwords, some dense
      const piece = fc.constantFrom('https://a:b@h', 'postgres://u:p4ss@db', ' x ', '://', ':', '@', 'https://a@h', 'é', '\n');
      fc.assert(fc.property(fc.array(piece, { maxLength: 60 }), fc.boolean(), (pieces, full) => {
        const text = pieces.join('');
        // WHEN the password tails are replaced, and, for reference, whole matches by their start and the placeholder
        const tails = replaceMatchTails(text, USERINFO, USERINFO_AT, full ? undefined : starts(text), state(), REP, (m) => (m[2] === 'p4ss' ? 0 : m[2]!.length));
        const whole = replaceMatches(text, USERINFO, USERINFO_AT, full ? undefined : starts(text), state(), (m) => (m[2] === 'p4ss' ? m[0] : m[0].slice(0, m[0].length - m[2]!.length) + REP));
        // THEN both give the same text, and String#replace agrees
        expect(tails).toBe(whole);
        expect(tails).toBe(text.replace(USERINFO, (m, _user: string, password: string) => (password === 'p4ss' ? m : m.slice(0, m.length - password.length) + REP)));
      }), { numRuns: 300 });
    });

    test('returns the text itself when every tail is kept', () => {
      const text = 'postgres://u:p4ss@db and https://a:b@h';
      expect(replaceMatchTails(text, USERINFO, USERINFO_AT, starts(text), state(), REP, () => 0)).toBe(text);
    });

    test('replaces 87,000 tails of 1 MB in one pass, with the same placeholder string for every match', () => {
      // GIVEN 1 MB of `https://a:b@`
      const text = 'https://a:b@'.repeat(Math.ceil((1 << 20) / 12)).slice(0, 1 << 20);
      let matches = 0;
      // WHEN every password is replaced
      const out = replaceMatchTails(text, USERINFO, USERINFO_AT, undefined, state(), REP, (m) => {
        matches++;
        return m[2]!.length;
      });
      // THEN each of the 87,381 matches lost its one-character password to the placeholder
      expect(matches).toBe(87_381);
      expect(out.length).toBe(text.length + matches * (REP.length - 1));
      expect(out.startsWith(`https://a:${REP}@https://a:${REP}@`)).toBe(true);
    });
  });
});
