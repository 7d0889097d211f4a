/**
 * Retrieval for aliases bound to an Amazon Bedrock knowledge base (OWASP LLM08, threat model section 7).
 *
 * Pipeline of one retrieval: the caller's tenant is their `team` from the authorizer's context — never the request
 * body, a header or the prompt; a caller without one is refused (403 `tenant_required`) → the query is the text of the
 * last `user` message → `Retrieve` on the alias's knowledge base with `filter: { equals: { key: 'tenant', value } }`
 * and `numberOfResults`, under the gateway's retry policy; any failure refuses the request (never an ungrounded answer:
 * 502/503/504 `retrieval_*`) → every result is checked again: its `tenant` metadata must equal the caller's (defence in
 * depth against a wrong filter or index), its score must reach `minScore`, and its text must pass
 * `screenDocument` (the ingestion screen, loaded on the first retrieval: injection aimed at the assistant, credentials, hidden text); a result
 * failing any check is dropped and counted in the audit record → the kept chunks become the grounding sources the
 * Converse request carries as spotlighted guard content (`grounding_source`), and the client's citations.
 *
 * The audit record gets the knowledge base, the tenant, the chunk counts, the drop reasons and a SHA-256 prefix per
 * source — never a chunk's text.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type {
  BedrockAgentRuntimeClient,
  BedrockAgentRuntimeClientConfig,
  KnowledgeBaseRetrievalResult,
  RetrieveCommandInput,
  RetrieveCommandOutput,
} from '@aws-sdk/client-bedrock-agent-runtime';
import { TENANT_METADATA_KEY } from '../shared/gateway-contract';
import type { AuditRecord } from './audit';
import { BEDROCK_SESSION_IDLE_MS, type RetryPolicy, callWithRetries } from './bedrock';
import { agentRuntimeSdk, documentScreen } from './deferred-sdk';
import { BadRequestError, GatewayError, PermissionDeniedError, RateLimitedError, UpstreamError, UpstreamTimeoutError } from './errors';
import type { ChatRequest } from './request';

/** Characters of one retrieved chunk that reach the model; the rest is cut (and counted in the audit record). */
export const MAX_CHUNK_CHARS = 8_000;
/** The metadata key Bedrock knowledge bases put the source document's URI under. */
const SOURCE_URI_KEY = 'x-amz-bedrock-kb-source-uri';
/** The metadata key of the chunk's id in the vector store. */
const CHUNK_ID_KEY = 'x-amz-bedrock-kb-chunk-id';

/** An alias's retrieval settings, from the runtime configuration. */
export interface RetrievalSettings {
  readonly knowledgeBaseId: string;
  readonly numberOfResults: number;
  /** @default - every returned chunk */
  readonly minScore?: number;
}

/** A retrieved chunk that passed every check: what the model reads, and what the client may cite. */
export interface GroundingSource {
  /** The chunk's text (at most {@link MAX_CHUNK_CHARS} characters). Goes to the model only, never to the client. */
  readonly text: string;
  /** The source document's URI (`s3://…`), or `unknown`. */
  readonly sourceUri: string;
  /** The location type as Bedrock reports it (`S3`, `WEB`, `CUSTOM`, …). */
  readonly locationType: string;
  /** The chunk's id in the vector store, when reported. */
  readonly chunkId?: string;
  /** The relevance score, when reported. */
  readonly score?: number;
}

/**
 * One citation in a response: `choices[].message.citations` (and, streamed, `choices[].delta.citations` of the chunk
 * carrying `finish_reason`). Carries where the source is, never its text.
 */
export interface Citation {
  /** 1-based; the model sees each source labelled `source <index>` and cites it as `[index]`. */
  readonly index: number;
  /** The source document's URI (`s3://bucket/tenant/handbook.md`), or `unknown`. */
  readonly source: string;
  /** Where in the source: the location type and the chunk's id in the vector store (`null` when not reported). */
  readonly location: { readonly type: string; readonly chunk_id: string | null };
  /** The retrieval relevance score (0-1), or `null`. */
  readonly score: number | null;
}

/** The outcome of {@link retrieveGrounding}. */
export interface Retrieval {
  readonly sources: readonly GroundingSource[];
  readonly citations: readonly Citation[];
}

/**
 * The tenant retrieval is filtered on: the caller's team from the authorizer context, nothing else.
 *
 * @throws PermissionDeniedError (403 `tenant_required`) when the caller has no team
 */
