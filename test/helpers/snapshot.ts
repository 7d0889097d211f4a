/** Replaces content hashes of assets so a template snapshot changes only when the template does. */
export function scrubAssetHashes(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}(\.zip|\.json)?/g, '[ASSET HASH]$1'));
}
