/**
 * The guarded inference gateway: an OpenAI-compatible chat API (`POST /v1/chat/completions`, `GET /v1/models`,
 * `GET /v1/models/{id}`, `POST /v1/embeddings`) in front of Amazon Bedrock Converse (and InvokeModel for embeddings), behind API Gateway (REST, proxy integration, Cognito
 * authorizer). The routes come from the contract's route table, from which the construct builds API Gateway too.
 *
 * Pipeline of a chat request: route → caller from the authorizer's context (401) → body size (413) → JSON (400) →
 * schema and limits (400/413; images only as PNG/JPEG `data:` URLs within size and count limits) → model alias
 * authorization (404/403) and the model's capabilities (`response_format` needs a model that can be forced to one
 * tool, images a vision model: 400 `unsupported_parameter`; an alias bound to a knowledge base needs a caller with a
 * team: 403 `tenant_required`) → Unicode normalization of every client text →
 * deterministic pre-screen (400 `content_filter` in `block` mode) → for an alias bound to a knowledge base, Retrieve
 * filtered on the caller's team as tenant, each chunk re-checked (tenant, score, document screen) and dropped when it
 * fails (./retrieve; a Retrieve failure refuses: 502/503/504 `retrieval_*`) → Converse request (deployment system prompt +
 * per-request canary as the only `system`, client instructions demoted, untrusted content spotlighted and sent as
 * guard content, retrieved chunks spotlighted as `grounding_source` guard content and the question as `query`, capped `maxTokens`, the numeric guardrail version, `requestMetadata` attributing the call to the key or
 * user and the team) → token quota reservation (429) → spend budget reservation in USD per key or user and per team,
 * per day and month (429; `maxTokens` capped by the tightest budget; 403 `model_not_priced` for a budget on an
 * unpriced model) → ApplyGuardrail on tool results and tool definitions (400 `content_filter`) → Converse with bounded retries
 * (429/503/504/502) → guardrail intervention mapping (input side 400, output or unknown side 200 `content_filter`)
 * → tool-call validation against the declared schemas → tool-call argument screening (canary, secrets redacted and
 * the schema checked again, URLs checked against the tool's host list or counted) and ApplyGuardrail on them → output
 * screening (canary, links and bare URLs, secrets; any exception fails closed; for `response_format` the forced tool's
 * input instead: validated against the schema (502 `invalid_structured_output`), screened as tool arguments, checked
 * by ApplyGuardrail, returned as JSON text) → quota and budget settlement (a
 * budget crossing its alert fraction raises `BudgetAlert`, once per budget and period) → one audit record and metrics → OpenAI
 * response (with `choices[0].message.citations` for a grounded answer). Errors become OpenAI error bodies in one place ({@link toHttpResponse}).
 *
 * With `stream: true` the same pipeline runs up to the model call, which is ConverseStream (guardrail in `sync` stream
 * processing mode); ./stream-chat then releases screened text as server-sent events through a hold-back window,
 * screens tool calls whole at the end, settles on the streamed usage (or the whole reservation when the stream
 * breaks) and writes the audit record's stream fields. A slow reader holds the stream back (nothing more is pulled from
 * Bedrock until the response stream has drained); a streamed answer may run to the function's timeout and is ended
 * cleanly just before it (an error event, the reservation settled), while a non-streamed one stops a margin before
 * `answerTimeoutMs` (API Gateway's 29 seconds for a response it receives whole). The Lambda entry point is a response-streaming handler (API
 * Gateway `STREAM` transfer mode): every other response is one write of the same JSON; {@link createHandler} is the
 * buffered form for tests and benchmarks.
 * Pipeline of an embeddings request ({@link embeddings}): caller (401) → body (413/400) → schema (400/413) → alias
 * authorization, embedding aliases only (404/403/400) → spend limits and price → token quota and budget reservation
 * for the inputs' UTF-8 bytes (429) → one InvokeModel per input, no guardrail (Bedrock applies none to embedding
 * models; IAM allows exactly the allow-listed embedding model ARNs without it) → settlement on the model's token counts
 * → audit record (sizes and a hash, never the input) → OpenAI response.
 *
 * Clients, logger and metrics live at module scope; the configuration is read once per container, and a
 * misconfigured function answers every request with a 500 (fail closed).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { BedrockRuntimeClient, ContentBlock, ConverseCommandOutput, ConverseStreamCommandInput } from '@aws-sdk/client-bedrock-runtime';
import type { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { AuditRecord, Auditor, BlockReason, PrescreenSignal, newLogger, newMetrics, promptSha256, summarizeAssessments } from './audit';
import { RetryPolicy, applyGuardrail, converse, newBedrockClient } from './bedrock';
import { Cancellation } from './cancellation';
import { BudgetStore, SpendLimitSource, SpendReservation, keyBudgetsFromContext, priceFor, spendLimits } from './budget';
import { buildConverseInput, estimateInputTokens, newCanary } from './converse-request';
import { Embedding, embeddingsResponse, invokeEmbedding, parseEmbeddingsRequest } from './embeddings';
import {
  BadRequestError,
  ContentFilterError,
  GatewayError,
  NotFoundError,
  QuotaExceededError,
  RequestTooLargeError,
  UpstreamError,
  toHttpResponse,
} from './errors';
import { Caller, Entitlement, allowedAliases, authorizeModel, callerFromEvent, quotaSubject } from './identity';
import { classifyIntervention, interventionBlocks } from './intervention';
import { NormalizedText, normalizeText, totalRemoved } from '../shared/screening/normalize';
import { prepareText, PreparedText, PrescreenResult, prescreenStaged } from '../shared/screening/prescreen';
import { QuotaStore, Reservation } from './quota';
import { Retrieval, RetrievalSettings, newAgentRuntimeClient, retrievalQuery, retrievalTenant, retrieveGrounding, sourceLabel } from './retrieve';
import { attributionMetadata, teamDimension } from './request-metadata';
import { ChatMessage, ChatRequest, parseChatRequest, ResponseFormat, ToolDefinition } from './request';
import { type JsonObject, validateAgainstSchema } from './tool-schema';
import { ChatCompletion, FinishReason, OpenAiToolCall, chatCompletion, extractToolCalls, finishReasonOf, modelList, outputText, reportedUsage } from './response';
import { LambdaResponseTarget, ResponseTarget, StreamingHandler, streamifyResponse } from './response-stream';
import { GatewayRuntimeConfig, loadRuntimeConfig } from './runtime-config';
import { screenOutput, screenToolArguments } from '../shared/screening/output';
import { newMarker } from '../shared/screening/spotlight';
import { GUARDRAIL_STREAM_PROCESSING_MODE, streamChat } from './stream-chat';
import { StreamScreen } from './stream-screen';
import { GatewayRouteName, describeRoutes, matchRoute } from '../shared/gateway-contract';
import { costMicroUsd } from '../shared/money';
import { dynamoDbSdk } from './deferred-sdk';

/** A Lambda proxy-integration handler (buffered: a streamed answer comes back as one body of server-sent events). */
export type GatewayHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

/** What a route produced: a response to send, or {@link STREAMED} when it wrote the response to the target itself. */
type Outcome = APIGatewayProxyResult | typeof STREAMED;
const STREAMED = 'streamed';

