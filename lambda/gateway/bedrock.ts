/**
 * Calls to Amazon Bedrock Runtime (Converse, ApplyGuardrail) with bounded retries, full jitter and timeouts.
 *
 * The SDK client must be created with `maxAttempts: 1` so this module owns the retry policy:
 * - throttling (`ThrottlingException`, `TooManyRequestsException`, `ModelNotReadyException`) and server faults
 *   (HTTP 5xx, `InternalServerException`, `ServiceUnavailableException`) are retried up to `maxAttempts` attempts in
 *   total, sleeping `random() * min(maxDelayMs, baseDelayMs * 2^(n-1))` before retry n ("full jitter");
 * - when retries are exhausted, throttling becomes a 429 ({@link RateLimitedError}) and a server fault a 503, both
 *   carrying the delay the next retry would have waited (`backoffDelay(attempts, policy)`) as their retry-after: the
 *   429 tells the client to retry after it, the 503 not to retry on its own (see `errors.ts`);
 * - each attempt is aborted after `timeoutMs` (or earlier, at the invocation's deadline) and becomes a 504
 *   ({@link UpstreamTimeoutError}) without a retry: a model that did not answer in time rarely answers faster the
 *   second time, and the API Gateway integration timeout would end the request anyway;
 * - every other error maps through {@link fromUpstreamError} without a retry (a malformed response is a 502).
 *
 * @module
 */
import {
  ApplyGuardrailCommand,
  ApplyGuardrailCommandInput,
  ApplyGuardrailCommandOutput,
  BedrockRuntimeClient,
  BedrockRuntimeClientConfig,
  ConverseCommand,
  ConverseCommandInput,
  ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { Cancellation } from './cancellation';
import { GatewayError, RateLimitedError, UpstreamError, UpstreamTimeoutError, fromUpstreamError } from './errors';

/** How calls to Bedrock are retried and timed out. */
export interface RetryPolicy {
  /** Attempts including the first (config `bedrockMaxAttempts`). */
  readonly maxAttempts: number;
  /** Timeout of one attempt in ms (config `bedrockTimeoutMs`). */
  readonly timeoutMs: number;
  /** Backoff base in ms. @default 100 */
  readonly baseDelayMs?: number;
  /** Largest backoff in ms. @default 2000 */
  readonly maxDelayMs?: number;
  /** Random source in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** The outcome of {@link callWithRetries}. */
export interface CallResult<T> {
  readonly value: T;
  /** Attempts made, 1 when the first succeeded. */
  readonly attempts: number;
}

const THROTTLING = new Set(['ThrottlingException', 'TooManyRequestsException', 'ModelNotReadyException']);
const SERVER_FAULTS = new Set(['InternalServerException', 'ServiceUnavailableException']);
/** Transport failures before a response: a reused connection that the other side had closed, a reset. */
const NETWORK_CODES = new Set([
  'ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'ERR_HTTP2_STREAM_ERROR', 'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION', 'ERR_HTTP2_INVALID_SESSION', 'ERR_HTTP2_STREAM_CANCEL',
]);

/**
 * `throttled`, `server` (5xx, or a transport failure before any response) or `other`, from an SDK error's name,
 * code and HTTP status.
 */
export function classifyError(err: unknown): 'throttled' | 'server' | 'other' {
  if (!(err instanceof Error)) return 'other';
  if (THROTTLING.has(err.name)) return 'throttled';
  if (SERVER_FAULTS.has(err.name)) return 'server';
  const status = (err as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500 && status <= 599) return 'server';
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'server';
  return 'other';
}

/** Idle time after which a pooled HTTP/2 session to Bedrock is closed, in ms. */
export const BEDROCK_SESSION_IDLE_MS = 30_000;

/**
 * The gateway's Bedrock Runtime client: no SDK retries (this module owns them) and one pooled HTTP/2 session reused
 * across requests. The SDK's default for Bedrock Runtime opens a new session, and so a new TLS handshake, for every
 * request (`disableConcurrentStreams: true`, meant for bidirectional event streams); the gateway calls Converse,
 * ApplyGuardrail and ConverseStream (whose event stream flows one way, in the response), so it reuses the session, closing it after {@link BEDROCK_SESSION_IDLE_MS} without traffic. A session
 * the endpoint closed while the function was frozen fails with a transport error, which is retried.
 *
 * @param config - extra client configuration (tests: endpoint, region, credentials)
 */
export function newBedrockClient(config: BedrockRuntimeClientConfig = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    maxAttempts: 1,
    requestHandler: { disableConcurrentStreams: false, sessionTimeout: BEDROCK_SESSION_IDLE_MS },
    ...config,
  });
}

