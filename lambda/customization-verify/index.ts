/**
 * The verification step of the guarded customization workflow, invoked synchronously by Step Functions.
 *
 * Pipeline: input `{dataset, version}` (zod; anything else is refused as `invalid-request`) → {@link verifyDataset}
 * over the training-data vault in S3 (manifest, listing, every object's SHA-256, every JSONL record parsed and
 * screened) → one audit log line (`customization.verification`: dataset, version, manifest digest, counts, problem
 * codes with keys and line numbers; never any record text) → the report, whose `verified` the workflow's Choice state
 * reads. An S3 failure throws: the task fails and the workflow with it, no job starts.
 *
 * The S3 client, logger and bucket name live at module scope; the bucket comes from the construct's environment.
 *
 * @module
 */
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { ENV_VAULT_BUCKET } from '../shared/customization-contract';
import { DatasetSource, VerificationReport, verifyDataset } from './verify';

const logger = new Logger({ serviceName: 'secure-llm-customization' });
const s3 = new S3Client({});

const inputSchema = z.object({ dataset: z.string().max(64), version: z.string().max(64) });

/** A {@link DatasetSource} over one S3 bucket. */
export function s3DatasetSource(client: S3Client, bucket: string): DatasetSource {
  return {
    async list(prefix) {
      const out: Array<{ key: string; size: number }> = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) out.push({ key: o.Key ?? '', size: o.Size ?? 0 });
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return out;
    },
    async read(key) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return object.Body === undefined ? new Uint8Array() : await object.Body.transformToByteArray();
      } catch (e) {
        if (e instanceof NoSuchKey || (e as { name?: string }).name === 'NoSuchKey') return undefined;
        throw e;
      }
    },
  };
}

/** Verifies the requested dataset version; see the module comment. */
export async function verify(event: unknown, client: S3Client = s3, env: Record<string, string | undefined> = process.env): Promise<VerificationReport> {
  const bucket = env[ENV_VAULT_BUCKET];
  if (!bucket) throw new Error(`${ENV_VAULT_BUCKET} is not set`);
  const input = inputSchema.safeParse(event);
  const source = s3DatasetSource(client, bucket);
  // A malformed request still gets a report (reason invalid-request) rather than an error the workflow would retry.
  const result = input.success ? await verifyDataset(source, input.data.dataset, input.data.version) : await verifyDataset(source, '', '');
  logger.info('customization.verification', {
    verified: result.verified,
    reason: result.reason,
    dataset: result.dataset,
    version: result.version,
    manifestSha256: result.manifestSha256,
    objects: result.objects,
    bytes: result.bytes,
    records: result.records,
    suspiciousRecords: result.suspiciousRecords,
    unparsableRecords: result.unparsableRecords,
    problemCount: result.problemCount,
    problems: result.problems,
  });
  return result;
}

/** The Lambda entry point. */
export const handler = (event: unknown): Promise<VerificationReport> => verify(event);
