/**
 * A fake Amazon Bedrock Runtime for tests: cleartext HTTP/2 on 127.0.0.1 and a random port, speaking the REST-JSON
 * protocol of `@aws-sdk/client-bedrock-runtime` (which uses HTTP/2 even for `http://` endpoints and fails with
 * ERR_HTTP2_ERROR against an HTTP/1 server).
 *
 * Routes (from the SDK's operation schemas): `POST /model/{modelId}/converse` (Converse),
 * `POST /model/{modelId}/converse-stream` (ConverseStream: the reply as AWS event-stream messages, framed with
 * `@smithy/eventstream-codec`) and `POST /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply`
 * (ApplyGuardrail) and `POST /model/{modelId}/invoke` (InvokeModel, only as Amazon Titan Text Embeddings V2 answers it: a
 * deterministic vector of the requested `dimensions` derived from the SHA-256 of `inputText`, and one token per
 * whitespace-separated word; the `error`, `slow` and `malformed` behaviours apply to it too); path labels arrive
 * URI-encoded (an ARN's `:` and `/` too). It also speaks Bedrock Agent Runtime's `Retrieve`
 * (`POST /knowledgebases/{knowledgeBaseId}/retrieve`, REST-JSON over HTTP/2 as well): it serves chunks from an in-memory
 * store ({@link BedrockServer.setKnowledgeBase}), keeps only those whose metadata matches the request's
 * `vectorSearchConfiguration.filter` (`equals`, `andAll`, `orAll`; anything else is a ValidationException, and a request
 * without a filter gets every tenant's chunks, as an unfiltered vector search would), ranks them by shared words with
 * the query and returns `numberOfResults` (default 5) of them. Errors carry the `x-amzn-errortype` header and a `{ message }` body, which
 * the SDK turns into its typed exceptions (`ThrottlingException`, ...).
 *
 * Point the real clients at it with `AWS_ENDPOINT_URL_BEDROCK_RUNTIME=<url>` and `AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME=<url>` (or `endpoint`), fake credentials and
 * any region; choose the reply with {@link BedrockServer.setBehavior}; assert on {@link BedrockServer.requests}.
 *
 * @module
 */
import * as http2 from 'node:http2';
import { createHash, randomUUID } from 'node:crypto';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { listenOnLoopback } from './listen';

/** Error types the fake can return, with their HTTP status in Bedrock Runtime's model. */
export const BEDROCK_ERROR_STATUS = Object.freeze({
  ThrottlingException: 429,
  ServiceUnavailableException: 503,
  InternalServerException: 500,
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelNotReadyException: 429,
  ModelErrorException: 424,
  ServiceQuotaExceededException: 400,
});

/** The name of an error type the fake can return. */
export type BedrockErrorType = keyof typeof BEDROCK_ERROR_STATUS;

/** Exception events ConverseStream can send after the response has started (its stream's error members). */
export type StreamExceptionType =
  | 'internalServerException'
  | 'modelStreamErrorException'
  | 'validationException'
  | 'throttlingException'
  | 'serviceUnavailableException';

/** Characters per `contentBlockDelta` when a non-`stream` behaviour answers ConverseStream. */
export const STREAM_CHUNK_CHARS = 16;

/** A guardrail assessment as Bedrock reports it (free-form: tests pass whatever shape they need). */
export type GuardrailAssessment = Record<string, unknown>;