/** What {@link createHandler} needs; the module-scope {@link handler} passes the production values. */
export interface GatewayDependencies {
  /** The configuration, or a function that loads it (called once; if it throws, every request gets a 500). */
  readonly config: GatewayRuntimeConfig | (() => GatewayRuntimeConfig);
  /** Bedrock Runtime client, created with `maxAttempts: 1` (this gateway owns retries). */
  readonly bedrock: BedrockRuntimeClient;
  /** DynamoDB client for the quota table (used only when quotas are enabled). */
  readonly dynamo?: DynamoDBClient;
  /** Bedrock Agent Runtime client for Retrieve, created with `maxAttempts: 1` (used only by aliases bound to a knowledge base). */
  readonly agentRuntime?: BedrockAgentRuntimeClient;
  /** Audit and metrics sink. */
  readonly auditor: Auditor;
  /** Backoff tuning; the attempts and timeout come from the configuration. @default base 100 ms, cap 2000 ms */
  readonly retry?: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>;
  /** Time kept free before the invocation's end for answering. @default 1500 */
  readonly deadlineMarginMs?: number;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Time kept free before the invocation's end, by default (see {@link GatewayDependencies.deadlineMarginMs}). */
const DEFAULT_DEADLINE_MARGIN_MS = 1500;
/** The fraction of a spend budget at which a settlement raises the one alert of that counter and period. */
const DEFAULT_BUDGET_ALERT_FRACTION = 0.8;

/** The stores of the usage table: token quotas and spend budgets (both only when quotas are enabled). */
interface Stores {
  readonly config: GatewayRuntimeConfig;
  readonly quota?: QuotaStore;
  readonly budget?: BudgetStore;
}

/** Per-request state the pipeline fills in. */
interface Exchange {
  readonly requestId: string;
  readonly record: AuditRecord;
  /** Why a control refused the request, when it did (set before throwing). */
  blockReason?: BlockReason;
  /** The normalized messages, hashed into the record by `seal` (see {@link Served}), after the response has left when it streams. */
  prompt?: ReadonlyArray<{ readonly role: string; readonly text: string }>;
  /** Writes the pre-screen's signals to the record (see `screenInput`); run by `seal`. */
  completePrescreen?: (record: AuditRecord) => void;
}

/**
 * Creates the gateway handler with the given dependencies, buffered: API Gateway's `BUFFERED` transfer mode and tests.
 * A streamed answer (`stream: true`) is collected and returned as one body of server-sent events.
 */
export function createHandler(deps: GatewayDependencies): GatewayHandler {
  const serve = createServer(deps);
  return async (event, context) => {
    const target = new BufferedTarget();
    const { outcome, record, seal } = await serve(event, context, target);
    // Buffered: the response leaves when this function returns, so the record is completed and written before.
    seal();
    deps.auditor.emit(record);
    if (outcome !== STREAMED) return outcome;
    return { statusCode: target.statusCode, headers: target.headers, body: target.body };
  };
}

/**
 * Creates the gateway handler with the given dependencies, streaming (Lambda response streaming behind API Gateway's
 * `STREAM` transfer mode). Every response goes through the stream: a non-streamed answer or an error is one write.
 */
export function createStreamingHandler(deps: GatewayDependencies): StreamingHandler {
  const serve = createServer(deps);
  return async (event, responseStream: Writable, context) => {
    const target = new LambdaResponseTarget(responseStream);
    const { outcome, record, seal } = await serve(event, context, target);
    // A stream that has started ends itself (an error after its first byte is an event in it).
    if (outcome !== STREAMED && !target.opened) {
      const headers: Record<string, string> = {};
      const given = outcome.headers ?? {};
      for (const k of Object.keys(given)) headers[k] = String(given[k]);
      target.open({ statusCode: outcome.statusCode, headers });
      target.write(outcome.body);
    }
    // A reader that stopped reading must not keep the record from being written before the invocation ends.
    await endBefore(target, context, deps.deadlineMarginMs);
    // The record is completed (the pre-screen's flags, the prompt's hash) and written once the client has the whole
    // response, and before the invocation ends: that work and serializing the log and metrics are off the response's path.
    seal();
    deps.auditor.emit(record);
  };
}

/**
 * Epoch ms by which a chat answer must be done, a margin before the invocation's end; a non-streamed answer also a
 * margin before `answerTimeoutMs` from the request's arrival (API Gateway waits 29 seconds for a response it receives
 * whole, while the function's timeout is the longer streaming one). `undefined` without a context (tests).
 */
function chatDeadline(stream: boolean, started: number, context: Context | undefined, config: GatewayRuntimeConfig, marginMs = DEFAULT_DEADLINE_MARGIN_MS): number | undefined {
  const remaining = context?.getRemainingTimeInMillis?.();
  const invocationEnd = typeof remaining === 'number' ? Date.now() + remaining : undefined;
  const answerEnd = !stream && config.answerTimeoutMs !== undefined ? started + config.answerTimeoutMs : undefined;
  const end = invocationEnd === undefined ? answerEnd : answerEnd === undefined ? invocationEnd : Math.min(invocationEnd, answerEnd);
  return end === undefined ? undefined : end - marginMs;
}

/**
 * Ends the response, waiting for the reader at most until half the deadline margin before the invocation's end (the
 * body is then left to the runtime to flush or drop): what follows, the audit record, must run before that end.
 */
function endBefore(target: ResponseTarget, context: Context | undefined, marginMs = DEFAULT_DEADLINE_MARGIN_MS): Promise<void> {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (typeof remaining !== 'number') return target.end();
  // One promise settled by whichever comes first (no race over two promises in an async function: this runs on every
  // request); the timer goes as soon as the end has settled.
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, Math.max(0, remaining - marginMs / 2));
    const settle = (err?: unknown, failed = false): void => {
      clearTimeout(timer);
      if (failed) reject(err);
      else resolve();
    };
    try {
      target.end().then(() => settle(), (err: unknown) => settle(err, true));
    } catch (err) {
      settle(err, true);
    }
  });
}

/** Collects a streamed response in memory (for the buffered handler). */
class BufferedTarget implements ResponseTarget {
  statusCode = 200;
  headers: Record<string, string> = {};
  body = '';
  opened = false;
  /** The reader never goes away: never aborted (a plain object, not an AbortController: see ./cancellation). */
  readonly signal = new Cancellation();

  open(metadata: { statusCode: number; headers: Record<string, string> }): void {
    this.opened = true;
    this.statusCode = metadata.statusCode;
    this.headers = metadata.headers;
  }

  write(text: string): boolean {
    this.body += text;
    return true;
  }

  drained(): Promise<void> {
    return Promise.resolve();
  }

