/**
 * The document screen of retrieval ingestion. EventBridge delivers an S3 `Object Created` event for every object
 * written under `incoming/` of the document bucket; this function decides, for exactly that object version, whether
 * it may become retrievable.
 *
 * Pipeline of one object: event schema (zod) → key under `incoming/`, else ignored → GetObject of the event's version
 * (gone: it was deleted in `incoming/` or already handled, nothing to do — a redelivered event resurrects nothing) →
 * tenant from the key's folder, which only that tenant's uploaders may write (never from the content; a folder of
 * no configured tenant → quarantine `unknown-tenant`) → reserved name `*.metadata.json` (would replace a sidecar →
 * quarantine `reserved-name`) → size (`too-large`, copied without reading) → format by extension (`unsupported-format`)
 * → strict UTF-8 and extraction (`malformed`) → {@link screenDocument} → ApplyGuardrail (INPUT) when a guardrail is
 * configured and the screen found nothing (`guardrail`) → clean: the tenant sidecar, then the screened bytes
 * themselves (never a later version) to `indexed/<tenant>/<rest>`; suspicious: the bytes to
 * `quarantine/<tenant>/<rest>`, a `DocumentsQuarantined` metric (the construct alarms on it) and a warning → the
 * incoming version is deleted → one audit record (SHA-256, size, tenant, key, signals, verdict; never text).
 *
 * Any failure throws: Lambda retries the asynchronous invocation, then sends the event to the function's dead-letter
 * queue, which the construct alarms on. Nothing is dropped silently: every object ends in `indexed/`, `quarantine/`
 * or a dead-letter queue.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { ApplyGuardrailCommand, BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, GetObjectCommandOutput, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import {
  INCOMING_PREFIX,
  INDEXED_PREFIX,
  INGEST_ENV,
  INGEST_METRICS,
  INGEST_METRICS_NAMESPACE,
  METADATA_SUFFIX,
  QUARANTINE_PREFIX,
  locate,
  metadataSidecar,
} from '../shared/ingest-contract';
import { screenDocument } from '../shared/screening/document';
import { DocumentFormat, MalformedDocumentError, decodeUtf8, extractText, formatOf } from './extract';

/** The parts of an EventBridge S3 `Object Created` event the function reads. */
const ObjectCreatedEvent = z.object({
  'detail-type': z.literal('Object Created'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      'version-id': z.string().min(1).optional(),
    }),
  }),
});

/** The function's settings, from its environment. */
export interface IngestConfig {
  /** The document bucket; events of any other bucket are refused. */
  readonly bucketName: string;
  /** The configured tenant ids. */
  readonly tenants: ReadonlySet<string>;
  /** The largest document screened, in bytes. */
  readonly maxDocumentBytes: number;
  /** Guardrail ARN or id and numeric version for ApplyGuardrail; absent: no guardrail check. */
  readonly guardrail?: { readonly id: string; readonly version: string };
}

/** Reads {@link IngestConfig} from the environment; throws (the function fails closed) when it is incomplete. */
export function configFromEnv(env: Record<string, string | undefined>): IngestConfig {
  const schema = z.object({
    [INGEST_ENV.bucketName]: z.string().min(1),
    [INGEST_ENV.tenants]: z.string().min(1),
    [INGEST_ENV.maxDocumentBytes]: z.coerce.number().int().positive(),
    [INGEST_ENV.guardrailId]: z.string().min(1).optional(),
    [INGEST_ENV.guardrailVersion]: z.string().regex(/^\d+$/).optional(),
  });
  const e = schema.parse(env);
  const id = e[INGEST_ENV.guardrailId];
  const version = e[INGEST_ENV.guardrailVersion];
  if ((id === undefined) !== (version === undefined)) {
    throw new Error(`${INGEST_ENV.guardrailId} and ${INGEST_ENV.guardrailVersion} must be set together`);
  }
  return {
    bucketName: e[INGEST_ENV.bucketName] as string,
    tenants: new Set((e[INGEST_ENV.tenants] as string).split(',')),
    maxDocumentBytes: e[INGEST_ENV.maxDocumentBytes] as number,
    ...(id !== undefined && version !== undefined ? { guardrail: { id, version } } : {}),
  };
}

/** What became of a document. */
export type IngestOutcome = 'indexed' | 'quarantined' | 'gone' | 'ignored';

