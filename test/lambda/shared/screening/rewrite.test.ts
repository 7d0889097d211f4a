import * as fc from 'fast-check';
import { PassState, replaceMatches, sticky } from '../../../../lambda/shared/screening/rewrite';

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
