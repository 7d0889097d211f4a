/**
 * Chunk screen: the custom transformation (POST_CHUNKING) of a `SecureKnowledgeBase` data source, so that content
 * split across the document screen's view or added by Bedrock's parsing is screened once more, chunk by chunk,
 * before anything is embedded.
 *
 * Pipeline, per invocation: Bedrock invokes the function synchronously with `{ bucketName, inputFiles: [{
 * originalFileLocation, fileMetadata, contentBatches: [{ key }] }], knowledgeBaseId, dataSourceId, ingestionJobId }`
 * → the event is parsed at the edge (zod) → each content batch `{ fileContents: [{ contentBody, contentType,
 * contentMetadata }] }` is read from the intermediate bucket → every chunk goes through `screenDocument()` (the
 * untrusted-content pre-screen, the credential detector and hidden-text detection) → clean chunks are written,
 * unchanged and in order, to `screened/<input key>` in the same bucket; suspicious chunks are left out, so they are
 * never embedded nor retrievable → each withheld chunk is recorded in one audit log line (chunk SHA-256, source
 * document, signals; never text) and counted in the `SuspiciousChunks` metric, which the construct alarms on → the
 * function returns `{ outputFiles: [{ originalFileLocation, fileMetadata, contentBatches: [{ key }] }] }`.
 *
 * A batch left with no clean chunk is not returned; a file left with no batch is returned with an empty
 * `contentBatches` list. Bedrock's contract (User Guide, "Use a custom transformation Lambda function", output
 * format) defines `contentBatches` as the list of batches to ingest and states no minimum length nor what an empty
 * list means, so both readings are covered: Bedrock embeds only what is listed (nothing of that file), or it refuses
 * the file and records it as failed in the ingestion job; either way no withheld chunk is embedded, and the audit
 * records and the alarm say why. The file is not left out of `outputFiles` (undocumented too) nor failed by a throw,
 * which would fail every other file of the invocation. Any read, parse or write failure throws: Bedrock then records
 * the documents of this invocation as failed, and nothing unscreened is indexed.
 *
 * Clients, logger and metrics live at module scope; {@link createHandler} takes them as dependencies for tests.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import {
  CHUNK_SCREEN_ENV,
  CHUNK_SCREEN_METRICS_NAMESPACE,
  CHUNK_SCREEN_SERVICE_NAME,
  SCREENED_PREFIX,
  SUSPICIOUS_CHUNKS_METRIC,
} from '../shared/chunk-screen-contract';
import { contentBatchSchema, screenBatch } from './screen-batch';

/** A content batch reference: an object key in the intermediate bucket. */
const batchRefSchema = z.looseObject({ key: z.string().min(1) });

/** One input file of the event. `originalFileLocation` and `fileMetadata` are passed back as they came. */
const inputFileSchema = z.looseObject({
  originalFileLocation: z.unknown(),
  fileMetadata: z.record(z.string(), z.unknown()).optional(),
  contentBatches: z.array(batchRefSchema),
});

/** The custom-transformation event Bedrock sends (fields the screen does not use are accepted and ignored). */
export const transformationEventSchema = z.looseObject({
  version: z.string().optional(),
  knowledgeBaseId: z.string().optional(),
  dataSourceId: z.string().optional(),
  ingestionJobId: z.string().optional(),
  priorTask: z.string().optional(),
  bucketName: z.string().min(1),
  inputFiles: z.array(inputFileSchema),
});

/** The custom-transformation event. */
export type TransformationEvent = z.infer<typeof transformationEventSchema>;

/** One output file of the response. */
export interface OutputFile {
  readonly originalFileLocation: unknown;
  readonly fileMetadata: Record<string, unknown>;
  readonly contentBatches: Array<{ readonly key: string }>;
}

/** The response Bedrock expects from a custom transformation. */
export interface TransformationResponse {
  readonly outputFiles: OutputFile[];
}

/** The invocation's input was not a custom-transformation event or a batch was not a content batch. */
export class InvalidTransformationInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTransformationInputError';
  }
}