/** What the fake does with the next request(s). Plain data; set it with {@link BedrockServer.setBehavior}. */
export type Behavior =
  /** Converse: a normal answer. (ApplyGuardrail: `action: 'NONE'`.) */
  | {
      readonly kind: 'reply';
      /** @default 'Hello from the fake model.' */
      readonly text?: string;
      /** @default 'end_turn' */
      readonly stopReason?: string;
      /** @default 12 */
      readonly inputTokens?: number;
      /** @default 7 */
      readonly outputTokens?: number;
      /** Returned verbatim as `trace`, e.g. `{ guardrail: { inputAssessment: {...} } }`. @default - no trace */
      readonly trace?: Record<string, unknown>;
    }
  /**
   * Converse: the guardrail blocked the input or the output (`stopReason: 'guardrail_intervened'`, `text` in place
   * of the answer). Like Bedrock, the trace is only returned when the request set `guardrailConfig.trace` to
   * `enabled` or `enabled_full`; it is keyed by the request's guardrail identifier.
   * (ApplyGuardrail: `action: 'GUARDRAIL_INTERVENED'` with `text` as output.)
   */
  | {
      readonly kind: 'guardrailIntervened';
      readonly source: 'input' | 'output';
      /** The blocked-messaging text. @default 'Sorry, the model cannot answer this question.' */
      readonly text?: string;
      /** For `source: 'output'`: the model output the guardrail blocked (in `trace.guardrail.modelOutput`). */
      readonly blockedModelOutput?: string;
      /** @default - a PROMPT_ATTACK (input) or VIOLENCE (output) content filter, BLOCKED, confidence HIGH */
      readonly assessment?: GuardrailAssessment;
      /**
       * What the trace says about the assessments: `reported` puts `assessment` under `inputAssessment` (input) or
       * `outputAssessments` (output, with an `inputAssessment` holding only metrics, as Bedrock reports the input
       * evaluation that passed); `metricsOnly` keeps the assessment keys but with metrics and no policy; `omitted`
       * leaves both keys out of `trace.guardrail`. @default 'reported'
       */
      readonly traceAssessments?: 'reported' | 'metricsOnly' | 'omitted';
      /** `usage.outputTokens`. @default - 0 (input) or 7 (output) */
      readonly outputTokens?: number;
    }
  /** ApplyGuardrail: the given action, outputs and assessments. (Converse: a default reply.) */
  | {
      readonly kind: 'applyGuardrail';
      readonly action: 'NONE' | 'GUARDRAIL_INTERVENED';
      /** Texts of `outputs`. @default - none for NONE, the blocked message for GUARDRAIL_INTERVENED */
      readonly outputs?: readonly string[];
      /** @default - an empty list for NONE, one PROMPT_ATTACK content filter for GUARDRAIL_INTERVENED */
      readonly assessments?: readonly GuardrailAssessment[];
      readonly actionReason?: string;
    }
  /** Any route: an error response with `x-amzn-errortype: type` and body `{ message }`. */
  | {
      readonly kind: 'error';
      readonly type: BedrockErrorType;
      /** @default BEDROCK_ERROR_STATUS[type] */
      readonly status?: number;
      /** @default 'Fake <type>' */
      readonly message?: string;
    }
  /** Any route: wait `delayMs`, then behave as `then`; a client abort or {@link BedrockServer.close} ends it early. */
  | { readonly kind: 'slow'; readonly delayMs: number; readonly then?: Behavior }
  /** Any route: status 200, `content-type: application/json`, a truncated JSON body. */
  | { readonly kind: 'malformed' }
  /** Any route: the n-th matching request (from 0) behaves as `steps[n]`, the last step repeating. */
  | { readonly kind: 'sequence'; readonly steps: readonly Behavior[] }
  /**
   * Converse: the model calls a tool (`stopReason: 'tool_use'`, one `toolUse` block with `input` as given, after
   * `text` when set). (ApplyGuardrail: `action: 'NONE'`.)
   */
  | {
      readonly kind: 'toolUse';
      readonly name: string;
      /** The tool's arguments (a JSON value). */
      readonly input: unknown;
      /** Arguments derived from the request instead of `input` (for example to repeat the system prompt). */
      readonly renderInput?: (request: ConverseRequestBody) => unknown;
      /** @default 'tooluse_1' */
      readonly toolUseId?: string;
      /** Text before the tool call. @default - none */
      readonly text?: string;
    }
  /**
   * ConverseStream: the text in exactly these `contentBlockDelta` chunks, then `messageStop` and `metadata` — unless
   * the stream is cut, fails or hangs first. (Converse: one reply with the chunks joined.)
   */
  | {
      readonly kind: 'stream';
      readonly chunks: readonly string[];
      /** @default 'end_turn' */
      readonly stopReason?: string;
      /** @default 12 */
      readonly inputTokens?: number;
      /** @default 7 */
      readonly outputTokens?: number;
      /** Pause before each chunk, so a client can act mid-stream. @default 0 */
      readonly chunkDelayMs?: number;
      /** After this many chunks the HTTP/2 stream is reset, without `messageStop` (a connection cut mid-answer). */
      readonly cutAfter?: number;
      /** After this many chunks, an exception event of this type, as Bedrock sends one mid-stream. */
      readonly exceptionAfter?: { readonly chunks: number; readonly type: StreamExceptionType; readonly message?: string };
      /** After this many chunks nothing more is sent until the client gives up or the server closes. */
      readonly hangAfter?: number;
      /** No `usage` in the `metadata` event (Converse: in the reply), which Bedrock always sends: a malformed answer. */
      readonly omitUsage?: boolean;
    }
  /** Converse: replies with text derived from the request, default all system and message texts joined by `\n`. */
  | { readonly kind: 'echo'; readonly render?: (request: ConverseRequestBody) => string }
  /** Each route its own behaviour. */
  | { readonly kind: 'byRoute'; readonly converse?: Behavior; readonly applyGuardrail?: Behavior; readonly retrieve?: Behavior }
  /**
   * Converse, ConverseStream and InvokeModel: the behaviour of the request's model id (decoded, an ARN too), else
   * `otherwise` (default: a default reply); other routes use `otherwise`. Plays several models at once, e.g. a degraded
   * custom model beside its base model.
   */
  | { readonly kind: 'byModel'; readonly models: Readonly<Record<string, Behavior>>; readonly otherwise?: Behavior };