/** The audit record of one screened document: never any of its text. */
export interface IngestAuditRecord {
  readonly outcome: IngestOutcome;
  /** The incoming key and version. */
  readonly key: string;
  readonly versionId?: string;
  /** Where the document went. */
  readonly destination?: string;
  readonly tenant?: string;
  readonly bytes?: number;
  /** SHA-256 of the object's bytes (absent for `too-large`: not read). */
  readonly sha256?: string;
  readonly format?: DocumentFormat;
  /** Sorted rule ids and reasons (`unsupported-format`, `credential`, `indirect.addressed-to-ai`, …). */
  readonly signals: string[];
  readonly injectionScore?: number;
}

/** What the handler needs from the outside world. */
export interface IngestDependencies {
  readonly s3: S3Client;
  /** Required when `config.guardrail` is set. */
  readonly bedrock?: BedrockRuntimeClient;
  readonly config: IngestConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Characters per ApplyGuardrail request (the guardrail bills and limits by text units of 1,000 characters). */
export const GUARDRAIL_CHUNK_CHARS = 24_000;

/** The content type of an indexed document per format. */
const CONTENT_TYPES: Readonly<Record<DocumentFormat, string>> = {
  text: 'text/plain; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
};

const isNotFound = (err: unknown): boolean => {
  const name = (err as { name?: string }).name;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return name === 'NoSuchKey' || name === 'NoSuchVersion' || name === 'NotFound' || status === 404;
};

/**
 * The key as written: EventBridge may deliver it URL-encoded (`+` for a space), like S3 event notifications. The raw
 * form first, so a key that really contains `%` or `+` is found as it is.
 */
function candidateKeys(raw: string): string[] {
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    // not URL-encoded
  }
  return decoded === raw ? [raw] : [raw, decoded];
}

/** Builds the EventBridge handler around its dependencies. */
export function createHandler(deps: IngestDependencies): (event: unknown) => Promise<IngestAuditRecord> {
  return async (event) => {
    const parsed = ObjectCreatedEvent.parse(event);
    const { bucket, object } = parsed.detail;
    if (bucket.name !== deps.config.bucketName) {
      throw new Error(`event of bucket ${bucket.name}, but this function screens ${deps.config.bucketName} only`);
    }
    const record = await processObject(deps, object.key, object['version-id'], object.size);
    emit(deps, record);
    return record;
  };
}

