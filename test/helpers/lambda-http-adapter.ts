/**
 * Serves a Lambda proxy-integration handler over plain HTTP on 127.0.0.1, the way API Gateway (REST, stage `test`,
 * resource `/{proxy+}`, Lambda REQUEST authorizer) would call it, so real HTTP clients (the `openai` SDK, curl) can
 * be pointed at the gateway handler in tests.
 *
 * Two ways to authorize:
 * - `authorizer`: a real REQUEST authorizer function, called as API Gateway calls it (see {@link authorizeLikeApiGateway}):
 *   identity source the `Authorization` header, its IAM policy honoured for the request's method ARN, its context
 *   passed to the handler, its decision cached per header value for `authorizerCacheTtlSeconds`.
 * - otherwise the adapter plays the authorizer: it chooses the authorizer context for each request with
 *   `claimsFor(authorizationHeader)` (e.g. map a dummy API key to a test user); `undefined` sends an event without a
 *   context. It does not validate credentials then.
 *
 * A streaming handler (`streamifyResponse`, as API Gateway's `STREAM` transfer mode invokes it) is driven with a
 * `Writable`: the adapter reads the metadata prelude (JSON, eight NUL bytes) for the status and headers and passes
 * the body on as it is written, chunk by chunk; when the HTTP client goes away the `Writable` is destroyed, as the
 * Lambda runtime's response stream would be.
 *
 * @module
 */
import * as http from 'node:http';
import { PassThrough, Writable } from 'node:stream';
import { listenOnLoopback } from './listen';
import { randomUUID } from 'node:crypto';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { AUTHORIZER_REFUSAL_BODIES } from '../../lambda/shared/gateway-contract';

/** A proxy-integration handler. */
export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** A response-streaming handler (`event, responseStream, context`), marked by `streamifyResponse`. */
export type StreamingProxyHandler = (event: APIGatewayProxyEvent, responseStream: Writable, context: Context) => Promise<void>;

const STREAMING_HANDLER_SYMBOL = Symbol.for('aws.lambda.runtime.handler.streaming');

function isStreaming(handler: ProxyHandler | StreamingProxyHandler): handler is StreamingProxyHandler {
  return (handler as unknown as Record<symbol, unknown>)[STREAMING_HANDLER_SYMBOL] === 'response';
}

/** The status, headers and body of a streamed response, from its prelude; `onBody` sees each body chunk. */
export interface StreamedResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
}

/**
 * Runs a streaming handler with a `Writable` and splits its output like API Gateway does: `onHead` gets the metadata
 * prelude, `onBody` every body chunk. Resolves when the handler returned and the stream ended. `stream` may be
 * destroyed by the caller to play a client that goes away.
 */
export function driveStreamingHandler(
  handler: StreamingProxyHandler,
  event: APIGatewayProxyEvent,
  context: Context,
  onHead: (head: StreamedResponse) => void,
  onBody: (chunk: Buffer) => void,
): { readonly stream: PassThrough; readonly done: Promise<void> } {
  const stream = new PassThrough();
  let prelude: Buffer | undefined = Buffer.alloc(0);
  stream.on('data', (chunk: Buffer) => {
    if (prelude === undefined) {
      onBody(chunk);
      return;
    }
    prelude = Buffer.concat([prelude, chunk]);
    const at = prelude.indexOf(Buffer.alloc(8));
    if (at < 0) return;
    const meta = JSON.parse(prelude.subarray(0, at).toString('utf8')) as { statusCode: number; headers?: Record<string, string> };
    const rest = prelude.subarray(at + 8);
    prelude = undefined;
    onHead({ statusCode: meta.statusCode, headers: meta.headers ?? {} });
    if (rest.length > 0) onBody(rest);
  });
  const ended = new Promise<void>((resolve) => {
    stream.on('end', () => resolve());
    stream.on('close', () => resolve());
  });
  const done = handler(event, stream, context).then(() => ended);
  return { stream, done };
}