/** A chunk of the fake knowledge base. */
export interface StoredChunk {
  readonly text: string;
  /** The source document, e.g. `s3://docs/team-a/handbook.md`. */
  readonly uri: string;
  /** Metadata attributes, e.g. `{ tenant: 'team-a' }`; returned with the chunk. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** The parts of a Converse request body the fake reads. */
export interface ConverseRequestBody {
  readonly system?: ReadonlyArray<{ readonly text?: string }>;
  readonly messages?: ReadonlyArray<{ readonly role?: string; readonly content?: ReadonlyArray<{ readonly text?: string }> }>;
  readonly guardrailConfig?: { readonly guardrailIdentifier?: string; readonly guardrailVersion?: string; readonly trace?: string };
  readonly [key: string]: unknown;
}

/** One request the fake received. */
export interface RecordedRequest {
  readonly method: string;
  /** The raw path, URI-encoded as sent. */
  readonly path: string;
  readonly operation: 'Converse' | 'ConverseStream' | 'ApplyGuardrail' | 'InvokeModel' | 'Retrieve' | 'Unknown';
  /** Retrieve: the decoded knowledge-base id. */
  readonly knowledgeBaseId?: string;
  /** Converse and ConverseStream: the decoded model id (or ARN). */
  readonly modelId?: string;
  /** ApplyGuardrail: the decoded guardrail identifier and version. */
  readonly guardrailIdentifier?: string;
  readonly guardrailVersion?: string;
  /** The parsed JSON body (`undefined` when empty or not JSON). */
  readonly body: unknown;
  /** Request headers in lower case, without pseudo-headers, `authorization` and `x-amz-security-token`. */
  readonly headers: Readonly<Record<string, string>>;
  /** `responded` once a response was sent, `aborted` if the client went away first. */
  outcome: 'pending' | 'responded' | 'aborted';
  /** Ordinal (from 1) of the HTTP/2 session, so of the connection, the request came on. */
  readonly session: number;
}

/** A running fake Bedrock Runtime. */
export interface BedrockServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Sets the behaviour for the following requests and restarts `sequence` counting. */
  setBehavior(behavior: Behavior): void;
  /** Replaces the chunks knowledge base `id` serves to Retrieve (an unknown id is a ResourceNotFoundException). */
  setKnowledgeBase(id: string, chunks: readonly StoredChunk[]): void;
  /** Ends pending delays, destroys every session and stops listening. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_BEHAVIOR: Behavior = { kind: 'reply' };
const DEFAULT_BLOCKED = 'Sorry, the model cannot answer this question.';
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const REDACTED_HEADERS = new Set(['authorization', 'x-amz-security-token']);

/** The answer of Titan Text Embeddings V2 to `body`, deterministic in the text and the dimensions. */
export function titanEmbeddingReply(body: { inputText?: unknown; dimensions?: unknown }): { embedding: number[]; inputTextTokenCount: number } {
  const text = typeof body.inputText === 'string' ? body.inputText : '';
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : 1024;
  const hash = createHash('sha256').update(text, 'utf8').digest();
  const embedding = Array.from({ length: dimensions }, (_, i) => Math.round(((hash[i % hash.length]! / 255) * 2 - 1) * 1e6) / 1e6);
  return { embedding, inputTextTokenCount: text.split(/\s+/).filter((w) => w.length > 0).length };
}

/** Starts a fake Bedrock Runtime on 127.0.0.1 and a random port; the default behaviour is a normal reply. */
export async function startBedrockServer(): Promise<BedrockServer> {
  const requests: RecordedRequest[] = [];
  const sessions = new Set<http2.ServerHttp2Session>();
  let sessionCount = 0;
  const timers = new Set<NodeJS.Timeout>();
  let behavior: Behavior = DEFAULT_BEHAVIOR;
  const knowledgeBases = new Map<string, readonly StoredChunk[]>();
  let sequenceCounts = new WeakMap<Behavior, number>();

  const server = http2.createServer();
  const sessionOrdinals = new WeakMap<http2.Http2Session, number>();
  server.on('session', (session) => {
    sessionOrdinals.set(session, ++sessionCount);
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => session.destroy());
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => stream.destroy());
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    stream.on('end', () => {
      const recorded = record(headers, Buffer.concat(chunks), sessionOrdinals.get(stream.session!) ?? 0);
      requests.push(recorded);
      stream.on('close', () => {
        if (recorded.outcome === 'pending') recorded.outcome = 'aborted';
      });
      if (size > MAX_BODY_BYTES) {
        respondError(stream, recorded, 'ValidationException', 413, 'Fake: request body too large');
        return;
      }
      act(stream, recorded, behavior);
    });
  });

  /** Resolves `sequence`, `byRoute` and `byModel` wrappers to the behaviour for this request. */
  function resolve(b: Behavior, operation: RecordedRequest['operation'], modelId?: string): Behavior {
    if (b.kind === 'byModel') {
      const own = modelId === undefined ? undefined : b.models[modelId];
      return resolve(own ?? b.otherwise ?? DEFAULT_BEHAVIOR, operation, modelId);
    }
    if (b.kind === 'byRoute') {
      const picked =
        operation === 'Converse' || operation === 'ConverseStream'
          ? b.converse
          : operation === 'ApplyGuardrail'
            ? b.applyGuardrail
            : operation === 'Retrieve'
              ? b.retrieve
              : undefined;
      return resolve(picked ?? DEFAULT_BEHAVIOR, operation, modelId);
    }
    if (b.kind === 'sequence') {
      if (b.steps.length === 0) return DEFAULT_BEHAVIOR;
      const n = sequenceCounts.get(b) ?? 0;
      sequenceCounts.set(b, n + 1);
      return resolve(b.steps[Math.min(n, b.steps.length - 1)]!, operation, modelId);
    }
    return b;
  }

  function act(stream: http2.ServerHttp2Stream, req: RecordedRequest, configured: Behavior): void {
    if (req.operation === 'Unknown') {
      respondError(stream, req, 'UnknownOperationException', 404, `Fake: no route for ${req.method} ${req.path}`);
      return;
    }
    if (req.body === undefined || typeof req.body !== 'object' || req.body === null) {
      respondError(stream, req, 'ValidationException', 400, 'Fake: request body is not a JSON object');
      return;
    }
    const b = resolve(configured, req.operation, req.modelId);
    if (req.operation === 'Retrieve' && b.kind !== 'slow' && b.kind !== 'error' && b.kind !== 'malformed') {
      const chunks = knowledgeBases.get(req.knowledgeBaseId ?? '');
      if (chunks === undefined) {
        respondError(stream, req, 'ResourceNotFoundException', 404, 'Fake: no such knowledge base');
        return;
      }
      const reply = retrieveReply(chunks, req.body as RetrieveBody);
      if (typeof reply === 'string') respondError(stream, req, 'ValidationException', 400, reply);
      else respond(stream, req, 200, JSON.stringify(reply));
      return;
    }
    if (req.operation === 'InvokeModel' && b.kind !== 'slow' && b.kind !== 'error' && b.kind !== 'malformed') {
      respond(stream, req, 200, JSON.stringify(titanEmbeddingReply(req.body as { inputText?: unknown; dimensions?: unknown })));
      return;
    }
    switch (b.kind) {
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!stream.destroyed && !stream.closed) act(stream, req, b.then ?? DEFAULT_BEHAVIOR);
        }, b.delayMs);
        timers.add(timer);
        stream.on('close', () => {
          clearTimeout(timer);
          timers.delete(timer);
        });
        return;
      }
      case 'error':
        respondError(stream, req, b.type, b.status ?? BEDROCK_ERROR_STATUS[b.type], b.message ?? `Fake ${b.type}`);
        return;
      case 'malformed':
        if (req.operation === 'ConverseStream') {
          respondStream(stream, req, [Buffer.from('not an event-stream message')], {});
          return;
        }
        respond(stream, req, 200, '{"output":{"message":{"role":"assistant","content":[{"text":"trunc');
        return;
      case 'stream':
        if (req.operation === 'ConverseStream') {
          respondStream(stream, req, streamEvents(b), b);
          return;
        }
        respond(stream, req, 200, JSON.stringify(req.operation === 'Converse' ? converseReply(b, req) : applyGuardrailReply(b)));
        return;
      default:
        if (req.operation === 'ConverseStream') {
          respondStream(stream, req, eventsOf(converseReply(b, req)), {});
          return;
        }
        respond(stream, req, 200, JSON.stringify(req.operation === 'Converse' ? converseReply(b, req) : applyGuardrailReply(b)));
    }
  }

  function record(headers: http2.IncomingHttpHeaders, raw: Buffer, session: number): RecordedRequest {
    const method = String(headers[':method'] ?? '');
    const path = String(headers[':path'] ?? '');
    const pathOnly = path.split('?')[0] ?? '';
    const clean: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (name.startsWith(':') || REDACTED_HEADERS.has(name) || value === undefined) continue;
      clean[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    let body: unknown;
    try {
      body = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    const base = { method, path, body, headers: clean, outcome: 'pending' as const, session };
    const invoke = /^\/model\/([^/]+)\/invoke$/.exec(pathOnly);
    if (invoke) {
      return { ...base, operation: 'InvokeModel', modelId: decode(invoke[1]!) };
    }
    const converse = /^\/model\/([^/]+)\/converse(-stream)?$/.exec(pathOnly);
    if (method === 'POST' && converse) {
      return { ...base, operation: converse[2] === undefined ? 'Converse' : 'ConverseStream', modelId: decode(converse[1]!) };
    }
    const retrieve = /^\/knowledgebases\/([^/]+)\/retrieve$/.exec(pathOnly);
    if (method === 'POST' && retrieve) {
      return { ...base, operation: 'Retrieve', knowledgeBaseId: decode(retrieve[1]!) };
    }
    const apply = /^\/guardrail\/([^/]+)\/version\/([^/]+)\/apply$/.exec(pathOnly);
    if (method === 'POST' && apply) {
      return { ...base, operation: 'ApplyGuardrail', guardrailIdentifier: decode(apply[1]!), guardrailVersion: decode(apply[2]!) };
    }
    return { ...base, operation: 'Unknown' };
  }

  function respond(stream: http2.ServerHttp2Stream, req: RecordedRequest, status: number, body: string, extra: Record<string, string> = {}): void {
    if (stream.destroyed || stream.closed || stream.headersSent) return;
    req.outcome = 'responded';
    stream.respond({
      ':status': status,
      'content-type': 'application/json',
      'x-amzn-requestid': randomUUID(),
      ...extra,
    });
    stream.end(body);
  }

  function respondError(stream: http2.ServerHttp2Stream, req: RecordedRequest, type: string, status: number, message: string): void {
    respond(stream, req, status, JSON.stringify({ message }), { 'x-amzn-errortype': type });
  }

  /**
   * Sends `frames` as a ConverseStream response, one HTTP/2 DATA write each, with `chunkDelayMs` between them; a
   * `null` frame resets the stream (cut), `undefined` stops sending and leaves the stream open (hang).
   */
  function respondStream(
    stream: http2.ServerHttp2Stream,
    req: RecordedRequest,
    frames: ReadonlyArray<Buffer | null | undefined>,
    pacing: { readonly chunkDelayMs?: number },
  ): void {
    if (stream.destroyed || stream.closed || stream.headersSent) return;
    req.outcome = 'responded';
    stream.respond({ ':status': 200, 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': randomUUID() });
    let i = 0;
    const next = (): void => {
      if (stream.destroyed || stream.closed) return;
      if (i >= frames.length) {
        stream.end();
        return;
      }
      const frame = frames[i++];
      if (frame === null) {
        stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        return;
      }
      if (frame === undefined) return;
      stream.write(frame);
      const delay = pacing.chunkDelayMs ?? 0;
      if (delay <= 0) {
        setImmediate(next);
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        next();
      }, delay);
      timers.add(timer);
      stream.on('close', () => {
        clearTimeout(timer);
        timers.delete(timer);
      });
    };
    next();
  }

  const port = await listenOnLoopback(server);

  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setBehavior: (b) => {
      behavior = b;
      sequenceCounts = new WeakMap();
    },
    setKnowledgeBase: (id, chunks) => {
      knowledgeBases.set(id, [...chunks]);
    },
    close: () => {
      closed ??= new Promise<void>((resolveClose) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolveClose());
        for (const session of sessions) session.destroy();
      });
      return closed;
    },
  };
}

