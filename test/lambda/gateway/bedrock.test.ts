import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { backoffDelay, callWithRetries, classifyError, converse, newBedrockClient } from '../../../lambda/gateway/bedrock';
import { Cancellation } from '../../../lambda/gateway/cancellation';
import { BadRequestError, RateLimitedError, UpstreamError, UpstreamTimeoutError } from '../../../lambda/gateway/errors';
import { BedrockServer, startBedrockServer } from '../../helpers/bedrock-server';
import { fakeCredentials } from '../../helpers/dynalite';

function named(name: string, status?: number): Error {
  const err = new Error(`fake ${name}`);
  err.name = name;
  if (status !== undefined) Object.assign(err, { $metadata: { httpStatusCode: status } });
  return err;
}

// Short backoff; the attempt timeout only bounds a hang (a short one would fire on a loopback call on a busy machine).
const FAST = { maxAttempts: 3, timeoutMs: 60_000, baseDelayMs: 1, maxDelayMs: 2 };

describe('classifyError and backoffDelay', () => {
  test('classifies throttling, server faults and the rest', () => {
    expect(classifyError(named('ThrottlingException'))).toBe('throttled');
    expect(classifyError(named('ModelNotReadyException'))).toBe('throttled');
    expect(classifyError(named('InternalServerException'))).toBe('server');
    expect(classifyError(named('SomethingElse', 502))).toBe('server');
    expect(classifyError(named('ValidationException', 400))).toBe('other');
    expect(classifyError('boom')).toBe('other');
  });

  test('transport failures before a response are retryable server faults', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyError(reset)).toBe('server');
    expect(classifyError(Object.assign(new Error('x'), { code: 'ENOTFOUND' }))).toBe('other');
  });

  test('full jitter: a random fraction of min(cap, base * 2^(n-1))', () => {
    const policy = { maxAttempts: 5, timeoutMs: 1, baseDelayMs: 100, maxDelayMs: 300, random: () => 0.999 };
    expect(backoffDelay(1, policy)).toBe(99);
    expect(backoffDelay(2, policy)).toBe(199);
    expect(backoffDelay(3, policy)).toBe(299);
    expect(backoffDelay(1, { ...policy, random: () => 0 })).toBe(0);
  });
});

describe('callWithRetries', () => {
  test('retries throttling and returns the first success with the attempt count', async () => {
    // GIVEN
    let calls = 0;
    // WHEN
    const out = await callWithRetries(async () => {
      calls++;
      if (calls < 3) throw named('ThrottlingException', 429);
      return 'ok';
    }, FAST);
    // THEN
    expect(out).toEqual({ value: 'ok', attempts: 3 });
  });

  test('throttling exhausted → RateLimitedError with Retry-After; attempts are bounded', async () => {
    let calls = 0;
    await expect(callWithRetries(async () => {
      calls++;
      throw named('ThrottlingException', 429);
    }, FAST)).rejects.toMatchObject({ constructor: RateLimitedError, statusCode: 429, retryAfterSeconds: 1, shouldRetry: true });
    expect(calls).toBe(3);
  });

  test('the retry-after of an exhausted call is the next delay of the backoff schedule', async () => {
    // GIVEN a schedule whose n-th delay is random() * min(cap, base * 2^(n-1)) = 0.5 * 500 * 2^(n-1) ms
    const policy = { maxAttempts: 4, timeoutMs: 60_000, baseDelayMs: 500, maxDelayMs: 5000, random: () => 0.5 };
    const delays: number[] = [];
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      // WHEN the call is throttled every time (the fake clock skips the three sleeps, recorded below)
      const sleeping = jest.spyOn(global, 'setTimeout');
      const result = callWithRetries(async () => {
        throw named('ThrottlingException', 429);
      }, policy).catch((e: unknown) => e);
      await jest.runAllTimersAsync();
      const err = await result;
      delays.push(...sleeping.mock.calls.map((c) => c[1] as number).filter((ms) => ms !== policy.timeoutMs));
      // THEN it slept 250, 500, 1000 ms and tells the client the next step: 2000 ms
      expect(delays).toEqual([250, 500, 1000]);
      expect(err).toMatchObject({ constructor: RateLimitedError, retryAfterMs: 2000, retryAfterSeconds: 2 });
    } finally {
      jest.useRealTimers();
    }
  });

  test('server faults exhausted → 503, not to be retried by the client', async () => {
    await expect(callWithRetries(async () => {
      throw named('InternalServerException', 500);
    }, FAST)).rejects.toMatchObject({ constructor: UpstreamError, statusCode: 503, shouldRetry: false, retryAfterMs: expect.any(Number) });
  });

  test('other errors are not retried', async () => {
    let calls = 0;
    await expect(callWithRetries(async () => {
      calls++;
      throw named('ValidationException', 400);
    }, FAST)).rejects.toBeInstanceOf(BadRequestError);
    expect(calls).toBe(1);
  });

  test('an attempt that exceeds the timeout is aborted → 504, not retried', async () => {
    // GIVEN an attempt that never settles unless it is aborted
    let calls = 0;
    const attempt = (signal: Cancellation): Promise<never> => {
      calls++;
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(named('AbortError'))));
    };
    // THEN only the 30 ms timeout can end it (no clock is read: a hang would fail on the test timeout)
    await expect(callWithRetries(attempt, { ...FAST, timeoutMs: 30 })).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(calls).toBe(1);
  });

  test('no attempt starts after the deadline', async () => {
    let calls = 0;
    await expect(callWithRetries(async () => {
      calls++;
      return 1;
    }, FAST, Date.now() - 1)).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(calls).toBe(0);
  });
});

