/**
 * Typed domain errors of the inference gateway and the single place where any thrown value becomes an HTTP response.
 *
 * Every {@link GatewayError} maps to an OpenAI-style error body, `{ error: { message, type, code, param } }`, so
 * OpenAI SDKs surface it as their own typed error. The `message` of a `GatewayError` IS sent to the client: write it
 * for the caller and never put prompt text, model output, ARNs or upstream messages in it (keep those in `cause`,
 * which is never serialized). Anything that is not a `GatewayError` becomes a generic 500.
 *
 * Retry advice is part of the mapping. The gateway is the retry layer for Amazon Bedrock (bounded attempts with full
 * jitter, see `bedrock.ts`), and OpenAI SDKs retry 408/409/429/5xx twice more by default, which would multiply every
 * Bedrock call. So each error says whether the client should retry on its own (`x-should-retry`, which the OpenAI
 * SDKs obey before the status) and when (`retry-after-ms`, then `Retry-After`):
 * - quota spent (429 `insufficient_quota`): `x-should-retry: false`; `Retry-After` is the time to the UTC reset, hours
 *   an SDK would otherwise sleep through (the Node SDK honours any value);
 * - Bedrock throttling after the gateway's retries (429 `rate_limit_error`): `x-should-retry: true`, with the next
 *   delay of the gateway's own backoff schedule as `retry-after-ms` and, rounded up, `Retry-After` (capped at
 *   {@link MAX_RETRY_AFTER_MS}): throttling clears with time, and waiting at the client holds no Lambda invocation;
 * - Bedrock unavailable after the gateway's retries (503), a failed or misconfigured upstream (502) and a model
 *   timeout (504): `x-should-retry: false`. The gateway already retried what time can heal; a fault that outlasts
 *   its attempts is an outage, and SDK retries a second later would triple the load on a failing service (and a
 *   timed-out model call is not cheaper the second time). A 503 still carries `Retry-After` for callers that retry
 *   deliberately.
 *
 * @module
 */

/** The OpenAI-style error body returned by the gateway. */
export interface OpenAiErrorBody {
  /** The error details. */
  readonly error: {
    /** A human-readable message, safe to show the caller. */
    readonly message: string;
    /** The error category, as OpenAI names them (`invalid_request_error`, `server_error`, ...). */
    readonly type: string;
    /** A machine-readable code, or `null`. */
    readonly code: string | null;
    /** The request parameter at fault, or `null`. */
    readonly param: string | null;
  };
}

/** An API Gateway proxy-integration style HTTP response. */
export interface HttpErrorResponse {
  /** The HTTP status code. */
  readonly statusCode: number;
  /** Response headers (content type, request id; `Retry-After`, `retry-after-ms` and `x-should-retry` where they apply). */
  readonly headers: Record<string, string>;
  /** The JSON-serialized {@link OpenAiErrorBody}. */
  readonly body: string;
}

/** Options shared by every {@link GatewayError}. */
export interface GatewayErrorOptions {
  /** Machine-readable code for the body's `code` field. @default - the error class's default code */
  readonly code?: string;
  /** The request parameter at fault, for the body's `param` field. @default null */
  readonly param?: string;
  /** The underlying error, kept for logging only; it is never sent to the client. @default - none */
  readonly cause?: unknown;
}

/** Options of errors that can tell the caller when to retry. */
export interface RetryableErrorOptions extends GatewayErrorOptions {
  /** Whole seconds after which a retry may succeed; sent as the `Retry-After` header. @default - no header */
  readonly retryAfterSeconds?: number;
  /**
   * Milliseconds after which a retry may succeed; sent as `retry-after-ms` (at least 1, at most
   * {@link MAX_RETRY_AFTER_MS}) and, rounded up to whole seconds, as `Retry-After`. Takes precedence over `retryAfterSeconds`. @default - no header
   */
  readonly retryAfterMs?: number;
}

/** The largest `retry-after-ms` the gateway sends (the OpenAI Python SDK ignores larger values). */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Base class of every error the gateway deliberately returns to a caller.
 * Subclasses fix the HTTP status and the OpenAI error type.
 */
export abstract class GatewayError extends Error {
  /** The HTTP status code this error maps to. */
  abstract readonly statusCode: number;
  /** The OpenAI error `type` this error maps to. */
  abstract readonly type: string;
  /** The OpenAI error `code`, or `null`. */
  readonly code: string | null;
  /** The OpenAI error `param`, or `null`. */
  readonly param: string | null;
  /** Seconds after which a retry may succeed, when known. */
  readonly retryAfterSeconds?: number;
  /** Milliseconds after which a retry may succeed, when known (then `retryAfterSeconds` is its rounded-up value). */
  readonly retryAfterMs?: number;
  /**
   * Whether the client should retry on its own (`x-should-retry`); `undefined` sends no header and leaves it to the
   * client's defaults (OpenAI SDKs do not retry 4xx other than 408, 409 and 429).
   */
  readonly shouldRetry?: boolean;