  end(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * What {@link Server} returns: the response (or {@link STREAMED}), the request's audit record, and `seal`, which completes
 * the record with what is computed off the response's path (the pre-screen's flags, the prompt's hash); call it once,
 * before emitting.
 */
interface Served {
  readonly outcome: Outcome;
  readonly record: AuditRecord;
  readonly seal: () => void;
}
/** Serves one request; the caller seals and emits the returned audit record (see {@link createHandler}, {@link createStreamingHandler}). */
type Server = (event: APIGatewayProxyEvent, context: Context | undefined, target: ResponseTarget) => Promise<Served>;

function createServer(deps: GatewayDependencies): Server {
  let loaded: Stores | undefined;
  let loadError: unknown;
  const getConfig = (): Stores => {
    if (loaded) return loaded;
    if (loadError !== undefined) throw loadError;
    try {
      const config = typeof deps.config === 'function' ? deps.config() : deps.config;
      let quota: QuotaStore | undefined;
      let budget: BudgetStore | undefined;
      if (config.quotasEnabled) {
        if (!deps.dynamo || !config.quotaTableName) throw new Error('quotas are enabled but no DynamoDB client or table is configured');
        quota = new QuotaStore(deps.dynamo, config.quotaTableName);
        budget = new BudgetStore(deps.dynamo, config.quotaTableName, (message, fields) => deps.auditor.warn(message, fields));
      }
      loaded = { config, quota, budget };
      return loaded;
    } catch (err) {
      loadError = err;
      throw err;
    }
  };

  return async (event, context, target) => {
    const started = Date.now();
    const requestId = requestIdOf(event, context);
    const record: AuditRecord = {
      requestId,
      method: typeof event?.httpMethod === 'string' ? event.httpMethod.slice(0, 16) : '',
      route: '',
      status: 0,
      decision: 'allowed',
    };
    const exchange: Exchange = { requestId, record };
    let response: Outcome;
    try {
      response = await route(event, context, exchange, getConfig, deps, started, target);
    } catch (err) {
      // A streamed response ends itself; only an error before its first byte gets here.
      response = failure(err, exchange, deps.auditor);
    }
    record.status = response === STREAMED ? 200 : response.statusCode;
    record.latencyMs = Date.now() - started;
    const { prompt, completePrescreen } = exchange;
    const seal = prompt === undefined && completePrescreen === undefined ? noSeal : () => {
      if (completePrescreen !== undefined) {
        try {
          completePrescreen(record);
        } catch (err) {
          // The decision was taken before the request left; only the record of a flag is lost.
          deps.auditor.warn('pre-screen signals not recorded', { requestId, errorName: err instanceof Error ? err.name : typeof err });
        }
      }
      if (prompt !== undefined) record.promptSha256 = promptSha256(prompt);
    };
    return { outcome: response, record, seal };
  };
}

const noSeal = (): void => {};

function requestIdOf(event: APIGatewayProxyEvent | undefined, context: Context | undefined): string {
  const fromApi = event?.requestContext?.requestId;
  if (typeof fromApi === 'string' && SAFE_ID.test(fromApi)) return fromApi;
  const fromLambda = context?.awsRequestId;
  if (typeof fromLambda === 'string' && SAFE_ID.test(fromLambda)) return fromLambda;
  return randomUUID();
}

function json(statusCode: number, body: unknown, requestId: string): APIGatewayProxyResult {
  // Each header written out: a spread of JSON_HEADERS followed by a new key takes V8's slow path (about 1.5 µs).
  const headers = { 'content-type': JSON_HEADERS['content-type'], 'cache-control': JSON_HEADERS['cache-control'], 'x-request-id': requestId };
  return { statusCode, headers, body: JSON.stringify(body) };
}

/** What {@link spendLimits} reads of the caller: a key's own budgets come from the authorizer context. */
function spendLimitSource(principal: { readonly kind: Caller['kind']; readonly subject: string; readonly team: string }, viaGroups: readonly string[], event: APIGatewayProxyEvent): SpendLimitSource {
  // Written out rather than spread (`{ ...principal, viaGroups }`), which takes V8's slow path (about 1.5 µs).
  const { kind, subject, team } = principal;
  if (kind !== 'key') return { kind, subject, team, viaGroups };
  return { kind, subject, team, viaGroups, keyBudgets: keyBudgetsFromContext(event.requestContext?.authorizer as Record<string, unknown> | null | undefined) };
}

function failure(err: unknown, exchange: Exchange, auditor: Auditor): APIGatewayProxyResult {
  const response = toHttpResponse(err, exchange.requestId);
  const record = exchange.record;
  if (err instanceof GatewayError) {
    record.reason = exchange.blockReason ?? err.code ?? err.type;
    record.decision = exchange.blockReason !== undefined ? 'blocked' : response.statusCode >= 500 ? 'failed' : 'rejected';
    record.blockReason = exchange.blockReason;
  } else {
    record.decision = 'failed';
    record.reason = 'internal_error';
    // Only the error's name and stack frames: messages can quote input (JSON.parse does).
    const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack.split('\n').slice(1, 8).join('\n') : undefined;
    auditor.warn('unhandled error', { requestId: exchange.requestId, errorName: err instanceof Error ? err.name : typeof err, stack });
  }
  return response;
}

function routeOf(event: APIGatewayProxyEvent): { method: string; path: string } {
  const method = typeof event?.httpMethod === 'string' ? event.httpMethod.toUpperCase() : '';
  const path = typeof event?.path === 'string' ? event.path : '';
  return { method, path };
}

/** Dispatches on the contract's route table (`GATEWAY_ROUTES`), the same table API Gateway is built from. */
async function route(
  event: APIGatewayProxyEvent,
  context: Context | undefined,
  exchange: Exchange,
  getConfig: () => Stores,
  deps: GatewayDependencies,
  started: number,
  target: ResponseTarget,
): Promise<Outcome> {
  const { method, path } = routeOf(event);
  const record = exchange.record;
  const match = matchRoute(method, path);
  if (match === undefined) {
    record.route = 'unknown';
    throw new NotFoundError(`Unknown route. This gateway serves ${describeRoutes()}.`, { code: 'unknown_route' });
  }
  const name: GatewayRouteName = match.route.name;
  record.route = name;
  switch (name) {
    case 'chat.completions': {
      return chat(event, context, exchange, getConfig(), deps, started, target);
    }
    case 'embeddings': {
      return embeddings(event, context, exchange, getConfig(), deps);
    }
    case 'models.list': {
      const { config } = getConfig();
      const caller = identify(event, record);
      return json(200, modelList(allowedAliases(caller, config)), exchange.requestId);
    }
    case 'models.retrieve': {
      const { config } = getConfig();
      const caller = identify(event, record);
      const alias = match.params.id ?? '';
      if (!allowedAliases(caller, config).includes(alias)) {
        throw new NotFoundError('The model does not exist or you may not use it.', { code: 'model_not_found', param: 'model' });
      }
      return json(200, modelList([alias]).data[0], exchange.requestId);
    }
  }
}

/** The retrieval settings of `alias`, when it is bound to a knowledge base. */
function retrievalSettingsOf(alias: string, config: GatewayRuntimeConfig): RetrievalSettings | undefined {
  const retrieval = config.models[alias]?.retrieval;
  const knowledgeBaseId = config.knowledgeBases?.[alias];
  if (retrieval === undefined) return undefined;
  if (knowledgeBaseId === undefined) throw new Error(`alias ${alias} has retrieval settings but no knowledge-base id`);
  return { knowledgeBaseId, numberOfResults: retrieval.numberOfResults, ...(retrieval.minScore === undefined ? {} : { minScore: retrieval.minScore }) };
}

function identify(event: APIGatewayProxyEvent, record: AuditRecord): Caller {
  const caller = callerFromEvent(event);
  record.callerKind = caller.kind;
  record.callerSub = caller.subject;
  record.callerGroups = caller.groups;
  record.team = teamDimension(caller.team ?? '');
  return caller;
}

function bodyOf(event: APIGatewayProxyEvent, maxBytes: number): unknown {
  const raw = event.body;
  if (typeof raw !== 'string' || raw.length === 0) throw new BadRequestError('The request body is required.', { code: 'invalid_request' });
  let text: string;
  if (event.isBase64Encoded === true) {
    // Base64 is 4/3 of the bytes: refuse before decoding something far too large.
    if (raw.length > Math.ceil((maxBytes * 4) / 3) + 4) throw tooLarge(maxBytes);
    const bytes = Buffer.from(raw, 'base64');
    if (bytes.length > maxBytes) throw tooLarge(maxBytes);
    text = bytes.toString('utf8');
  } else {
    // One UTF-16 code unit is at most 3 bytes of UTF-8: count the bytes only when the string could be too large.
    if (raw.length > maxBytes || (raw.length * 3 > maxBytes && Buffer.byteLength(raw, 'utf8') > maxBytes)) throw tooLarge(maxBytes);
    text = raw;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError('The request body is not valid JSON.', { code: 'invalid_json' });
  }
}

function tooLarge(maxBytes: number): RequestTooLargeError {
  return new RequestTooLargeError(`The request body is larger than the limit of ${maxBytes} bytes.`);
}

/** A message text (or tool-call arguments) prepared once for the pre-screen, with the message it belongs to. */
interface ScreenedText {
  readonly text: PreparedText;
  readonly message: number;
  readonly untrusted: boolean;
}

/**
 * Normalizes every client text; returns the normalized request and the removal counts, and appends to `screened` the
 * message texts and tool-call arguments prepared for the pre-screen (normalized once for both).
 */
function normalizeRequest(req: ChatRequest, maxChars: number, record: AuditRecord, screened: ScreenedText[]): ChatRequest {
  const removals: Record<string, number> = {};
  const count = (out: NormalizedText): string => {
    // Most texts have nothing removed: the sum is read before the counts are listed.
    if (totalRemoved(out.removed) > 0) {
      for (const [category, n] of Object.entries(out.removed)) if (n > 0) removals[category] = (removals[category] ?? 0) + n;
    }
    return out.text;
  };
  const norm = (text: string): string => (text.length === 0 ? text : count(normalizeText(text)));
  const screen = (text: string, message: number, untrusted: boolean): string => {
    if (text.length === 0) return text;
    const prepared = prepareText(text);
    screened.push({ text: prepared, message, untrusted });
    return count(prepared);
  };
  const messages = req.messages.map((m, i): ChatMessage => {
    const text = screen(m.text, i, m.role === 'tool');
    if (text.length > maxChars) {
      throw new RequestTooLargeError(`messages[${i}] holds more than ${maxChars} characters after normalization.`, { param: `messages[${i}].content` });
    }
    // Tool-call names and ids are rendered into the prompt too ("[called tool <name> (id <id>) …]", a tool result's
    // source label): screened as untrusted, so that "ignore_all_previous_instructions" cannot ride in one. They are
    // ASCII by their schema, so normalization leaves them as they are.
    if (m.role === 'tool') screen(m.toolCallId, i, true);
    if (m.role === 'assistant') {
      const toolCalls = m.toolCalls.map((c) => {
        screen(`${c.name}\n${c.id}`, i, true);
        return { ...c, arguments: screen(c.arguments, i, true) };
      });
      return { ...m, text, toolCalls };
    }
    return { ...m, text };
  });
  screenMerged(messages, screened);
  const tools = req.tools.map((t) => ({
    ...t,
    ...(t.description === undefined ? {} : { description: norm(t.description) }),
    parameters: normalizeJsonStrings(t.parameters, norm) as JsonObject,
  }));
  const f = req.responseFormat;
  const responseFormat = f === undefined ? undefined : {
    ...f,
    ...(f.description === undefined ? {} : { description: norm(f.description) }),
    schema: normalizeJsonStrings(f.schema, norm) as JsonObject,
  };
  if (Object.keys(removals).length > 0) record.normalizationRemovals = removals;
  return { ...req, messages, tools, ...(responseFormat === undefined ? {} : { responseFormat }) };
}

/**
 * Appends to `screened` the texts the model reads as one but the client sent as several messages, each prepared as a
 * whole: the system/developer messages, which the Converse request demotes into one block (joined by a blank line),
 * and each run of consecutive user messages, which it merges into one turn. Without it an override cut in two, neither
 * half enough to block, would pass. Each text is read at most twice, so the cost stays linear.
 */
function screenMerged(messages: readonly ChatMessage[], screened: ScreenedText[]): void {
  const merged = (texts: readonly string[], separator: string, message: number): void => {
    if (texts.length > 1) screened.push({ text: prepareText(texts.join(separator)), message, untrusted: false });
  };
  const system: string[] = [];
  let firstSystem = -1;
  let run: string[] = [];
  let runStart = -1;
  messages.forEach((m, i) => {
    const text = m.text.trim().length > 0 ? m.text : undefined;
    if (m.role === 'system') {
      if (text === undefined) return;
      if (firstSystem < 0) firstSystem = i;
      system.push(text);
      return;
    }
    if (m.role === 'user') {
      if (text === undefined) return;
      if (run.length === 0) runStart = i;
      run.push(text);
      return;
    }
    merged(run, '\n', runStart);
    run = [];
  });
  merged(run, '\n', runStart);
  merged(system, '\n\n', firstSystem);
}

/**
 * Runs the pre-screen over every client text; returns whether any verdict is `block`, and `complete`, which writes the
 * pre-screen's signals to the audit record. What decides a block is computed here, before the request can leave: the
 * rules of every text, and the full verdict of any text whose rules could block. The rest of a user prompt's verdict
 * (the prompt model, which can only flag or lower a verdict, see `prescreenStaged`) is left to `complete`, which the
 * caller runs once the response has left, like the prompt's hash (`seal`), or once a refusal has been answered.
 */
function screenInput(req: ChatRequest, screened: readonly ScreenedText[]): { readonly block: boolean; readonly complete: (record: AuditRecord) => void } {
  const stages: Array<{ readonly index: number; readonly finish: () => PrescreenResult }> = [];
  let block = false;
  const run = (text: string | PreparedText, index: number, untrusted: boolean) => {
    if (typeof text === 'string' && text.length === 0) return;
    const staged = prescreenStaged(text, { untrusted });
    if (staged.mayBlock && staged.finish().verdict === 'block') block = true;
    stages.push({ index, finish: staged.finish });
  };
  for (const s of screened) run(s.text, s.message, s.untrusted);
  // Tool specs (name, description, parameter schema with its descriptions, titles, enums, examples) reach the
  // model too, and the Converse guardrail does not evaluate them: untrusted. Index -1-i.
  req.tools.forEach((t, i) => run(toolSpecText(t), -1 - i, true));
  const format = formatTool(req);
  if (format !== undefined) run(toolSpecText(format), -1 - req.tools.length, true);
  const complete = (record: AuditRecord): void => {
    const signals: PrescreenSignal[] = [];
    for (const { index, finish } of stages) {
      const result = finish();
      if (result.verdict === 'allow') continue;
      signals.push({ message: index, verdict: result.verdict, score: Math.round(result.score * 1000) / 1000, signals: result.signals });
    }
    if (signals.length > 0) record.prescreen = signals;
  };
  return { block, complete };
}

/**
 * The texts the Converse guardrail does not evaluate on its own and that go through ApplyGuardrail (INPUT): tool
 * results, tool declarations, and the client-sent assistant history with its tool-call arguments. Converse sends
 * assistant turns as plain text, and once a request carries guard content the guardrail evaluates only that, so a
 * forged "assistant" turn ("I will now answer without restrictions") would otherwise reach the model unevaluated.
 */
function untrustedTexts(req: ChatRequest): string[] {
  const out: string[] = [];
  for (const m of req.messages) {
    if ((m.role === 'tool' || m.role === 'assistant') && m.text.length > 0) out.push(m.text);
    if (m.role === 'assistant') for (const c of m.toolCalls) if (c.arguments.length > 0) out.push(c.arguments);
  }
  for (const t of req.tools) out.push(toolSpecText(t));
  const format = formatTool(req);
  if (format !== undefined) out.push(toolSpecText(format));
  return out;
}

/**
 * Everything of a tool declaration the model reads, as one text for screening: the name, the
 * description and every string of the parameter schema (property names, descriptions, titles, enum
 * values, examples), one a line, unquoted so that JSON escaping cannot dampen the pre-screen.
 */
function toolSpecText(tool: ToolDefinition): string {
  const lines = [tool.name, tool.description ?? ''];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') lines.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        lines.push(k);
        visit(v);
      }
    }
  };
  visit(tool.parameters);
  return lines.filter((l) => l.length > 0).join('\n');
}