async function processObject(deps: IngestDependencies, rawKey: string, versionId: string | undefined, size: number | undefined): Promise<IngestAuditRecord> {
  const { s3, config } = deps;
  if (!rawKey.startsWith(INCOMING_PREFIX)) return { outcome: 'ignored', key: rawKey, signals: [] };

  // --- the object, exactly the version of the event ----------------------------------------
  let key = rawKey;
  let got: GetObjectCommandOutput | undefined;
  for (const candidate of candidateKeys(rawKey)) {
    try {
      got = await s3.send(new GetObjectCommand({ Bucket: config.bucketName, Key: candidate, VersionId: versionId }));
      key = candidate;
      break;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  if (got === undefined) return { outcome: 'gone', key: rawKey, versionId, signals: [] };

  const location = locate(key, INCOMING_PREFIX, config.tenants)!;
  const tenant = location.tenant;
  const quarantineKey = `${QUARANTINE_PREFIX}${tenant}/${location.rest}`;
  const bytesLength = got.ContentLength ?? size ?? 0;

  // --- too large: copied unread -------------------------------------------------------------
  if (bytesLength > config.maxDocumentBytes) {
    (got.Body as { destroy?: () => void } | undefined)?.destroy?.();
    const copySource = `${config.bucketName}/${encodeURIComponent(key).replace(/%2F/g, '/')}${versionId ? `?versionId=${encodeURIComponent(versionId)}` : ''}`;
    await s3.send(new CopyObjectCommand({ Bucket: config.bucketName, Key: quarantineKey, CopySource: copySource }));
    await deleteIncoming(deps, key, versionId);
    return { outcome: 'quarantined', key, versionId, destination: quarantineKey, tenant, bytes: bytesLength, signals: ['too-large'] };
  }

  const bytes = got.Body ? await got.Body.transformToByteArray() : new Uint8Array();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const base = { key, versionId, tenant, bytes: bytes.length, sha256 };

  const quarantine = async (signals: string[], extra: Partial<IngestAuditRecord> = {}): Promise<IngestAuditRecord> => {
    await s3.send(new PutObjectCommand({ Bucket: config.bucketName, Key: quarantineKey, Body: bytes, ContentType: 'application/octet-stream' }));
    await deleteIncoming(deps, key, versionId);
    return { ...base, ...extra, outcome: 'quarantined', destination: quarantineKey, signals: [...signals].sort() };
  };

  // --- where it came from, what it is ---------------------------------------------------------
  if (!location.assigned) return quarantine(['unknown-tenant']);
  if (key.toLowerCase().endsWith(METADATA_SUFFIX)) return quarantine(['reserved-name']);
  // Oversize by content as well (the event's size may be absent).
  if (bytes.length > config.maxDocumentBytes) return quarantine(['too-large']);
  const format = formatOf(key);
  if (format === undefined) return quarantine(['unsupported-format']);
  let text: string;
  try {
    text = extractText(format, decodeUtf8(bytes));
  } catch (err) {
    if (err instanceof MalformedDocumentError) return quarantine(['malformed'], { format });
    throw err;
  }

  // --- the screen -------------------------------------------------------------------------------
  const screen = screenDocument(text);
  const signals = [...screen.signals];
  if (screen.verdict === 'clean' && config.guardrail) {
    if (await guardrailIntervenes(deps, text)) signals.push('guardrail');
  }
  if (signals.length > 0) return quarantine(signals, { format, injectionScore: screen.injectionScore });

  // --- clean: sidecar first, so a document is never retrievable without its tenant --------------
  const indexedKey = `${INDEXED_PREFIX}${tenant}/${location.rest}`;
  await s3.send(
    new PutObjectCommand({ Bucket: config.bucketName, Key: `${indexedKey}${METADATA_SUFFIX}`, Body: metadataSidecar(tenant), ContentType: 'application/json' }),
  );
  await s3.send(new PutObjectCommand({ Bucket: config.bucketName, Key: indexedKey, Body: bytes, ContentType: CONTENT_TYPES[format] }));
  await deleteIncoming(deps, key, versionId);
  return { ...base, outcome: 'indexed', destination: indexedKey, format, injectionScore: screen.injectionScore, signals: [] };
}

/** Deletes the screened version itself (not a delete marker), so a redelivered event finds nothing to redo. */
async function deleteIncoming(deps: IngestDependencies, key: string, versionId: string | undefined): Promise<void> {
  await deps.s3.send(new DeleteObjectCommand({ Bucket: deps.config.bucketName, Key: key, VersionId: versionId }));
}

/** Whether the guardrail intervenes on any chunk of the text (source INPUT: personal data, denied topics, words). */
async function guardrailIntervenes(deps: IngestDependencies, text: string): Promise<boolean> {
  const { bedrock, config } = deps;
  if (!bedrock || !config.guardrail) throw new Error('a guardrail is configured but no Bedrock client was given');
  for (let start = 0; start < text.length; start += GUARDRAIL_CHUNK_CHARS) {
    const out = await bedrock.send(
      new ApplyGuardrailCommand({
        guardrailIdentifier: config.guardrail.id,
        guardrailVersion: config.guardrail.version,
        source: 'INPUT',
        content: [{ text: { text: text.slice(start, start + GUARDRAIL_CHUNK_CHARS) } }],
      }),
    );
    if (out.action === 'GUARDRAIL_INTERVENED') return true;
  }
  return false;
}

/** One audit record per object and, for quarantined ones, the metric the construct alarms on. Never throws. */
function emit(deps: IngestDependencies, record: IngestAuditRecord): void {
  try {
    if (record.outcome === 'quarantined') deps.logger.warn('document quarantined', { audit: record });
    else deps.logger.info('document screened', { audit: record });
  } catch {
    // logging must not undo a completed move
  }
  if (record.outcome !== 'indexed' && record.outcome !== 'quarantined') return;
  try {
    deps.metrics.addMetric(record.outcome === 'indexed' ? INGEST_METRICS.indexed : INGEST_METRICS.quarantined, MetricUnit.Count, 1);
    deps.metrics.publishStoredMetrics();
  } catch {
    deps.metrics.clearMetrics();
  }
}

// --- Lambda entry point: clients, logger and metrics at module scope ---------------------------
const SERVICE_NAME = 'secure-llm-ingest-screen';
let lambdaHandler: ((event: unknown) => Promise<IngestAuditRecord>) | undefined;

/** The Lambda handler: builds its dependencies from the environment on first use (fails closed when misconfigured). */
export async function handler(event: unknown): Promise<IngestAuditRecord> {
  if (lambdaHandler === undefined) {
    const config = configFromEnv(process.env);
    lambdaHandler = createHandler({
      config,
      s3: new S3Client({}),
      ...(config.guardrail ? { bedrock: new BedrockRuntimeClient({}) } : {}),
      logger: new Logger({ serviceName: process.env[INGEST_ENV.serviceName] || SERVICE_NAME }),
      metrics: new Metrics({ namespace: process.env[INGEST_ENV.metricsNamespace] || INGEST_METRICS_NAMESPACE, serviceName: SERVICE_NAME }),
    });
  }
  return lambdaHandler(event);
}