export function retrievalTenant(team: string | undefined, alias: string): string {
  if (team === undefined || team.length === 0) {
    throw new PermissionDeniedError(
      `The model ${alias} answers from a knowledge base, which needs a team to know whose documents you may read; your credentials name none. Ask an administrator to give your user, client or key a team.`,
      { code: 'tenant_required', param: 'model' },
    );
  }
  return team;
}

/**
 * The question retrieval searches for: the text of the last `user` message (already normalized).
 *
 * @throws BadRequestError (400 `retrieval_query_missing`) when no user message has text
 */
export function retrievalQuery(req: ChatRequest): string {
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const m = req.messages[i]!;
    if (m.role === 'user' && m.text.trim().length > 0) return m.text;
  }
  throw new BadRequestError('This model answers from a knowledge base: the request needs a user message with text to search for.', {
    code: 'retrieval_query_missing',
    param: 'messages',
  });
}

/** The Retrieve request: the query, the result count and the tenant filter. Pure. */
export function retrieveInput(settings: RetrievalSettings, query: string, tenant: string): RetrieveCommandInput {
  return {
    knowledgeBaseId: settings.knowledgeBaseId,
    retrievalQuery: { text: query },
    retrievalConfiguration: {
      vectorSearchConfiguration: {
        numberOfResults: settings.numberOfResults,
        filter: { equals: { key: TENANT_METADATA_KEY, value: tenant } },
      },
    },
  };
}

/**
 * Maps a failed retrieval to the caller's error: the answer is refused rather than given without its sources.
 * Upstream messages are never copied.
 */
export function retrievalError(err: GatewayError): GatewayError {
  if (err instanceof UpstreamTimeoutError) {
    return new UpstreamTimeoutError('The knowledge base did not answer in time; no answer was given without it.', { code: 'retrieval_timeout', cause: err });
  }
  if (err instanceof RateLimitedError || (err instanceof UpstreamError && err.statusCode === 503)) {
    return new UpstreamError('The knowledge base is temporarily unavailable; no answer was given without it.', {
      statusCode: 503,
      code: 'retrieval_unavailable',
      cause: err,
    });
  }
  return new UpstreamError('The knowledge base failed to answer; no answer was given without it.', { code: 'retrieval_failed', cause: err });
}

/**
 * Retrieves the grounding sources of one request and records the retrieval in `record`. Fails closed.
 *
 * @throws GatewayError 502/503/504 `retrieval_*` when Retrieve fails (after the policy's retries)
 */
export async function retrieveGrounding(
  client: BedrockAgentRuntimeClient,
  settings: RetrievalSettings,
  query: string,
  tenant: string,
  record: AuditRecord,
  policy: RetryPolicy,
  deadline?: number,
): Promise<Retrieval> {
  let output: RetrieveCommandOutput;
  try {
    const call = await callWithRetries(
      (signal) => client.send(new (agentRuntimeSdk().RetrieveCommand)(retrieveInput(settings, query, tenant)), { abortSignal: signal }),
      policy,
      deadline,
    );
    output = call.value;
  } catch (err) {
    record.retrieval = { knowledgeBaseId: settings.knowledgeBaseId, tenant, retrieved: 0, used: 0, failed: true };
    throw retrievalError(err instanceof GatewayError ? err : new UpstreamError(undefined, { cause: err }));
  }
  const results = output.retrievalResults ?? [];
  const selection = selectSources(results, tenant, settings.minScore);
  record.retrieval = {
    knowledgeBaseId: settings.knowledgeBaseId,
    tenant,
    retrieved: results.length,
    used: selection.sources.length,
    ...(Object.keys(selection.dropped).length > 0 ? { dropped: selection.dropped } : {}),
    ...(selection.truncated > 0 ? { truncated: selection.truncated } : {}),
    sources: selection.sources.map((s) => sourceHash(s)),
  };
  return { sources: selection.sources, citations: citationsOf(selection.sources) };
}

/** What {@link selectSources} kept and why it dropped the rest (reason → count). */
export interface SourceSelection {
  readonly sources: GroundingSource[];
  readonly dropped: Record<string, number>;
  /** Chunks cut to {@link MAX_CHUNK_CHARS}. */
  readonly truncated: number;
}

