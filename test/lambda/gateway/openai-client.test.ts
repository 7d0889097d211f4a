/**
 * The official `openai` client against the gateway's module-scope `handler` served over HTTP by the Lambda HTTP
 * adapter. The handler is configured exactly as in Lambda: `GATEWAY_CONFIG`, `GUARDRAIL_ID`, `GUARDRAIL_VERSION`,
 * `QUOTA_TABLE_NAME`, and SDK endpoints from `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` / `AWS_ENDPOINT_URL_DYNAMODB`.
 */
import OpenAI, { AuthenticationError, BadRequestError, InternalServerError, NotFoundError, PermissionDeniedError, RateLimitError } from 'openai';
import { Auditor, newLogger, newMetrics } from '../../../lambda/gateway/audit';
import { newBedrockClient } from '../../../lambda/gateway/bedrock';
import type { StreamingHandler } from '../../../lambda/gateway/response-stream';
import { loadRuntimeConfig } from '../../../lambda/gateway/runtime-config';
import { BedrockServer, startBedrockServer } from '../../helpers/bedrock-server';
import { Dynalite, createUsageTable, fakeCredentials, newTestDynamoDbClient, startDynalite } from '../../helpers/dynalite';
import { LambdaHttpAdapter, fakeContext, invokeStreamingHandler, startLambdaHttpAdapter, toProxyEvent, userContext } from '../../helpers/lambda-http-adapter';
import { StdoutCapture, TEST_CONFIG, staticConfigJson } from './gateway-fixtures';

const ENV_KEYS = [
  'GATEWAY_CONFIG', 'GUARDRAIL_ID', 'GUARDRAIL_VERSION', 'QUOTA_TABLE_NAME', 'AWS_REGION', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME', 'AWS_ENDPOINT_URL_DYNAMODB',
] as const;

const USERS: Record<string, Record<string, string>> = {
  'Bearer key-alice': userContext('alice-0001', 'users'),
  'Bearer key-bob': userContext('bob-0002', 'users,power'),
  'Bearer key-tiny': userContext(`tiny-${Date.now()}`, 'tiny'),
  'Bearer key-tiny-2': userContext(`tiny-2-${Date.now()}`, 'tiny'),
};
const claimsFor = (auth: string | undefined) => (auth === undefined ? undefined : USERS[auth]);

