/**
 * The `secure-llm-sign` command (package.json `bin`): see `sign-cli.ts`. Shipped as one self-contained file
 * (`dist/cli/secure-llm-sign.js`, bundled with the AWS SDK by scripts/bundle-lambdas.mjs). Runs with the
 * administrator's AWS credentials (the SDK's default chain); `AWS_ENDPOINT_URL_S3` and `AWS_ENDPOINT_URL_SIGNER`
 * point the clients elsewhere (the SDK reads them itself).
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SignerClient } from '@aws-sdk/client-signer';
import { SignUsageError, USAGE, parseSignArgs, readManifest, readPrevious, signBundles, signableBundles } from './sign-cli';

/** The manifest of the installed package: `<package root>/dist/bundles/manifest.json` (this file is `dist/cli/` or `bin/`). */
function defaultManifest(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) {
    dir = path.dirname(dir);
  }
  return path.join(dir, 'dist', 'bundles', 'manifest.json');
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  let options: Record<string, string>;
  try {
    options = parseSignArgs(argv);
  } catch (e) {
    if (e instanceof SignUsageError) {
      console.error(`secure-llm-sign: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const bundles = signableBundles(options.assembly!, readManifest(options.manifest ?? defaultManifest()));
  if (bundles.length === 0) {
    console.error(`secure-llm-sign: ${options.assembly} holds no staged Lambda bundle of this package; synthesize with codeSigning configured first`);
    return 1;
  }
  const s3 = new S3Client({ region, forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined });
  const signer = new SignerClient({ region });
  try {
    const out = options.out!;
    const result = await signBundles(
      bundles,
      { bucket: options.bucket!, profileName: options['profile-name']!, profileOwner: options['profile-owner'], prefix: options.prefix!, pollIntervalMs: 3000, maxPolls: 200 },
      { s3, signer, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), out: (line) => console.log(line) },
      readPrevious(out),
    );
    fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${out}: ${result.artifacts.length} signed artifacts`);
    return 0;
  } finally {
    s3.destroy();
    signer.destroy();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`secure-llm-sign: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    process.exitCode = 1;
  },
);
