/**
 * The README's walk "From cdk deploy to a first call", on loopback, with the official `openai` client:
 *
 * - a person: signs in with the shipped `examples/first-call/sign-in.mjs` (authorization code + PKCE) against a
 *   stand-in for the Cognito sign-in domain, which issues an access token signed by a test issuer whose JWKS a
 *   loopback server publishes (the authorizer fetches it over HTTP as it fetches Cognito's);
 * - a program: a gateway API key made by the shipped CLI (`dist/cli/secure-llm-keys.js`) against dynalite and the
 *   fake KMS, then revoked with it.
 *
 * Both go through the real REQUEST authorizer and the real gateway handler, each loaded from its module as Lambda
 * loads it (configuration from the environment), wired by the HTTP adapter the way API Gateway wires them: the
 * authorizer is asked with the REQUEST event, its policy is honoured for the method ARN, its context reaches the
 * handler, and its decision is cached per `Authorization` header for the stack's default TTL (60 s) on a test clock.
 * The authorizer's per-decision user check asks a loopback fake Cognito (`AdminGetUser`) through the real SDK client,
 * found by `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` as the SDK finds any endpoint override.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import * as path from 'node:path';
import { promisify } from 'node:util';
import OpenAI, { AuthenticationError, PermissionDeniedError } from 'openai';
import type { GatewayHandler } from '../../lambda/gateway/index';
import { AUTHORIZER_ENV, AUTHORIZER_REFUSAL_BODIES, GATEWAY_SCOPES } from '../../lambda/shared/gateway-contract';
import { BedrockServer, startBedrockServer } from '../helpers/bedrock-server';
import { FakeCognito, startFakeCognito } from '../helpers/cognito-server';
import { Dynalite, createKeysTable, createUsageTable, startDynalite } from '../helpers/dynalite';
import { FakeKms, startFakeKms } from '../helpers/kms-server';
import { listenOnLoopback } from '../helpers/listen';
import { LambdaHttpAdapter, RequestAuthorizer, startLambdaHttpAdapter } from '../helpers/lambda-http-adapter';
import { JwksServer, TEST_CLIENT_ID, TEST_POOL_ID, TEST_RESOURCE_SERVER, TestIssuer, newTestIssuer, startJwksServer } from '../helpers/test-issuer';
import { StdoutCapture, TEST_CONFIG, staticConfigJson } from './gateway/gateway-fixtures';

const CACHE_TTL_SECONDS = 60;
const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'secure-llm-keys.js');
const SIGN_IN = path.join(__dirname, '..', '..', 'examples', 'first-call', 'sign-in.mjs');
const FIRST_CALL = path.join(__dirname, '..', '..', 'examples', 'first-call', 'first-call.mjs');
const SCOPES = GATEWAY_SCOPES.map((s) => `${TEST_RESOURCE_SERVER}/${s}`).join(' ');
const FAKE_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTESTTEST', AWS_SECRET_ACCESS_KEY: 'test-secret-key' };

const ENV_KEYS = [
  'GATEWAY_CONFIG', 'GUARDRAIL_ID', 'GUARDRAIL_VERSION', 'QUOTA_TABLE_NAME', 'AWS_REGION', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_KMS',
  'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER', ...Object.values(AUTHORIZER_ENV),
] as const;

/**
 * A stand-in for the pool's sign-in domain, for a public app client with PKCE: `signIn` plays the person at
 * /oauth2/authorize (checks the request, remembers the code challenge, returns a code); /oauth2/token checks the code,
 * redirect URI, client and that SHA-256 of `code_verifier` is the challenge, as Cognito does, then issues an access
 * token with the requested scopes from the test issuer.
 */