/** The parts of a Retrieve request body the fake reads. */
interface RetrieveBody {
  readonly retrievalQuery?: { readonly text?: unknown };
  readonly retrievalConfiguration?: { readonly vectorSearchConfiguration?: { readonly numberOfResults?: unknown; readonly filter?: unknown } };
}

/** Whether `metadata` matches a Retrieve filter; a string explains an unsupported or malformed filter. */
export function matchesFilter(filter: unknown, metadata: Readonly<Record<string, string>>): boolean | string {
  if (filter === null || typeof filter !== 'object') return 'Fake: filter must be an object';
  const entries = Object.entries(filter as Record<string, unknown>);
  if (entries.length !== 1) return 'Fake: a filter has exactly one operator';
  const [op, arg] = entries[0]!;
  if (op === 'equals') {
    const { key, value } = (arg ?? {}) as { key?: unknown; value?: unknown };
    if (typeof key !== 'string') return 'Fake: equals needs a key';
    return Object.prototype.hasOwnProperty.call(metadata, key) && metadata[key] === value;
  }
  if (op === 'andAll' || op === 'orAll') {
    if (!Array.isArray(arg) || arg.length < 2) return `Fake: ${op} needs at least two filters`;
    const results = arg.map((f) => matchesFilter(f, metadata));
    const problem = results.find((r) => typeof r === 'string');
    if (problem !== undefined) return problem;
    return op === 'andAll' ? results.every((r) => r === true) : results.some((r) => r === true);
  }
  return `Fake: unsupported filter operator ${op}`;
}

