import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { AuthorizerDeps, Decision, UnauthorizedError, bearerCredential, decide, parseMethodArn } from '../../../lambda/authorizer/authorize';
import { PoolUsers } from '../../../lambda/authorizer/pool-users';
import { newApiKey, randomBase62 } from '../../../lambda/shared/api-key';
import { GATEWAY_ROUTES } from '../../../lambda/shared/gateway-contract';
import { KeyRecord, KeyStore } from '../../../lambda/shared/key-store';
import { KmsMac } from '../../../lambda/shared/kms-mac';
import { FakeCognito, FakeCognitoUser, startFakeCognito } from '../../helpers/cognito-server';
import { Dynalite, createKeysTable, fakeCredentials, startDynalite } from '../../helpers/dynalite';
import { FakeKms, startFakeKms } from '../../helpers/kms-server';
import { TEST_CLIENT_ID, TEST_POOL_ID, TEST_REGION, TEST_RESOURCE_SERVER, TestIssuer, newTestIssuer } from '../../helpers/test-issuer';

const STAGE_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123defg/prod';
const CHAT_ARN = `${STAGE_ARN}/POST/v1/chat/completions`;
const MODELS_ARN = `${STAGE_ARN}/GET/v1/models`;
const MODEL_ARN = `${STAGE_ARN}/GET/v1/models/*`;
const EMBEDDINGS_ARN = `${STAGE_ARN}/POST/v1/embeddings`;
const NOW = Date.now();
const HOUR = 3600;

const event = (authorization: string | undefined, methodArn = CHAT_ARN) => ({
  methodArn,
  headers: authorization === undefined ? {} : { Authorization: authorization },
});

/** The resources an Allow statement names, or [] for a deny. */
function allowed(decision: Decision): string[] {
  const [statement] = decision.result.policyDocument.Statement as { Effect: string; Resource: string[] }[];
  return statement!.Effect === 'Allow' ? statement!.Resource : [];
}