/**
 * Keeps the results that belong to `tenant`, reach `minScore`, have text, and pass `screenDocument`. Pure.
 * Drop reasons: `tenant-mismatch`, `below-min-score`, `empty`, and `screen:<signal>` per screen signal.
 */
export function selectSources(results: readonly KnowledgeBaseRetrievalResult[], tenant: string, minScore?: number): SourceSelection {
  const sources: GroundingSource[] = [];
  const dropped: Record<string, number> = {};
  const drop = (reason: string): void => {
    dropped[reason] = (dropped[reason] ?? 0) + 1;
  };
  let truncated = 0;
  const { screenDocument } = documentScreen();
  for (const r of results) {
    const metadata = (r.metadata ?? {}) as Record<string, unknown>;
    if (metadata[TENANT_METADATA_KEY] !== tenant) {
      drop('tenant-mismatch');
      continue;
    }
    if (minScore !== undefined && !(typeof r.score === 'number' && r.score >= minScore)) {
      drop('below-min-score');
      continue;
    }
    const full = typeof r.content?.text === 'string' ? r.content.text : '';
    if (full.trim().length === 0) {
      drop('empty');
      continue;
    }
    const text = full.length > MAX_CHUNK_CHARS ? full.slice(0, MAX_CHUNK_CHARS) : full;
    if (text !== full) truncated++;
    // The whole chunk is screened, not only the part the model reads: a verdict never depends on where it is cut.
    const screen = screenDocument(full);
    if (screen.verdict !== 'clean') {
      for (const s of screen.signals) drop(`screen:${s}`);
      continue;
    }
    const chunkId = typeof metadata[CHUNK_ID_KEY] === 'string' ? (metadata[CHUNK_ID_KEY] as string) : undefined;
    sources.push({
      text,
      sourceUri: sourceUriOf(r, metadata),
      locationType: typeof r.location?.type === 'string' ? r.location.type : 'unknown',
      ...(chunkId === undefined ? {} : { chunkId }),
      ...(typeof r.score === 'number' ? { score: r.score } : {}),
    });
  }
  return { sources, dropped, truncated };
}

/** The citations of `sources`, numbered as the model sees them. Pure. */
export function citationsOf(sources: readonly GroundingSource[]): Citation[] {
  return sources.map((s, i) => ({
    index: i + 1,
    source: s.sourceUri,
    location: { type: s.locationType, chunk_id: s.chunkId ?? null },
    score: s.score ?? null,
  }));
}

/** The label of a source in its spotlight block: `source <n>: <uri>`; the model cites it as `[n]`. */
export function sourceLabel(index: number, source: GroundingSource): string {
  return `source ${index}: ${source.sourceUri}`;
}

function sourceUriOf(r: KnowledgeBaseRetrievalResult, metadata: Record<string, unknown>): string {
  const l = r.location;
  const uri =
    l?.s3Location?.uri ??
    l?.webLocation?.url ??
    l?.confluenceLocation?.url ??
    l?.salesforceLocation?.url ??
    l?.sharePointLocation?.url ??
    l?.customDocumentLocation?.id ??
    (typeof metadata[SOURCE_URI_KEY] === 'string' ? (metadata[SOURCE_URI_KEY] as string) : undefined);
  return typeof uri === 'string' && uri.length > 0 ? uri.slice(0, 1024) : 'unknown';
}

/** A 16-hex-digit SHA-256 prefix of a source and chunk: enough to match audit records, without naming the document. */
function sourceHash(s: GroundingSource): string {
  return createHash('sha256').update(`${s.sourceUri}\n${s.chunkId ?? ''}`, 'utf8').digest('hex').slice(0, 16);
}

/**
 * A Bedrock Agent Runtime client for Retrieve, created once per container: `maxAttempts: 1` (the gateway retries), one
 * reused HTTP/2 session as `newBedrockClient` (endpoint from `AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME` when set).
 *
 * @param config - extra client configuration (tests: endpoint, region, credentials)
 */
export function newAgentRuntimeClient(config: BedrockAgentRuntimeClientConfig = {}): BedrockAgentRuntimeClient {
  return new (agentRuntimeSdk().BedrockAgentRuntimeClient)({
    maxAttempts: 1,
    requestHandler: { disableConcurrentStreams: false, sessionTimeout: BEDROCK_SESSION_IDLE_MS },
    ...config,
  });
}