function retrieveReply(chunks: readonly StoredChunk[], body: RetrieveBody): Record<string, unknown> | string {
  const query = body.retrievalQuery?.text;
  if (typeof query !== 'string' || query.length === 0) return 'Fake: retrievalQuery.text is required';
  const search = body.retrievalConfiguration?.vectorSearchConfiguration;
  const n = search?.numberOfResults ?? 5;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 100) return 'Fake: numberOfResults must be 1-100';
  const matching: StoredChunk[] = [];
  for (const chunk of chunks) {
    const match = search?.filter === undefined ? true : matchesFilter(search.filter, chunk.metadata);
    if (typeof match === 'string') return match;
    if (match) matching.push(chunk);
  }
  const words = new Set(query.toLowerCase().split(/\W+/).filter((w) => w.length > 2));
  const scored = matching.map((chunk, i) => {
    const own = new Set(chunk.text.toLowerCase().split(/\W+/));
    const shared = [...words].filter((w) => own.has(w)).length;
    return { chunk, i, score: words.size === 0 ? 0 : shared / words.size };
  });
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  return {
    retrievalResults: scored.slice(0, n).map(({ chunk, i, score }) => ({
      content: { type: 'TEXT', text: chunk.text },
      location: { type: 'S3', s3Location: { uri: chunk.uri } },
      score: Math.round(score * 1000) / 1000,
      metadata: { ...chunk.metadata, 'x-amz-bedrock-kb-source-uri': chunk.uri, 'x-amz-bedrock-kb-chunk-id': `chunk-${i}` },
    })),
  };
}

