import * as fc from 'fast-check';
import { ATTRIBUTION_KEYS, attributionMetadata, sanitizeMetadataValue, teamDimension } from '../../../lambda/gateway/request-metadata';

/** What Converse's requestMetadata and the invocation-log filters both accept (value side). */
const ACCEPTED = /^[a-zA-Z0-9._:/=+$@-]{0,256}$/;

describe('sanitizeMetadataValue', () => {
  test('keeps ids as they are', () => {
    expect(sanitizeMetadataValue('3f8e1c2a-55aa-4c1e-9b1f-0a6d2b9c7e11')).toBe('3f8e1c2a-55aa-4c1e-9b1f-0a6d2b9c7e11');
    expect(sanitizeMetadataValue('sk_gw.k1:team@x/y=z+$')).toBe('sk_gw.k1:team@x/y=z+$');
  });

  test('replaces every other character and cuts at 256', () => {
    expect(sanitizeMetadataValue('Data Science (EU) #1 é')).toBe('Data_Science__EU___1__');
    expect(sanitizeMetadataValue('a'.repeat(300))).toHaveLength(256);
  });

  test('the fast path for values already safe agrees with splitting, replacing and cutting (property)', () => {
    // The straightforward computation, without the fast path for values that are already safe.
    const reference = (value: string): string => Array.from(value).slice(0, 256).join('').replace(/[^A-Za-z0-9._:/=+$@-]/g, '_').slice(0, 256);
    const safeChar = fc.constantFrom(...'abcXYZ019._:/=+$@-');
    const value = fc.oneof(
      fc.string({ unit: safeChar, maxLength: 300 }),
      fc.string({ unit: fc.oneof(safeChar, fc.constantFrom(' ', 'é', '\u{1F600}', '\n', '#')), maxLength: 300 }),
      fc.string({ maxLength: 300, unit: 'binary' }),
    );
    fc.assert(fc.property(value, (v) => {
      expect(sanitizeMetadataValue(v)).toBe(reference(v));
    }), { numRuns: 500 });
  });

  test('always yields a value Converse accepts (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 600, unit: 'binary' }), (value) => {
      expect(sanitizeMetadataValue(value)).toMatch(ACCEPTED);
    }));
  });
});

describe('attributionMetadata', () => {
  test('names the principal and the team, `none` without one', () => {
    expect(attributionMetadata({ kind: 'key', subject: 'k-42', team: '' })).toEqual({
      [ATTRIBUTION_KEYS.principalKind]: 'key',
      [ATTRIBUTION_KEYS.principalId]: 'k-42',
      [ATTRIBUTION_KEYS.team]: 'none',
    });
    expect(Object.keys(ATTRIBUTION_KEYS).length).toBeLessThanOrEqual(16);
    expect(Object.values(ATTRIBUTION_KEYS).every((k) => /^[a-zA-Z0-9._:/=+$@-]{1,256}$/.test(k))).toBe(true);
  });

  test('the Team dimension is the sanitized team, `none` without one', () => {
    expect(teamDimension('')).toBe('none');
    expect(teamDimension('ops team')).toBe('ops_team');
  });
});
