/**
 * HMAC-SHA-256 with a KMS HMAC key (`GenerateMac`): the key material never leaves KMS, so only principals that IAM
 * allows `kms:GenerateMac` on the key (the authorizer and key administrators) can compute a key's MAC.
 *
 * A thin wrapper over `@aws-sdk/client-kms` (bundled into the authorizer and the key CLI): one key, one algorithm,
 * errors as {@link KmsError} with KMS's error name. `endpoint` points it at a loopback server in tests.
 *
 * @module
 */
import { GenerateMacCommand, KMSClient, KMSServiceException } from '@aws-sdk/client-kms';

/** Credentials as the KMS client accepts them (static or a provider). */
type Credentials = NonNullable<NonNullable<ConstructorParameters<typeof KMSClient>[0]>['credentials']>;

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
  /** @default `https://kms.<region>.amazonaws.com` (or `AWS_ENDPOINT_URL_KMS`) */
  readonly endpoint?: string;
  /** @default the SDK's default credential chain */
  readonly credentials?: Credentials;
  /** Abort a call after this many milliseconds. @default 3000 */
  readonly timeoutMs?: number;
}

/** Computes MACs with one KMS HMAC key. */
export class KmsMac {
  readonly #client: KMSClient;
  readonly #keyId: string;
  readonly #timeoutMs: number;

  constructor(options: KmsMacOptions) {
    this.#keyId = options.keyId;
    this.#timeoutMs = options.timeoutMs ?? 3000;
    this.#client = new KMSClient({
      region: options.region,
      maxAttempts: 2,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    });
  }

  /** HMAC-SHA-256 of `message` under the key (KMS `GenerateMac`, `HMAC_SHA_256`). */
  async generateMac(message: string): Promise<Buffer> {
    try {
      const out = await this.#client.send(
        new GenerateMacCommand({ KeyId: this.#keyId, MacAlgorithm: 'HMAC_SHA_256', Message: Buffer.from(message, 'utf8') }),
        { abortSignal: AbortSignal.timeout(this.#timeoutMs) },
      );
      if (out.Mac === undefined || out.Mac.length === 0) throw new KmsError('InvalidResponse', 'no Mac in the response');
      return Buffer.from(out.Mac);
    } catch (err) {
      if (err instanceof KmsError) throw err;
      if (err instanceof KMSServiceException) throw new KmsError(err.name, err.message);
      throw new KmsError(err instanceof Error ? err.name : 'Error', err instanceof Error ? err.message : String(err));
    }
  }

  /** Releases the client's sockets. */
  destroy(): void {
    this.#client.destroy();
  }
}
