/**
 * The `secure-llm-keys` command (package.json `bin`): see `keys-cli.ts`. Shipped as one self-contained file
 * (`dist/cli/secure-llm-keys.js`, bundled with the AWS SDK by scripts/bundle-lambdas.mjs), so the package has no
 * runtime dependency on the SDK.
 *
 * @module
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KeyStore } from '../lambda/shared/key-store';
import { KmsMac } from '../lambda/shared/kms-mac';
import { USAGE, runKeysCli } from './keys-cli';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const table = flag('table') ?? process.env.SECURE_LLM_KEYS_TABLE;
  const macKey = flag('mac-key') ?? process.env.SECURE_LLM_KEYS_MAC_KEY;
  const region = flag('region') ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!table || !macKey || !region) {
    console.error(`secure-llm-keys: --table, --mac-key and --region (or their environment variables) are required\n${USAGE}`);
    return 2;
  }
  const dynamo = new DynamoDBClient({ region });
  const kms = new KmsMac({ keyId: macKey, region, ...(process.env.AWS_ENDPOINT_URL_KMS ? { endpoint: process.env.AWS_ENDPOINT_URL_KMS } : {}) });
  const rest = argv.filter((_a, i) => !['--table', '--mac-key', '--region'].includes(argv[i] ?? '') && !['--table', '--mac-key', '--region'].includes(argv[i - 1] ?? ''));
  try {
    return await runKeysCli(rest, {
      store: new KeyStore(dynamo, table),
      macOf: (key) => kms.generateMac(key),
      now: () => new Date(),
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    });
  } finally {
    dynamo.destroy();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`secure-llm-keys: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    process.exitCode = 1;
  },
);
