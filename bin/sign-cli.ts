/**
 * `secure-llm-sign`: signs the Lambda code a synthesized blueprint would deploy, with AWS Signer, before deployment.
 *
 * 1. Finds in the cloud assembly (`cdk.out`) every staged Lambda asset whose `index.js` is one of the package's
 *    pre-built bundles (same SHA-256 as in `dist/bundles/manifest.json`), with any data file staged beside it (the
 *    gateway's configuration). Synthesis stages them even when signing is enforced and they are not signed yet.
 * 2. Zips each one deterministically (sorted names, fixed timestamps and modes: same files, same bytes) and uploads it
 *    to a versioned S3 bucket under `<prefix>unsigned/<function>/<content SHA-256>.zip`.
 * 3. Runs a Signer `StartSigningJob` with the profile on that object version, waits for it, and records where Signer
 *    wrote the signed zip (bucket, key, object version) with the content digest and the bundle's manifest SHA-256.
 * 4. Writes the signed-artifacts file (merged with the entries already in it) that synthesis reads
 *    (`codeSigning.signedArtifactsFile`).
 *
 * Pure apart from the injected clients, clock-free (polling waits through an injected `sleep`), so tests run it against
 * s3rver and a loopback Signer.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { GetBucketVersioningCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeSigningJobCommand, SignerClient, StartSigningJobCommand } from '@aws-sdk/client-signer';
import { SIGNED_ARTIFACTS_VERSION, SignedArtifact, SignedArtifacts, contentSha256, signedArtifactsSchema } from '../constructs/shared/signed-artifacts';

export const USAGE = `Usage:
  secure-llm-sign --assembly <cdk.out> --bucket <versioned bucket> --profile-name <Signer profile> --out <signed-artifacts.json>
                  [--manifest <dist/bundles/manifest.json>] [--prefix <key prefix>] [--profile-owner <account>] [--region <region>]
Signs every pre-built Lambda bundle staged in the cloud assembly (synthesize first: with codeSigning configured,
synthesis fails on unsigned code but stages it) and writes the file that codeSigning.signedArtifactsFile names.
  --manifest       default: the manifest of the installed package
  --prefix         default: "secure-llm-sign/"`;

/** A usage or input error: the message says what to do instead. */
export class SignUsageError extends Error {}

/** A Signer job that did not succeed. */
export class SigningJobFailedError extends Error {}

/** One function's code, ready to sign. */
export interface SignableBundle {
  /** The bundle name, e.g. "gateway". */
  readonly function: string;
  /** The staged directory. */
  readonly dir: string;
  /** Its files (name relative to `dir`, contents). */
  readonly files: ReadonlyArray<{ readonly name: string; readonly contents: Buffer }>;
  /** `contentSha256` of the files. */
  readonly sourceSha256: string;
  /** SHA-256 of index.js, equal to the manifest's. */
  readonly bundleSha256: string;
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** The function names by bundle SHA-256, from `dist/bundles/manifest.json`. */
export function readManifest(file: string): Map<string, string> {
  let json: { functions?: Record<string, { sha256?: unknown }> };
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof json;
  } catch (e) {
    throw new SignUsageError(`--manifest ${file} cannot be read as JSON (${(e as Error).message}); build the bundles with "npm run build:bundles" or name the manifest`, { cause: e });
  }
  const bySha = new Map<string, string>();
  for (const [name, entry] of Object.entries(json.functions ?? {})) {
    if (typeof entry.sha256 === 'string') {
      bySha.set(entry.sha256, name);
    }
  }
  if (bySha.size === 0) {
    throw new SignUsageError(`--manifest ${file} lists no function bundle with a sha256; it is not dist/bundles/manifest.json`);
  }
  return bySha;
}

/** Every file under `dir`, names relative with "/" separators, in name order. */
function filesOf(dir: string, prefix = ''): Array<{ name: string; contents: Buffer }> {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        return filesOf(full, `${prefix}${e.name}/`);
      }
      return e.isFile() ? [{ name: `${prefix}${e.name}`, contents: fs.readFileSync(full) }] : [];
    });
}

/**
 * The staged assets of the cloud assembly that hold a pre-built bundle (`index.js` listed in the manifest), one per
 * distinct content. Other assets (none in the blueprint) are left alone.
 */
