import * as fc from 'fast-check';
import { AuthenticationError, NotFoundError, PermissionDeniedError } from '../../../lambda/gateway/errors';
import { allowedAliases, authorizeModel, callerFromEvent, parseGroups, quotaSubject } from '../../../lambda/gateway/identity';

const CATALOGUE = {
  models: {
    'nova-lite': { modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 4096 },
    'nova-pro': { modelId: 'amazon.nova-pro-v1:0', maxOutputTokens: 1000, forcedToolChoice: true, imageInput: true },
    secret: { modelId: 'amazon.titan', maxOutputTokens: 500 },
  },
  groups: {
    users: { models: ['nova-lite'], dailyTokenQuota: 1000, maxOutputTokens: 256 },
    power: { models: ['nova-lite', 'nova-pro'], dailyTokenQuota: 5000, maxOutputTokens: 2048 },
    admins: { models: ['secret'], dailyTokenQuota: 99, maxOutputTokens: 9999 },
  },
};

const event = (context: unknown) => ({ requestContext: { authorizer: context as Record<string, unknown> | null } });
const user = (groups: string[]) => ({ kind: 'user' as const, subject: 'u', groups });
const key = (models: string[]) => ({ kind: 'key' as const, subject: 'k1', groups: [], models });

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

  test('a claim without separators or quotes (one group) parses as the split would parse it', () => {
    // The split every claim took before the one-group path, as the reference.
    const split = (claim: string): string[] => {
      let text = claim.trim();
      if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
      const out: string[] = [];
      for (const n of text.split(/[\s,]+/).map((x) => x.replace(/^"(.*)"$/, '$1'))) if (n.length > 0 && n.length <= 128 && !out.includes(n)) out.push(n);
      return out;
    };
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\[?[a-z"_\- ,]{0,20}\]?$/), fc.string({ minLength: 120, maxLength: 140 })), (claim) => {
        // JSON arrays take their own path: compared only where the claim is not one.
        let json = false;
        try {
          json = Array.isArray(JSON.parse(claim.trim()));
        } catch {
          // not JSON
        }
        if (!json) expect(parseGroups(claim)).toEqual(split(claim));
      }),
      { numRuns: 500 },
    );
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
  const context = (overrides: Record<string, unknown> = {}) => ({
    kind: 'user', subject: 'u-1', team: '', groups: 'users power', models: '', scopes: 'chat models.read', dailyBudgetUsd: '', monthlyBudgetUsd: '', ...overrides,
  });

  test('reads a user\'s kind, subject and groups', () => {
    expect(callerFromEvent(event(context()))).toEqual({ kind: 'user', subject: 'u-1', groups: ['users', 'power'] });
  });

  test('reads a client\'s team', () => {
    expect(callerFromEvent(event(context({ kind: 'client', subject: 'app1', team: 'data', groups: 'batch' })))).toEqual({
      kind: 'client', subject: 'app1', team: 'data', groups: ['batch'],
    });
  });

  test('a key has its models and no groups, whatever the context says', () => {
    expect(callerFromEvent(event(context({ kind: 'key', subject: 'AbCdEf123456', team: 'research', groups: 'admins', models: 'nova-lite' })))).toEqual({
      kind: 'key', subject: 'AbCdEf123456', team: 'research', groups: [], models: ['nova-lite'],
    });
  });

  test('a caller without groups is still authenticated', () => {
    expect(callerFromEvent(event(context({ groups: '' })))).toEqual({ kind: 'user', subject: 'u-1', groups: [] });
  });

  test('quotas count users by sub and other kinds by kind and id, so they never collide', () => {
    expect(quotaSubject({ kind: 'user', subject: 'u-1', groups: [] })).toBe('u-1');
    expect(quotaSubject({ kind: 'key', subject: 'u-1', groups: [] })).toBe('key:u-1');
    expect(quotaSubject({ kind: 'client', subject: 'u-1', groups: [] })).toBe('client:u-1');
  });

  describe('validation', () => {
    test.each([
      ['no request context', {}],
      ['no authorizer', { requestContext: {} }],
      ['null context', event(null)],
      ['Cognito claims instead of the authorizer context', event({ claims: { sub: 'u-1', 'cognito:groups': 'users' } })],
      ['no subject', event(context({ subject: undefined }))],
      ['empty subject', event(context({ subject: '' }))],
      ['numeric subject', event(context({ subject: 12 }))],
      ['unknown kind', event(context({ kind: 'admin' }))],
    ])('fails if %s (401)', (_name, ev) => {
      expect(() => callerFromEvent(ev as never)).toThrow(AuthenticationError);
    });
  });
});