describe('openai client against the gateway', () => {
  const saved: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};
  const stdout = new StdoutCapture();
  let server: BedrockServer;
  let db: Dynalite;
  let adapter: LambdaHttpAdapter;
  /** The same function with a 1-2 ms Bedrock backoff, so that retries (the gateway's and the SDK's) cost no time. */
  let fastAdapter: LambdaHttpAdapter;
  let handler: StreamingHandler;
  const client = (key: string) => new OpenAI({ baseURL: `${adapter.url}/v1`, apiKey: key, maxRetries: 0, timeout: 60_000 }); // the timeout bounds a hang only
  /**
   * A client with the SDK's default `maxRetries`. Its logger throws when the SDK is about to retry, so a retry that
   * would sleep for long (a quota's Retry-After is hours) fails the test at once instead of hanging it; `retries`
   * counts the announced retries.
   */
  const defaultClient = (key: string, url: string, retries: string[] = [], failOnRetry = true) => new OpenAI({
    baseURL: `${url}/v1`,
    apiKey: key,
    timeout: 60_000,
    logLevel: 'info',
    logger: {
      error: () => undefined,
      warn: () => undefined,
      debug: () => undefined,
      info: (message: string) => {
        if (!message.includes('retrying')) return;
        retries.push(message);
        if (failOnRetry) throw new Error(`the SDK would retry: ${message}`);
      },
    },
  });

  beforeAll(async () => {
    stdout.start();
    for (const k of ENV_KEYS) saved[k] = process.env[k];
    [server, db] = await Promise.all([startBedrockServer(), startDynalite()]);
    await createUsageTable(db.endpoint, TEST_CONFIG.quotaTableName);
    Object.assign(process.env, {
      GATEWAY_CONFIG: staticConfigJson(),
      GUARDRAIL_ID: TEST_CONFIG.guardrailId,
      GUARDRAIL_VERSION: TEST_CONFIG.guardrailVersion,
      QUOTA_TABLE_NAME: TEST_CONFIG.quotaTableName,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTESTTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret-key',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.url,
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    });
    // Imported after the environment is set, as Lambda would load it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = (require('../../../lambda/gateway/index') as typeof import('../../../lambda/gateway/index')).handler;
    adapter = await startLambdaHttpAdapter(handler, { claimsFor });
    const { createHandler } = require('../../../lambda/gateway/index') as typeof import('../../../lambda/gateway/index'); // eslint-disable-line @typescript-eslint/no-require-imports
    fastAdapter = await startLambdaHttpAdapter(createHandler({
      config: loadRuntimeConfig(),
      bedrock: newBedrockClient({ endpoint: server.url, region: 'us-east-1', credentials: fakeCredentials() }),
      dynamo: newTestDynamoDbClient(db.endpoint),
      auditor: new Auditor(newLogger(), newMetrics()),
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    }), { claimsFor });
  });

  afterAll(async () => {
    stdout.stop();
    await Promise.all([adapter?.close(), fastAdapter?.close(), server?.close(), db?.close()]);
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  beforeEach(() => server.setBehavior({ kind: 'reply', text: 'Paris is the capital of France.' }));

  test('chat.completions.create returns a typed completion', async () => {
    // WHEN
    const completion = await client('key-alice').chat.completions.create({
      model: 'nova-lite',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of France?' }],
      max_completion_tokens: 64,
    });
    // THEN
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('nova-lite');
    expect(completion.choices[0]!.message.content).toBe('Paris is the capital of France.');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 });
    // The module-scope client found the loopback server through AWS_ENDPOINT_URL_BEDROCK_RUNTIME.
    const sent = server.requests[server.requests.length - 1]!;
    expect(sent.operation).toBe('Converse');
    expect((sent.body as { inferenceConfig: { maxTokens: number } }).inferenceConfig.maxTokens).toBe(64);
  });

  test('withResponse exposes the request id header', async () => {
    const { response } = await client('key-alice').chat.completions
      .create({ model: 'nova-lite', messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('models.list returns the caller’s aliases', async () => {
    const alice: string[] = [];
    for await (const m of client('key-alice').models.list()) alice.push(m.id);
    const bob: string[] = [];
    for await (const m of client('key-bob').models.list()) bob.push(m.id);
    expect(alice).toEqual(['nova-lite']);
    expect(bob).toEqual(['nova-lite', 'nova-pro']);
  });

  test('models.retrieve returns an alias the caller may use; NotFoundError for one it may not', async () => {
    // WHEN
    const model = await client('key-alice').models.retrieve('nova-lite');
    const hidden = await client('key-alice').models.retrieve('nova-pro').catch((e: unknown) => e);
    // THEN
    expect(model).toMatchObject({ id: 'nova-lite', object: 'model', owned_by: 'secure-llm-gateway' });
    expect(hidden).toBeInstanceOf(NotFoundError);
    expect(hidden).toMatchObject({ status: 404, code: 'model_not_found' });
    // The SDK asked for the route the contract declares.
    expect(adapter.events.slice(-2).map((e) => `${e.httpMethod} ${e.path}`)).toEqual(['GET /v1/models/nova-lite', 'GET /v1/models/nova-pro']);
  });

  test('a forbidden alias surfaces as PermissionDeniedError (403) with the message', async () => {
    const err = await client('key-alice').chat.completions
      .create({ model: 'nova-pro', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err).toMatchObject({ status: 403, type: 'permission_error', param: 'model' });
    expect((err as Error).message).toContain('You are not allowed to use the model "nova-pro".');
    expect((err as PermissionDeniedError).requestID).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('content_filter surfaces as BadRequestError (400) with the configured message', async () => {
    server.setBehavior({ kind: 'guardrailIntervened', source: 'input' });
    const err = await client('key-alice').chat.completions
      .create({ model: 'nova-lite', messages: [{ role: 'user', content: 'Something the guardrail dislikes' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err).toMatchObject({ status: 400, code: 'content_filter' });
    expect((err as Error).message).toContain(TEST_CONFIG.blockedInputMessage);
  });

  test('unknown alias → NotFoundError; no credentials → AuthenticationError; spent quota → RateLimitError', async () => {
    await expect(client('key-alice').chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }))
      .rejects.toMatchObject({ constructor: NotFoundError, status: 404, code: 'model_not_found' });
    await expect(client('no-such-key').models.list())
      .rejects.toMatchObject({ constructor: AuthenticationError, status: 401 });

    server.setBehavior({ kind: 'reply', inputTokens: 600, outputTokens: 390 });
    await client('key-tiny').chat.completions.create({ model: 'nova-lite', messages: [{ role: 'user', content: 'Hi' }] });
    const err = await client('key-tiny').chat.completions
      .create({ model: 'nova-lite', messages: [{ role: 'user', content: 'Hi again' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).headers.get('retry-after')).toMatch(/^\d+$/);
  });

  describe('retries', () => {
    test('a spent quota makes exactly one HTTP request with the default maxRetries (x-should-retry: false)', async () => {
      // GIVEN a user whose quota the first call spends
      server.setBehavior({ kind: 'reply', inputTokens: 600, outputTokens: 390 });
      await client('key-tiny-2').chat.completions.create({ model: 'nova-lite', messages: [{ role: 'user', content: 'Hi' }] });
      const events = adapter.events.length;
      const bedrockCalls = server.requests.length;
      const retries: string[] = [];
      // WHEN
      const sdk = defaultClient('key-tiny-2', adapter.url, retries);
      const err = await sdk.chat.completions
        .create({ model: 'nova-lite', messages: [{ role: 'user', content: 'Hi again' }] })
        .catch((e: unknown) => e);
      // THEN
      expect(sdk.maxRetries).toBe(2);
      expect(err).toBeInstanceOf(RateLimitError);
      expect(err).toMatchObject({ status: 429, code: 'insufficient_quota' });
      expect((err as RateLimitError).headers.get('x-should-retry')).toBe('false');
      expect(retries).toEqual([]);
      expect(adapter.events.length - events).toBe(1);
      expect(server.requests.length - bedrockCalls).toBe(0);
    });

    test('Bedrock throttling: the SDK retries after retry-after-ms, and Converse calls are bounded by (1 + maxRetries) × bedrockMaxAttempts', async () => {
      // GIVEN Bedrock throttles every call
      server.setBehavior({ kind: 'error', type: 'ThrottlingException' });
      const events = fastAdapter.events.length;
      const since = server.requests.length;
      const retries: string[] = [];
      // WHEN one client call with the SDK's defaults
      const sdk = defaultClient('key-alice', fastAdapter.url, retries, false);
      const err = await sdk.chat.completions.create({ model: 'nova-lite', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
      // THEN the SDK retried twice (waiting the gateway's next backoff delay, 1-2 ms here), and no more
      expect(err).toBeInstanceOf(RateLimitError);
      const headers = (err as RateLimitError).headers;
      expect(headers.get('x-should-retry')).toBe('true');
      expect(Number(headers.get('retry-after-ms'))).toBeGreaterThanOrEqual(1);
      expect(Number(headers.get('retry-after-ms'))).toBeLessThanOrEqual(2);
      expect(headers.get('retry-after')).toBe('1');
      expect(retries).toHaveLength(sdk.maxRetries);
      expect(fastAdapter.events.length - events).toBe(1 + sdk.maxRetries);
      const converse = server.requests.slice(since).filter((r) => r.operation === 'Converse');
      expect(converse).toHaveLength((1 + sdk.maxRetries) * TEST_CONFIG.bedrockMaxAttempts);
    });

    test('Bedrock unavailable: one HTTP request and bedrockMaxAttempts Converse calls per client call (x-should-retry: false)', async () => {
      // GIVEN Bedrock fails every call with a server fault
      server.setBehavior({ kind: 'error', type: 'ServiceUnavailableException' });
      const events = fastAdapter.events.length;
      const since = server.requests.length;
      const retries: string[] = [];
      // WHEN
      const err = await defaultClient('key-alice', fastAdapter.url, retries).chat.completions
        .create({ model: 'nova-lite', messages: [{ role: 'user', content: 'Hi' }] })
        .catch((e: unknown) => e);
      // THEN the gateway retried, the SDK did not
      expect(err).toBeInstanceOf(InternalServerError);
      expect(err).toMatchObject({ status: 503, code: 'upstream_unavailable' });
      expect(retries).toEqual([]);
      expect(fastAdapter.events.length - events).toBe(1);
      expect(server.requests.slice(since).filter((r) => r.operation === 'Converse')).toHaveLength(TEST_CONFIG.bedrockMaxAttempts);
    });
  });

  test('a misconfigured function fails closed: 500 with a generic message on every request', async () => {
    // GIVEN a fresh module instance whose guardrail version is DRAFT
    process.env.GUARDRAIL_VERSION = 'DRAFT';
    let fresh: StreamingHandler | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      fresh = (require('../../../lambda/gateway/index') as typeof import('../../../lambda/gateway/index')).handler;
    });
    process.env.GUARDRAIL_VERSION = TEST_CONFIG.guardrailVersion;
    const before = server.requests.length;
    // WHEN
    const event = toProxyEvent('POST', '/v1/chat/completions', {}, Buffer.from(JSON.stringify({ model: 'nova-lite', messages: [{ role: 'user', content: 'Hi' }] })), USERS['Bearer key-alice']);
    const res = await invokeStreamingHandler(fresh!, event, fakeContext());
    // THEN
    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body)).toEqual({
      error: { message: `The server had an error while processing your request (request id ${event.requestContext.requestId}).`, type: 'server_error', code: 'internal_error', param: null },
    });
    expect(res.body).not.toContain('DRAFT');
    expect(server.requests.length).toBe(before);
  });
});
