/**
 * The deployed bundles' credential chain (lambda/shared/lambda-credentials.ts), which `scripts/bundle-options.json`
 * aliases in place of the AWS SDK's Node default chain: the environment keys Lambda sets, then the container
 * endpoint Lambda sets instead for SnapStart, and nothing else. The module is tested from source and as it is
 * bundled: a client built with the deployed options, in a plain `node` process, against a loopback credential
 * endpoint; and the shipped bundles are checked not to carry the default chain's providers.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { lambdaBundleDir } from '../../../constructs/shared/lambda-bundle';
import { defaultProvider } from '../../../lambda/shared/lambda-credentials';

const ROOT = path.join(__dirname, '..', '..', '..');
const ENV_KEYS = [
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CREDENTIAL_EXPIRATION',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
] as const;
type EnvKey = (typeof ENV_KEYS)[number];

/** The packages of the SDK's Node default chain that no deployed bundle may carry. */
const NODE_CHAIN_PACKAGES = [
  '@aws-sdk/credential-provider-node',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@smithy/credential-provider-imds',
];

const ROLE_KEYS = { AWS_ACCESS_KEY_ID: 'ASIAENVIRONMENTKEY01', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_SESSION_TOKEN: 'env-session-token' };
const CONTAINER_TOKEN = 'container-authorization-token';

/** A loopback container credential endpoint (the JSON Lambda's endpoint answers), counting its requests. */
interface CredentialEndpoint {
  readonly url: string;
  readonly authorizations: string[];
  /** The expiration it hands out next. */
  expiration: Date;
  close(): Promise<void>;
}