function decode(label: string): string {
  try {
    return decodeURIComponent(label);
  } catch {
    return label;
  }
}

const USAGE = { inputTokens: 12, outputTokens: 7 };

function converseReply(b: Behavior, req: RecordedRequest): Record<string, unknown> {
  const body = req.body as ConverseRequestBody;
  if (b.kind === 'reply') {
    const usage = tokenUsage(b.inputTokens ?? USAGE.inputTokens, b.outputTokens ?? USAGE.outputTokens);
    return converseResponse(b.text ?? 'Hello from the fake model.', b.stopReason ?? 'end_turn', usage, b.trace);
  }
  if (b.kind === 'toolUse') {
    const input = b.renderInput === undefined ? b.input : b.renderInput(body);
    const toolUse = { toolUse: { toolUseId: b.toolUseId ?? 'tooluse_1', name: b.name, input } };
    return {
      output: { message: { role: 'assistant', content: [...(b.text === undefined ? [] : [{ text: b.text }]), toolUse] } },
      stopReason: 'tool_use',
      usage: tokenUsage(USAGE.inputTokens, USAGE.outputTokens),
      metrics: { latencyMs: 42 },
    };
  }
  if (b.kind === 'stream') {
    const usage = tokenUsage(b.inputTokens ?? USAGE.inputTokens, b.outputTokens ?? USAGE.outputTokens);
    const { usage: _omitted, ...withoutUsage } = converseResponse(b.chunks.join(''), b.stopReason ?? 'end_turn', usage);
    return b.omitUsage === true ? withoutUsage : { ...withoutUsage, usage };
  }
  if (b.kind === 'echo') {
    const text = (b.render ?? echoAll)(body);
    return converseResponse(text, 'end_turn', tokenUsage(USAGE.inputTokens, USAGE.outputTokens));
  }
  if (b.kind === 'guardrailIntervened') {
    const guardrailId = body.guardrailConfig?.guardrailIdentifier ?? 'fake-guardrail';
    const traced = body.guardrailConfig?.trace === 'enabled' || body.guardrailConfig?.trace === 'enabled_full';
    const text = b.text ?? DEFAULT_BLOCKED;
    const detail = b.traceAssessments ?? 'reported';
    const metricsOnly = { [guardrailId]: { invocationMetrics: filterAssessment('NONE').invocationMetrics } };
    if (b.source === 'input') {
      const assessment = b.assessment ?? filterAssessment('PROMPT_ATTACK');
      const assessed = detail === 'omitted' ? {} : { inputAssessment: detail === 'metricsOnly' ? metricsOnly : { [guardrailId]: assessment } };
      const trace = { guardrail: { ...assessed, actionReason: 'Guardrail blocked.' } };
      return converseResponse(text, 'guardrail_intervened', tokenUsage(USAGE.inputTokens, b.outputTokens ?? 0), traced ? trace : undefined);
    }
    const assessment = b.assessment ?? filterAssessment('VIOLENCE');
    const assessed = detail === 'omitted' ? {} : {
      inputAssessment: metricsOnly,
      outputAssessments: detail === 'metricsOnly' ? { [guardrailId]: [metricsOnly[guardrailId]] } : { [guardrailId]: [assessment] },
    };
    const trace = {
      guardrail: {
        modelOutput: [JSON.stringify({ content: [{ text: b.blockedModelOutput ?? 'The blocked model output.' }] })],
        ...assessed,
        actionReason: 'Guardrail blocked.',
      },
    };
    return converseResponse(text, 'guardrail_intervened', tokenUsage(USAGE.inputTokens, b.outputTokens ?? USAGE.outputTokens), traced ? trace : undefined);
  }
  return converseResponse('Hello from the fake model.', 'end_turn', tokenUsage(USAGE.inputTokens, USAGE.outputTokens));
}