export function signableBundles(assemblyDir: string, bundleBySha: ReadonlyMap<string, string>): SignableBundle[] {
  if (!fs.existsSync(assemblyDir) || !fs.statSync(assemblyDir).isDirectory()) {
    throw new SignUsageError(`--assembly ${assemblyDir} is not a directory; synthesize first ("npx cdk synth"), then name its output directory (cdk.out)`);
  }
  const seen = new Set<string>();
  const bundles: SignableBundle[] = [];
  for (const entry of fs.readdirSync(assemblyDir).sort()) {
    const dir = path.join(assemblyDir, entry);
    const index = path.join(dir, 'index.js');
    if (!entry.startsWith('asset.') || !fs.statSync(dir).isDirectory() || !fs.existsSync(index)) {
      continue;
    }
    const bundleSha256 = sha256(fs.readFileSync(index));
    const fn = bundleBySha.get(bundleSha256);
    if (fn === undefined) {
      continue;
    }
    const files = filesOf(dir);
    const sourceSha256 = contentSha256(files);
    if (!seen.has(sourceSha256)) {
      seen.add(sourceSha256);
      bundles.push({ function: fn, dir, files, sourceSha256, bundleSha256 });
    }
  }
  return bundles;
}

/**
 * A zip archive of the files that depends on nothing but their names and contents: entries in name order, DEFLATE,
 * DOS timestamp 1980-01-01 00:00, Unix mode 0644. Signing the same code twice signs the same bytes.
 */
