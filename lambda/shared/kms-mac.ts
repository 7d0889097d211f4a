/**
 * HMAC-SHA-256 with a KMS HMAC key (`GenerateMac`): the key material never leaves KMS, so only principals that IAM
 * allows `kms:GenerateMac` on the key (the authorizer and key administrators) can compute a key's MAC.
 *
 * This package has no `@aws-sdk/client-kms`; KMS's JSON API (`TrentService.GenerateMac`, awsJson1_1) is one signed
 * POST, signed here with `@smithy/signature-v4` and the SDK's default credential chain (both already installed with
 * the DynamoDB client). `endpoint` points it at a loopback server in tests.
 *
 * @module
 */
import { createHash, createHmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** SHA-256 / HMAC-SHA-256 from node:crypto in the shape SignatureV4 expects. */
class NodeSha256 {
  readonly #hash;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
}

/** A KMS call failed; `code` is KMS's error type (e.g. `AccessDeniedException`). */
export class KmsError extends Error {
  constructor(
    public readonly code: string,
    message: string,
  ) {
    super(`KMS ${code}: ${message}`);
    this.name = 'KmsError';
  }
}

/** Options of {@link KmsMac}. */
export interface KmsMacOptions {
  /** The HMAC_256 key's id, ARN or alias. */
  readonly keyId: string;
  /** The region of the key. */
  readonly region: string;
  /** @default `https://kms.<region>.amazonaws.com` */
  readonly endpoint?: string;
  /** @default the SDK's default credential chain */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Abort a call after this many milliseconds. @default 3000 */
  readonly timeoutMs?: number;
}

/** Computes MACs with one KMS HMAC key. */
export class KmsMac {
  readonly #signer: SignatureV4;
  readonly #url: URL;
  readonly #keyId: string;
  readonly #timeoutMs: number;

  constructor(options: KmsMacOptions) {
    this.#keyId = options.keyId;
    this.#url = new URL(options.endpoint ?? `https://kms.${options.region}.amazonaws.com`);
    this.#timeoutMs = options.timeoutMs ?? 3000;
    this.#signer = new SignatureV4({
      service: 'kms',
      region: options.region,
      credentials: options.credentials ?? defaultProvider(),
      sha256: NodeSha256,
    });
  }

  /** HMAC-SHA-256 of `message` under the key (KMS `GenerateMac`, `HMAC_SHA_256`). */
  async generateMac(message: string): Promise<Buffer> {
    const body = JSON.stringify({ KeyId: this.#keyId, MacAlgorithm: 'HMAC_SHA_256', Message: Buffer.from(message, 'utf8').toString('base64') });
    const signed = await this.#signer.sign({
      method: 'POST',
      protocol: this.#url.protocol,
      hostname: this.#url.hostname,
      port: this.#url.port ? Number(this.#url.port) : undefined,
      path: '/',
      query: {},
      headers: {
        host: this.#url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'TrentService.GenerateMac',
      },
      body,
    });
    const response = await fetch(new URL('/', this.#url), {
      method: 'POST',
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const text = await response.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new KmsError('InvalidResponse', `HTTP ${response.status}, not JSON`);
    }
    if (!response.ok) {
      const type = typeof parsed.__type === 'string' ? parsed.__type.split('#').pop()! : `HTTP${response.status}`;
      const message = typeof parsed.message === 'string' ? parsed.message : typeof parsed.Message === 'string' ? parsed.Message : '';
      throw new KmsError(type, message);
    }
    if (typeof parsed.Mac !== 'string' || parsed.Mac.length === 0) throw new KmsError('InvalidResponse', 'no Mac in the response');
    return Buffer.from(parsed.Mac, 'base64');
  }
}