  protected constructor(message: string, defaultCode: string | null, options: RetryableErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? defaultCode;
    this.param = options.param ?? null;
    if (options.retryAfterMs !== undefined) {
      if (!Number.isFinite(options.retryAfterMs) || options.retryAfterMs < 0) {
        throw new RangeError(`retryAfterMs must be a non-negative number, got ${options.retryAfterMs}`);
      }
      // At least 1: OpenAI SDKs read `retry-after-ms: 0` as absent and fall back to `Retry-After` (a whole second).
      this.retryAfterMs = Math.min(MAX_RETRY_AFTER_MS, Math.max(1, Math.ceil(options.retryAfterMs)));
      this.retryAfterSeconds = Math.max(1, Math.ceil(this.retryAfterMs / 1000));
    } else if (options.retryAfterSeconds !== undefined) {
      if (!Number.isFinite(options.retryAfterSeconds) || options.retryAfterSeconds < 0) {
        throw new RangeError(`retryAfterSeconds must be a non-negative number, got ${options.retryAfterSeconds}`);
      }
      this.retryAfterSeconds = Math.max(1, Math.ceil(options.retryAfterSeconds));
    }
  }
}

/** 400: the request is malformed or breaks a limit. */
export class BadRequestError extends GatewayError {
  readonly statusCode = 400;
  readonly type = 'invalid_request_error';
  /** @param message - safe for the caller, e.g. "messages must not be empty" */
  constructor(message: string, options?: GatewayErrorOptions) {
    super(message, null, options);
  }
}

/** 401: the caller is not authenticated. */
export class AuthenticationError extends GatewayError {
  readonly statusCode = 401;
  readonly type = 'authentication_error';
  /** @param message - safe for the caller */
  constructor(message = 'Authentication is required.', options?: GatewayErrorOptions) {
    super(message, 'unauthenticated', options);
  }
}

/** 403: the caller is authenticated but may not do this (e.g. use this model). */
export class PermissionDeniedError extends GatewayError {
  readonly statusCode = 403;
  readonly type = 'permission_error';
  /** @param message - safe for the caller */
  constructor(message = 'You are not allowed to perform this request.', options?: GatewayErrorOptions) {
    super(message, 'permission_denied', options);
  }
}

/** 404: the thing asked for does not exist, e.g. an unknown model alias (use `code: 'model_not_found', param: 'model'`). */
export class NotFoundError extends GatewayError {
  readonly statusCode = 404;
  readonly type = 'invalid_request_error';
  /** @param message - safe for the caller */
  constructor(message: string, options?: GatewayErrorOptions) {
    super(message, 'not_found', options);
  }
}

/** 413: the request body or a message exceeds the configured size. */
export class RequestTooLargeError extends GatewayError {
  readonly statusCode = 413;
  readonly type = 'invalid_request_error';
  /** @param message - safe for the caller; name the limit */
  constructor(message: string, options?: GatewayErrorOptions) {
    super(message, 'request_too_large', options);
  }
}

/**
 * 429: the caller's daily token quota is spent; `retryAfterSeconds` is the time until it resets. The client is told
 * not to retry (`x-should-retry: false`): nothing changes before the reset.
 */
export class QuotaExceededError extends GatewayError {
  readonly statusCode = 429;
  readonly type = 'insufficient_quota';
  readonly shouldRetry = false;
  /** Whole seconds until the quota resets (at least 1). */
  declare readonly retryAfterSeconds: number;
  /**
   * @param message - safe for the caller
   * @param retryAfterSeconds - seconds until the quota resets; rounded up, at least 1
   */
  constructor(message: string, retryAfterSeconds: number, options?: GatewayErrorOptions) {
    super(message, 'insufficient_quota', { ...options, retryAfterSeconds });
  }
}

/**
 * 429: Amazon Bedrock throttled the gateway and its retries did not help. The client may retry
 * (`x-should-retry: true`) after `retryAfterMs`, the next delay of the gateway's backoff schedule.
 */
export class RateLimitedError extends GatewayError {
  readonly statusCode = 429;
  readonly type = 'rate_limit_error';
  readonly shouldRetry = true;
  /** @param message - safe for the caller */
  constructor(message = 'The model is receiving too many requests. Retry later.', options?: RetryableErrorOptions) {
    super(message, 'rate_limit_exceeded', options);
  }
}

/** 400 with code `content_filter`: a guardrail or the gateway's own screening blocked the prompt or the response. */
export class ContentFilterError extends GatewayError {
  readonly statusCode = 400;
  readonly type = 'invalid_request_error';
  /** @param message - safe for the caller; never quote the blocked content */
  constructor(message = 'The request or response was blocked by the content policy.', options?: GatewayErrorOptions) {
    super(message, 'content_filter', options);
  }
}