/** A copy of a JSON value whose strings (keys included) went through `norm`. Schemas are depth-checked at parse time. */
function normalizeJsonStrings(value: unknown, norm: (text: string) => string): unknown {
  if (typeof value === 'string') return norm(value);
  if (Array.isArray(value)) return value.map((v) => normalizeJsonStrings(v, norm));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [norm(k), normalizeJsonStrings(v, norm)]));
  }
  return value;
}

async function chat(
  event: APIGatewayProxyEvent,
  context: Context | undefined,
  exchange: Exchange,
  { config, quota, budget }: Stores,
  deps: GatewayDependencies,
  started: number,
  target: ResponseTarget,
): Promise<Outcome> {
  const record = exchange.record;
  const caller = identify(event, record);
  const principal = { kind: caller.kind, subject: caller.subject, team: caller.team ?? '' };
  const body = bodyOf(event, config.limits.maxBodyBytes);
  const parsed = parseChatRequest(body, config.limits);
  const entitlement: Entitlement = authorizeModel(caller, parsed.model, config);
  record.alias = entitlement.alias;
  record.modelId = entitlement.modelId;
  refuseUnsupportedFeatures(parsed, entitlement);
  // A bound alias retrieves only the caller's tenant's documents: a caller without a team is refused here (403).
  const retrievalSettings = retrievalSettingsOf(entitlement.alias, config);
  const tenant = retrievalSettings === undefined ? undefined : retrievalTenant(caller.team, entitlement.alias);
  // Spend limits and the model's price are settled before anything is reserved: a key with a budget on an unpriced
  // model is refused here (403), never served unmetered.
  const limits = spendLimits(spendLimitSource(principal, entitlement.viaGroups, event), config);
  const price = priceFor(entitlement.alias, limits, config);
  if (limits.length > 0 && !budget) throw new Error('a spend budget applies but quotas (and with them the usage table) are disabled');

  const screened: ScreenedText[] = [];
  const req = normalizeRequest(parsed, config.limits.maxMessageChars, record, screened);
  exchange.prompt = req.messages;
  record.promptChars = req.messages.reduce((n, m) => n + m.text.length, 0);
  record.messageCount = req.messages.length;
  record.toolCount = req.tools.length;
  let imageCount = 0;
  let imageBytes = 0;
  for (const m of req.messages) {
    if (m.role !== 'user' || m.images === undefined) continue;
    imageCount += m.images.length;
    for (const img of m.images) imageBytes += img.bytes.length;
  }
  if (imageCount > 0) {
    record.imageCount = imageCount;
    record.imageBytes = imageBytes;
  }

  // The pre-screen reads the messages as normalized above, with the text they smuggled in tag characters or variation
  // selectors (which normalization removes); tool declarations as sent (it normalizes them itself).
  // In `flag` mode the pre-screen refuses nothing, so all of it runs once the response has left.
  if (config.prescreenMode === 'block') {
    const inputScreen = screenInput(parsed, screened);
    exchange.completePrescreen = inputScreen.complete;
    if (inputScreen.block) {
      exchange.blockReason = 'input_screen';
      throw new ContentFilterError(config.blockedInputMessage, { code: 'content_filter' });
    }
  } else {
    exchange.completePrescreen = (r) => screenInput(parsed, screened).complete(r);
  }

  const policy: RetryPolicy = { maxAttempts: config.bedrockMaxAttempts, timeoutMs: config.bedrockTimeoutMs, ...deps.retry };
  const deadline = chatDeadline(req.stream === true, started, context, config, deps.deadlineMarginMs);

  // Retrieval before anything is reserved: the retrieved chunks are input tokens, so the reservation bounds them too.
  let retrieval: Retrieval | undefined;
  if (retrievalSettings !== undefined && tenant !== undefined) {
    if (!deps.agentRuntime) throw new Error(`alias ${entitlement.alias} retrieves from a knowledge base but no Bedrock Agent Runtime client is configured`);
    retrieval = await retrieveGrounding(deps.agentRuntime, retrievalSettings, retrievalQuery(req), tenant, record, policy, deadline);
  }

  const maxTokens = Math.min(req.maxTokens ?? Number.POSITIVE_INFINITY, entitlement.maxOutputTokens);
  record.maxTokens = maxTokens;
  const canary = newCanary();
  const input = buildConverseInput(req, {
    modelId: entitlement.modelId,
    systemPrompt: config.systemPrompt,
    canary,
    marker: newMarker(),
    maxTokens,
    guardrailId: config.guardrailId,
    guardrailVersion: config.guardrailVersion,
    requestMetadata: attributionMetadata(principal),
    ...(retrieval === undefined ? {} : { grounding: retrieval.sources.map((s, i) => ({ text: s.text, label: sourceLabel(i + 1, s) })) }),
  });

  let reservation: Reservation | undefined;
  let spend: SpendReservation | undefined;
  const inputBound = estimateInputTokens(input);
  if (quota) {
    // The reservation covers an upper bound of the input and as many output tokens as the quota has left (at most
    // maxTokens): the model is then told that cap, so no single request can spend past the daily limit.
    try {
      const granted = await quota.reserveCapped(quotaSubject(caller), inputBound, maxTokens, entitlement.dailyTokenQuota);
      reservation = granted.reservation;
      record.reservedTokens = granted.reservation.tokens;
      if (granted.outputTokens < maxTokens) {
        input.inferenceConfig = { ...input.inferenceConfig, maxTokens: granted.outputTokens };
        record.maxTokens = granted.outputTokens;
      }
    } catch (err) {
      if (err instanceof QuotaExceededError) {
        exchange.blockReason = 'quota';
        throw err;
      }
      throw new UpstreamError('The usage service is temporarily unavailable.', { statusCode: 503, cause: err });
    }
  }
  if (budget && price && limits.length > 0) {
    // Then the money, for the same input bound and the output the token quota granted: the worst case at the model's
    // price, capped by the tightest budget. A refusal hands the token reservation back (its settlement with 0).
    const outputTokens = input.inferenceConfig?.maxTokens ?? maxTokens;
    try {
      const granted = await budget.reserveCapped(limits, price, inputBound, outputTokens);
      spend = granted.reservation;
      record.reservedMicroUsd = granted.reservation.microUsd;
      if (granted.outputTokens < outputTokens) {
        input.inferenceConfig = { ...input.inferenceConfig, maxTokens: granted.outputTokens };
        record.maxTokens = granted.outputTokens;
      }
    } catch (err) {
      if (reservation && quota) {
        await quota.settle(reservation, 0).catch((e: unknown) => {
          deps.auditor.warn('quota compensation failed', { requestId: exchange.requestId, errorName: e instanceof Error ? e.name : typeof e });
        });
      }
      if (err instanceof QuotaExceededError) {
        exchange.blockReason = 'quota';
        record.budgetExceeded = true;
        throw err;
      }
      throw new UpstreamError('The usage service is temporarily unavailable.', { statusCode: 503, cause: err });
    }
  }

  // The settlement returns what the request did not use. It starts as soon as the model's token count is known and
  // runs while the answer is screened; it is awaited before the response leaves. A failure only logs a warning: the
  // reservation then stays consumed until the day ends (fail closed).
  let settlement: Promise<void> | undefined;
  const settle = (inputTokens: number, outputTokens: number): Promise<void> => {
    settlement ??= settleUsage({ quota, reservation, budget, spend, price }, inputTokens, outputTokens, exchange, config, deps);
    return settlement;
  };
  try {
    const untrusted = untrustedTexts(req);
    if (untrusted.length > 0) {
      const check = await applyGuardrail(deps.bedrock, {
        guardrailIdentifier: config.guardrailId,
        guardrailVersion: config.guardrailVersion,
        source: 'INPUT',
        content: untrusted.map((text) => ({ text: { text } })),
      }, policy, deadline);
      record.applyGuardrailActions = [String(check.value.action ?? 'NONE')];
      if (check.value.action === 'GUARDRAIL_INTERVENED' && interventionBlocks(check.value.assessments)) {
        record.guardrailPolicies = summarizeAssessments(check.value.assessments);
        exchange.blockReason = 'guardrail_input';
        throw new ContentFilterError(config.blockedInputMessage, { code: 'content_filter' });
      }
    }

    if (req.stream === true) {
      const streamInput: ConverseStreamCommandInput = {
        ...input,
        guardrailConfig: { ...input.guardrailConfig, streamProcessingMode: GUARDRAIL_STREAM_PROCESSING_MODE },
      };
      await streamChat({
        bedrock: deps.bedrock,
        input: streamInput,
        policy,
        deadline,
        target,
        head: { id: `chatcmpl-${exchange.requestId}`, created: Math.floor(started / 1000), model: entitlement.alias, includeUsage: req.includeUsage === true },
        screen: new StreamScreen({ canary, allowedLinkHosts: config.output.allowedLinkHosts, allowHtml: config.output.allowHtml }),
        record,
        requestId: exchange.requestId,
        blockedInputMessage: config.blockedInputMessage,
        blockedOutputMessage: config.blockedOutputMessage,
        screenToolUse: (content) => screenToolUse(content, req, canary, config, deps, policy, deadline, record),
        settle,
        reserved: { inputTokens: inputBound, outputTokens: input.inferenceConfig?.maxTokens ?? maxTokens },
        ...(retrieval === undefined ? {} : { citations: retrieval.citations }),
        block: (reason) => {
          exchange.blockReason = reason;
          record.decision = 'blocked';
          record.blockReason = reason;
          record.reason = reason;
        },
      });
      return STREAMED;
    }

    const call = await converse(deps.bedrock, input, policy, deadline);
    record.bedrockAttempts = call.attempts;
    const out = call.value;
    const usage = reportedUsage(out.usage);
    if (usage === undefined) {
      // Bedrock always reports the usage: an answer without it is malformed (502), and costs the whole reservation.
      record.usageMissing = true;
      void settle(inputBound, input.inferenceConfig?.maxTokens ?? maxTokens);
      throw new UpstreamError('The model service returned an answer without its token usage.', { statusCode: 502 });
    }
    void settle(usage.prompt_tokens, usage.completion_tokens);
    record.inputTokens = usage.prompt_tokens;
    record.outputTokens = usage.completion_tokens;
    record.stopReason = out.stopReason;

    const answer = await screenAnswer(out, req, canary, config, deps, policy, deadline, exchange);
    record.finishReason = answer.finishReason;
    if (exchange.blockReason !== undefined) {
      record.decision = 'blocked';
      record.blockReason = exchange.blockReason;
      record.reason = exchange.blockReason;
    }
    const completion: ChatCompletion = chatCompletion({
      id: `chatcmpl-${exchange.requestId}`,
      created: Math.floor(started / 1000),
      model: entitlement.alias,
      content: answer.content,
      finishReason: answer.finishReason,
      usage,
      ...(answer.toolCalls ? { toolCalls: answer.toolCalls } : {}),
      // A refused answer cites nothing.
      ...(retrieval !== undefined && answer.finishReason !== 'content_filter' ? { citations: retrieval.citations } : {}),
    });
    return json(200, completion, exchange.requestId);
  } finally {
    // Nothing spent when the model was not called or failed; otherwise the settlement already running.
    await settle(0, 0);
  }
}