async function startSignInDomain(issuer: TestIssuer, sub: string) {
  const codes = new Map<string, { challenge: string; redirectUri: string; scope: string }>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const ok =
        req.method === 'POST' && req.url === '/oauth2/token' && form.get('grant_type') === 'authorization_code' && form.get('client_id') === TEST_CLIENT_ID &&
        grant !== undefined && form.get('redirect_uri') === grant.redirectUri && createHash('sha256').update(verifier).digest('base64url') === grant.challenge;
      res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { access_token: issuer.accessToken({ sub, scope: grant.scope, jti: randomUUID() }), id_token: 'not-used', token_type: 'Bearer', expires_in: 3600 } : { error: 'invalid_grant' }));
    });
  });
  const port = await listenOnLoopback(server);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    /** The person signs in on the page `authorizeUrl` opens: the redirect back to the callback, with the code. */
    signIn(authorizeUrl: string): string {
      const a = new URL(authorizeUrl);
      const q = a.searchParams;
      expect(`${a.origin}${a.pathname}`).toBe(`${url}/oauth2/authorize`);
      expect(Object.fromEntries(q)).toMatchObject({ response_type: 'code', client_id: TEST_CLIENT_ID, code_challenge_method: 'S256', scope: `openid ${SCOPES}` });
      const code = randomUUID();
      codes.set(code, { challenge: q.get('code_challenge')!, redirectUri: q.get('redirect_uri')!, scope: q.get('scope')! });
      return `${q.get('redirect_uri')}?code=${code}&state=${encodeURIComponent(q.get('state')!)}`;
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** A free loopback port (for the sign-in script's callback URL). */
async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listenOnLoopback(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Runs examples/first-call/sign-in.mjs as the README does, plays the browser, and resolves with its standard output. */
async function signInWithScript(domain: Awaited<ReturnType<typeof startSignInDomain>>): Promise<string> {
  const callback = `http://127.0.0.1:${await freePort()}/callback`;
  const child = spawn(process.execPath, [SIGN_IN], {
    env: { PATH: process.env.PATH, SIGN_IN_DOMAIN_URL: domain.url, USER_POOL_CLIENT_ID: TEST_CLIENT_ID, SCOPES, CALLBACK_URL: callback },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const authorizeUrl = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString('utf8');
      const line = err.split('\n').find((l) => l.startsWith(`${domain.url}/oauth2/authorize?`));
      if (line !== undefined) resolve(line);
    });
    child.on('close', () => reject(new Error(`sign-in.mjs exited before printing the URL: ${err}`)));
  });
  const landing = await fetch(domain.signIn(authorizeUrl));
  expect(landing.status).toBe(200);
  expect(await exited).toBe(0);
  return out;
}

describe('from cdk deploy to a first call', () => {
  const saved: Record<string, string | undefined> = {};
  const stdout = new StdoutCapture();
  let bedrock: BedrockServer;
  let db: Dynalite;
  let kms: FakeKms;
  let cognito: FakeCognito;
  let issuer: TestIssuer;
  let jwks: JwksServer;
  let keysTable: string;
  let adapter: LambdaHttpAdapter;
  /** The authorizer cache's clock: tests move it, nothing reads the wall clock's passing. */
  let clock = Date.now();

  const client = (apiKey: string) => new OpenAI({ baseURL: `${adapter.url}/v1`, apiKey, maxRetries: 0, timeout: 60_000 }); // the timeout bounds a hang only
  const ask = (apiKey: string, model = 'nova-lite') =>
    client(apiKey).chat.completions.create({ model, messages: [{ role: 'user', content: 'Capital of France?' }], max_completion_tokens: 64 });
  const modelIds = async (apiKey: string) => {
    const ids: string[] = [];
    for await (const m of client(apiKey).models.list()) ids.push(m.id);
    return ids;
  };
  /** Runs the shipped CLI as an administrator would, with the stack outputs as flags. */
  const keysCli = async (...argv: string[]) => {
    const { stdout: out } = await promisify(execFile)(
      process.execPath,
      [CLI, 'keys', ...argv, '--table', keysTable, '--mac-key', kms.keyId, '--region', 'us-east-1'],
      { env: { PATH: process.env.PATH, ...FAKE_CREDENTIALS, AWS_ENDPOINT_URL_DYNAMODB: db.endpoint, AWS_ENDPOINT_URL_KMS: kms.endpoint } },
    );
    return out;
  };
  const createKey = async (): Promise<{ keyId: string; key: string }> => {
    const out = await keysCli('create', '--owner', 'ci@example.com', '--team', 'platform', '--models', 'nova-lite');
    const field = (name: string) => out.split('\n').find((l) => l.startsWith(`${name}: `))!.slice(name.length + 2);
    return { keyId: field('keyId'), key: field('key') };
  };
  /** Runs examples/first-call/first-call.mjs as the README does; resolves with its output lines. */
  const firstCallScript = async (apiKey: string) => {
    const { stdout: out } = await promisify(execFile)(process.execPath, [FIRST_CALL], {
      env: { PATH: process.env.PATH, OPENAI_BASE_URL: `${adapter.url}/v1`, OPENAI_API_KEY: apiKey },
    });
    return out.trim().split('\n');
  };
  const lastContext = () => adapter.events[adapter.events.length - 1]!.requestContext.authorizer as Record<string, string>;

  beforeAll(async () => {
    stdout.start();
    for (const k of ENV_KEYS) saved[k] = process.env[k];
    issuer = newTestIssuer();
    [bedrock, db, kms, jwks, cognito] = await Promise.all([
      startBedrockServer(),
      startDynalite(),
      startFakeKms(),
      startJwksServer(issuer.jwks),
      startFakeCognito(TEST_POOL_ID),
    ]);
    // The person every test token names (username "alice"), with the team an administrator set.
    cognito.users.set('alice', { enabled: true, status: 'CONFIRMED', attributes: { email: 'alice@example.com', 'custom:team': 'research' } });
    [, keysTable] = await Promise.all([createUsageTable(db.endpoint, TEST_CONFIG.quotaTableName), createKeysTable(db.endpoint)]);
    Object.assign(process.env, {
      ...FAKE_CREDENTIALS,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      AWS_ENDPOINT_URL_KMS: kms.endpoint,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.endpoint,
      // The gateway function, as the construct configures it.
      GATEWAY_CONFIG: staticConfigJson(),
      GUARDRAIL_ID: TEST_CONFIG.guardrailId,
      GUARDRAIL_VERSION: TEST_CONFIG.guardrailVersion,
      QUOTA_TABLE_NAME: TEST_CONFIG.quotaTableName,
      // The authorizer, as the construct configures it, plus the one test-only setting: where the pool's JWKS is.
      [AUTHORIZER_ENV.userPoolId]: TEST_POOL_ID,
      [AUTHORIZER_ENV.clientIds]: TEST_CLIENT_ID,
      [AUTHORIZER_ENV.resourceServerId]: TEST_RESOURCE_SERVER,
      [AUTHORIZER_ENV.machineClients]: '',
      [AUTHORIZER_ENV.keysTableName]: keysTable,
      [AUTHORIZER_ENV.keysMacKeyId]: kms.keyId,
      [AUTHORIZER_ENV.serviceName]: 'llm-gateway-authorizer',
      [AUTHORIZER_ENV.jwksUri]: jwks.url,
    });
    // Loaded after the environment is set, as Lambda loads them.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const gateway = (require('../../lambda/gateway/index') as { handler: GatewayHandler }).handler;
    const authorizer = (require('../../lambda/authorizer/index') as { handler: RequestAuthorizer }).handler;
    /* eslint-enable @typescript-eslint/no-require-imports */
    adapter = await startLambdaHttpAdapter(gateway, { authorizer, authorizerCacheTtlSeconds: CACHE_TTL_SECONDS, now: () => clock });
  });

  afterAll(async () => {
    stdout.stop();
    await Promise.all([adapter?.close(), bedrock?.close(), db?.close(), kms?.close(), jwks?.close(), cognito?.close()]);
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  beforeEach(() => bedrock.setBehavior({ kind: 'reply', text: 'Paris is the capital of France.' }));

  describe('a person with an access token', () => {
    test('sign-in.mjs gets an access token; chat.completions.create and models.list work; the authorizer fetched the JWKS over HTTP and was asked once', async () => {
      // GIVEN the access token the sign-in script prints (authorization code + PKCE): the pool's issuer, the app client, the Scopes output
      const domain = await startSignInDomain(issuer, 'person-0001');
      let token: string;
      try {
        token = (await signInWithScript(domain)).trim();
      } finally {
        await domain.close();
      }
      expect(token.split('.')).toHaveLength(3);
      const asked = adapter.authorizerEvents.length;
      // WHEN
      const completion = await ask(token);
      const models = await modelIds(token);
      // THEN
      expect(completion.choices[0]!.message.content).toBe('Paris is the capital of France.');
      expect(models).toEqual(['nova-lite']);
      expect(jwks.requests()).toBeGreaterThanOrEqual(1);
      // One decision for both routes: API Gateway's cache served the second call.
      expect(adapter.authorizerEvents.length - asked).toBe(1);
      expect(adapter.authorizerEvents[asked]!.methodArn).toMatch(/\/POST\/v1\/chat\/completions$/);
      expect(lastContext()).toMatchObject({ kind: 'user', subject: 'person-0001', team: 'research', groups: 'users', scopes: GATEWAY_SCOPES.join(' '), principalId: 'person-0001' });
      // The README's script, with the token in OPENAI_API_KEY.
      expect(await firstCallScript(token)).toEqual(['models: nova-lite', 'nova-lite: Paris is the capital of France.']);
    });

    test('fails if the token lacks models.read: its cached decision for chat does not open GET /v1/models', async () => {
      // GIVEN
      const token = issuer.accessToken({ sub: 'person-0002', jti: 'first-call-2', scope: `${TEST_RESOURCE_SERVER}/chat` });
      // WHEN
      await ask(token);
      const err = await modelIds(token).catch((e: unknown) => e);
      // THEN
      expect(err).toBeInstanceOf(PermissionDeniedError);
      expect(err).toMatchObject({ status: 403, code: 'access_denied', type: 'permission_error' });
    });

    test('fails if the token is signed by a key the pool does not publish (401, OpenAI error shape)', async () => {
      // GIVEN same claims, another key pair with the same key id
      const forged = newTestIssuer().accessToken({ sub: 'person-0001' });
      // WHEN
      const err = await ask(forged).catch((e: unknown) => e);
      // THEN
      expect(err).toBeInstanceOf(AuthenticationError);
      expect(err).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'authentication_error' });
    });

    test('a user an administrator disables loses access within the cache TTL (60 s), although the token is valid for an hour', async () => {
      // GIVEN a person whose allow is cached
      cognito.users.set('bob', { enabled: true, status: 'CONFIRMED', attributes: { 'custom:team': 'research' } });
      const token = issuer.accessToken({ sub: 'person-0003', username: 'bob', jti: 'first-call-3' });
      const cognitoCalls = cognito.calls();
      expect((await ask(token)).object).toBe('chat.completion');
      expect(cognito.calls() - cognitoCalls).toBe(1);
      // WHEN the administrator disables the user (AdminDisableUser)
      cognito.users.set('bob', { enabled: false, status: 'CONFIRMED', attributes: { 'custom:team': 'research' } });
      // THEN within the TTL API Gateway serves the cached decision, asking neither the authorizer nor Cognito
      const asked = adapter.authorizerEvents.length;
      clock += (CACHE_TTL_SECONDS - 1) * 1000;
      expect((await ask(token)).object).toBe('chat.completion');
      expect(adapter.authorizerEvents.length).toBe(asked);
      // and once it has passed, the next decision asks Cognito and refuses, in the OpenAI error shape
      clock += 1000;
      const err = await ask(token).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermissionDeniedError);
      expect(err).toMatchObject({ status: 403, code: 'access_denied', type: 'permission_error' });
      expect(adapter.authorizerEvents.length).toBe(asked + 1);
      expect(cognito.calls() - cognitoCalls).toBe(2);
    });

    test('fails closed if Cognito cannot answer the user check (401, OpenAI error shape)', async () => {
      // GIVEN a fresh token (no cached decision) and a failing Cognito
      const token = issuer.accessToken({ sub: 'person-0004', jti: 'first-call-4' });
      cognito.failWith = 'InternalErrorException';
      try {
        // WHEN
        const err = await ask(token).catch((e: unknown) => e);
        // THEN
        expect(err).toBeInstanceOf(AuthenticationError);
        expect(err).toMatchObject({ status: 401, code: 'invalid_api_key' });
      } finally {
        cognito.failWith = undefined;
      }
    });

    test('fails if no Authorization header is sent (401 without asking the authorizer)', async () => {
      const asked = adapter.authorizerEvents.length;
      const response = await fetch(`${adapter.url}/v1/models`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.text()).toBe(AUTHORIZER_REFUSAL_BODIES.unauthorized);
      expect(adapter.authorizerEvents.length).toBe(asked);
    });
  });

  describe('a program with a gateway API key', () => {
    test('a key from the shipped CLI works with the SDK, for its models only; revoked, it is refused once the cache TTL has passed', async () => {
      // GIVEN
      const { keyId, key } = await createKey();
      const cognitoCalls = cognito.calls();
      // WHEN / THEN the first call
      expect((await ask(key)).choices[0]!.message.content).toBe('Paris is the capital of France.');
      expect(await modelIds(key)).toEqual(['nova-lite']);
      expect(lastContext()).toMatchObject({ kind: 'key', subject: keyId, team: 'platform', models: 'nova-lite', principalId: `key:${keyId}` });
      expect(await firstCallScript(key)).toEqual(['models: nova-lite', 'nova-lite: Paris is the capital of France.']);
      // A key for one model cannot call another (the handler refuses what the context does not list).
      expect(await ask(key, 'nova-pro').catch((e: unknown) => e)).toBeInstanceOf(PermissionDeniedError);

      // WHEN the administrator revokes it
      await keysCli('revoke', keyId);
      // THEN within the TTL, API Gateway still serves the cached decision without asking the authorizer
      const asked = adapter.authorizerEvents.length;
      clock += (CACHE_TTL_SECONDS - 1) * 1000;
      expect((await ask(key)).object).toBe('chat.completion');
      expect(adapter.authorizerEvents.length).toBe(asked);
      // and once the TTL has passed, the key is refused in the OpenAI error shape
      clock += 1000;
      const err = await ask(key).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermissionDeniedError);
      expect(err).toMatchObject({ status: 403, code: 'access_denied', type: 'permission_error' });
      expect(adapter.authorizerEvents.length).toBe(asked + 1);
      // Gateway API keys never cost a Cognito call.
      expect(cognito.calls()).toBe(cognitoCalls);
    });

    test('fails if one credential\'s cached decision were reused for another: a revoked key and a wrong secret are refused while a live key\'s allow is cached', async () => {
      // GIVEN a live key whose allow is cached, and a second key revoked before its first use
      const live = await createKey();
      const revoked = await createKey();
      await keysCli('revoke', revoked.keyId);
      await ask(live.key);
      // the live key's id with another secret of the same shape
      const wrongSecret = live.key.slice(0, -1) + (live.key.endsWith('A') ? 'B' : 'A');
      // WHEN
      const errors = await Promise.all([ask(revoked.key), ask(wrongSecret)].map((p) => p.catch((e: unknown) => e)));
      // THEN
      for (const err of errors) expect(err).toMatchObject({ status: 403, code: 'access_denied' });
      expect((await ask(live.key)).object).toBe('chat.completion');
    });
  });

  test('no credential reaches the logs', () => {
    // Every token and key this file sent is an access token (three base64url parts) or sk-sllm-<id>-<secret>.
    const joined = stdout.lines.join('\n');
    expect(joined).not.toMatch(/sk-sllm-[A-Za-z0-9]{12}-[A-Za-z0-9]{32}/);
    expect(joined).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
    expect(joined).toContain('authorizer decision');
  });
});