describe('authorizeModel', () => {
  test('a caller in several groups gets the largest quota and cap of the groups that allow the alias', () => {
    // GIVEN
    const caller = user(['users', 'power', 'admins']);
    // WHEN
    const e = authorizeModel(caller, 'nova-lite', CATALOGUE);
    // THEN: admins (quota 99, cap 9999) does not allow nova-lite, so it does not count.
    expect(e).toEqual({ alias: 'nova-lite', modelId: 'amazon.nova-lite-v1:0', dailyTokenQuota: 5000, maxOutputTokens: 2048, viaGroups: ['users', 'power'], forcedToolChoice: false, imageInput: false, kind: 'chat' });
  });

  test('carries the model\'s capabilities from the catalogue', () => {
    expect(authorizeModel(user(['power']), 'nova-pro', CATALOGUE)).toMatchObject({ forcedToolChoice: true, imageInput: true });
  });

  test('the model cap bounds the group cap', () => {
    expect(authorizeModel(user(['power']), 'nova-pro', CATALOGUE).maxOutputTokens).toBe(1000);
  });

  test('a key may use the aliases of its allow-list, with the largest limits a group has for each', () => {
    expect(authorizeModel(key(['nova-lite']), 'nova-lite', CATALOGUE)).toEqual({
      alias: 'nova-lite', modelId: 'amazon.nova-lite-v1:0', dailyTokenQuota: 5000, maxOutputTokens: 2048, viaGroups: ['users', 'power'],
      forcedToolChoice: false, imageInput: false, kind: 'chat',
    });
    expect(allowedAliases(key(['nova-pro', 'secret']), CATALOGUE)).toEqual(['nova-pro', 'secret']);
  });

  test('lists the union of allowed aliases', () => {
    expect(allowedAliases(user(['users', 'admins', 'unknown']), CATALOGUE)).toEqual(['nova-lite', 'secret']);
    expect(allowedAliases(user([]), CATALOGUE)).toEqual([]);
  });

  describe('validation', () => {
    test('fails if the alias is unknown (404 model_not_found)', () => {
      try {
        authorizeModel(user(['power']), 'gpt-4', CATALOGUE);
        throw new Error('expected a throw');
      } catch (err) {
        expect(err).toBeInstanceOf(NotFoundError);
        expect((err as NotFoundError).code).toBe('model_not_found');
        expect((err as NotFoundError).param).toBe('model');
      }
    });

    test('fails if no group of the caller allows the alias (403)', () => {
      expect(() => authorizeModel(user(['users']), 'nova-pro', CATALOGUE)).toThrow(PermissionDeniedError);
    });

    test('fails if a key names a model outside its allow-list, though a group allows that model (403)', () => {
      expect(() => authorizeModel(key(['nova-lite']), 'nova-pro', CATALOGUE)).toThrow(PermissionDeniedError);
    });

    test('fails if a key names a model the configuration does not know (404), and lists only known aliases', () => {
      expect(() => authorizeModel(key(['nova-lite', 'unlisted']), 'unlisted', CATALOGUE)).toThrow(NotFoundError);
      expect(allowedAliases(key(['nova-lite', 'unlisted', 'constructor']), CATALOGUE)).toEqual(['nova-lite']);
    });

    test('fails if the alias is an Object prototype key', () => {
      expect(() => authorizeModel(user(['users']), 'constructor', CATALOGUE)).toThrow(NotFoundError);
      expect(() => authorizeModel(user(['__proto__']), 'nova-lite', CATALOGUE)).toThrow(PermissionDeniedError);
    });
  });
});