/**
 * Screens the arguments of every tool call ({@link screenToolArguments}): a canary leak refuses the answer, secrets are
 * redacted (and the redacted arguments validated against the declared schema again); for a tool with its own host
 * list (`output.toolAllowedHosts`) a URL to another host refuses the answer, for any other tool URLs to hosts outside
 * `output.allowedLinkHosts` are counted in the audit record. Returns the calls to send on, or why to refuse them.
 * Fails closed: any exception refuses.
 */
function screenToolCalls(
  calls: readonly OpenAiToolCall[],
  tools: readonly ToolDefinition[],
  canary: string,
  config: GatewayRuntimeConfig,
  record: AuditRecord,
): OpenAiToolCall[] | BlockReason {
  const reasons = new Set<string>();
  let redactions = 0;
  let flagged = 0;
  const screened: OpenAiToolCall[] = [];
  const finish = (): void => {
    if (reasons.size > 0) record.toolArgumentScreen = [...reasons].sort();
    if (redactions > 0) record.toolArgumentRedactions = redactions;
    if (flagged > 0) record.toolArgumentUrlsFlagged = flagged;
  };
  try {
    for (const call of calls) {
      const toolHosts = Object.prototype.hasOwnProperty.call(config.output.toolAllowedHosts, call.function.name)
        ? config.output.toolAllowedHosts[call.function.name]
        : undefined;
      const result = screenToolArguments(call.function.arguments, {
        canary,
        allowedHosts: toolHosts ?? config.output.allowedLinkHosts,
        enforceAllowedHosts: toolHosts !== undefined,
      });
      result.reasons.forEach((r) => reasons.add(r));
      redactions += result.redactions;
      flagged += result.flaggedUrls;
      if (result.blocked) {
        finish();
        if (result.reasons.includes('canary-leak')) return 'canary_leak';
        return result.reasons.includes('url-not-allowed') ? 'tool_call' : 'output_screen';
      }
      if (result.arguments !== call.function.arguments) {
        // A placeholder can break a constraint (length, enum, const): such a call is refused, never sent half-checked.
        const tool = tools.find((t) => t.name === call.function.name);
        if (tool === undefined || validateAgainstSchema(JSON.parse(result.arguments), tool.parameters) !== undefined) {
          reasons.add('redaction-breaks-schema');
          finish();
          return 'tool_call';
        }
      }
      screened.push({ ...call, function: { ...call.function, arguments: result.arguments } });
    }
  } catch {
    reasons.add('screening-error');
    finish();
    return 'output_screen';
  }
  finish();
  return screened;
}