/** Options of {@link UpstreamError}. */
export interface UpstreamErrorOptions extends RetryableErrorOptions {
  /** 502 when the upstream failed, 503 when it is (temporarily) unavailable. @default 502 */
  readonly statusCode?: 502 | 503;
}

/**
 * 502/503: Amazon Bedrock failed or is unavailable, or the gateway is misconfigured for it. The client is told not to
 * retry (`x-should-retry: false`): the gateway already retried what can be retried.
 */
export class UpstreamError extends GatewayError {
  readonly statusCode: 502 | 503;
  readonly type = 'server_error';
  readonly shouldRetry = false;
  /** @param message - safe for the caller; never the upstream's own message */
  constructor(message = 'The model service failed to handle the request.', options: UpstreamErrorOptions = {}) {
    super(message, options.statusCode === 503 ? 'upstream_unavailable' : 'upstream_error', options);
    this.statusCode = options.statusCode ?? 502;
  }
}

/** 504: Amazon Bedrock did not answer in time. Not retried by the gateway, and the client is told not to either. */
export class UpstreamTimeoutError extends GatewayError {
  readonly statusCode = 504;
  readonly type = 'server_error';
  readonly shouldRetry = false;
  /** @param message - safe for the caller */
  constructor(message = 'The model service did not respond in time.', options?: GatewayErrorOptions) {
    super(message, 'upstream_timeout', options);
  }
}

const THROTTLED = new Set(['ThrottlingException', 'ServiceQuotaExceededException', 'TooManyRequestsException']);
const UNAVAILABLE = new Set(['ServiceUnavailableException', 'ModelNotReadyException']);
const TIMED_OUT = new Set(['ModelTimeoutException', 'TimeoutError', 'AbortError', 'RequestTimeout']);

/**
 * Maps an error thrown by an AWS SDK call to Amazon Bedrock to a {@link GatewayError}, by its `name`.
 *
 * Upstream messages are never copied: they can name ARNs, roles or model ids. The original error is kept as `cause`.
 * Throttling → {@link RateLimitedError}; unavailable / not ready → {@link UpstreamError} 503; model timeout,
 * request timeout or abort → {@link UpstreamTimeoutError}; `ValidationException` → {@link BadRequestError} (the
 * model rejected the input, e.g. too long); anything else (access denied, not found, internal, unknown)
 * → {@link UpstreamError} 502, because it is the deployment's fault rather than the caller's.
 * A `GatewayError` is returned unchanged.
 */
export function fromUpstreamError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const name = err instanceof Error ? err.name : '';
  if (THROTTLED.has(name)) return new RateLimitedError(undefined, { cause: err });
  if (UNAVAILABLE.has(name)) return new UpstreamError('The model service is temporarily unavailable.', { statusCode: 503, cause: err });
  if (TIMED_OUT.has(name)) return new UpstreamTimeoutError(undefined, { cause: err });
  if (name === 'ValidationException') return new BadRequestError('The model rejected the request as invalid.', { code: 'model_rejected_request', cause: err });
  return new UpstreamError(undefined, { cause: err });
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Maps ANY thrown value to an HTTP response with an OpenAI-style error body. The only place errors become responses.
 *
 * A {@link GatewayError} keeps its status, type, code, param and message; `retryAfterSeconds` becomes a `Retry-After`
 * header, `retryAfterMs` a `retry-after-ms` header and `shouldRetry` an `x-should-retry` header (see the module
 * description for which error says what). Anything else becomes a 500 with a generic message quoting the request id: its message and
 * stack are never exposed. The request id is echoed in `x-request-id` when it is a plain token.
 *
 * @param err - whatever was thrown
 * @param requestId - the invocation's request id, for the caller to quote
 */
export function toHttpResponse(err: unknown, requestId: string): HttpErrorResponse {
  const safeId = SAFE_REQUEST_ID.test(requestId) ? requestId : undefined;
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
  if (safeId !== undefined) headers['x-request-id'] = safeId;

  if (err instanceof GatewayError) {
    if (err.retryAfterSeconds !== undefined) headers['retry-after'] = String(err.retryAfterSeconds);
    if (err.retryAfterMs !== undefined) headers['retry-after-ms'] = String(err.retryAfterMs);
    if (err.shouldRetry !== undefined) headers['x-should-retry'] = String(err.shouldRetry);
    const body: OpenAiErrorBody = { error: { message: err.message, type: err.type, code: err.code, param: err.param } };
    return { statusCode: err.statusCode, headers, body: JSON.stringify(body) };
  }

  const reference = safeId === undefined ? '' : ` (request id ${safeId})`;
  const body: OpenAiErrorBody = {
    error: {
      message: `The server had an error while processing your request${reference}.`,
      type: 'server_error',
      code: 'internal_error',
      param: null,
    },
  };
  return { statusCode: 500, headers, body: JSON.stringify(body) };
}