describe('converse against the loopback Bedrock server', () => {
  let server: BedrockServer;
  let client: BedrockRuntimeClient;

  beforeAll(async () => {
    server = await startBedrockServer();
    client = new BedrockRuntimeClient({ endpoint: server.url, region: 'us-east-1', credentials: fakeCredentials(), maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  test('the SDK’s typed errors are retried by this module, not by the SDK', async () => {
    // GIVEN
    server.setBehavior({ kind: 'sequence', steps: [{ kind: 'error', type: 'ThrottlingException' }, { kind: 'reply', text: 'hi' }] });
    const before = server.requests.length;
    // WHEN
    const out = await converse(client, { modelId: 'm', messages: [{ role: 'user', content: [{ text: 'x' }] }] }, FAST);
    // THEN
    expect(out.attempts).toBe(2);
    expect(server.requests.length - before).toBe(2);
    expect(out.value.output?.message?.content?.[0]?.text).toBe('hi');
  });

  test('a custom-model deployment ARN is sent as the modelId, as Converse takes it (the alias of a promoted deployment)', async () => {
    // GIVEN the modelId the gateway's static configuration holds for an alias with customModelDeploymentArn
    const deployment = 'arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/a1b2c3d4e5f6';
    server.setBehavior({ kind: 'reply', text: 'tuned' });
    const before = server.requests.length;
    // WHEN
    const out = await converse(client, { modelId: deployment, messages: [{ role: 'user', content: [{ text: 'x' }] }] }, FAST);
    // THEN the request path carries the whole ARN (URL-encoded by the SDK), and the reply comes back
    expect(server.requests.slice(before).map((r) => [r.operation, r.modelId])).toEqual([['Converse', deployment]]);
    expect(out.value.output?.message?.content?.[0]?.text).toBe('tuned');
  });

  test('a malformed response is a 502 without retry', async () => {
    server.setBehavior({ kind: 'malformed' });
    const before = server.requests.length;
    await expect(converse(client, { modelId: 'm', messages: [{ role: 'user', content: [{ text: 'x' }] }] }, FAST))
      .rejects.toMatchObject({ statusCode: 502 });
    expect(server.requests.length - before).toBe(1);
  });

  test('newBedrockClient reuses one HTTP/2 session across requests (the SDK default opens one per request)', async () => {
    // GIVEN
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- count the SDK's calls to http2.connect
    const http2 = require('node:http2') as { connect: (...args: unknown[]) => unknown };
    const original = http2.connect;
    let connects = 0;
    http2.connect = (...args: unknown[]) => {
      connects++;
      return original(...args);
    };
    const pooled = newBedrockClient({ endpoint: server.url, region: 'us-east-1', credentials: fakeCredentials() });
    const input = { modelId: 'm', messages: [{ role: 'user' as const, content: [{ text: 'x' }] }] };
    server.setBehavior({ kind: 'reply' });
    try {
      // WHEN
      for (let i = 0; i < 3; i++) await converse(pooled, input, FAST);
      const pooledConnects = connects;
      connects = 0;
      for (let i = 0; i < 3; i++) await converse(client, input, FAST);
      // THEN
      expect(pooledConnects).toBe(1);
      expect(connects).toBe(3);
    } finally {
      http2.connect = original;
      pooled.destroy();
    }
  });
});
