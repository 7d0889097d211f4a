import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SignerClient } from '@aws-sdk/client-signer';
import { SignUsageError, SigningJobFailedError, deterministicZip, parseSignArgs, readManifest, signBundles, signableBundles } from '../../bin/sign-cli';
import { SignedArtifacts, contentSha256, signedArtifactsSchema } from '../../constructs/shared/signed-artifacts';
import { FAKE_SIGNATURE, FakeSigner, VersioningS3, startFakeSigner, startVersioningS3, versionOf } from '../helpers/signer-server';

const BUCKET = 'signing-bucket';
const ROOT = path.join(__dirname, '..', '..');
const MANIFEST = path.join(ROOT, 'dist', 'bundles', 'manifest.json');
const CLI = path.join(ROOT, 'dist', 'cli', 'secure-llm-sign.js');
const GATEWAY_CONFIG = JSON.stringify({ models: { 'nova-lite': 'amazon.nova-lite-v1:0' } });

/** The entries of a zip archive, read from its local headers (name, inflated contents). */
function unzip(zip: Buffer): Array<{ name: string; contents: Buffer; mode: number }> {
  const entries: Array<{ name: string; contents: Buffer; mode: number }> = [];
  const endOffset = zip.length - 22;
  const count = zip.readUInt16LE(endOffset + 10);
  let central = zip.readUInt32LE(endOffset + 16);
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(central + 28);
    const mode = zip.readUInt32LE(central + 38) >>> 16;
    const local = zip.readUInt32LE(central + 42);
    const packed = zip.readUInt32LE(central + 20);
    const name = zip.subarray(central + 46, central + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const contents = zlib.inflateRawSync(zip.subarray(dataStart, dataStart + packed));
    expect(zlib.crc32(contents) >>> 0).toBe(zip.readUInt32LE(central + 16));
    entries.push({ name, contents, mode });
    central += 46 + nameLength;
  }
  return entries;
}

let s3: VersioningS3;
let signer: FakeSigner;
let dir: string;
let assembly: string;

beforeAll(async () => {
  s3 = await startVersioningS3(BUCKET);
  signer = await startFakeSigner(s3.client);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sign-cli-'));
  // A cloud assembly as synthesis stages it: two plain bundles, the gateway with its configuration file, and an
  // asset that is not one of the package's bundles.
  assembly = path.join(dir, 'cdk.out');
  const stage = (asset: string, files: Record<string, Buffer | string>) => {
    fs.mkdirSync(path.join(assembly, asset), { recursive: true });
    for (const [name, contents] of Object.entries(files)) {
      fs.writeFileSync(path.join(assembly, asset, name), contents);
    }
  };
  const bundle = (fn: string) => fs.readFileSync(path.join(ROOT, 'dist', 'bundles', fn, 'index.js'));
  stage('asset.1111', { 'index.js': bundle('authorizer') });
  stage('asset.2222', { 'index.js': bundle('network-guard') });
  stage('asset.3333', { 'index.js': bundle('gateway'), 'gateway-config.json': GATEWAY_CONFIG });
  stage('asset.4444', { 'index.js': 'exports.handler = async () => "not ours";' });
  fs.writeFileSync(path.join(assembly, 'manifest.json'), '{}');
});

