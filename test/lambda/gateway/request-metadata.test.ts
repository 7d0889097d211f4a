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