export function deterministicZip(files: ReadonlyArray<{ readonly name: string; readonly contents: Buffer | string }>): Buffer {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const DOS_TIME = 0;
  const DOS_DATE = (0 << 9) | (1 << 5) | 1;
  for (const f of sorted) {
    const data = Buffer.isBuffer(f.contents) ? f.contents : Buffer.from(f.contents, 'utf8');
    const name = Buffer.from(f.name, 'utf8');
    const packed = zlib.deflateRawSync(data, { level: 9 });
    const crc = zlib.crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, spec 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(sorted.length, 8);
  end.writeUInt16LE(sorted.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** What signing needs. */
export interface SignDeps {
  readonly s3: Pick<S3Client, 'send'>;
  readonly signer: Pick<SignerClient, 'send'>;
  /** Waits between two looks at a running job. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly out: (line: string) => void;
}

/** Where and how to sign. */
export interface SignOptions {
  readonly bucket: string;
  readonly profileName: string;
  readonly profileOwner?: string;
  /** Key prefix of every object written, ending in "/". */
  readonly prefix: string;
  /** Milliseconds between two looks at a running job. */
  readonly pollIntervalMs: number;
  /** Looks at a job before giving up on it. */
  readonly maxPolls: number;
}

/**
 * Signs each bundle and returns the signed-artifacts file: `previous` entries of other contents are kept, so one file
 * serves several configurations of the same functions.
 */
export async function signBundles(
  bundles: readonly SignableBundle[],
  options: SignOptions,
  deps: SignDeps,
  previous?: SignedArtifacts,
): Promise<SignedArtifacts> {
  const versioning = await deps.s3.send(new GetBucketVersioningCommand({ Bucket: options.bucket }));
  if (versioning.Status !== 'Enabled') {
    throw new SignUsageError(
      `--bucket ${options.bucket} must have versioning enabled (Signer signs one object version, and Lambda deploys it by version), got ${versioning.Status ?? 'never enabled'}; ` +
        `run "aws s3api put-bucket-versioning --bucket ${options.bucket} --versioning-configuration Status=Enabled"`,
    );
  }
  const signed: SignedArtifact[] = [];
  for (const bundle of bundles) {
    const key = `${options.prefix}unsigned/${bundle.function}/${bundle.sourceSha256}.zip`;
    const zip = deterministicZip(bundle.files);
    const put = await deps.s3.send(
      new PutObjectCommand({
        Bucket: options.bucket,
        Key: key,
        Body: zip,
        ContentType: 'application/zip',
        Metadata: { 'source-sha256': bundle.sourceSha256, 'bundle-sha256': bundle.bundleSha256 },
      }),
    );
    if (put.VersionId === undefined || put.VersionId === 'null') {
      throw new SignUsageError(`--bucket ${options.bucket} returned no object version for ${key}: enable versioning on it`);
    }
    const started = await deps.signer.send(
      new StartSigningJobCommand({
        source: { s3: { bucketName: options.bucket, key, version: put.VersionId } },
        destination: { s3: { bucketName: options.bucket, prefix: `${options.prefix}signed/${bundle.function}/` } },
        profileName: options.profileName,
        profileOwner: options.profileOwner,
        clientRequestToken: `${bundle.sourceSha256.slice(0, 32)}-${put.VersionId}`.slice(0, 64),
      }),
    );
    const jobId = started.jobId;
    if (jobId === undefined) {
      throw new SigningJobFailedError(`Signer started no job for ${bundle.function} (${key})`);
    }
    deps.out(`${bundle.function}: signing ${key} (version ${put.VersionId}), job ${jobId}`);
    const signedObject = await waitForJob(jobId, options, deps);
    const head = await deps.s3.send(new HeadObjectCommand({ Bucket: signedObject.bucketName, Key: signedObject.key }));
    if (head.VersionId === undefined || head.VersionId === 'null') {
      throw new SignUsageError(`the signed object s3://${signedObject.bucketName}/${signedObject.key} has no version: enable versioning on the bucket`);
    }
    signed.push({
      function: bundle.function,
      sourceSha256: bundle.sourceSha256,
      bundleSha256: bundle.bundleSha256,
      bucket: signedObject.bucketName,
      key: signedObject.key,
      objectVersion: head.VersionId,
      signingJobId: jobId,
    });
    deps.out(`${bundle.function}: signed s3://${signedObject.bucketName}/${signedObject.key} (version ${head.VersionId})`);
  }
  const replaced = new Set(signed.map((a) => `${a.function}\0${a.sourceSha256}`));
  const kept = (previous?.signingProfileName === options.profileName ? previous.artifacts : []).filter((a) => !replaced.has(`${a.function}\0${a.sourceSha256}`));
  return { version: SIGNED_ARTIFACTS_VERSION, signingProfileName: options.profileName, artifacts: [...kept, ...signed] };
}

async function waitForJob(jobId: string, options: SignOptions, deps: SignDeps): Promise<{ bucketName: string; key: string }> {
  for (let poll = 0; poll < options.maxPolls; poll++) {
    const job = await deps.signer.send(new DescribeSigningJobCommand({ jobId }));
    if (job.status === 'Succeeded') {
      const s3 = job.signedObject?.s3;
      if (s3?.bucketName === undefined || s3.key === undefined) {
        throw new SigningJobFailedError(`Signer job ${jobId} succeeded without naming the signed object`);
      }
      return { bucketName: s3.bucketName, key: s3.key };
    }
    if (job.status === 'Failed') {
      throw new SigningJobFailedError(`Signer job ${jobId} failed: ${job.statusReason ?? 'no reason given'}`);
    }
    await deps.sleep(options.pollIntervalMs);
  }
  throw new SigningJobFailedError(`Signer job ${jobId} did not finish after ${options.maxPolls} looks; look at it with "aws signer describe-signing-job --job-id ${jobId}"`);
}

/** Reads the signed-artifacts file at `file` when there is one (to merge into), else `undefined`. */
export function readPrevious(file: string): SignedArtifacts | undefined {
  if (!fs.existsSync(file)) {
    return undefined;
  }
  const parsed = signedArtifactsSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new SignUsageError(`--out ${file} exists but is not a signed-artifacts file; move it away or name another file`);
  }
  return parsed.data;
}

/** Splits `--name value` options; every option takes a value. */
export function parseSignArgs(argv: readonly string[]): Record<string, string> {
  const known = new Set(['assembly', 'bucket', 'profile-name', 'profile-owner', 'out', 'manifest', 'prefix', 'region']);
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const name = flag.replace(/^--/, '');
    const value = argv[i + 1];
    if (!flag.startsWith('--') || !known.has(name)) {
      throw new SignUsageError(`unknown option ${JSON.stringify(flag)}\n${USAGE}`);
    }
    if (value === undefined || value.startsWith('--')) {
      throw new SignUsageError(`${flag} needs a value\n${USAGE}`);
    }
    options[name] = value;
  }
  for (const required of ['assembly', 'bucket', 'profile-name', 'out']) {
    if (options[required] === undefined) {
      throw new SignUsageError(`--${required} is required\n${USAGE}`);
    }
  }
  const prefix = options.prefix ?? 'secure-llm-sign/';
  if (!/^([A-Za-z0-9!_.*'()-]+\/)*$/.test(prefix)) {
    throw new SignUsageError(`--prefix must be S3 key segments each ending in "/", e.g. "secure-llm-sign/", got ${JSON.stringify(prefix)}`);
  }
  return { ...options, prefix };
}
