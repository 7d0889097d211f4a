/**
 * The contract between the `DocumentIngestion` construct (constructs/document-ingestion), its screening function
 * (lambda/ingest-screen) and the release command (bin/secure-llm-docs.ts): the bucket's areas, the environment
 * variables the construct sets, tenant ids and the knowledge-base metadata sidecar. No side spells these on its own.
 *
 * Dependency-free on purpose: the construct library loads (and ships) this file at synthesis.
 *
 * @module
 */

/** The area new documents land in, one folder per tenant: `incoming/<tenant>/<name>`. */
export const INCOMING_PREFIX = 'incoming/';
/** The area the knowledge base reads, one folder per tenant: only screened documents and their sidecars. */
export const INDEXED_PREFIX = 'indexed/';
/** The area suspicious documents wait in for a reviewer, one folder per tenant. */
export const QUARANTINE_PREFIX = 'quarantine/';

/**
 * The quarantine folder of objects that are under no configured tenant (`incoming/<unknown>/…`, `incoming/<file>`):
 * a name no tenant id can take ({@link TENANT_ID_PATTERN} has no `_`).
 */
export const UNASSIGNED_TENANT = '_unassigned';

/** Suffix of the Bedrock knowledge-base metadata sidecar: `<document key>.metadata.json` beside the document. */
export const METADATA_SUFFIX = '.metadata.json';

/** The metadata attribute that carries a document's tenant: the gateway's retrieval filter matches on it. */
export const TENANT_ATTRIBUTE = 'tenant';

/** A tenant id: 1 to 63 lowercase letters, digits and inner hyphens, so it is one S3 folder name and one filter value. */
export const TENANT_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The environment variables of the screening function. */
export const INGEST_ENV = {
  /** The document bucket's name. */
  bucketName: 'DOCUMENTS_BUCKET',
  /** The configured tenant ids, comma-separated. */
  tenants: 'DOCUMENT_TENANTS',
  /** The largest document, in bytes, that is screened; larger ones are quarantined as `too-large`. */
  maxDocumentBytes: 'MAX_DOCUMENT_BYTES',
  /** The guardrail ARN or id for ApplyGuardrail; absent: no guardrail check. */
  guardrailId: 'GUARDRAIL_ID',
  /** The guardrail's numeric version. */
  guardrailVersion: 'GUARDRAIL_VERSION',
  /** Powertools service name. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** Powertools metrics namespace (the construct's alarms watch it). */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;

/** The metrics the screening function emits (one per document, value 1), dimensioned by service only. */
export const INGEST_METRICS = {
  /** A document was screened clean and moved to the indexed area. */
  indexed: 'DocumentsIndexed',
  /** A document was moved to quarantine: the construct alarms on any. */
  quarantined: 'DocumentsQuarantined',
} as const;

/** The default metrics namespace of the screening function. */
export const INGEST_METRICS_NAMESPACE = 'SecureLlmBlueprint/Ingestion';

/** The tags the release command puts on a released document. */
export const RELEASE_TAGS = { releasedBy: 'released-by', releaseReason: 'release-reason' } as const;

/** The metadata sidecar of a document of `tenant` (Bedrock knowledge bases: `{"metadataAttributes": {...}}`). */
export function metadataSidecar(tenant: string): string {
  return JSON.stringify({ metadataAttributes: { [TENANT_ATTRIBUTE]: tenant } });
}

/** Where a document sits in the bucket: its area, tenant and the rest of its key. */
export interface DocumentLocation {
  /** The tenant folder, or {@link UNASSIGNED_TENANT} when the key names no configured tenant. */
  readonly tenant: string;
  /** The key below the tenant folder (for an unassigned object: the key below the area). */
  readonly rest: string;
  /** Whether the tenant folder names a configured tenant and the rest is non-empty. */
  readonly assigned: boolean;
}

/**
 * The tenant and the rest of a key under `area` (e.g. `incoming/acme/a/b.md` → `acme`, `a/b.md`). The tenant comes
 * from the folder the object was written to (only that tenant's uploaders may write there), never from the content.
 * Returns undefined when the key is not under `area`.
 */
export function locate(key: string, area: string, tenants: ReadonlySet<string>): DocumentLocation | undefined {
  if (!key.startsWith(area)) return undefined;
  const below = key.slice(area.length);
  const slash = below.indexOf('/');
  const tenant = slash < 0 ? '' : below.slice(0, slash);
  const rest = slash < 0 ? '' : below.slice(slash + 1);
  if (tenants.has(tenant) && rest.length > 0) return { tenant, rest, assigned: true };
  return { tenant: UNASSIGNED_TENANT, rest: below, assigned: false };
}
