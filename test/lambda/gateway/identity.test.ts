import * as fc from 'fast-check';
import { AuthenticationError, NotFoundError, PermissionDeniedError } from '../../../lambda/gateway/errors';
import { allowedAliases, authorizeModel, callerFromEvent, parseGroups } from '../../../lambda/gateway/identity';

const CATALOGUE = {
  models: {
    'nova-lite': { modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 4096 },
    'nova-pro': { modelId: 'amazon.nova-pro-v1:0', maxOutputTokens: 1000 },
    secret: { modelId: 'amazon.titan', maxOutputTokens: 500 },
  },
  groups: {
    users: { models: ['nova-lite'], dailyTokenQuota: 1000, maxOutputTokens: 256 },
    power: { models: ['nova-lite', 'nova-pro'], dailyTokenQuota: 5000, maxOutputTokens: 2048 },
    admins: { models: ['secret'], dailyTokenQuota: 99, maxOutputTokens: 9999 },
  },
};

const event = (claims: unknown) => ({ requestContext: { authorizer: { claims } } });

describe('parseGroups', () => {
  test.each([
    ['users,power', ['users', 'power']],
    ['users power', ['users', 'power']],
    ['[users power]', ['users', 'power']],
    ['["users","power"]', ['users', 'power']],
    [' users , power ,users', ['users', 'power']],
    ['', []],
  ])('parses %j', (claim, expected) => {
    expect(parseGroups(claim)).toEqual(expected);
  });

  test('accepts an array and ignores non-strings', () => {
    expect(parseGroups(['a', 3, 'b', 'a'])).toEqual(['a', 'b']);
    expect(parseGroups(42)).toEqual([]);
  });

  test('never throws and returns unique non-empty names for any input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue()), (v) => {
        const out = parseGroups(v);
        expect(new Set(out).size).toBe(out.length);
        expect(out.every((n) => n.length > 0)).toBe(true);
      }),
    );
  });
});

describe('callerFromEvent', () => {
  test('reads sub and groups', () => {
    expect(callerFromEvent(event({ sub: 'u-1', 'cognito:groups': 'users,power' }))).toEqual({ sub: 'u-1', kind: 'user', subject: 'u-1', team: '', groups: ['users', 'power'] });
  });

  test('reads kind, subject and team from the authorizer context when it carries them', () => {
    const withContext = { requestContext: { authorizer: { claims: { sub: 'u-1' }, kind: 'key', subject: 'key-7', team: 'research' } } };
    expect(callerFromEvent(withContext)).toEqual({ sub: 'u-1', kind: 'key', subject: 'key-7', team: 'research', groups: [] });
  });

  test('a caller without groups is still authenticated', () => {
    expect(callerFromEvent(event({ sub: 'u-1' }))).toEqual({ sub: 'u-1', kind: 'user', subject: 'u-1', team: '', groups: [] });
  });

  describe('validation', () => {
    test.each([
      ['no request context', {}],
      ['no authorizer', { requestContext: {} }],
      ['null claims', event(null)],
      ['string claims', event('sub=u')],
      ['no sub', event({ 'cognito:groups': 'users' })],
      ['empty sub', event({ sub: '' })],
      ['numeric sub', event({ sub: 12 })],
    ])('fails if %s (401)', (_name, ev) => {
      expect(() => callerFromEvent(ev as never)).toThrow(AuthenticationError);
    });
  });
});

describe('authorizeModel', () => {
  test('a caller in several groups gets the largest quota and cap of the groups that allow the alias', () => {
    // GIVEN
    const caller = { sub: 'u', groups: ['users', 'power', 'admins'] };
    // WHEN
    const e = authorizeModel(caller, 'nova-lite', CATALOGUE);
    // THEN: admins (quota 99, cap 9999) does not allow nova-lite, so it does not count.
    expect(e).toEqual({ alias: 'nova-lite', modelId: 'amazon.nova-lite-v1:0', dailyTokenQuota: 5000, maxOutputTokens: 2048, viaGroups: ['users', 'power'] });
  });

  test('the model cap bounds the group cap', () => {
    expect(authorizeModel({ sub: 'u', groups: ['power'] }, 'nova-pro', CATALOGUE).maxOutputTokens).toBe(1000);
  });

  test('lists the union of allowed aliases', () => {
    expect(allowedAliases({ sub: 'u', groups: ['users', 'admins', 'unknown'] }, CATALOGUE)).toEqual(['nova-lite', 'secret']);
    expect(allowedAliases({ sub: 'u', groups: [] }, CATALOGUE)).toEqual([]);
  });

  describe('validation', () => {
    test('fails if the alias is unknown (404 model_not_found)', () => {
      try {
        authorizeModel({ sub: 'u', groups: ['power'] }, 'gpt-4', CATALOGUE);
        throw new Error('expected a throw');
      } catch (err) {
        expect(err).toBeInstanceOf(NotFoundError);
        expect((err as NotFoundError).code).toBe('model_not_found');
        expect((err as NotFoundError).param).toBe('model');
      }
    });

    test('fails if no group of the caller allows the alias (403)', () => {
      expect(() => authorizeModel({ sub: 'u', groups: ['users'] }, 'nova-pro', CATALOGUE)).toThrow(PermissionDeniedError);
    });

    test('fails if the alias is an Object prototype key', () => {
      expect(() => authorizeModel({ sub: 'u', groups: ['users'] }, 'constructor', CATALOGUE)).toThrow(NotFoundError);
      expect(() => authorizeModel({ sub: 'u', groups: ['__proto__'] }, 'nova-lite', CATALOGUE)).toThrow(PermissionDeniedError);
    });
  });
});
