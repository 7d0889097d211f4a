/**
 * A test token issuer standing in for a Cognito user pool: an RSA key pair, its JWKS, and a signer for access
 * tokens with any claims and header (so tests can forge `alg: none`, wrong keys, expired tokens...).
 *
 * @module
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import { listenOnLoopback } from './listen';

export const TEST_REGION = 'us-east-1';
export const TEST_POOL_ID = 'us-east-1_TestPool1';
export const TEST_ISSUER = `https://cognito-idp.${TEST_REGION}.amazonaws.com/${TEST_POOL_ID}`;
export const TEST_CLIENT_ID = 'testclient0000000000000001';
export const TEST_RESOURCE_SERVER = 'https://gateway.example.test';

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** An RSA signing key and its public JWK. */
export interface TestIssuer {
  readonly jwks: { keys: Record<string, unknown>[] };
  /** Signs `payload` with `header` (defaults: RS256 with this issuer's key id). */
  sign(payload: Record<string, unknown>, header?: Record<string, unknown>): string;
  /** A valid user access token for the test pool and client, overridable claim by claim (`undefined` removes one). */
  accessToken(overrides?: Record<string, unknown>): string;
}

export function newTestIssuer(kid = 'test-key-1'): TestIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid, alg: 'RS256', use: 'sig' };
  const signWith = (key: KeyObject, payload: Record<string, unknown>, header: Record<string, unknown>) => {
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    return `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`;
  };
  const issuer: TestIssuer = {
    jwks: { keys: [jwk] },
    sign: (payload, header = { alg: 'RS256', kid, typ: 'JWT' }) => signWith(privateKey, payload, header),
    accessToken: (overrides = {}) => {
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = {
        sub: 'user-sub-1',
        'cognito:groups': ['users'],
        iss: TEST_ISSUER,
        client_id: TEST_CLIENT_ID,
        origin_jti: 'o-1',
        event_id: 'e-1',
        token_use: 'access',
        scope: `${TEST_RESOURCE_SERVER}/chat ${TEST_RESOURCE_SERVER}/models.read`,
        auth_time: now - 10,
        exp: now + 3600,
        iat: now - 10,
        jti: 'j-1',
        username: 'alice',
      };
      for (const [k, v] of Object.entries(overrides)) {
        if (v === undefined) delete claims[k];
        else claims[k] = v;
      }
      return issuer.sign(claims);
    },
  };
  return issuer;
}

/** A loopback server publishing a JWKS, as Cognito publishes a pool's at `/.well-known/jwks.json`. */
export interface JwksServer {
  /** `http://127.0.0.1:<port>/.well-known/jwks.json` */
  readonly url: string;
  /** Requests answered with the JWKS. */
  readonly requests: () => number;
  close(): Promise<void>;
}

/** Serves `jwks` on 127.0.0.1 and a random port; any other path is a 404. */
export async function startJwksServer(jwks: TestIssuer['jwks']): Promise<JwksServer> {
  const path = '/.well-known/jwks.json';
  let requests = 0;
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== path) {
      res.writeHead(404).end();
      return;
    }
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(jwks));
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
