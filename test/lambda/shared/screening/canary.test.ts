import fc from 'fast-check';
import { canaryOf } from '../../../../lambda/shared/screening/canary';
import { newCanary } from '../../../../lambda/gateway/converse-request';

describe('canaryOf', () => {
  test('a canary of lower-case letters and digits is prepared as normalization and squeezing would prepare it', () => {
    // GIVEN plain canaries, each also written in capitals and with invisible characters (which take the full path)
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]{8,40}$/), (plain) => {
        const spelled = [plain.toUpperCase(), [...plain].join('\u200b')];
        // WHEN prepared THEN the plain form's preparation equals the full path's
        for (const other of spelled) expect(canaryOf(plain)).toEqual(canaryOf(other));
      }),
    );
  });

  test('the search anchor and the reversed key are the straightforward ones (property)', () => {
    // The first of the key's rarest characters by this order, and the key's characters reversed, computed plainly.
    const rarity = '0123456789qjzxkvbpgwyfmculdrhsnioate';
    fc.assert(
      fc.property(fc.oneof(fc.stringMatching(/^[a-z0-9]{8,40}$/), fc.string({ minLength: 8, maxLength: 40 })), (text) => {
        fc.pre(/[A-Za-z0-9].*[A-Za-z0-9].*[A-Za-z0-9].*[A-Za-z0-9].*[A-Za-z0-9].*[A-Za-z0-9].*[A-Za-z0-9].*[A-Za-z0-9]/s.test(text));
        const c = canaryOf(text);
        let anchor = 0;
        for (let k = 1; k < c.key.length; k++) if (rarity.indexOf(c.key[k]!) < rarity.indexOf(c.key[anchor]!)) anchor = k;
        expect(c.anchor).toBe(anchor);
        expect(c.reversed).toBe([...c.key].reverse().join(''));
      }),
      { numRuns: 500 },
    );
  });

  test('the gateway\'s own canaries take the plain path', () => {
    const canary = newCanary();
    expect(canaryOf(canary).key).toBe(canary);
  });

  test('fails if a canary has fewer than 8 letters or digits', () => {
    expect(() => canaryOf('abc-123')).toThrow(/at least 8 letters or digits, got 6/);
  });
});