/** The full-jitter delay before retry `retry` (1 for the first retry). */
export function backoffDelay(retry: number, policy: RetryPolicy): number {
  const base = policy.baseDelayMs ?? 100;
  const cap = policy.maxDelayMs ?? 2000;
  const random = policy.random ?? Math.random;
  return Math.floor(random() * Math.min(cap, base * 2 ** (retry - 1)));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `call` under the retry policy.
 *
 * Each attempt gets its own {@link Cancellation} (not an `AbortController`, see ./cancellation), aborted by the
 * attempt's timer and, when `parent` is given, by `parent` (a streamed answer's cancel: client gone, deadline); the
 * link to `parent` outlives a successful attempt, so a stream whose body is still being read is closed by it too.
 *
 * @param call - one attempt; it must pass `signal` to the SDK (`client.send(command, { abortSignal: signal })`)
 * @param policy - the retry policy
 * @param deadline - epoch ms after which no attempt may run (the invocation's end, minus a margin) @default none
 * @param parent - aborts the running attempt when it aborts @default none
 * @throws GatewayError always (never a raw SDK error)
 */
export async function callWithRetries<T>(
  call: (signal: Cancellation) => Promise<T>,
  policy: RetryPolicy,
  deadline = Number.POSITIVE_INFINITY,
  parent?: Cancellation,
): Promise<CallResult<T>> {
  const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
  for (let attempt = 1; ; attempt++) {
    const budget = Math.min(policy.timeoutMs, deadline - Date.now());
    if (budget <= 0) throw new UpstreamTimeoutError();
    const signal = new Cancellation();
    const unlink = parent === undefined ? undefined : signal.follow(parent);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      signal.abort();
    }, budget);
    try {
      const value = await call(signal);
      return { value, attempts: attempt };
    } catch (err) {
      unlink?.();
      if (timedOut) throw new UpstreamTimeoutError(undefined, { cause: err });
      if (err instanceof GatewayError) throw err;
      const kind = classifyError(err);
      if (kind === 'other') throw fromUpstreamError(err);
      const delay = backoffDelay(attempt, policy);
      if (attempt >= maxAttempts || Date.now() + delay >= deadline) {
        // The schedule's next delay is what this caller should wait before trying again.
        if (kind === 'throttled' && (err as Error).name !== 'ModelNotReadyException') {
          throw new RateLimitedError(undefined, { retryAfterMs: delay, cause: err });
        }
        throw new UpstreamError('The model service is temporarily unavailable.', { statusCode: 503, retryAfterMs: delay, cause: err });
      }
      await sleep(delay);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Sends one Converse request under the retry policy. */
export function converse(
  client: BedrockRuntimeClient,
  input: ConverseCommandInput,
  policy: RetryPolicy,
  deadline?: number,
): Promise<CallResult<ConverseCommandOutput>> {
  return callWithRetries((signal) => client.send(new ConverseCommand(input), { abortSignal: signal }), policy, deadline);
}

/** Sends one ApplyGuardrail request under the retry policy. */
export function applyGuardrail(
  client: BedrockRuntimeClient,
  input: ApplyGuardrailCommandInput,
  policy: RetryPolicy,
  deadline?: number,
): Promise<CallResult<ApplyGuardrailCommandOutput>> {
  return callWithRetries((signal) => client.send(new ApplyGuardrailCommand(input), { abortSignal: signal }), policy, deadline);
}