function applyGuardrailReply(b: Behavior): Record<string, unknown> {
  const usage = {
    topicPolicyUnits: 1,
    contentPolicyUnits: 1,
    wordPolicyUnits: 1,
    sensitiveInformationPolicyUnits: 1,
    sensitiveInformationPolicyFreeUnits: 0,
    contextualGroundingPolicyUnits: 0,
  };
  if (b.kind === 'applyGuardrail' && b.action === 'GUARDRAIL_INTERVENED') {
    return {
      usage,
      action: 'GUARDRAIL_INTERVENED',
      ...(b.actionReason === undefined ? {} : { actionReason: b.actionReason }),
      outputs: (b.outputs ?? [DEFAULT_BLOCKED]).map((text) => ({ text })),
      assessments: b.assessments ?? [filterAssessment('PROMPT_ATTACK')],
    };
  }
  if (b.kind === 'guardrailIntervened') {
    return {
      usage,
      action: 'GUARDRAIL_INTERVENED',
      outputs: [{ text: b.text ?? DEFAULT_BLOCKED }],
      assessments: [b.assessment ?? filterAssessment('PROMPT_ATTACK')],
    };
  }
  const given = b.kind === 'applyGuardrail' ? b : undefined;
  return {
    usage,
    action: 'NONE',
    ...(given?.actionReason === undefined ? {} : { actionReason: given.actionReason }),
    outputs: (given?.outputs ?? []).map((text) => ({ text })),
    assessments: given?.assessments ?? [],
  };
}

function converseResponse(text: string, stopReason: string, usage: Record<string, number>, trace?: Record<string, unknown>): Record<string, unknown> {
  return {
    output: { message: { role: 'assistant', content: [{ text }] } },
    stopReason,
    usage,
    metrics: { latencyMs: 42 },
    ...(trace === undefined ? {} : { trace }),
  };
}

function tokenUsage(inputTokens: number, outputTokens: number): Record<string, number> {
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}

/** A content-filter assessment that blocked `type` with HIGH confidence. */
export function filterAssessment(type: string): GuardrailAssessment {
  return {
    contentPolicy: { filters: [{ type, confidence: 'HIGH', filterStrength: 'HIGH', action: 'BLOCKED', detected: true }] },
    invocationMetrics: {
      guardrailProcessingLatency: 120,
      usage: { topicPolicyUnits: 0, contentPolicyUnits: 1, wordPolicyUnits: 0, sensitiveInformationPolicyUnits: 0, sensitiveInformationPolicyFreeUnits: 0, contextualGroundingPolicyUnits: 0 },
      guardrailCoverage: { textCharacters: { guarded: 40, total: 40 } },
    },
  };
}

