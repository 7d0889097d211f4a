/**
 * A loopback stand-in for KMS's `GenerateMac` (JSON 1.1 protocol), for tests of the gateway API keys: one HMAC key
 * whose material lives in the test. It checks what the real service checks first (a SigV4 `Authorization` header for
 * the `kms` service, the target, the key id and algorithm) and counts calls.
 *
 * @module
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { listenOnLoopback } from './listen';

/** A running fake KMS. */
export interface FakeKms {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** The one key id it knows. */
  readonly keyId: string;
  /** `GenerateMac` calls answered with a MAC. */
  readonly calls: () => number;
  /** HMAC-SHA-256 of `message` under the key, as KMS would answer. */
  mac(message: string): Buffer;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 and a random port. */
export async function startFakeKms(keyId = 'mac-key-1'): Promise<FakeKms> {
  const material = randomBytes(32);
  const mac = (message: string): Buffer => createHmac('sha256', material).update(message, 'utf8').digest();
  let calls = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const fail = (status: number, type: string, message: string) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: type, message }));
      };
      if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/kms\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/.test(req.headers.authorization ?? '')) {
        return fail(400, 'IncompleteSignatureException', 'not signed for kms');
      }
      if (req.headers['x-amz-target'] !== 'TrentService.GenerateMac') return fail(400, 'UnknownOperationException', 'unknown operation');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { KeyId?: string; MacAlgorithm?: string; Message?: string };
      if (body.KeyId !== keyId) return fail(400, 'NotFoundException', `Key '${body.KeyId}' does not exist`);
      if (body.MacAlgorithm !== 'HMAC_SHA_256') return fail(400, 'InvalidKeyUsageException', 'wrong algorithm');
      calls++;
      const message = Buffer.from(body.Message ?? '', 'base64').toString('utf8');
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ KeyId: keyId, Mac: mac(message).toString('base64'), MacAlgorithm: 'HMAC_SHA_256' }));
    });
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    keyId,
    calls: () => calls,
    mac,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