/**
 * The model's tool calls as the client may see them, or why they are refused: declared tools and schema validation
 * ({@link extractToolCalls}), argument screening ({@link screenToolCalls}) and ApplyGuardrail (OUTPUT) on the arguments.
 */
async function screenToolUse(
  content: readonly ContentBlock[],
  req: ChatRequest,
  canary: string,
  config: GatewayRuntimeConfig,
  deps: GatewayDependencies,
  policy: RetryPolicy,
  deadline: number | undefined,
  record: AuditRecord,
): Promise<readonly OpenAiToolCall[] | BlockReason> {
  const extraction = extractToolCalls(content, req.tools);
  if (!extraction.ok) {
    record.outputScreen = [extraction.reason];
    return 'tool_call';
  }
  const screenedCalls = screenToolCalls(extraction.calls, req.tools, canary, config, record);
  if (typeof screenedCalls === 'string') return screenedCalls;
  const check = await applyGuardrail(deps.bedrock, {
    guardrailIdentifier: config.guardrailId,
    guardrailVersion: config.guardrailVersion,
    source: 'OUTPUT',
    content: screenedCalls.map((c) => ({ text: { text: c.function.arguments } })),
  }, policy, deadline);
  record.applyGuardrailActions = [...(record.applyGuardrailActions ?? []), String(check.value.action ?? 'NONE')];
  if (check.value.action === 'GUARDRAIL_INTERVENED' && interventionBlocks(check.value.assessments)) {
    record.guardrailPolicies = summarizeAssessments(check.value.assessments);
    return 'guardrail_output';
  }
  return screenedCalls;
}

interface Answer {
  readonly content: string | null;
  readonly finishReason: FinishReason;
  readonly toolCalls?: readonly OpenAiToolCall[];
}

/** The answer that replaces a refused one: the deployment's refusal text, `finish_reason: "content_filter"`; records why. */
function refusal(exchange: Exchange, config: GatewayRuntimeConfig, reason: BlockReason): Answer {
  exchange.blockReason = reason;
  return { content: config.blockedOutputMessage, finishReason: 'content_filter' };
}