/** Runs a streaming handler to its end and returns what API Gateway would have sent, as one result. */
export async function invokeStreamingHandler(handler: StreamingProxyHandler, event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  let head: StreamedResponse | undefined;
  const body: Buffer[] = [];
  await driveStreamingHandler(handler, event, context, (h) => (head = h), (c) => body.push(c)).done;
  if (head === undefined) throw new Error('the handler ended its stream without the metadata prelude');
  return { statusCode: head.statusCode, headers: head.headers, body: Buffer.concat(body).toString('utf8') };
}

/**
 * The gateway authorizer's policy context as API Gateway passes it to the function (string values; see
 * `lambda/shared/gateway-contract.ts`).
 */
export type Claims = Record<string, string>;

/** The authorizer context of a user (access token) with `groups` (space- or comma-separated) and both scopes. */
export function userContext(subject: string, groups: string): Claims {
  return { kind: 'user', subject, team: '', groups, models: '', scopes: 'chat models.read', dailyBudgetUsd: '', monthlyBudgetUsd: '' };
}

/** The authorizer context of a gateway API key allowed `models` (space-separated). */
export function keyContext(keyId: string, models: string, team = ''): Claims {
  return { kind: 'key', subject: keyId, team, groups: '', models, scopes: 'chat models.read', dailyBudgetUsd: '', monthlyBudgetUsd: '' };
}

