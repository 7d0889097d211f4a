/**
 * Loopback stand-ins for what `secure-llm-sign` talks to:
 *
 * - {@link startVersioningS3}: s3rver behind a proxy that adds what s3rver lacks, bucket versioning: `GET ?versioning`
 *   answers Enabled (or Suspended, to test the refusal), and every response carrying an ETag carries an
 *   `x-amz-version-id` derived from it, as a versioned bucket's would.
 * - {@link startFakeSigner}: AWS Signer's `StartSigningJob` and `DescribeSigningJob` (REST-JSON, `POST /signing-jobs`,
 *   `GET /signing-jobs/{jobId}`). It checks a SigV4 header for the `signer` service, requires the source object version
 *   to be the one S3 holds, "signs" by writing the source bytes plus a marker under the destination prefix, and answers
 *   InProgress once before Succeeded. A profile named `revoked-profile` fails its jobs.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { listenOnLoopback } from './listen';

// s3rver ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver');

/** Appended by the fake to the bytes it "signs". */
export const FAKE_SIGNATURE = Buffer.from('\nFAKE-SIGNER-SIGNATURE');

/** A running s3rver with versioning. */
export interface VersioningS3 {
  readonly endpoint: string;
  readonly client: S3Client;
  /** What `GET ?versioning` answers. */
  versioning: 'Enabled' | 'Suspended';
  close(): Promise<void>;
}

/** The version id a versioned bucket would give the object whose ETag is `etag`. */
export function versionOf(etag: string): string {
  return createHash('sha256').update(etag).digest('hex').slice(0, 32);
}

export async function startVersioningS3(bucket: string): Promise<VersioningS3> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  const { port: backendPort } = (await s3rver.run()) as { port: number };
  const state = { versioning: 'Enabled' as 'Enabled' | 'Suspended' };
  const proxy: Server = createServer((req, res) => {
    if (req.method === 'GET' && /\?versioning(=|&|$)/.test(req.url ?? '')) {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>${state.versioning}</Status></VersioningConfiguration>`);
      return;
    }
    const upstream = request({ host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      const headers = { ...up.headers };
      if (typeof headers.etag === 'string' && state.versioning === 'Enabled') {
        headers['x-amz-version-id'] = versionOf(headers.etag);
      }
      res.writeHead(up.statusCode ?? 500, headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  const port = await listenOnLoopback(proxy);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  return {
    endpoint,
    client,
    get versioning() {
      return state.versioning;
    },
    set versioning(v) {
      state.versioning = v;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await s3rver.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A `StartSigningJob` request the fake received. */
export interface StartedJob {
  readonly jobId: string;
  readonly profileName: string;
  readonly source: { bucketName: string; key: string; version: string };
  readonly destination: { bucketName: string; prefix: string };
}

/** A running fake Signer. */
export interface FakeSigner {
  readonly endpoint: string;
  readonly jobs: StartedJob[];
  /** `DescribeSigningJob` calls answered. */
  readonly describes: () => number;
  close(): Promise<void>;
}

export async function startFakeSigner(s3: S3Client): Promise<FakeSigner> {
  const jobs: StartedJob[] = [];
  const looks = new Map<string, number>();
  let describes = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown, type?: string) => {
        res.writeHead(status, { 'content-type': 'application/json', ...(type ? { 'x-amzn-errortype': type } : {}) });
        res.end(JSON.stringify(body));
      };
      if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/signer\/aws4_request, /.test(req.headers.authorization ?? '')) {
        return reply(403, { message: 'not signed for signer' }, 'AccessDeniedException');
      }
      const handle = async () => {
        if (req.method === 'POST' && req.url === '/signing-jobs') {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            profileName: string;
            source: { s3: StartedJob['source'] };
            destination: { s3: StartedJob['destination'] };
          };
          const src = body.source.s3;
          const object = await s3.send(new GetObjectCommand({ Bucket: src.bucketName, Key: src.key }));
          if (object.VersionId !== src.version) {
            return reply(400, { message: `version ${src.version} of ${src.key} does not exist` }, 'ValidationException');
          }
          const bytes = Buffer.from(await object.Body!.transformToByteArray());
          const jobId = `job-${jobs.length + 1}-${createHash('sha256').update(src.key).digest('hex').slice(0, 8)}`;
          jobs.push({ jobId, profileName: body.profileName, source: src, destination: body.destination.s3 });
          if (body.profileName !== 'revoked-profile') {
            await s3.send(new PutObjectCommand({ Bucket: body.destination.s3.bucketName, Key: `${body.destination.s3.prefix}${jobId}.zip`, Body: Buffer.concat([bytes, FAKE_SIGNATURE]) }));
          }
          return reply(200, { jobId, jobOwner: '111122223333' });
        }
        const match = /^\/signing-jobs\/([A-Za-z0-9-]+)$/.exec(req.url ?? '');
        if (req.method === 'GET' && match) {
          describes++;
          const job = jobs.find((j) => j.jobId === match[1]);
          if (job === undefined) {
            return reply(404, { message: 'no such job' }, 'ResourceNotFoundException');
          }
          const n = (looks.get(job.jobId) ?? 0) + 1;
          looks.set(job.jobId, n);
          if (n === 1) {
            return reply(200, { jobId: job.jobId, status: 'InProgress' });
          }
          if (job.profileName === 'revoked-profile') {
            return reply(200, { jobId: job.jobId, status: 'Failed', statusReason: 'The signing profile has been revoked' });
          }
          return reply(200, {
            jobId: job.jobId,
            status: 'Succeeded',
            profileName: job.profileName,
            signedObject: { s3: { bucketName: job.destination.bucketName, key: `${job.destination.prefix}${job.jobId}.zip` } },
          });
        }
        return reply(404, { message: `no route ${req.method} ${req.url}` }, 'ResourceNotFoundException');
      };
      handle().catch((e: unknown) => reply(500, { message: String(e) }, 'InternalServiceErrorException'));
    });
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    jobs,
    describes: () => describes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