function echoAll(body: ConverseRequestBody): string {
  const parts: string[] = [];
  for (const block of body.system ?? []) if (typeof block.text === 'string') parts.push(block.text);
  for (const message of body.messages ?? []) {
    for (const block of message.content ?? []) if (typeof block.text === 'string') parts.push(block.text);
  }
  return parts.join('\n');
}

type MessageHeaders = Parameters<EventStreamCodec['encode']>[0]['headers'];

const CODEC = new EventStreamCodec(
  (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8'),
  (text: string) => new Uint8Array(Buffer.from(text, 'utf8')),
);

/** One event-stream message: an `event` of `eventType`, or an `exception` of `exceptionType`, with a JSON payload. */
export function eventFrame(kind: { readonly event: string } | { readonly exception: string }, payload: unknown): Buffer {
  const headers: MessageHeaders =
    'event' in kind
      ? { ':message-type': { type: 'string', value: 'event' }, ':event-type': { type: 'string', value: kind.event } }
      : { ':message-type': { type: 'string', value: 'exception' }, ':exception-type': { type: 'string', value: kind.exception } };
  return Buffer.from(
    CODEC.encode({
      headers: { ...headers, ':content-type': { type: 'string', value: 'application/json' } },
      body: new Uint8Array(Buffer.from(JSON.stringify(payload), 'utf8')),
    }),
  );
}

/** The frames of a `stream` behaviour: `null` resets the stream, `undefined` hangs. */
function streamEvents(b: Extract<Behavior, { kind: 'stream' }>): Array<Buffer | null | undefined> {
  const frames: Array<Buffer | null | undefined> = [eventFrame({ event: 'messageStart' }, { role: 'assistant' })];
  for (let i = 0; i <= b.chunks.length; i++) {
    if (b.cutAfter === i) return [...frames, null];
    if (b.hangAfter === i) return [...frames, undefined];
    if (b.exceptionAfter?.chunks === i) {
      return [...frames, eventFrame({ exception: b.exceptionAfter.type }, { message: b.exceptionAfter.message ?? `Fake ${b.exceptionAfter.type}` })];
    }
    if (i < b.chunks.length) frames.push(eventFrame({ event: 'contentBlockDelta' }, { contentBlockIndex: 0, delta: { text: b.chunks[i] } }));
  }
  frames.push(eventFrame({ event: 'contentBlockStop' }, { contentBlockIndex: 0 }));
  frames.push(eventFrame({ event: 'messageStop' }, { stopReason: b.stopReason ?? 'end_turn' }));
  frames.push(
    eventFrame({ event: 'metadata' }, {
      ...(b.omitUsage === true ? {} : { usage: tokenUsage(b.inputTokens ?? USAGE.inputTokens, b.outputTokens ?? USAGE.outputTokens) }),
      metrics: { latencyMs: 42 },
    }),
  );
  return frames;
}

/** A Converse response as ConverseStream events: text in {@link STREAM_CHUNK_CHARS}-character deltas, tool input in two. */
function eventsOf(reply: Record<string, unknown>): Buffer[] {
  const message = (reply.output as { message: { content: Array<Record<string, unknown>> } }).message;
  const frames = [eventFrame({ event: 'messageStart' }, { role: 'assistant' })];
  message.content.forEach((block, index) => {
    if (typeof block.text === 'string') {
      for (let i = 0; i < block.text.length; i += STREAM_CHUNK_CHARS) {
        frames.push(eventFrame({ event: 'contentBlockDelta' }, { contentBlockIndex: index, delta: { text: block.text.slice(i, i + STREAM_CHUNK_CHARS) } }));
      }
    } else if (block.toolUse !== undefined) {
      const toolUse = block.toolUse as { toolUseId: string; name: string; input: unknown };
      frames.push(eventFrame({ event: 'contentBlockStart' }, { contentBlockIndex: index, start: { toolUse: { toolUseId: toolUse.toolUseId, name: toolUse.name } } }));
      const input = JSON.stringify(toolUse.input);
      const half = Math.floor(input.length / 2);
      for (const piece of [input.slice(0, half), input.slice(half)]) {
        frames.push(eventFrame({ event: 'contentBlockDelta' }, { contentBlockIndex: index, delta: { toolUse: { input: piece } } }));
      }
    }
    frames.push(eventFrame({ event: 'contentBlockStop' }, { contentBlockIndex: index }));
  });
  frames.push(eventFrame({ event: 'messageStop' }, { stopReason: reply.stopReason }));
  const metadata: Record<string, unknown> = { usage: reply.usage, metrics: reply.metrics };
  if (reply.trace !== undefined) metadata.trace = reply.trace;
  frames.push(eventFrame({ event: 'metadata' }, metadata));
  return frames;
}
