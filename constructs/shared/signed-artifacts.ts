import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { z } from 'zod';

/**
 * The signed-artifacts file: what `secure-llm-sign` writes after AWS Signer has signed the functions' code, and what
 * synthesis reads (config `codeSigning.signedArtifactsFile`, construct `LambdaCodeSigning`) to deploy each function
 * from its signed S3 object instead of an unsigned asset. One entry per function and code content: a function whose
 * deployed files differ (another gateway configuration) has an entry per content.
 *
 * Shared by the construct (reads it) and the CLI (writes it), so both agree on the format and on the content digest.
 *
 * @module
 */

/** The file format's version: a reader refuses any other. */
export const SIGNED_ARTIFACTS_VERSION = 1;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 digest of 64 lowercase hexadecimal digits');

/** One signed function code: where Signer wrote it, and the digest of the files it was made from. */
export const signedArtifactSchema = z.strictObject({
  /** The function's bundle name (`dist/bundles/<function>`), e.g. "gateway". */
  function: z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be a bundle name such as "gateway"'),
  /** {@link contentSha256} of the files that were zipped and signed (index.js and any data file beside it). */
  sourceSha256: sha256Hex,
  /** SHA-256 of index.js alone: the bundle manifest's `sha256` of that function when it was signed. */
  bundleSha256: sha256Hex,
  /** The bucket Signer wrote the signed zip to (the function's code location). */
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
  /** The signed zip's key. */
  key: z.string().min(1).max(1024),
  /** The signed zip's S3 object version, so a later write under the same key never changes what deploys. */
  objectVersion: z.string().min(1).max(1024),
  /** The Signer job that signed it (for the audit trail). */
  signingJobId: z.string().min(1).max(128),
});

/** One signed function code. */
export type SignedArtifact = z.infer<typeof signedArtifactSchema>;

export const signedArtifactsSchema = z.strictObject({
  version: z.literal(SIGNED_ARTIFACTS_VERSION),
  /** The Signer profile the artifacts were signed with. */
  signingProfileName: z.string().min(1).max(64),
  artifacts: z.array(signedArtifactSchema),
});

/** The whole signed-artifacts file. */
export type SignedArtifacts = z.infer<typeof signedArtifactsSchema>;

/**
 * The digest of a function's deployed files, independent of how they are zipped: SHA-256 over every file's name
 * and SHA-256, in name order. The CLI computes it over the directory it signs, synthesis over the files the function
 * would deploy; equal digests mean the signed zip holds exactly the current code.
 */
export function contentSha256(files: ReadonlyArray<{ readonly name: string; readonly contents: Buffer | string }>): string {
  const lines = [...files]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => `${f.name}\0${createHash('sha256').update(f.contents).digest('hex')}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex');
}

/**
 * Reads and validates a signed-artifacts file.
 * @param key the configuration key or prop that named the file, for the error messages
 * @throws Error naming the key, the file and the problem
 */
export function readSignedArtifacts(file: string, key: string): SignedArtifacts {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(
      `${key} names ${file}, which cannot be read: sign the functions first with "secure-llm-sign --out ${file} ..." (see the README, "Supply chain"), or fix the path`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${key} names ${file}, which is not valid JSON (${(e as Error).message}); write it again with secure-llm-sign`, { cause: e });
  }
  const parsed = signedArtifactsSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${key} names ${file}, which is not a signed-artifacts file of version ${SIGNED_ARTIFACTS_VERSION} (${problems}); write it again with secure-llm-sign`);
  }
  return parsed.data;
}

/** The result of looking a function's code up in the signed-artifacts file. */
export type ArtifactLookup =
  | { readonly found: SignedArtifact }
  | { readonly problem: string };

/**
 * The signed artifact of `functionName` whose content is `sourceSha256`, or why there is none.
 * @param where the key and file, for the message (`codeSigning.signedArtifactsFile (signed.json)`)
 */
export function findSignedArtifact(artifacts: SignedArtifacts, functionName: string, sourceSha256: string, where: string): ArtifactLookup {
  const ofFunction = artifacts.artifacts.filter((a) => a.function === functionName);
  const found = ofFunction.find((a) => a.sourceSha256 === sourceSha256);
  if (found !== undefined) {
    return { found };
  }
  const fix = 'sign the current code with secure-llm-sign (see the README, "Supply chain") and synthesize again';
  if (ofFunction.length === 0) {
    return { problem: `${where} has no signed artifact of function "${functionName}" (code SHA-256 ${sourceSha256}): ${fix}` };
  }
  return {
    problem:
      `${where} records function "${functionName}" with source SHA-256 ${ofFunction.map((a) => a.sourceSha256).join(', ')}, ` +
      `but its current code has SHA-256 ${sourceSha256}: the code changed since it was signed, and Lambda would deploy the old signed code; ${fix}`,
  };
}
