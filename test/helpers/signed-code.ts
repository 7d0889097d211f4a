/**
 * Stands in for `secure-llm-sign` where a test needs a configuration with codeSigning to synthesize: it finds the
 * bundles staged in a cloud assembly exactly as the CLI does (`signableBundles`) and records each as signed, at a
 * made-up bucket, key and version. The CLI's S3 and Signer calls are tested in test/bin/sign-cli.test.ts.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readManifest, signableBundles } from '../../bin/sign-cli';
import { SIGNED_ARTIFACTS_VERSION, SignedArtifacts } from '../../constructs/shared/signed-artifacts';

/** The bucket the recorded artifacts name. */
export const SIGNED_CODE_BUCKET = 'signed-code-111122223333';

const MANIFEST = path.join(__dirname, '..', '..', 'dist', 'bundles', 'manifest.json');

/** Writes to `file` a signed-artifacts file for every bundle staged in `assemblyDir`, and returns it. */
export function recordStagedCodeAsSigned(assemblyDir: string, file: string): SignedArtifacts {
  const bundles = signableBundles(assemblyDir, readManifest(MANIFEST));
  const artifacts: SignedArtifacts = {
    version: SIGNED_ARTIFACTS_VERSION,
    signingProfileName: 'SecureLlm',
    artifacts: bundles.map((b, i) => ({
      function: b.function,
      sourceSha256: b.sourceSha256,
      bundleSha256: b.bundleSha256,
      bucket: SIGNED_CODE_BUCKET,
      key: `secure-llm-sign/signed/${b.function}/${i}.zip`,
      objectVersion: `v${i}`,
      signingJobId: `job-${i}`,
    })),
  };
  fs.writeFileSync(file, JSON.stringify(artifacts));
  return artifacts;
}
