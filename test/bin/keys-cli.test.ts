import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AuthorizerDeps, decide } from '../../lambda/authorizer/authorize';
import { KeyStore } from '../../lambda/shared/key-store';
import { KmsMac } from '../../lambda/shared/kms-mac';
import { KeysCliDeps, runKeysCli } from '../../bin/keys-cli';
import { Dynalite, createKeysTable, fakeCredentials, startDynalite } from '../helpers/dynalite';
import { FakeKms, startFakeKms } from '../helpers/kms-server';

const STAGE_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123defg/prod';
const CHAT = { methodArn: `${STAGE_ARN}/POST/v1/chat/completions` };
const NOW = new Date('2026-03-01T12:00:00Z');

describe('secure-llm-keys', () => {
  let db: Dynalite;
  let kms: FakeKms;
  let dynamo: DynamoDBClient;
  let store: KeyStore;
  let table: string;
  let authorizer: AuthorizerDeps;

  beforeAll(async () => {
    [db, kms] = await Promise.all([startDynalite(), startFakeKms()]);
    table = await createKeysTable(db.endpoint);
    dynamo = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials: fakeCredentials(), maxAttempts: 1 });
    store = new KeyStore(dynamo, table);
    const mac = new KmsMac({ keyId: kms.keyId, region: 'us-east-1', endpoint: kms.endpoint, credentials: fakeCredentials() });
    authorizer = {
      verifyAccessToken: () => Promise.reject(new Error('no tokens here')),
      resourceServerId: 'llm-gateway',
      machineClients: {},
      getKey: (id) => store.get(id),
      // Keys never ask the user pool: a call here is a bug.
      getUser: () => Promise.reject(new Error('gateway API keys never ask Cognito')),
      macOf: (k) => mac.generateMac(k),
      now: () => NOW.getTime(),
    };
  });

  afterAll(async () => {
    dynamo?.destroy();
    await Promise.all([db?.close(), kms?.close()]);
  });

  /** Runs the CLI in-process; returns exit code and output lines. */
  async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const deps: KeysCliDeps = {
      store,
      macOf: (k) => Promise.resolve(kms.mac(k)),
      now: () => NOW,
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    };
    return { code: await runKeysCli(argv, deps), out, err };
  }

  const keyOf = (out: string[]) => out.find((l) => l.startsWith('key: '))!.slice('key: '.length);
  const outcome = async (key: string) => (await decide({ ...CHAT, headers: { Authorization: `Bearer ${key}` } }, authorizer)).outcome;

  test('create prints the key once; the authorizer accepts it; list shows the key id, never the key or its MAC', async () => {
    // GIVEN / WHEN
    const created = await run('keys', 'create', '--owner', 'ci@example.com', '--team', 'platform', '--models', 'nova-lite', '--daily-budget-usd', '2.5');
    // THEN
    expect(created.code).toBe(0);
    const key = keyOf(created.out);
    expect(key).toMatch(/^sk-sllm-[A-Za-z0-9]{12}-[A-Za-z0-9]{32}$/);
    expect(await outcome(key)).toBe('allow');
    const record = await store.get(key.split('-')[2]!);
    expect(record).toMatchObject({ owner: 'ci@example.com', team: 'platform', models: ['nova-lite'], dailyBudgetUsd: 2.5, status: 'active' });
    expect(record!.expiresAt).toBe(Math.floor(NOW.getTime() / 1000) + 90 * 86_400);
    expect(JSON.stringify(record)).not.toContain(key.split('-')[3]);
    const listed = await run('keys', 'list');
    expect(listed.out.join('\n')).toContain(`${key.split('-')[2]}\tactive\tci@example.com\tplatform\tnova-lite`);
    expect(listed.out.join('\n')).not.toContain(key.split('-')[3]);
    expect(listed.out.join('\n')).not.toContain(record!.mac);
  });

  test('fails if a revoked key is used: revoke turns the authorizer\'s allow into a deny', async () => {
    const key = keyOf((await run('keys', 'create', '--owner', 'o', '--team', 't', '--models', 'nova-lite')).out);
    expect(await outcome(key)).toBe('allow');
    expect((await run('keys', 'revoke', key.split('-')[2]!)).code).toBe(0);
    expect(await outcome(key)).toBe('deny');
    // A revoked key cannot be brought back by rotation.
    const rotated = await run('keys', 'rotate', key.split('-')[2]!);
    expect(rotated.code).toBe(1);
  });

  test('fails if the old secret is used after rotate; the new key works under the same key id', async () => {
    const old = keyOf((await run('keys', 'create', '--owner', 'o', '--team', 't', '--models', 'nova-lite')).out);
    const rotated = await run('keys', 'rotate', old.split('-')[2]!);
    const fresh = keyOf(rotated.out);
    expect(fresh.split('-')[2]).toBe(old.split('-')[2]);
    expect(fresh).not.toBe(old);
    expect(await outcome(old)).toBe('deny');
    expect(await outcome(fresh)).toBe('allow');
  });

  describe('validation', () => {
    test.each([
      ['no models', ['keys', 'create', '--owner', 'o', '--team', 't'], /--models must list/],
      ['a team with spaces', ['keys', 'create', '--owner', 'o', '--team', 'a b', '--models', 'm'], /--team is required/],
      ['an expiry beyond a year', ['keys', 'create', '--owner', 'o', '--team', 't', '--models', 'm', '--expires-days', '400'], /--expires-days must be .* got "400"/],
      ['a negative budget', ['keys', 'create', '--owner', 'o', '--team', 't', '--models', 'm', '--daily-budget-usd', '-1'], /--daily-budget-usd must be a positive number/],
      ['a malformed key id', ['keys', 'revoke', 'sk-sllm-whole-key'], /a key id .* is required/],
      ['an unknown command', ['keys', 'delete'], /unknown keys command "delete"/],
    ])('fails if given %s (exit 2, usage)', async (_name, argv, message) => {
      const r = await run(...argv);
      expect(r.code).toBe(2);
      expect(r.err.join('\n')).toMatch(message);
      expect(r.out).toEqual([]);
    });

    test('fails if the key id is unknown (exit 1)', async () => {
      expect((await run('keys', 'revoke', 'AAAAAAAAAAAA')).code).toBe(1);
    });
  });

  describe('shipped entry', () => {
    test('the bundled dist/cli/secure-llm-keys.js creates a key the authorizer accepts, with the SDK inside the bundle', async () => {
      // GIVEN the file package.json's bin points at, built by the bundle script (jest's global setup)
      const cli = path.join(__dirname, '..', '..', 'dist', 'cli', 'secure-llm-keys.js');
      // WHEN it runs as an administrator would, against the loopback DynamoDB and KMS
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [cli, 'keys', 'create', '--table', table, '--mac-key', kms.keyId, '--region', 'us-east-1', '--owner', 'a@example.com', '--team', 'ml', '--models', 'nova-lite'],
        {
          env: {
            PATH: process.env.PATH,
            AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTESTTEST',
            AWS_SECRET_ACCESS_KEY: 'test-secret-key',
            AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
            AWS_ENDPOINT_URL_KMS: kms.endpoint,
          },
        },
      );
      // THEN
      const key = keyOf(stdout.split('\n'));
      expect(await decide({ ...CHAT, headers: { Authorization: `Bearer ${key}` } }, { ...authorizer, now: () => Date.now() })).toMatchObject({ outcome: 'allow' });
    });
  });
});
