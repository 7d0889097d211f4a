/**
 * Where the authorizer's verifier fetches the user pool's signing keys (JWKS). Deployed, always from Cognito's public
 * endpoint (`https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json`), derived by aws-jwt-verify from
 * the pool id: the construct never sets {@link AUTHORIZER_ENV.jwksUri}. Tests set it to a loopback HTTP server that
 * publishes a test issuer's JWKS, so the whole path (fetch, parse, key selection by `kid`, signature) runs as in
 * Lambda while issuer, `token_use` and `client_id` checks stay those of the pool. Only loopback URLs are accepted:
 * the override can never make a deployed function trust keys fetched in clear text from the network.
 *
 * @module
 */
import { NonRetryableFetchError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { AUTHORIZER_ENV } from '../shared/gateway-contract';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** How long one JWKS fetch from the override may take, in milliseconds. */
export const JWKS_OVERRIDE_TIMEOUT_MS = 5_000;

/**
 * Parses the JWKS override.
 *
 * @returns the URL, or `undefined` when `text` is unset or empty
 * @throws when it is not an `http://` URL on a loopback host
 */
export function parseJwksOverride(text: string | undefined): URL | undefined {
  if (text === undefined || text.length === 0) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${AUTHORIZER_ENV.jwksUri} must be a URL, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new Error(
      `${AUTHORIZER_ENV.jwksUri} is for tests only and must be http://127.0.0.1, localhost or [::1], got ${JSON.stringify(text)}; unset it to use Cognito's JWKS`,
    );
  }
  return url;
}

/** Fetches every JWKS the verifier asks for from one loopback URL. */
class LoopbackJwksFetcher implements Fetcher {
  constructor(private readonly url: URL) {}

  async fetch(): Promise<ArrayBuffer> {
    const response = await fetch(this.url, { redirect: 'error', signal: AbortSignal.timeout(JWKS_OVERRIDE_TIMEOUT_MS) });
    if (response.status !== 200) throw new NonRetryableFetchError(this.url.href, `Status code is ${response.status}, expected 200`);
    return response.arrayBuffer();
  }
}

/**
 * The verifier's JWKS cache: `undefined` (aws-jwt-verify's own, fetching from Cognito over HTTPS) without an
 * override, else the library's cache with a fetcher that reads the override instead.
 */
export function jwksCacheFor(override: URL | undefined): { jwksCache: SimpleJwksCache } | undefined {
  return override === undefined ? undefined : { jwksCache: new SimpleJwksCache({ fetcher: new LoopbackJwksFetcher(override) }) };
}