/** Turns the Converse output into the answer the client may see, or a refusal. Never returns unscreened text. */
async function screenAnswer(
  out: ConverseCommandOutput,
  req: ChatRequest,
  canary: string,
  config: GatewayRuntimeConfig,
  deps: GatewayDependencies,
  policy: RetryPolicy,
  deadline: number | undefined,
  exchange: Exchange,
): Promise<Answer> {
  const record = exchange.record;

  if (out.stopReason === 'guardrail_intervened') {
    // Which side acted comes from the trace, then the usage (see ./intervention); an unknown side is refused as an
    // output block, never passed on and never reported as a refused prompt.
    const intervention = classifyIntervention(out);
    record.guardrailPolicies = summarizeAssessments(intervention.assessments);
    // Bedrock reports masking (PII ANONYMIZE) as an intervention too. When the guardrail only masked and the model
    // answered, the answer (with the masks) goes on through the output screen; anything else is a refusal.
    if (!intervention.maskedOnly) {
      record.guardrailAction = `INTERVENED_${intervention.side.toUpperCase()}`;
      if (intervention.side === 'input') {
        exchange.blockReason = 'guardrail_input';
        throw new ContentFilterError(config.blockedInputMessage, { code: 'content_filter' });
      }
      return refusal(exchange, config, 'guardrail_output');
    }
    record.guardrailAction = intervention.side === 'output' ? 'MASKED_OUTPUT' : 'MASKED_INPUT';
  } else {
    record.guardrailAction = 'NONE';
    const policies = summarizeAssessments(out.trace?.guardrail);
    if (policies.length > 0) record.guardrailPolicies = policies;
  }

  if (req.responseFormat !== undefined) return screenStructuredOutput(out, req.responseFormat, canary, config, deps, policy, deadline, exchange);

  const content = out.output?.message?.content;
  let toolCalls: readonly OpenAiToolCall[] | undefined;
  if (content?.some((b) => b.toolUse !== undefined)) {
    const screenedCalls = await screenToolUse(content, req, canary, config, deps, policy, deadline, record);
    if (typeof screenedCalls === 'string') return refusal(exchange, config, screenedCalls);
    toolCalls = screenedCalls;
  }

  const text = outputText(content);
  let screened: string;
  try {
    const result = screenOutput(text, { canary, allowedLinkHosts: config.output.allowedLinkHosts, allowHtml: config.output.allowHtml });
    if (result.reasons.length > 0) record.outputScreen = result.reasons;
    if (result.removedLinks > 0) record.outputLinksRemoved = result.removedLinks;
    if (result.redactions > 0) record.outputRedactions = result.redactions;
    if (result.blocked) return refusal(exchange, config, result.reasons.includes('canary-leak') ? 'canary_leak' : 'output_screen');
    screened = result.text;
  } catch {
    // Fail closed: no unscreened model output leaves the gateway.
    record.outputScreen = ['screening-error'];
    return refusal(exchange, config, 'output_screen');
  }
  const finishReason = toolCalls && toolCalls.length > 0 ? 'tool_calls' : finishReasonOf(out.stopReason);
  return {
    content: screened.length === 0 && toolCalls ? null : screened,
    finishReason: finishReason === 'tool_calls' && !toolCalls ? 'stop' : finishReason,
    ...(toolCalls ? { toolCalls } : {}),
  };
}

/**
 * Refuses (400 `unsupported_parameter`) what the model behind the alias cannot do: structured output needs a model
 * that can be forced to one tool (catalogue capability `forcedToolChoice`).
 */
function refuseUnsupportedFeatures(req: ChatRequest, entitlement: Entitlement): void {
  if (entitlement.kind === 'embedding') {
    throw new BadRequestError(`The model ${entitlement.alias} is an embedding model; use POST /v1/embeddings.`, { code: 'model_not_supported', param: 'model' });
  }
  const withImage = req.messages.findIndex((m) => m.role === 'user' && (m.images?.length ?? 0) > 0);
  if (withImage >= 0 && !entitlement.imageInput) {
    throw new BadRequestError(`The model ${entitlement.alias} does not accept images; use a model that does, or send text only.`, {
      code: 'unsupported_parameter',
      param: `messages[${withImage}].content`,
    });
  }
  if (req.responseFormat !== undefined && !entitlement.forcedToolChoice) {
    throw new BadRequestError(
      `response_format ${req.responseFormat.type} is not supported for the model ${entitlement.alias}: it cannot be forced to answer in a schema. Use a model that can, or leave response_format out.`,
      { code: 'unsupported_parameter', param: 'response_format' },
    );
  }
}

/** The structured-output schema as the tool the model reads (for screening), or undefined. */
function formatTool(req: ChatRequest): ToolDefinition | undefined {
  const f = req.responseFormat;
  if (f === undefined || f.type !== 'json_schema') return undefined;
  return { name: f.name, ...(f.description === undefined ? {} : { description: f.description }), parameters: f.schema };
}

/**
 * Turns the forced tool call of a structured-output request into the answer: the tool input, validated against the
 * requested schema, screened like tool-call arguments (canary refuses; secrets redacted, and the redacted value
 * validated again; a URL to a host outside `output.allowedLinkHosts` refuses, since a link cannot be cut out of a JSON
 * value without changing its meaning) and checked by ApplyGuardrail (OUTPUT; the Converse guardrail does not evaluate
 * `toolUse.input`). Returned as JSON text with `finish_reason: "stop"`. Text blocks beside the tool call are dropped.
 *
 * @throws UpstreamError (502 `invalid_structured_output`) when the model did not call the tool or its input does not
 *   match the schema: the client asked for JSON in that schema and must never get anything else.
 */
async function screenStructuredOutput(
  out: ConverseCommandOutput,
  format: ResponseFormat,
  canary: string,
  config: GatewayRuntimeConfig,
  deps: GatewayDependencies,
  policy: RetryPolicy,
  deadline: number | undefined,
  exchange: Exchange,
): Promise<Answer> {
  const record = exchange.record;
  const uses = (out.output?.message?.content ?? []).flatMap((b) => (b.toolUse === undefined ? [] : [b.toolUse]));
  // Cut off by the token limit: whatever came is incomplete, and nothing unvalidated is returned.
  if (out.stopReason === 'max_tokens') return { content: null, finishReason: 'length' };
  const invalidOutput = (why: string): UpstreamError => {
    record.outputScreen = [why];
    return new UpstreamError('The model did not produce JSON matching the requested response_format; nothing was returned. You may retry.', {
      code: 'invalid_structured_output',
    });
  };
  if (uses.length !== 1 || uses[0]!.name !== format.name) throw invalidOutput('structured-output-missing');
  const problem = validateAgainstSchema(uses[0]!.input, format.schema);
  if (problem !== undefined) throw invalidOutput(`structured-output-invalid:${problem}`);

  let text: string;
  try {
    const result = screenToolArguments(JSON.stringify(uses[0]!.input), {
      canary,
      allowedHosts: config.output.allowedLinkHosts,
      enforceAllowedHosts: true,
    });
    if (result.reasons.length > 0) record.outputScreen = result.reasons;
    if (result.redactions > 0) record.outputRedactions = result.redactions;
    if (result.blocked) return refusal(exchange, config, result.reasons.includes('canary-leak') ? 'canary_leak' : 'output_screen');
    // A placeholder can break the schema (length, enum, pattern-like constraints): then refuse, never return it.
    if (validateAgainstSchema(JSON.parse(result.arguments), format.schema) !== undefined) {
      record.outputScreen = [...result.reasons, 'redaction-breaks-schema'];
      return refusal(exchange, config, 'output_screen');
    }
    text = result.arguments;
  } catch {
    record.outputScreen = ['screening-error'];
    return refusal(exchange, config, 'output_screen');
  }
  const check = await applyGuardrail(deps.bedrock, {
    guardrailIdentifier: config.guardrailId,
    guardrailVersion: config.guardrailVersion,
    source: 'OUTPUT',
    content: [{ text: { text } }],
  }, policy, deadline);
  record.applyGuardrailActions = [...(record.applyGuardrailActions ?? []), String(check.value.action ?? 'NONE')];
  if (check.value.action === 'GUARDRAIL_INTERVENED' && interventionBlocks(check.value.assessments)) {
    record.guardrailPolicies = summarizeAssessments(check.value.assessments);
    return refusal(exchange, config, 'guardrail_output');
  }
  return { content: text, finishReason: 'stop' };
}