describe('authorizer decision', () => {
  let db: Dynalite;
  let kms: FakeKms;
  let cognito: FakeCognito;
  let cognitoClient: CognitoIdentityProviderClient;
  let dynamo: DynamoDBClient;
  let store: KeyStore;
  let mac: KmsMac;
  let issuer: TestIssuer;
  let deps: AuthorizerDeps;
  let fetches = 0;

  beforeAll(async () => {
    [db, kms, cognito] = await Promise.all([startDynalite(), startFakeKms(), startFakeCognito(TEST_POOL_ID)]);
    // The real SDK client, as the handler makes it, on the loopback fake.
    cognitoClient = new CognitoIdentityProviderClient({ endpoint: cognito.endpoint, region: TEST_REGION, credentials: fakeCredentials(), maxAttempts: 1 });
    const users = new PoolUsers(cognitoClient, TEST_POOL_ID);
    const table = await createKeysTable(db.endpoint);
    dynamo = new DynamoDBClient({ endpoint: db.endpoint, region: TEST_REGION, credentials: fakeCredentials(), maxAttempts: 1 });
    store = new KeyStore(dynamo, table);
    mac = new KmsMac({ keyId: kms.keyId, region: TEST_REGION, endpoint: kms.endpoint, credentials: fakeCredentials() });
    issuer = newTestIssuer();
    // The real verifier with the issuer's JWKS cached; it must never reach the network.
    const verifier = CognitoJwtVerifier.create(
      { userPoolId: TEST_POOL_ID, tokenUse: 'access', clientId: [TEST_CLIENT_ID] },
      {
        jwksCache: new SimpleJwksCache({
          fetcher: {
            fetch: () => {
              fetches++;
              return Promise.reject(new Error('tests never fetch a JWKS'));
            },
          },
        }),
      },
    );
    verifier.cacheJwks(issuer.jwks as never);
    deps = {
      verifyAccessToken: async (t) => (await verifier.verify(t)) as unknown as Record<string, unknown>,
      resourceServerId: TEST_RESOURCE_SERVER,
      machineClients: { machineclient00000000000001: { groups: ['batch'], team: 'data' } },
      getKey: (id) => store.get(id),
      getUser: (username) => users.get(username),
      macOf: (k) => mac.generateMac(k),
      now: () => NOW,
    };
  });

  afterAll(async () => {
    dynamo?.destroy();
    cognitoClient?.destroy();
    await Promise.all([db?.close(), kms?.close(), cognito?.close()]);
  });

  beforeEach(() => {
    cognito.failWith = undefined;
    cognito.users.clear();
    cognito.users.set('alice', { enabled: true, status: 'CONFIRMED' });
  });

  afterEach(() => expect(fetches).toBe(0));

  /** Stores a key and returns the whole key. */
  async function storeKey(overrides: Partial<KeyRecord> = {}): Promise<string> {
    const { keyId, key } = newApiKey();
    await store.create({
      keyId,
      mac: (await kms.mac(key)).toString('base64'),
      owner: 'alice@example.com',
      team: 'research',
      models: ['nova-lite'],
      expiresAt: Math.floor(NOW / 1000) + HOUR,
      status: 'active',
      createdAt: new Date(NOW).toISOString(),
      dailyBudgetUsd: 5,
      ...overrides,
    });
    return key;
  }

  async function unauthorized(authorization: string | undefined, methodArn = CHAT_ARN): Promise<string> {
    const error = await decide(event(authorization, methodArn), deps).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnauthorizedError);
    // API Gateway answers 401 only for exactly this message.
    expect((error as Error).message).toBe('Unauthorized');
    return (error as UnauthorizedError).reason;
  }

  describe('access tokens', () => {
    test('a user access token with both scopes may call every route, with the user as principal', async () => {
      // GIVEN / WHEN
      const decision = await decide(event(`Bearer ${issuer.accessToken()}`), deps);
      // THEN
      expect(decision.outcome).toBe('allow');
      expect(decision.result.principalId).toBe('user-sub-1');
      expect(allowed(decision)).toEqual([CHAT_ARN, MODELS_ARN, MODEL_ARN]);
      expect(decision.result.context).toEqual({
        kind: 'user',
        subject: 'user-sub-1',
        team: '',
        groups: 'users',
        models: '',
        scopes: 'chat models.read',
        dailyBudgetUsd: '',
        monthlyBudgetUsd: '',
      });
    });

    test('a token with only models.read may list models but not chat', async () => {
      const token = issuer.accessToken({ scope: `${TEST_RESOURCE_SERVER}/models.read` });
      const decision = await decide(event(`Bearer ${token}`), deps);
      // The chat method is not in the policy: API Gateway answers 403 for it, also from its cache.
      expect(allowed(decision)).toEqual([MODELS_ARN, MODEL_ARN]);
      expect(decision.result.context?.scopes).toBe('models.read');
    });

    test('fails if the token carries no gateway scope: an explicit deny of every route', async () => {
      const token = issuer.accessToken({ scope: 'aws.cognito.signin.user.admin otherserver/chat' });
      const decision = await decide(event(`Bearer ${token}`), deps);
      expect(decision.outcome).toBe('deny');
      expect(decision.result.policyDocument.Statement).toEqual([
        { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: GATEWAY_ROUTES.map((r) => `${STAGE_ARN}/${r.method}${r.path.replace('{id}', '*')}`) },
      ]);
    });

    test('a configured machine client (client credentials) gets its configured groups and team', async () => {
      const token = issuer.accessToken({ sub: 'machineclient00000000000001', client_id: 'machineclient00000000000001', username: undefined, 'cognito:groups': undefined });
      const clientDeps = { ...deps };
      // The verifier accepts only the configured client ids: check the machine path on the decision alone.
      const decision = await decide(event(`Bearer ${token}`), {
        ...clientDeps,
        verifyAccessToken: async () => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>,
      });
      expect(decision.result.context).toMatchObject({ kind: 'client', subject: 'machineclient00000000000001', groups: 'batch', team: 'data' });
    });

    test('fails if a machine client is not configured', async () => {
      const token = issuer.accessToken({ sub: TEST_CLIENT_ID, username: undefined });
      const decision = await decide(event(`Bearer ${token}`), deps);
      expect(decision.outcome).toBe('deny');
      expect(allowed(decision)).toEqual([]);
    });

    const now = Math.floor(NOW / 1000);
    test.each([
      ['fails if the token is an ID token', () => issuer.accessToken({ token_use: 'id', aud: TEST_CLIENT_ID })],
      ['fails if the token is expired', () => issuer.accessToken({ exp: now - 60, iat: now - 3700 })],
      ['fails if the token is not yet valid', () => issuer.accessToken({ nbf: now + 600 })],
      ['fails if the token comes from another issuer', () => issuer.accessToken({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' })],
      ['fails if the token was issued to another client', () => issuer.accessToken({ client_id: 'otherclient000000000000001' })],
      ['fails if the token is signed by another key with the same key id', () => newTestIssuer().accessToken()],
      [
        'fails if the token uses alg none',
        () => {
          const [, payload] = issuer.accessToken().split('.');
          return `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'test-key-1' })).toString('base64url')}.${payload}.`;
        },
      ],
      ['fails if the token is truncated', () => issuer.accessToken().slice(0, -20)],
      ['fails if the token is not a JWT', () => 'not-a-token'],
      [
        'fails if the signature belongs to another token',
        () => {
          const [h, , s] = issuer.accessToken().split('.');
          const [, p] = issuer.accessToken({ 'cognito:groups': ['admins'] }).split('.');
          return `${h}.${p}.${s === undefined ? '' : Buffer.from(s, 'base64url').reverse().toString('base64url')}`;
        },
      ],
    ])('%s', async (_name, token) => {
      await unauthorized(`Bearer ${token()}`);
    });

    test('fails if the token lacks the scope of the route, for every route it lacks', async () => {
      const token = issuer.accessToken({ scope: `${TEST_RESOURCE_SERVER}/chat` });
      const decision = await decide(event(`Bearer ${token}`, MODELS_ARN), deps);
      expect(allowed(decision)).not.toContain(MODELS_ARN);
      expect(allowed(decision)).not.toContain(MODEL_ARN);
    });
  });

  describe('user check', () => {
    test('an enabled, confirmed user passes and gets the team an administrator set', async () => {
      // GIVEN
      cognito.users.set('alice', { enabled: true, status: 'CONFIRMED', attributes: { email: 'alice@example.com', 'custom:team': 'research' } });
      const calls = cognito.calls();
      // WHEN
      const decision = await decide(event(`Bearer ${issuer.accessToken()}`), deps);
      // THEN
      expect(decision.outcome).toBe('allow');
      expect(decision.result.context).toMatchObject({ kind: 'user', subject: 'user-sub-1', team: 'research' });
      expect(cognito.calls() - calls).toBe(1);
      expect(cognito.asked().at(-1)).toBe('alice');
    });

    test('a federated user (EXTERNAL_PROVIDER) passes', async () => {
      cognito.users.set('corp_alice', { enabled: true, status: 'EXTERNAL_PROVIDER', attributes: { 'custom:team': 'ops' } });
      const decision = await decide(event(`Bearer ${issuer.accessToken({ username: 'corp_alice' })}`), deps);
      expect(decision.outcome).toBe('allow');
      expect(decision.result.context).toMatchObject({ team: 'ops' });
    });

    /** Decides on a valid, unexpired access token of "alice" after an administrator changed her, and checks the refusal. */
    async function refusedAfterChange(user: FakeCognitoUser, reason: string): Promise<void> {
      // GIVEN
      cognito.users.set('alice', user);
      // WHEN
      const decision = await decide(event(`Bearer ${issuer.accessToken()}`), deps);
      // THEN
      expect(decision.outcome).toBe('deny');
      expect(decision.reason).toBe(reason);
      expect(allowed(decision)).toEqual([]);
      expect(decision.result.context).toMatchObject({ kind: 'user', team: '', groups: '', scopes: '' });
    }

    test('fails if the user is disabled (a policy allowing nothing, with its reason)', async () => {
      await refusedAfterChange({ enabled: false, status: 'CONFIRMED', attributes: { 'custom:team': 'research' } }, 'user disabled');
    });

    test('fails if the user is not confirmed (a policy allowing nothing, with its reason)', async () => {
      await refusedAfterChange({ enabled: true, status: 'UNCONFIRMED' }, 'user status UNCONFIRMED');
    });

    test.each([
      ['fails if the user must reset their password', { enabled: true, status: 'RESET_REQUIRED' }, 'user status RESET_REQUIRED'],
      ['fails if the user has not set their own password', { enabled: true, status: 'FORCE_CHANGE_PASSWORD' }, 'user status FORCE_CHANGE_PASSWORD'],
      ['fails if the team attribute is not a team name', { enabled: true, status: 'CONFIRMED', attributes: { 'custom:team': 'two words' } }, 'custom:team attribute is not a team name'],
    ])('%s', async (_name, user, reason) => {
      await refusedAfterChange(user, reason);
    });

    test('fails if the user was deleted', async () => {
      cognito.users.delete('alice');
      const decision = await decide(event(`Bearer ${issuer.accessToken()}`), deps);
      expect(decision.outcome).toBe('deny');
      expect(decision.reason).toBe('user not found');
      expect(allowed(decision)).toEqual([]);
    });

    test('fails closed (401) if Cognito answers InternalErrorException', async () => {
      cognito.failWith = 'InternalErrorException';
      expect(await unauthorized(`Bearer ${issuer.accessToken()}`)).toBe('user check failed: InternalErrorException');
    });

    test.each(['TooManyRequestsException', 'NotAuthorizedException'])('fails closed (401) if Cognito answers %s', async (type) => {
      cognito.failWith = type;
      expect(await unauthorized(`Bearer ${issuer.accessToken()}`)).toBe(`user check failed: ${type}`);
    });

    test('fails closed (401) if Cognito cannot be reached', async () => {
      const unreachable = new CognitoIdentityProviderClient({ endpoint: 'http://127.0.0.1:1', region: TEST_REGION, credentials: fakeCredentials(), maxAttempts: 1 });
      const users = new PoolUsers(unreachable, TEST_POOL_ID);
      const error = await decide(event(`Bearer ${issuer.accessToken()}`), { ...deps, getUser: (u) => users.get(u) }).catch((e: unknown) => e);
      unreachable.destroy();
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect((error as UnauthorizedError).reason).toMatch(/^user check failed: /);
    });

    test('fails if a user token carries no username (401, Cognito not asked)', async () => {
      const calls = cognito.calls();
      expect(await unauthorized(`Bearer ${issuer.accessToken({ username: undefined })}`)).toBe('user token without username');
      expect(cognito.calls()).toBe(calls);
    });

    test('client-credentials tokens and gateway API keys never ask Cognito', async () => {
      // GIVEN a machine client's token and an active key
      const token = issuer.accessToken({ sub: 'machineclient00000000000001', client_id: 'machineclient00000000000001', username: undefined, 'cognito:groups': undefined });
      const machineDeps = { ...deps, verifyAccessToken: async () => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown> };
      const key = await storeKey();
      const calls = cognito.calls();
      // WHEN
      const [client, unconfigured, keyed] = await Promise.all([
        decide(event(`Bearer ${token}`), machineDeps),
        decide(event(`Bearer ${issuer.accessToken({ sub: TEST_CLIENT_ID, username: undefined })}`), deps),
        decide(event(`Bearer ${key}`), deps),
      ]);
      // THEN
      expect([client.outcome, unconfigured.outcome, keyed.outcome]).toEqual(['allow', 'deny', 'allow']);
      expect(cognito.calls()).toBe(calls);
    });

    test('a token refused by the verifier never reaches Cognito', async () => {
      const calls = cognito.calls();
      await unauthorized(`Bearer ${newTestIssuer().accessToken()}`);
      expect(cognito.calls()).toBe(calls);
    });
  });

  describe('header', () => {
    test.each([
      ['fails if there is no Authorization header', undefined],
      ['fails if the scheme is not Bearer', `Basic ${Buffer.from('a:b').toString('base64')}`],
      ['fails if the Bearer credential is empty', 'Bearer '],
      ['fails if the key is malformed', 'Bearer sk-sllm-short-secret'],
    ])('%s', async (_name, header) => {
      await unauthorized(header);
    });

    test('reads the header in any case and the scheme in any case', () => {
      expect(bearerCredential({ authorization: 'bearer abc' })).toBe('abc');
      expect(bearerCredential({ AUTHORIZATION: 'BEARER abc' })).toBe('abc');
    });

    test('fails if the method ARN names no gateway route', async () => {
      await unauthorized(`Bearer ${issuer.accessToken()}`, `${STAGE_ARN}/DELETE/v1/models`);
      expect(() => parseMethodArn('arn:aws:s3:::bucket')).toThrow(UnauthorizedError);
    });
  });

  describe('gateway API keys', () => {
    test('an active key may call every route, with its key id, team, models and budgets in the context', async () => {
      const key = await storeKey({ models: ['nova-lite', 'claude'], monthlyBudgetUsd: 100 });
      const keyId = key.split('-')[2]!;
      const decision = await decide(event(`Bearer ${key}`), deps);
      expect(decision.outcome).toBe('allow');
      expect(decision.result.principalId).toBe(`key:${keyId}`);
      expect(allowed(decision)).toEqual([CHAT_ARN, MODELS_ARN, MODEL_ARN, EMBEDDINGS_ARN]);
      expect(decision.result.context).toEqual({
        kind: 'key',
        subject: keyId,
        team: 'research',
        groups: '',
        models: 'nova-lite claude',
        scopes: 'chat models.read embeddings',
        dailyBudgetUsd: '5',
        monthlyBudgetUsd: '100',
      });
      // Nothing in the answer holds the secret.
      expect(JSON.stringify(decision)).not.toContain(key.split('-')[3]);
    });

    test.each([
      ['fails if the key is revoked', { status: 'revoked' as const }, 'revoked'],
      ['fails if the key is expired', { expiresAt: Math.floor(NOW / 1000) - 1 }, 'expired'],
      ['fails if the key allows no model', { models: [] }, 'no models'],
    ])('%s', async (_name, overrides, reason) => {
      const key = await storeKey(overrides);
      const decision = await decide(event(`Bearer ${key}`), deps);
      expect(decision).toMatchObject({ outcome: 'deny', reason });
      expect(allowed(decision)).toEqual([]);
    });

    test('fails if the key id is unknown, and still asks KMS for the MAC (no timing oracle on key ids)', async () => {
      const before = kms.calls();
      const decision = await decide(event(`Bearer ${newApiKey().key}`), deps);
      expect(decision).toMatchObject({ outcome: 'deny', reason: 'unknown key id' });
      expect(kms.calls()).toBe(before + 1);
    });

    test('fails if the secret is wrong for a known key id', async () => {
      const key = await storeKey();
      const forged = `${key.slice(0, key.lastIndexOf('-') + 1)}${randomBase62(32)}`;
      const decision = await decide(event(`Bearer ${forged}`), deps);
      expect(decision).toMatchObject({ outcome: 'deny', reason: 'wrong secret' });
    });

    test('fails if the stored MAC was made by another HMAC key', async () => {
      const { keyId, key } = newApiKey();
      const other = await startFakeKms();
      try {
        await store.create({
          keyId, mac: other.mac(key).toString('base64'), owner: 'o', team: 't', models: ['nova-lite'],
          expiresAt: Math.floor(NOW / 1000) + HOUR, status: 'active', createdAt: new Date(NOW).toISOString(),
        });
      } finally {
        await other.close();
      }
      expect((await decide(event(`Bearer ${key}`), deps)).outcome).toBe('deny');
    });
  });

  describe('cache safety', () => {
    test('the decision for one credential is never the decision for another: each names only its own principal', async () => {
      // GIVEN two keys with different models and a user; API Gateway caches per Authorization header value
      const [a, b] = await Promise.all([storeKey({ models: ['a'] }), storeKey({ models: ['b'] })]);
      const user = issuer.accessToken({ scope: `${TEST_RESOURCE_SERVER}/models.read` });
      // WHEN
      const [da, db2, du] = await Promise.all([a, b, user].map((c) => decide(event(`Bearer ${c}`), deps)));
      // THEN each policy and context belongs to its credential alone
      expect(da!.result.context).toMatchObject({ subject: a.split('-')[2], models: 'a' });
      expect(db2!.result.context).toMatchObject({ subject: b.split('-')[2], models: 'b' });
      expect(du!.result.context).toMatchObject({ kind: 'user', models: '' });
      expect(allowed(du!)).toEqual([MODELS_ARN, MODEL_ARN]);
      // and no policy names anything beyond this API's stage and the gateway's routes
      for (const d of [da!, db2!, du!]) {
        for (const r of allowed(d)) expect([CHAT_ARN, MODELS_ARN, MODEL_ARN, EMBEDDINGS_ARN]).toContain(r);
      }
    });
  });
});