/** Options of {@link startLambdaHttpAdapter}. */
export interface LambdaHttpAdapterOptions {
  /** Claims for a request, from its `Authorization` header. @default - the same test user for every request */
  readonly claimsFor?: (authorization: string | undefined) => Claims | undefined;
  /** What `context.getRemainingTimeInMillis()` returns at the start of each invocation. @default 29000 */
  readonly remainingTimeMs?: number;
  /** A REQUEST authorizer to call as API Gateway would; `claimsFor` is then ignored. @default - none: `claimsFor` decides */
  readonly authorizer?: RequestAuthorizer;
  /** Seconds a decision of `authorizer` is reused for the same `Authorization` header (0: never). @default 0 */
  readonly authorizerCacheTtlSeconds?: number;
  /** The clock of the authorizer cache, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** A Lambda REQUEST authorizer. */
export type RequestAuthorizer = (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

/** The test API's stage ARN: `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>`. */
export const TEST_STAGE_ARN = 'arn:aws:execute-api:us-east-1:123456789012:testapi/test';

/** A running adapter. */
export interface LambdaHttpAdapter {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The events sent to the handler, oldest first. */
  readonly events: APIGatewayProxyEvent[];
  /** The events sent to the authorizer (cache misses only), oldest first. */
  readonly authorizerEvents: APIGatewayRequestAuthorizerEvent[];
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** The default test user. */
export const TEST_USER_CLAIMS: Claims = userContext('test-user-0001', 'users');

/** A fake Lambda context with a countdown and a fresh request id. */
export function fakeContext(remainingTimeMs = 29_000): Context {
  const start = Date.now();
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'gateway',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:gateway',
    memoryLimitInMB: '1024',
    awsRequestId,
    logGroupName: '/aws/lambda/gateway',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, remainingTimeMs - (Date.now() - start)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Builds the API Gateway REST proxy event for one HTTP request. */
export function toProxyEvent(method: string, url: string, headers: http.IncomingHttpHeaders, body: Buffer, claims: Claims | undefined): APIGatewayProxyEvent {
  const parsed = new URL(url, 'http://localhost');
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    single[name] = values[values.length - 1]!;
    multi[name] = values;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of parsed.searchParams) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  const hasQuery = Object.keys(query).length > 0;
  const now = Date.now();
  return {
    resource: '/{proxy+}',
    path: parsed.pathname,
    httpMethod: method,
    headers: single,
    multiValueHeaders: multi,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: { proxy: parsed.pathname.replace(/^\//, '') },
    stageVariables: null,
    body: body.length === 0 ? null : body.toString('utf8'),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'testapi',
      authorizer: claims === undefined ? null : { ...claims },
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: {
        accessKey: null, accountId: null, apiKey: null, apiKeyId: null, caller: null, clientCert: null,
        cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null,
        cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: '127.0.0.1', user: null,
        userAgent: single['user-agent'] ?? null, userArn: null,
      },
      path: `/test${parsed.pathname}`,
      stage: 'test',
      requestId: randomUUID(),
      requestTimeEpoch: now,
      resourceId: 'proxy',
      resourcePath: '/{proxy+}',
    },
  };
}

/** What API Gateway does with a request after asking the authorizer (or its cache). */
export type AuthorizerOutcome =
  | { readonly kind: 'allow'; readonly context: Claims | undefined }
  | { readonly kind: 'refuse'; readonly status: number; readonly body: string };

/** IAM's wildcard match of a policy `Resource` against a method ARN (`*`: any characters, `?`: one). */
export function resourceMatches(pattern: string, arn: string): boolean {
  const literal = (c: string) => c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  const source = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : literal(c))).join('');
  return new RegExp(`^${source}$`).test(arn);
}

/** The verdict of an authorizer policy for one method ARN: an explicit Deny wins, then an Allow, else an implicit deny. */
export function evaluatePolicy(result: APIGatewayAuthorizerResult, methodArn: string): 'allow' | 'deny' {
  let allowed = false;
  for (const statement of result.policyDocument.Statement) {
    const s = statement as { Effect: string; Action?: string | string[]; Resource?: string | string[] };
    const actions = s.Action === undefined ? [] : Array.isArray(s.Action) ? s.Action : [s.Action];
    const resources = s.Resource === undefined ? [] : Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    if (!actions.some((a) => a === 'execute-api:Invoke' || a === 'execute-api:*' || a === '*')) continue;
    if (!resources.some((r) => resourceMatches(r, methodArn))) continue;
    if (s.Effect === 'Deny') return 'deny';
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed ? 'allow' : 'deny';
}

/** The REQUEST authorizer event API Gateway sends for one HTTP request. */
export function toAuthorizerEvent(method: string, url: string, headers: http.IncomingHttpHeaders): APIGatewayRequestAuthorizerEvent {
  const proxy = toProxyEvent(method, url, headers, Buffer.alloc(0), undefined);
  return {
    type: 'REQUEST',
    methodArn: `${TEST_STAGE_ARN}/${method}${proxy.path}`,
    resource: proxy.resource,
    path: proxy.path,
    httpMethod: method,
    headers: proxy.headers as Record<string, string>,
    multiValueHeaders: proxy.multiValueHeaders as Record<string, string[]>,
    pathParameters: proxy.pathParameters,
    queryStringParameters: proxy.queryStringParameters,
    multiValueQueryStringParameters: proxy.multiValueQueryStringParameters,
    stageVariables: null,
    requestContext: { ...proxy.requestContext, authorizer: undefined },
  } as APIGatewayRequestAuthorizerEvent;
}

/**
 * API Gateway's handling of a Lambda REQUEST authorizer whose identity source is the `Authorization` header:
 * - no (or an empty) header: 401 without calling the authorizer;
 * - a cached decision for exactly this header value, younger than the TTL, is reused (its policy evaluated against
 *   this request's method ARN, so a decision made on one route still decides the others);
 * - otherwise the authorizer is called: an `Unauthorized` error is a 401, any other failure a 500; its policy is
 *   cached and evaluated: Allow → the handler runs with the policy context (values as strings) and `principalId`,
 *   else 403.
 * The 401 and 403 bodies are the gateway responses the construct deploys.
 */
export class ApiGatewayAuthorizerCache {
  private readonly cache = new Map<string, { at: number; result: APIGatewayAuthorizerResult }>();

  constructor(
    private readonly authorizer: RequestAuthorizer,
    private readonly ttlSeconds: number,
    private readonly now: () => number,
    private readonly calls: APIGatewayRequestAuthorizerEvent[],
  ) {}

  async authorize(method: string, url: string, headers: http.IncomingHttpHeaders): Promise<AuthorizerOutcome> {
    const identity = headers.authorization;
    if (identity === undefined || identity.length === 0) return { kind: 'refuse', status: 401, body: AUTHORIZER_REFUSAL_BODIES.unauthorized };
    const event = toAuthorizerEvent(method, url, headers);
    const cached = this.cache.get(identity);
    let result: APIGatewayAuthorizerResult;
    if (cached !== undefined && this.now() - cached.at < this.ttlSeconds * 1000) {
      result = cached.result;
    } else {
      this.cache.delete(identity);
      this.calls.push(event);
      try {
        result = await this.authorizer(event);
      } catch (e) {
        if (e instanceof Error && e.message === 'Unauthorized') return { kind: 'refuse', status: 401, body: AUTHORIZER_REFUSAL_BODIES.unauthorized };
        return { kind: 'refuse', status: 500, body: '{"error":{"message":null,"type":"AUTHORIZER_FAILURE","code":null}}' };
      }
      if (this.ttlSeconds > 0) this.cache.set(identity, { at: this.now(), result });
    }
    if (evaluatePolicy(result, event.methodArn) !== 'allow') return { kind: 'refuse', status: 403, body: AUTHORIZER_REFUSAL_BODIES.accessDenied };
    const context: Claims = { principalId: result.principalId };
    for (const [k, v] of Object.entries(result.context ?? {})) context[k] = String(v);
    return { kind: 'allow', context };
  }
}

/** Starts the adapter on 127.0.0.1 and a random port. */
export async function startLambdaHttpAdapter(handler: ProxyHandler | StreamingProxyHandler, options: LambdaHttpAdapterOptions = {}): Promise<LambdaHttpAdapter> {
  const events: APIGatewayProxyEvent[] = [];
  const authorizerEvents: APIGatewayRequestAuthorizerEvent[] = [];
  const claimsFor = options.claimsFor ?? (() => TEST_USER_CLAIMS);
  const gate =
    options.authorizer === undefined
      ? undefined
      : new ApiGatewayAuthorizerCache(options.authorizer, options.authorizerCacheTtlSeconds ?? 0, options.now ?? Date.now, authorizerEvents);
  const authorize = async (req: http.IncomingMessage): Promise<AuthorizerOutcome> => {
    if (gate === undefined) {
      return { kind: 'allow', context: claimsFor(req.headers.authorization) };
    }
    return gate.authorize(req.method ?? 'GET', req.url ?? '/', req.headers);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      authorize(req)
        .then(async (outcome) => {
          if (outcome.kind === 'refuse') {
            res.writeHead(outcome.status, { 'content-type': 'application/json', ...(outcome.status === 401 ? { 'www-authenticate': 'Bearer' } : {}) });
            res.end(outcome.body);
            return;
          }
          const event = toProxyEvent(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks), outcome.context);
          events.push(event);
          if (isStreaming(handler)) {
            const run = driveStreamingHandler(
              handler,
              event,
              fakeContext(options.remainingTimeMs),
              (head) => res.writeHead(head.statusCode, head.headers),
              (chunk) => res.write(chunk),
            );
            // The client went away before the end: the function's response stream breaks, as in Lambda.
            res.on('close', () => {
              if (!res.writableEnded) run.stream.destroy();
            });
            await run.done.catch(() => undefined);
            if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
            res.end();
            return;
          }
          const result = await handler(event, fakeContext(options.remainingTimeMs));
          const headers: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
          for (const [k, v] of Object.entries(result.multiValueHeaders ?? {})) headers[k] = v.map(String);
          res.writeHead(result.statusCode, headers);
          res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
        })
        .catch(() => {
          // API Gateway answers a crashed integration with a bare 502.
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end('{"message": "Internal server error"}');
        });
    });
  });
  const port = await listenOnLoopback(server);
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    authorizerEvents,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