/** What the handler needs from the outside world. */
export interface ChunkScreenDependencies {
  readonly s3: S3Client;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  readonly metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;
}

/** The S3 URI of the original document, when the location carries one, for the audit record. */
function sourceUri(location: unknown): string | undefined {
  if (location === null || typeof location !== 'object') return undefined;
  const l = location as Record<string, unknown>;
  const s3 = (l.s3_location ?? l.s3Location) as Record<string, unknown> | undefined;
  const uri = s3?.uri ?? l.uri;
  return typeof uri === 'string' ? uri : undefined;
}

/** The output key of a batch: under {@link SCREENED_PREFIX}, never the input key itself. */
export function screenedKey(inputKey: string): string {
  return `${SCREENED_PREFIX}${inputKey.replace(/^\/+/, '')}`;
}

/** Builds the handler around its dependencies. */
export function createHandler(deps: ChunkScreenDependencies): (event: unknown) => Promise<TransformationResponse> {
  return async (raw: unknown) => {
    const parsed = transformationEventSchema.safeParse(raw);
    if (!parsed.success) {
      throw new InvalidTransformationInputError(`not a Bedrock custom-transformation event: ${z.prettifyError(parsed.error)}`);
    }
    const event = parsed.data;
    let withheldTotal = 0;
    let chunksTotal = 0;
    const outputFiles: OutputFile[] = [];
    for (const file of event.inputFiles) {
      const source = sourceUri(file.originalFileLocation);
      const contentBatches: Array<{ key: string }> = [];
      for (const { key } of file.contentBatches) {
        const object = await deps.s3.send(new GetObjectCommand({ Bucket: event.bucketName, Key: key }));
        const body = object.Body ? await object.Body.transformToString('utf-8') : '';
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          throw new InvalidTransformationInputError(`content batch ${key} is not JSON`);
        }
        const batch = contentBatchSchema.safeParse(json);
        if (!batch.success) {
          throw new InvalidTransformationInputError(`content batch ${key} is not a content batch: ${z.prettifyError(batch.error)}`);
        }
        const { batch: screened, withheld } = screenBatch(batch.data);
        chunksTotal += batch.data.fileContents.length;
        withheldTotal += withheld.length;
        for (const chunk of withheld) {
          deps.logger.warn('chunk withheld from the knowledge base', {
            audit: {
              event: 'kb-chunk-withheld',
              knowledgeBaseId: event.knowledgeBaseId,
              dataSourceId: event.dataSourceId,
              ingestionJobId: event.ingestionJobId,
              sourceDocument: source,
              batchKey: key,
              ...chunk,
            },
          });
        }
        if (screened.fileContents.length === 0) continue;
        const outKey = screenedKey(key);
        await deps.s3.send(
          new PutObjectCommand({ Bucket: event.bucketName, Key: outKey, Body: JSON.stringify(screened), ContentType: 'application/json' }),
        );
        contentBatches.push({ key: outKey });
      }
      outputFiles.push({ originalFileLocation: file.originalFileLocation, fileMetadata: file.fileMetadata ?? {}, contentBatches });
    }
    deps.logger.info('chunks screened', { files: event.inputFiles.length, chunks: chunksTotal, withheld: withheldTotal });
    if (withheldTotal > 0) {
      deps.metrics.addMetric(SUSPICIOUS_CHUNKS_METRIC, MetricUnit.Count, withheldTotal);
      deps.metrics.publishStoredMetrics();
    }
    return { outputFiles };
  };
}

// Module scope: one client, logger and metrics per container.
const metrics = new Metrics({
  namespace: process.env[CHUNK_SCREEN_ENV.metricsNamespace] || CHUNK_SCREEN_METRICS_NAMESPACE,
  serviceName: CHUNK_SCREEN_SERVICE_NAME,
});

/** The Lambda entry point. */
export const handler = createHandler({ s3: new S3Client({}), logger: new Logger({ serviceName: CHUNK_SCREEN_SERVICE_NAME }), metrics });
