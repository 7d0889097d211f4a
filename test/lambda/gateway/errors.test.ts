import {
  AccessDeniedException,
  InternalServerException,
  ModelTimeoutException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import * as fc from 'fast-check';
import {
  AuthenticationError,
  BadRequestError,
  ContentFilterError,
  GatewayError,
  MAX_RETRY_AFTER_MS,
  NotFoundError,
  PermissionDeniedError,
  QuotaExceededError,
  RateLimitedError,
  RequestTooLargeError,
  UpstreamError,
  UpstreamTimeoutError,
  fromUpstreamError,
  toHttpResponse,
} from '../../../lambda/gateway/errors';

function parse(body: string): { error: { message: string; type: string; code: string | null; param: string | null } } {
  return JSON.parse(body) as ReturnType<typeof parse>;
}

const metadata = { $metadata: {} };

describe('errors', () => {
  describe('defaults', () => {
    test.each([
      ['BadRequestError', 400, 'invalid_request_error', new BadRequestError('messages must not be empty', { param: 'messages' }), null, 'messages'],
      ['AuthenticationError', 401, 'authentication_error', new AuthenticationError(), 'unauthenticated', null],
      ['PermissionDeniedError', 403, 'permission_error', new PermissionDeniedError(), 'permission_denied', null],
      ['NotFoundError', 404, 'invalid_request_error', new NotFoundError('Unknown model alias "gpt-x".', { code: 'model_not_found', param: 'model' }), 'model_not_found', 'model'],
      ['RequestTooLargeError', 413, 'invalid_request_error', new RequestTooLargeError('The body exceeds 65536 bytes.'), 'request_too_large', null],
      ['QuotaExceededError', 429, 'insufficient_quota', new QuotaExceededError('Daily quota used up.', 10), 'insufficient_quota', null],
      ['RateLimitedError', 429, 'rate_limit_error', new RateLimitedError(), 'rate_limit_exceeded', null],
      ['ContentFilterError', 400, 'invalid_request_error', new ContentFilterError(), 'content_filter', null],
      ['UpstreamError', 502, 'server_error', new UpstreamError(), 'upstream_error', null],
      ['UpstreamError', 503, 'server_error', new UpstreamError(undefined, { statusCode: 503 }), 'upstream_unavailable', null],
      ['UpstreamTimeoutError', 504, 'server_error', new UpstreamTimeoutError(), 'upstream_timeout', null],
    ] as const)('%s maps to %i %s', (_name, status, type, err, code, param) => {
      // WHEN
      const response = toHttpResponse(err, 'abc-123');
      // THEN
      expect(err).toBeInstanceOf(GatewayError);
      expect(err.name).toBe(err.constructor.name);
      expect(response.statusCode).toBe(status);
      expect(response.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'abc-123' });
      expect(parse(response.body)).toEqual({ error: { message: err.message, type, code, param } });
    });

    test('Retry-After is sent for quota and rate limits, rounded up to whole seconds', () => {
      expect(toHttpResponse(new QuotaExceededError('q', 29.2), 'r').headers['retry-after']).toBe('30');
      expect(toHttpResponse(new QuotaExceededError('q', 0), 'r').headers['retry-after']).toBe('1');
      expect(toHttpResponse(new RateLimitedError(undefined, { retryAfterSeconds: 2 }), 'r').headers['retry-after']).toBe('2');
      expect(toHttpResponse(new RateLimitedError(), 'r').headers['retry-after']).toBeUndefined();
      expect(toHttpResponse(new BadRequestError('b'), 'r').headers['retry-after']).toBeUndefined();
    });

    test('x-should-retry: false for a spent quota, 502, 503 and 504; true for throttling; absent otherwise', () => {
      const advice = (err: unknown) => toHttpResponse(err, 'r').headers['x-should-retry'];
      expect(advice(new QuotaExceededError('q', 3600))).toBe('false');
      expect(advice(new RateLimitedError())).toBe('true');
      expect(advice(new UpstreamError())).toBe('false');
      expect(advice(new UpstreamError(undefined, { statusCode: 503 }))).toBe('false');
      expect(advice(new UpstreamTimeoutError())).toBe('false');
      expect(advice(new BadRequestError('b'))).toBeUndefined();
      expect(advice(new ContentFilterError())).toBeUndefined();
      expect(advice(new Error('bug'))).toBeUndefined();
    });

    test('retryAfterMs becomes retry-after-ms (1..60000) and Retry-After rounded up to whole seconds', () => {
      const headersOf = (ms: number) => toHttpResponse(new RateLimitedError(undefined, { retryAfterMs: ms }), 'r').headers;
      expect(headersOf(399.2)).toMatchObject({ 'retry-after-ms': '400', 'retry-after': '1' });
      expect(headersOf(0)).toMatchObject({ 'retry-after-ms': '1', 'retry-after': '1' });
      expect(headersOf(1001)).toMatchObject({ 'retry-after-ms': '1001', 'retry-after': '2' });
      expect(headersOf(3_600_000)).toMatchObject({ 'retry-after-ms': String(MAX_RETRY_AFTER_MS), 'retry-after': '60' });
      expect(toHttpResponse(new QuotaExceededError('q', 29.2), 'r').headers['retry-after-ms']).toBeUndefined();
    });

    test('the cause is kept for logging but never sent', () => {
      // GIVEN
      const cause = new Error('arn:aws:iam::123456789012:role/secret-role is not authorized');
      // WHEN
      const response = toHttpResponse(new UpstreamError(undefined, { cause }), 'r');
      // THEN
      expect(new UpstreamError(undefined, { cause }).cause).toBe(cause);
      expect(response.body).not.toContain('arn:aws');
    });
  });

  describe('unknown errors', () => {
    test.each([
      ['an Error', new Error('db password is hunter2')],
      ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'hunter2')")],
      ['a string', 'hunter2'],
      ['undefined', undefined],
      ['null', null],
      ['an object', { message: 'hunter2', statusCode: 400 }],
    ])('%s becomes a generic 500 without its message or stack', (_label, thrown) => {
      // WHEN
      const response = toHttpResponse(thrown, 'req-42');
      // THEN
      expect(response.statusCode).toBe(500);
      expect(response.body).not.toContain('hunter2');
      expect(response.body).not.toContain(' at ');
      expect(parse(response.body)).toEqual({
        error: { message: 'The server had an error while processing your request (request id req-42).', type: 'server_error', code: 'internal_error', param: null },
      });
    });

    test('any thrown value maps to a well-formed error response', () => {
      fc.assert(
        fc.property(fc.anything(), fc.string(), (thrown, requestId) => {
          const response = toHttpResponse(thrown, requestId);
          expect(response.statusCode).toBe(500);
          const body = parse(response.body);
          expect(body.error.type).toBe('server_error');
          for (const value of Object.values(response.headers)) expect(value).not.toMatch(/[\r\n]/);
        }),
      );
    });
  });

  describe('validation', () => {
    test('fails if the request id could inject headers: it is left out', () => {
      const response = toHttpResponse(new Error('x'), 'abc\r\nset-cookie: a=b');
      expect(response.headers['x-request-id']).toBeUndefined();
      expect(response.body).not.toContain('set-cookie');
    });

    test('fails if retryAfterSeconds is negative or not finite', () => {
      expect(() => new QuotaExceededError('q', -1)).toThrow(/retryAfterSeconds must be a non-negative number, got -1/);
      expect(() => new RateLimitedError(undefined, { retryAfterSeconds: Number.NaN })).toThrow(/retryAfterSeconds/);
    });

    test('fails if retryAfterMs is negative or not finite', () => {
      expect(() => new RateLimitedError(undefined, { retryAfterMs: -1 })).toThrow(/retryAfterMs must be a non-negative number, got -1/);
      expect(() => new UpstreamError(undefined, { retryAfterMs: Number.POSITIVE_INFINITY })).toThrow(/retryAfterMs/);
    });
  });

  describe('fromUpstreamError', () => {
    test.each([
      ['ThrottlingException', 'RateLimitedError', 429, new ThrottlingException({ message: 'Too many requests', ...metadata }), RateLimitedError],
      ['ServiceUnavailableException', 'UpstreamError', 503, new ServiceUnavailableException({ message: 'down', ...metadata }), UpstreamError],
      ['ModelTimeoutException', 'UpstreamTimeoutError', 504, new ModelTimeoutException({ message: 'slow', ...metadata }), UpstreamTimeoutError],
      ['ValidationException', 'BadRequestError', 400, new ValidationException({ message: 'Input is too long for model arn:aws:bedrock:x', ...metadata }), BadRequestError],
      ['AccessDeniedException', 'UpstreamError', 502, new AccessDeniedException({ message: 'User arn:aws:sts::1:assumed-role/r is not authorized', ...metadata }), UpstreamError],
      ['InternalServerException', 'UpstreamError', 502, new InternalServerException({ message: 'boom', ...metadata }), UpstreamError],
      ['AbortError', 'UpstreamTimeoutError', 504, Object.assign(new Error('aborted'), { name: 'AbortError' }), UpstreamTimeoutError],
      ['TimeoutError', 'UpstreamTimeoutError', 504, Object.assign(new Error('timed out'), { name: 'TimeoutError' }), UpstreamTimeoutError],
      ['a plain Error', 'UpstreamError', 502, new Error('weird'), UpstreamError],
    ] as const)('%s becomes %s %i', (_label, _ctorName, status, upstream, ctor) => {
      // WHEN
      const mapped = fromUpstreamError(upstream);
      // THEN
      expect(mapped).toBeInstanceOf(ctor);
      expect(mapped.statusCode).toBe(status);
      expect(mapped.cause).toBe(upstream);
      expect(mapped.message).not.toContain(upstream.message);
      expect(toHttpResponse(mapped, 'r').body).not.toContain('arn:aws');
    });

    test('a GatewayError passes through unchanged', () => {
      const err = new ContentFilterError();
      expect(fromUpstreamError(err)).toBe(err);
    });
  });
});