afterAll(async () => {
  await signer.close();
  await s3.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('deterministic zip', () => {
  test('the same files give the same bytes in any order, with fixed modes, and unzip to the files', () => {
    // GIVEN
    const files = [
      { name: 'index.js', contents: Buffer.from('exports.handler = 1;') },
      { name: 'gateway-config.json', contents: Buffer.from('{"a":1}') },
    ];
    // WHEN
    const a = deterministicZip(files);
    const b = deterministicZip([...files].reverse());
    // THEN
    expect(a.equals(b)).toBe(true);
    expect(unzip(a)).toEqual([
      { name: 'gateway-config.json', contents: Buffer.from('{"a":1}'), mode: 0o100644 },
      { name: 'index.js', contents: Buffer.from('exports.handler = 1;'), mode: 0o100644 },
    ]);
    expect(deterministicZip([{ name: 'index.js', contents: 'exports.handler = 2;' }]).equals(a)).toBe(false);
  });
});

describe('discovery', () => {
  test('finds every staged bundle of the package with the files beside it, and nothing else', () => {
    // WHEN
    const bundles = signableBundles(assembly, readManifest(MANIFEST));
    // THEN
    expect(bundles.map((b) => [b.function, b.files.map((f) => f.name)])).toEqual([
      ['authorizer', ['index.js']],
      ['network-guard', ['index.js']],
      ['gateway', ['gateway-config.json', 'index.js']],
    ]);
    const gateway = bundles[2]!;
    expect(gateway.sourceSha256).toBe(contentSha256([{ name: 'index.js', contents: fs.readFileSync(path.join(ROOT, 'dist', 'bundles', 'gateway', 'index.js')) }, { name: 'gateway-config.json', contents: GATEWAY_CONFIG }]));
    const manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) as { functions: Record<string, { sha256: string }> };
    expect(gateway.bundleSha256).toBe(manifest.functions.gateway!.sha256);
  });

  test('fails if the assembly directory does not exist', () => {
    expect(() => signableBundles(path.join(dir, 'missing'), readManifest(MANIFEST))).toThrow(/--assembly .*missing is not a directory; synthesize first/);
  });
});

describe('secure-llm-sign', () => {
  test('the bundled CLI uploads, signs with the profile and writes the signed-artifacts file synthesis reads', async () => {
    // GIVEN an existing file with an entry of another content, which is kept
    const out = path.join(dir, 'signed-artifacts.json');
    const other = { function: 'authorizer', sourceSha256: 'a'.repeat(64), bundleSha256: 'b'.repeat(64), bucket: BUCKET, key: 'k', objectVersion: 'v', signingJobId: 'old' };
    fs.writeFileSync(out, JSON.stringify({ version: 1, signingProfileName: 'SecureLlm', artifacts: [other] }));
    const jobsBefore = signer.jobs.length;

    // WHEN the file package.json's bin points at runs against the loopback S3 and Signer
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CLI, '--assembly', assembly, '--bucket', BUCKET, '--profile-name', 'SecureLlm', '--out', out, '--manifest', MANIFEST, '--region', 'us-east-1'],
      {
        env: {
          PATH: process.env.PATH,
          AWS_ACCESS_KEY_ID: 'S3RVER',
          AWS_SECRET_ACCESS_KEY: 'S3RVER',
          AWS_ENDPOINT_URL_S3: s3.endpoint,
          AWS_ENDPOINT_URL_SIGNER: signer.endpoint,
        },
      },
    );

    // THEN every bundle was signed from the exact object version uploaded, with the profile
    expect(stdout).toContain('wrote');
    const jobs = signer.jobs.slice(jobsBefore);
    expect(jobs.map((j) => [j.profileName, j.source.key.split('/').slice(0, 3).join('/')])).toEqual([
      ['SecureLlm', 'secure-llm-sign/unsigned/authorizer'],
      ['SecureLlm', 'secure-llm-sign/unsigned/network-guard'],
      ['SecureLlm', 'secure-llm-sign/unsigned/gateway'],
    ]);
    const written = signedArtifactsSchema.parse(JSON.parse(fs.readFileSync(out, 'utf8'))) as SignedArtifacts;
    expect(written.artifacts[0]).toEqual(other);
    const bundles = signableBundles(assembly, readManifest(MANIFEST));
    for (const [i, bundle] of bundles.entries()) {
      const entry = written.artifacts[i + 1]!;
      expect(entry).toMatchObject({ function: bundle.function, sourceSha256: bundle.sourceSha256, bundleSha256: bundle.bundleSha256, bucket: BUCKET, signingJobId: jobs[i]!.jobId });
      // The signed object at the recorded version is the deterministic zip of the staged files, signed.
      const signedObject = await s3.client.send(new GetObjectCommand({ Bucket: entry.bucket, Key: entry.key }));
      expect(entry.objectVersion).toBe(versionOf(signedObject.ETag!));
      const bytes = Buffer.from(await signedObject.Body!.transformToByteArray());
      expect(bytes.equals(Buffer.concat([deterministicZip(bundle.files), FAKE_SIGNATURE]))).toBe(true);
    }
  });

  test('fails if the Signer job fails, naming the job and the reason', async () => {
    // GIVEN
    const signerClient = new SignerClient({ endpoint: signer.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const bundles = signableBundles(assembly, readManifest(MANIFEST)).slice(0, 1);
    const sleeps: number[] = [];
    // WHEN
    const error = await signBundles(
      bundles,
      { bucket: BUCKET, profileName: 'revoked-profile', prefix: 'p/', pollIntervalMs: 5, maxPolls: 5 },
      { s3: s3.client, signer: signerClient, sleep: async (ms) => void sleeps.push(ms), out: () => {} },
    ).catch((e: unknown) => e);
    // THEN
    const job = signer.jobs[signer.jobs.length - 1]!;
    expect(job.profileName).toBe('revoked-profile');
    expect(error).toBeInstanceOf(SigningJobFailedError);
    expect((error as Error).message).toBe(`Signer job ${job.jobId} failed: The signing profile has been revoked`);
    // It looked twice (InProgress, then Failed) and waited once in between.
    expect(sleeps).toEqual([5]);
    signerClient.destroy();
  });

  test('fails if the bucket is not versioned, naming the bucket and the fix', async () => {
    // GIVEN
    s3.versioning = 'Suspended';
    const signerClient = new SignerClient({ endpoint: signer.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const jobsBefore = signer.jobs.length;
    try {
      // WHEN / THEN
      await expect(
        signBundles(signableBundles(assembly, readManifest(MANIFEST)), { bucket: BUCKET, profileName: 'SecureLlm', prefix: 'p/', pollIntervalMs: 1, maxPolls: 3 }, { s3: s3.client, signer: signerClient, sleep: async () => {}, out: () => {} }),
      ).rejects.toThrow(/--bucket signing-bucket must have versioning enabled .*got Suspended; run "aws s3api put-bucket-versioning --bucket signing-bucket/);
      expect(signer.jobs.length).toBe(jobsBefore);
    } finally {
      s3.versioning = 'Enabled';
      signerClient.destroy();
    }
  });

  test('fails if a required option is missing or unknown', () => {
    expect(() => parseSignArgs(['--assembly', 'cdk.out', '--bucket', 'b', '--out', 'x.json'])).toThrow(SignUsageError);
    expect(() => parseSignArgs(['--assembly', 'cdk.out', '--bucket', 'b', '--out', 'x.json'])).toThrow(/--profile-name is required/);
    expect(() => parseSignArgs(['--assembly', 'cdk.out', '--bucket', 'b', '--profile-name', 'p', '--out', 'x.json', '--force', 'yes'])).toThrow(/unknown option "--force"/);
    expect(() => parseSignArgs(['--assembly', 'cdk.out', '--bucket', 'b', '--profile-name', 'p', '--out', 'x.json', '--prefix', 'no-slash'])).toThrow(/--prefix must be S3 key segments/);
  });
});
