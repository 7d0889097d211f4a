/**
 * Verification of one dataset version of the training-data vault against its manifest, before any customization job
 * may read it. Pure over a {@link DatasetSource} (S3 in the handler, a directory or a loopback S3 in tests).
 *
 * Steps: read and validate the manifest (its SHA-256 is the digest audit records name) → list every object under the
 * version's prefix and compare with the manifest (missing, extra, size) → read every object, recompute its SHA-256 and
 * compare → decode it as UTF-8 and parse every JSONL line as a Bedrock training record ({@link parseRecord}) → screen
 * every record ({@link screenRecord}). The version is verified only when no problem was found; the first problem
 * names the reason. The report carries keys, line numbers, counts, digests and signal ids, never any record text.
 *
 * @module
 */
import {
  DatasetManifest,
  datasetManifestSchema,
  datasetPrefix,
  DATASET_SEGMENT,
  manifestKey,
  sha256Of,
} from '../shared/customization-contract';
import { parseRecord, screenRecord } from './records';

/** Where the dataset's objects and manifest are read from. */
export interface DatasetSource {
  /** Every object under `prefix` with its size (all pages). */
  list(prefix: string): Promise<Array<{ key: string; size: number }>>;
  /** The bytes of one object; `undefined` when there is none. */
  read(key: string): Promise<Uint8Array | undefined>;
}

/** Why a dataset version was refused (or `verified`). */
export type VerificationReason =
  | 'verified'
  | 'invalid-request'
  | 'manifest-missing'
  | 'manifest-invalid'
  | 'object-missing'
  | 'object-extra'
  | 'size-mismatch'
  | 'digest-mismatch'
  | 'training-file-missing'
  | 'object-not-jsonl'
  | 'object-not-utf8'
  | 'record-unparsable'
  | 'record-suspicious';

/** One problem found: where, what, and for suspicious records which signals fired. */
export interface VerificationProblem {
  readonly code: Exclude<VerificationReason, 'verified'>;
  readonly key: string;
  /** 1-based line of the record, for record problems. */
  readonly line?: number;
  /** Signal ids of a suspicious record. */
  readonly signals?: string[];
}

/** The verification result: the workflow's Choice state reads `verified`; the audit log line is the whole report. */
export interface VerificationReport {
  readonly verified: boolean;
  readonly reason: VerificationReason;
  readonly dataset: string;
  readonly version: string;
  /** SHA-256 of the manifest object's bytes (empty when it could not be read). */
  readonly manifestSha256: string;
  /** Full key of the training file (`<prefix>train.jsonl`). */
  readonly trainingKey: string;
  /** Full key of the validation file when the version has one (`<prefix>validation.jsonl`). */
  readonly validationKey?: string;
  readonly objects: number;
  readonly bytes: number;
  readonly records: number;
  readonly suspiciousRecords: number;
  readonly unparsableRecords: number;
  /** Total problems found; {@link problems} holds the first {@link MAX_REPORTED_PROBLEMS}. */
  readonly problemCount: number;
  readonly problems: VerificationProblem[];
}

/** Problems listed in a report (a Step Functions state carries at most 256 KiB). */
export const MAX_REPORTED_PROBLEMS = 50;
/** The file a job trains on, and the optional validation file, within a version. */
export const TRAINING_FILE = 'train.jsonl';
export const VALIDATION_FILE = 'validation.jsonl';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Verifies dataset `dataset` version `version` from `source`. Never throws for bad data (every problem is in the
 * report); rethrows errors of the source itself (S3 unavailable), so the workflow fails rather than decides.
 */
export async function verifyDataset(source: DatasetSource, dataset: string, version: string): Promise<VerificationReport> {
  const prefix = datasetPrefix(dataset, version);
  const problems: VerificationProblem[] = [];
  let problemCount = 0;
  const report = (p: VerificationProblem): void => {
    problemCount++;
    if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(p);
  };
  const totals = { objects: 0, bytes: 0, records: 0, suspiciousRecords: 0, unparsableRecords: 0 };
  let manifestSha256 = '';
  let hasValidation = false;
  const done = (): VerificationReport => ({
    verified: problemCount === 0,
    reason: problems[0]?.code ?? 'verified',
    dataset,
    version,
    manifestSha256,
    trainingKey: prefix + TRAINING_FILE,
    ...(hasValidation ? { validationKey: prefix + VALIDATION_FILE } : {}),
    ...totals,
    problemCount,
    problems,
  });

  if (!DATASET_SEGMENT.test(dataset) || !DATASET_SEGMENT.test(version)) {
    report({ code: 'invalid-request', key: prefix });
    return done();
  }
  const mKey = manifestKey(dataset, version);
  const manifestBytes = await source.read(mKey);
  if (manifestBytes === undefined) {
    report({ code: 'manifest-missing', key: mKey });
    return done();
  }
  manifestSha256 = sha256Of(manifestBytes);
  let manifest: DatasetManifest;
  try {
    const parsed = datasetManifestSchema.safeParse(JSON.parse(utf8.decode(manifestBytes)));
    if (!parsed.success || parsed.data.dataset !== dataset || parsed.data.version !== version) throw new Error('invalid');
    manifest = parsed.data;
  } catch {
    report({ code: 'manifest-invalid', key: mKey });
    return done();
  }

  const listed = new Map((await source.list(prefix)).map((o) => [o.key, o.size]));
  const expected = new Map(manifest.objects.map((o) => [o.key, o]));
  for (const key of [...listed.keys()].sort()) {
    if (!expected.has(key)) report({ code: 'object-extra', key });
  }
  if (!expected.has(prefix + TRAINING_FILE)) report({ code: 'training-file-missing', key: prefix + TRAINING_FILE });
  hasValidation = expected.has(prefix + VALIDATION_FILE);

  for (const entry of manifest.objects) {
    const listedSize = listed.get(entry.key);
    if (listedSize === undefined) {
      report({ code: 'object-missing', key: entry.key });
      continue;
    }
    if (listedSize !== entry.size) {
      report({ code: 'size-mismatch', key: entry.key });
      continue;
    }
    const bytes = await source.read(entry.key);
    if (bytes === undefined) {
      report({ code: 'object-missing', key: entry.key });
      continue;
    }
    totals.objects++;
    totals.bytes += bytes.byteLength;
    if (bytes.byteLength !== entry.size) {
      report({ code: 'size-mismatch', key: entry.key });
      continue;
    }
    if (sha256Of(bytes) !== entry.sha256) {
      report({ code: 'digest-mismatch', key: entry.key });
      continue;
    }
    if (!entry.key.endsWith('.jsonl')) {
      report({ code: 'object-not-jsonl', key: entry.key });
      continue;
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      report({ code: 'object-not-utf8', key: entry.key });
      continue;
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    lines.forEach((raw, i) => {
      totals.records++;
      const record = parseRecord(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
      if (!record.ok) {
        totals.unparsableRecords++;
        report({ code: 'record-unparsable', key: entry.key, line: i + 1 });
        return;
      }
      const signals = screenRecord(record.texts);
      if (signals.length > 0) {
        totals.suspiciousRecords++;
        report({ code: 'record-suspicious', key: entry.key, line: i + 1, signals });
      }
    });
  }
  return done();
}
