/**
 * `secure-llm-docs`: the reviewer's audited step that releases a quarantined document of a `DocumentIngestion`
 * bucket into the indexed area, where the knowledge base reads it.
 *
 * `release` writes the tenant sidecar (`indexed/<tenant>/<name>.metadata.json`, tenant taken from the quarantine
 * folder, as the screen would), then copies exactly the reviewed version of the quarantined object to
 * `indexed/<tenant>/<name>` and tags it `released-by` and `release-reason`. The quarantined copy stays as evidence.
 * Only roles the stack names as reviewers may write the indexed area (bucket policy); CloudTrail S3 data events
 * record the authenticated principal of each call, and the command prints the version and SHA-256 it released.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, PutObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { INDEXED_PREFIX, METADATA_SUFFIX, QUARANTINE_PREFIX, RELEASE_TAGS, TENANT_ID_PATTERN, metadataSidecar } from '../lambda/shared/ingest-contract';
import { UsageError, parseArgs } from './keys-cli';

/** What the command needs from the outside world. */
export interface DocsCliDeps {
  readonly s3: Pick<S3Client, 'send'>;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export const USAGE = `Usage:
  secure-llm-docs release --bucket <name> --key quarantine/<tenant>/<name> --reviewer <who> --reason "<why it is safe>"
                          [--version-id <id>]
Copies the reviewed (or given) version of a quarantined document to indexed/<tenant>/<name> with its tenant sidecar,
tagged released-by and release-reason. Options (or the environment variable):
  --bucket <name>       SECURE_LLM_DOCS_BUCKET   the stack output DocumentsBucketName
  --region <region>     AWS_REGION
The caller needs the stack output DocumentsReviewerPolicyArn and must be one of gateway.retrieval.reviewerRoleArns.`;

/** S3 tag values: at most 256 characters of letters, digits, spaces and + - = . _ : / @. */
const TAG_VALUE = /^[\p{L}\p{N} +\-=._:/@]{1,256}$/u;

/** Runs one command; resolves with the exit code. */
export async function runDocsCli(argv: readonly string[], deps: DocsCliDeps): Promise<number> {
  try {
    const { positional, options } = parseArgs(argv);
    if (positional[0] !== 'release') throw new UsageError(`unknown command ${JSON.stringify(positional[0] ?? '')}; the only command is release`);
    const bucket = required(options, 'bucket');
    const key = required(options, 'key');
    const reviewer = required(options, 'reviewer');
    const reason = required(options, 'reason');
    for (const [name, value] of [['reviewer', reviewer], ['reason', reason]] as const) {
      if (!TAG_VALUE.test(value)) {
        throw new UsageError(`--${name} must be 1-256 letters, digits, spaces or + - = . _ : / @ (it becomes an S3 tag), got ${JSON.stringify(value)}`);
      }
    }
    const { tenant, rest } = quarantineLocation(key);

    // The exact version reviewed: the one given, else the current one, fetched once to report its hash.
    const got = await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: options['version-id'] }));
    const bytes = got.Body ? await got.Body.transformToByteArray() : new Uint8Array();
    const versionId = got.VersionId ?? options['version-id'];
    const sha256 = createHash('sha256').update(bytes).digest('hex');

    const indexedKey = `${INDEXED_PREFIX}${tenant}/${rest}`;
    await deps.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${indexedKey}${METADATA_SUFFIX}`, Body: metadataSidecar(tenant), ContentType: 'application/json' }));
    const source = `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}${versionId ? `?versionId=${encodeURIComponent(versionId)}` : ''}`;
    await deps.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: indexedKey, CopySource: source }));
    await deps.s3.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: indexedKey,
        Tagging: { TagSet: [{ Key: RELEASE_TAGS.releasedBy, Value: reviewer }, { Key: RELEASE_TAGS.releaseReason, Value: reason }] },
      }),
    );
    deps.out(JSON.stringify({ released: key, to: indexedKey, tenant, versionId: versionId ?? null, sha256, bytes: bytes.length, releasedBy: reviewer }));
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      deps.err(`secure-llm-docs: ${e.message}\n${USAGE}`);
      return 2;
    }
    deps.err(`secure-llm-docs: ${(e as Error).name}: ${(e as Error).message}`);
    return 1;
  }
}

function required(options: Record<string, string>, name: string): string {
  const value = options[name];
  if (value === undefined || value.length === 0) throw new UsageError(`--${name} is required`);
  return value;
}

/** The tenant and name of a quarantined document; the tenant must be a real tenant folder, never `_unassigned`. */
export function quarantineLocation(key: string): { tenant: string; rest: string } {
  const below = key.startsWith(QUARANTINE_PREFIX) ? key.slice(QUARANTINE_PREFIX.length) : undefined;
  const slash = below?.indexOf('/') ?? -1;
  const tenant = below !== undefined && slash > 0 ? below.slice(0, slash) : '';
  const rest = below !== undefined && slash > 0 ? below.slice(slash + 1) : '';
  if (!TENANT_ID_PATTERN.test(tenant) || rest.length === 0) {
    throw new UsageError(
      `--key must be quarantine/<tenant>/<name> with a tenant id (lowercase letters, digits, hyphens), got ${JSON.stringify(key)}; ` +
        'documents under quarantine/_unassigned/ belong to no tenant: upload them again under incoming/<tenant>/',
    );
  }
  if (rest.toLowerCase().endsWith(METADATA_SUFFIX)) {
    throw new UsageError(`--key must not name a ${METADATA_SUFFIX} file (it would replace a document's tenant sidecar), got ${JSON.stringify(key)}`);
  }
  return { tenant, rest };
}