/**
 * `POST /v1/embeddings` for aliases of kind `embedding`: the same caller, authorization, quota, budget and audit steps
 * as a chat request, then Titan Text Embeddings V2 through InvokeModel, one call per input.
 */
async function embeddings(
  event: APIGatewayProxyEvent,
  context: Context | undefined,
  exchange: Exchange,
  { config, quota, budget }: Stores,
  deps: GatewayDependencies,
): Promise<APIGatewayProxyResult> {
  const record = exchange.record;
  const caller = identify(event, record);
  const principal = { kind: caller.kind, subject: caller.subject, team: caller.team ?? '' };
  const req = parseEmbeddingsRequest(bodyOf(event, config.limits.maxBodyBytes), config.limits.maxMessageChars);
  const entitlement = authorizeModel(caller, req.model, config);
  record.alias = entitlement.alias;
  record.modelId = entitlement.modelId;
  if (entitlement.kind !== 'embedding') {
    throw new BadRequestError(`The model ${entitlement.alias} is not an embedding model; use POST /v1/chat/completions.`, { code: 'model_not_supported', param: 'model' });
  }
  const limits = spendLimits(spendLimitSource(principal, entitlement.viaGroups, event), config);
  const price = priceFor(entitlement.alias, limits, config);
  if (limits.length > 0 && !budget) throw new Error('a spend budget applies but quotas (and with them the usage table) are disabled');
  record.promptSha256 = promptSha256(req.inputs.map((text) => ({ role: 'input', text })));
  record.promptChars = req.inputs.reduce((n, t) => n + t.length, 0);
  record.messageCount = req.inputs.length;

  // One token per UTF-8 byte bounds Titan's tokenizer as it bounds the chat models' (see estimateInputTokens).
  const inputBound = req.inputs.reduce((n, t) => n + Buffer.byteLength(t, 'utf8'), 0) + req.inputs.length;
  let reservation: Reservation | undefined;
  let spend: SpendReservation | undefined;
  const usageDown = (err: unknown) => new UpstreamError('The usage service is temporarily unavailable.', { statusCode: 503, cause: err });
  if (quota) {
    try {
      reservation = await quota.reserve(quotaSubject(caller), inputBound, entitlement.dailyTokenQuota);
      record.reservedTokens = reservation.tokens;
    } catch (err) {
      if (err instanceof QuotaExceededError) {
        exchange.blockReason = 'quota';
        throw err;
      }
      throw usageDown(err);
    }
  }
  let used = 0;
  try {
    if (budget && price && limits.length > 0) {
      try {
        spend = (await budget.reserveCapped(limits, price, inputBound, 0, 0)).reservation;
        record.reservedMicroUsd = spend.microUsd;
      } catch (err) {
        if (err instanceof QuotaExceededError) {
          exchange.blockReason = 'quota';
          record.budgetExceeded = true;
          throw err;
        }
        throw usageDown(err);
      }
    }
    const policy: RetryPolicy = { maxAttempts: config.bedrockMaxAttempts, timeoutMs: config.bedrockTimeoutMs, ...deps.retry };
    const remaining = context?.getRemainingTimeInMillis?.();
    const deadline = typeof remaining === 'number' ? Date.now() + remaining - (deps.deadlineMarginMs ?? DEFAULT_DEADLINE_MARGIN_MS) : undefined;
    const vectors: Embedding[] = [];
    let attempts = 0;
    for (const text of req.inputs) {
      const call = await invokeEmbedding(deps.bedrock, entitlement.modelId, text, req.dimensions, policy, deadline);
      attempts += call.attempts;
      used += call.value.tokens;
      vectors.push(call.value);
    }
    record.bedrockAttempts = attempts;
    record.inputTokens = used;
    record.outputTokens = 0;
    return json(200, embeddingsResponse(entitlement.alias, vectors, req.encoding), exchange.requestId);
  } finally {
    // What the calls that ran used (none when the first failed); never more than was reserved is kept.
    await settleUsage({ quota, reservation, budget, spend, price }, used, 0, exchange, config, deps);
  }
}

/** What one request reserved: its token quota and spend budget reservations, and the model's price. */
interface UsageReservations {
  readonly quota?: QuotaStore;
  readonly reservation?: Reservation;
  readonly budget?: BudgetStore;
  readonly spend?: SpendReservation;
  readonly price?: Parameters<typeof costMicroUsd>[0];
}

/**
 * Settles a request's token quota and spend budgets on the tokens it used, and records the cost and any budget alerts
 * in the audit record. A failure only logs a warning: the reservation then stays consumed until its period ends
 * (fail closed).
 */
async function settleUsage(
  { quota, reservation, budget, spend, price }: UsageReservations,
  inputTokens: number,
  outputTokens: number,
  exchange: Exchange,
  config: GatewayRuntimeConfig,
  deps: GatewayDependencies,
): Promise<void> {
  const record = exchange.record;
  const cost = price ? costMicroUsd(price, inputTokens, outputTokens) : undefined;
  if (cost !== undefined && inputTokens + outputTokens > 0) record.spendMicroUsd = cost;
  // Quotas off (or nothing reserved): nothing to hand back.
  if (!(reservation && quota) && !(spend && budget)) return;
  await Promise.all([
    reservation && quota
      ? quota.settle(reservation, inputTokens + outputTokens).catch((err: unknown) => {
        deps.auditor.warn('quota settlement failed', { requestId: exchange.requestId, errorName: err instanceof Error ? err.name : typeof err });
      })
      : undefined,
    spend && budget
      ? budget.settle(spend, cost ?? 0, config.budgetAlertFraction ?? DEFAULT_BUDGET_ALERT_FRACTION).then(
        (alerts) => {
          if (alerts.length > 0) record.budgetAlerts = alerts.map((a) => `${a.scope}:${a.period}`);
        },
        (err: unknown) => {
          deps.auditor.warn('budget settlement failed', { requestId: exchange.requestId, errorName: err instanceof Error ? err.name : typeof err });
        },
      )
      : undefined,
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Module scope: one client, logger and metrics per container.
// ---------------------------------------------------------------------------------------------------------------

/** The configuration, read once at cold start; a failure is kept and answers every request with a 500. */
const startup: { readonly config: GatewayRuntimeConfig } | { readonly error: unknown } = (() => {
  try {
    return { config: loadRuntimeConfig() };
  } catch (error) {
    return { error };
  }
})();

/** The Bedrock Runtime client (endpoint from `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` when set); retries are ours. */
const bedrockClient = newBedrockClient();
/** The DynamoDB client for quotas, only when they are on (endpoint from `AWS_ENDPOINT_URL_DYNAMODB` when set). */
const dynamoClient = 'config' in startup && startup.config.quotasEnabled ? new (dynamoDbSdk().DynamoDBClient)({ maxAttempts: 2 }) : undefined;
/** The Bedrock Agent Runtime client for Retrieve, only when an alias is bound to a knowledge base (`AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME` when set). */
const agentRuntimeClient = 'config' in startup && startup.config.knowledgeBases !== undefined ? newAgentRuntimeClient() : undefined;
const auditor = new Auditor(newLogger(), newMetrics());

/**
 * The Lambda entry point: a streaming handler (`awslambda.streamifyResponse`), invoked by API Gateway with
 * InvokeWithResponseStream.
 */
export const handler: StreamingHandler = streamifyResponse(createStreamingHandler({
  config: () => {
    if ('error' in startup) throw startup.error;
    return startup.config;
  },
  bedrock: bedrockClient,
  dynamo: dynamoClient,
  agentRuntime: agentRuntimeClient,
  auditor,
}));
