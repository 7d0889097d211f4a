/**
 * Gateway API keys: generation and parsing (`sk-sllm-<keyId>-<secret>`, see `gateway-contract.ts`). The key id is
 * public; the secret is 32 base62 characters drawn without bias from the operating system's CSPRNG. Pure apart from
 * the random source.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { API_KEY_ID_LENGTH, API_KEY_PATTERN, API_KEY_PREFIX, API_KEY_SECRET_LENGTH } from './gateway-contract';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** The largest multiple of 62 below 256: bytes at or above it are dropped, so every character is equally likely. */
const UNBIASED_LIMIT = 248;

/** `length` base62 characters from `random` (rejection sampling: no modulo bias). */
export function randomBase62(length: number, random: (n: number) => Buffer = randomBytes): string {
  let out = '';
  while (out.length < length) {
    for (const byte of random(length * 2)) {
      if (byte < UNBIASED_LIMIT) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A parsed key. */
export interface ParsedApiKey {
  readonly keyId: string;
  readonly secret: string;
}

/** A new key: a fresh key id (unless one is given, for rotation) and a fresh secret. */
export function newApiKey(keyId: string = randomBase62(API_KEY_ID_LENGTH)): { readonly keyId: string; readonly key: string } {
  return { keyId, key: `${API_KEY_PREFIX}${keyId}-${randomBase62(API_KEY_SECRET_LENGTH)}` };
}

/** The key id and secret of a well-formed key, or `undefined`. */
export function parseApiKey(text: string): ParsedApiKey | undefined {
  const m = API_KEY_PATTERN.exec(text);
  return m ? { keyId: m[1]!, secret: m[2]! } : undefined;
}

/** Whether a credential looks like a gateway API key (the prefix), well-formed or not. */
export function looksLikeApiKey(text: string): boolean {
  return text.startsWith(API_KEY_PREFIX);
}
