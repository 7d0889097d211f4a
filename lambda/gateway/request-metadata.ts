/**
 * Cost attribution on every model call: Converse `requestMetadata`, which Amazon Bedrock writes into the model
 * invocation log beside the token counts, so the log attributes each call's spend to a key or user and a team.
 *
 * Converse accepts at most 16 entries, keys of 1-256 and values of 0-256 characters from
 * `[a-zA-Z0-9\s:_@$#=/+,-.]` (the invocation-log filters accept `[a-zA-Z0-9\s._:/=+$@-]`). Values are sanitized to
 * the characters both accept, minus whitespace: anything else becomes `_`, and the value is cut to 256 characters.
 * A Cognito sub, an app client id and a key id pass unchanged; a team name outside that set is still recognizable.
 * Pure.
 *
 * @module
 */

/** The characters a metadata value keeps: those Converse and the invocation-log filters both accept, no whitespace. */
const UNSAFE = /[^A-Za-z0-9._:/=+$@-]/g;
/** A value {@link sanitizeMetadataValue} returns unchanged: 1 to 256 safe characters (ASCII, so code units are characters). */
const SAFE_VALUE = /^[A-Za-z0-9._:/=+$@-]{1,256}$/;
const MAX_VALUE_LENGTH = 256;

/** The metadata keys the gateway sets. Stable: log queries and filters name them. */
export const ATTRIBUTION_KEYS = {
  /** `user`, `client` or `key`. */
  principalKind: 'gateway.principalKind',
  /** The Cognito sub, app client id or gateway key id (never the key's secret). */
  principalId: 'gateway.principalId',
  /** The caller's team, `none` when there is none. */
  team: 'gateway.team',
} as const;

/** `value` restricted to the characters `requestMetadata` accepts, at most 256 of them. */
export function sanitizeMetadataValue(value: string): string {
  // Identifiers (a Cognito sub, an app client id, a key id, a team name) are already safe: one pattern test instead
  // of splitting the value into characters and joining them again.
  if (SAFE_VALUE.test(value)) return value;
  return Array.from(value).slice(0, MAX_VALUE_LENGTH).join('').replace(UNSAFE, '_').slice(0, MAX_VALUE_LENGTH);
}

/** The `requestMetadata` of one model call. */
export function attributionMetadata(caller: { readonly kind: string; readonly subject: string; readonly team: string }): Record<string, string> {
  return {
    [ATTRIBUTION_KEYS.principalKind]: sanitizeMetadataValue(caller.kind),
    [ATTRIBUTION_KEYS.principalId]: sanitizeMetadataValue(caller.subject),
    [ATTRIBUTION_KEYS.team]: caller.team === '' ? 'none' : sanitizeMetadataValue(caller.team),
  };
}

/** The value of the `Team` metric dimension: the sanitized team name, `none` when there is none. Never a user. */
export function teamDimension(team: string): string {
  return team === '' ? 'none' : sanitizeMetadataValue(team);
}
