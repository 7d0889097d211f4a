/**
 * The contract between `SecureKnowledgeBase` (constructs/knowledge-base) and its chunk-screen handler
 * (lambda/chunk-screen): environment variable names, the metric the construct's alarm watches and where screened
 * batches are written. Neither side spells these names on its own.
 *
 * Dependency-free on purpose: the construct library loads (and ships) this file at synthesis.
 *
 * @module
 */

/** Environment variables the construct sets on the chunk-screen function. */
export const CHUNK_SCREEN_ENV = {
  /** CloudWatch namespace of the handler's metrics (read by Powertools Metrics). */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** Service name in logs and metric dimensions (read by Powertools). */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
} as const;

/** The default metrics namespace, when the environment names none. */
export const CHUNK_SCREEN_METRICS_NAMESPACE = 'SecureLlmBlueprint/KnowledgeBase';

/** The service name of the handler in logs and metrics. */
export const CHUNK_SCREEN_SERVICE_NAME = 'chunk-screen';

/** The metric counting chunks withheld from the index (Count, one data point per invocation that withheld any). */
export const SUSPICIOUS_CHUNKS_METRIC = 'SuspiciousChunks';

/**
 * The key prefix, in the intermediate bucket, under which the handler writes the screened batches it returns to
 * Bedrock. Bedrock writes its own input batches elsewhere in the bucket; the prefix keeps the two apart.
 */
export const SCREENED_PREFIX = 'screened/';
