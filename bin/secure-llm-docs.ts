/**
 * The `secure-llm-docs` command: see `docs-cli.ts`. Shipped as one self-contained file (`dist/cli/secure-llm-docs.js`,
 * bundled with the AWS SDK by scripts/bundle-lambdas.mjs), so the package has no runtime dependency on the SDK.
 *
 * @module
 */
import { S3Client } from '@aws-sdk/client-s3';
import { USAGE, runDocsCli } from './docs-cli';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const withEnv = [...argv];
  if (!argv.includes('--bucket') && process.env.SECURE_LLM_DOCS_BUCKET) withEnv.push('--bucket', process.env.SECURE_LLM_DOCS_BUCKET);
  const i = withEnv.indexOf('--region');
  const region = i >= 0 ? withEnv[i + 1] : (process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION);
  if (i >= 0) withEnv.splice(i, 2);
  if (!region) {
    console.error(`secure-llm-docs: --region (or AWS_REGION) is required\n${USAGE}`);
    return 2;
  }
  const s3 = new S3Client({ region });
  try {
    return await runDocsCli(withEnv, { s3, out: (line) => console.log(line), err: (line) => console.error(line) });
  } finally {
    s3.destroy();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`secure-llm-docs: ${(e as Error).message}`);
    process.exitCode = 1;
  },
);
