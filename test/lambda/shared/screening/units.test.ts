import * as fc from 'fast-check';
import { UnitBuffer } from '../../../../lambda/shared/screening/units';

describe('UnitBuffer', () => {
  test('reads the code units charCodeAt reads, lone surrogates included, whatever it read before', () => {
    // GIVEN one buffer reused across reads of strings of any length and representation (one- and two-byte, ropes)
    const buffer = new UnitBuffer();
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)), maxLength: 20 }),
      fc.tuple(fc.string({ maxLength: 50 }), fc.string({ unit: 'binary', maxLength: 50 })).map(([a, b]) => a + b),
      fc.integer({ min: 1000, max: 70_000 }).map((n) => 'ab\u00e9'.repeat(n).slice(0, n)),
    );
    fc.assert(fc.property(fc.array(text, { minLength: 1, maxLength: 4 }), (texts) => {
      for (const t of texts) {
        // WHEN it reads them one after another
        const units = buffer.read(t);
        // THEN each read holds exactly that string's code units
        for (let i = 0; i < t.length; i++) if (units[i] !== t.charCodeAt(i)) return false;
      }
      return true;
    }), { numRuns: 300 });
  });
});