async function startCredentialEndpoint(): Promise<CredentialEndpoint> {
  const authorizations: string[] = [];
  const endpoint = { authorizations, expiration: new Date(Date.now() + 3_600_000) };
  const server = http.createServer((req, res) => {
    authorizations.push(String(req.headers.authorization));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({
      AccessKeyId: 'ASIACONTAINERKEY0001',
      SecretAccessKey: 'container-secret',
      Token: 'container-session-token',
      Expiration: endpoint.expiration.toISOString(),
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(endpoint, {
    url: `http://127.0.0.1:${port}/2018-06-01/credentials`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** Runs `body` with exactly `env` of {@link ENV_KEYS} set, restoring the process environment after. */
async function withEnv<T>(env: Partial<Record<EnvKey, string>>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) delete process.env[k];
  Object.assign(process.env, env);
  try {
    return await body();
  } finally {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

describe('lambda credentials', () => {
  let endpoint: CredentialEndpoint;
  beforeAll(async () => {
    endpoint = await startCredentialEndpoint();
  });
  afterAll(async () => {
    await endpoint?.close();
  });
  beforeEach(() => {
    endpoint.authorizations.length = 0;
    endpoint.expiration = new Date(Date.now() + 3_600_000);
  });

  describe('defaults', () => {
    test('resolves the execution role keys Lambda sets in the environment', async () => {
      // WHEN
      const credentials = await withEnv(ROLE_KEYS, () => defaultProvider()());
      // THEN
      expect(credentials).toMatchObject({ accessKeyId: 'ASIAENVIRONMENTKEY01', secretAccessKey: 'env-secret', sessionToken: 'env-session-token' });
    });

    test('fails if the environment keys do not come before the container endpoint, as in the SDK default chain', async () => {
      // WHEN
      const credentials = await withEnv({ ...ROLE_KEYS, AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER_TOKEN }, () => defaultProvider()());
      // THEN
      expect(credentials.accessKeyId).toBe('ASIAENVIRONMENTKEY01');
      expect(endpoint.authorizations).toEqual([]);
    });

    test('reads the container endpoint with its authorization token where Lambda sets it instead of keys (SnapStart)', async () => {
      // WHEN
      const credentials = await withEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER_TOKEN }, () => defaultProvider()());
      // THEN
      expect(credentials).toMatchObject({ accessKeyId: 'ASIACONTAINERKEY0001', secretAccessKey: 'container-secret', sessionToken: 'container-session-token' });
      expect(endpoint.authorizations).toEqual([CONTAINER_TOKEN]);
    });

    test('fails if it asks the endpoint again while its credentials are more than 5 minutes from their expiration', async () => {
      await withEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER_TOKEN }, async () => {
        // GIVEN credentials valid for an hour
        const provider = defaultProvider();
        // WHEN
        await provider();
        await provider();
        await provider();
        // THEN
        expect(endpoint.authorizations).toHaveLength(1);
      });
    });

    test('fails if it keeps credentials that expire within 5 minutes instead of asking again', async () => {
      await withEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER_TOKEN }, async () => {
        // GIVEN an endpoint whose credentials expire in 4 minutes
        endpoint.expiration = new Date(Date.now() + 240_000);
        const provider = defaultProvider();
        await provider();
        const asked = endpoint.authorizations.length;
        // WHEN
        await provider();
        // THEN
        expect(endpoint.authorizations.length).toBeGreaterThan(asked);
      });
    });
  });

  describe('validation', () => {
    test('fails if no Lambda credential variable is set, naming the variables it reads', async () => {
      // WHEN / THEN: a profile is no source in a function
      await expect(withEnv({ AWS_PROFILE: 'admin' }, () => defaultProvider()())).rejects.toThrow(
        /AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY nor AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/,
      );
    });
  });

  describe('deployed bundles', () => {
    test('fails if a deployed bundle carries a provider of the SDK default chain', () => {
      const manifest = JSON.parse(fs.readFileSync(path.join(lambdaBundleDir('gateway'), '..', 'manifest.json'), 'utf8')) as {
        functions: Record<string, { packages: Array<{ name: string }> }>;
      };
      const carried = Object.entries(manifest.functions).flatMap(([fn, { packages }]) =>
        packages.filter((p) => NODE_CHAIN_PACKAGES.includes(p.name)).map((p) => `${fn}: ${p.name}`),
      );
      expect(Object.keys(manifest.functions).length).toBeGreaterThan(0);
      expect(carried).toEqual([]);
    });

    test('an SDK client bundled with the deployed options resolves credentials from the Lambda environment', async () => {
      // GIVEN a Bedrock Runtime client bundled as the functions are, run by plain node
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slb-credentials-'));
      try {
        const options = JSON.parse(fs.readFileSync(path.join(ROOT, 'scripts', 'bundle-options.json'), 'utf8')) as Record<string, unknown>;
        const outfile = path.join(dir, 'probe.js');
        const result = buildSync({
          ...options,
          absWorkingDir: ROOT,
          stdin: {
            contents: [
              "import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';",
              "new BedrockRuntimeClient({ region: 'us-east-1' }).config.credentials()",
              '  .then((c) => process.stdout.write(JSON.stringify({ accessKeyId: c.accessKeyId, sessionToken: c.sessionToken })))',
              '  .catch((e) => { process.stdout.write(JSON.stringify({ error: e.message })); });',
            ].join('\n'),
            resolveDir: ROOT,
            loader: 'ts',
          },
          outfile,
          metafile: true,
          logLevel: 'silent',
        });
        const inputs = Object.keys(result.metafile.inputs);
        expect(inputs).toContain('lambda/shared/lambda-credentials.ts');
        expect(inputs.filter((f) => f.includes('credential-provider-node'))).toEqual([]);
        const { NODE_OPTIONS: _nodeOptions, ...inherited } = process.env;
        const base = Object.fromEntries(Object.entries(inherited).filter(([k]) => !(ENV_KEYS as readonly string[]).includes(k)));
        const run = (env: Record<string, string>): unknown => {
          const r = spawnSync(process.execPath, [outfile], { encoding: 'utf8', env: { ...base, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1', ...env } });
          return JSON.parse(r.stdout) as unknown;
        };
        // WHEN / THEN: the execution role's keys
        expect(run(ROLE_KEYS)).toEqual({ accessKeyId: 'ASIAENVIRONMENTKEY01', sessionToken: 'env-session-token' });
        // WHEN / THEN: the container endpoint (SnapStart), asked from the child process
        const fromEndpoint = await new Promise<unknown>((resolve) => {
          // spawnSync would block this process's loopback endpoint: run the child asynchronously.
          const child = spawn(process.execPath, [outfile], {
            env: { ...base, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1', AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER_TOKEN },
          });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
          child.once('exit', () => resolve(JSON.parse(out)));
        });
        expect(fromEndpoint).toEqual({ accessKeyId: 'ASIACONTAINERKEY0001', sessionToken: 'container-session-token' });
        expect(endpoint.authorizations).toEqual([CONTAINER_TOKEN]);
        // WHEN / THEN: a profile is not read
        expect(run({ AWS_PROFILE: 'admin' })).toEqual({ error: expect.stringContaining('No credentials in the Lambda environment') });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
