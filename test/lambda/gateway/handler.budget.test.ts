/**
 * Spend budgets and cost attribution through the real handler: the real Bedrock Runtime SDK against the loopback
 * Bedrock server, the real DynamoDB SDK against dynalite, and the authorizer context as the REQUEST authorizer
 * passes it (`kind`, `subject`, `team`, a key's `dailyBudgetUsd` / `monthlyBudgetUsd`).
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Auditor, newLogger, newMetrics } from '../../../lambda/gateway/audit';
import { newBedrockClient } from '../../../lambda/gateway/bedrock';
import { BudgetStore } from '../../../lambda/gateway/budget';
import { GatewayHandler, createHandler } from '../../../lambda/gateway/index';
import { QuotaStore } from '../../../lambda/gateway/quota';
import { GatewayRuntimeConfig } from '../../../lambda/gateway/runtime-config';
import { BedrockServer, startBedrockServer } from '../../helpers/bedrock-server';
import { Dynalite, createUsageTable, fakeCredentials, newTestDynamoDbClient, startDynalite } from '../../helpers/dynalite';
import { fakeContext, toProxyEvent, userContext } from '../../helpers/lambda-http-adapter';
import { StdoutCapture, TEST_CONFIG, chatBody } from './gateway-fixtures';

/** 1 µUSD per input token, 2 µUSD per output token: costs are easy to read. */
const ROUND_PRICE = { inputMicroUsdPerMillionTokens: 1_000_000, outputMicroUsdPerMillionTokens: 2_000_000 };

const CONFIG: GatewayRuntimeConfig = {
  ...TEST_CONFIG,
  models: {
    'nova-lite': { ...TEST_CONFIG.models['nova-lite']!, price: ROUND_PRICE },
    'nova-pro': TEST_CONFIG.models['nova-pro']!,
  },
  groups: {
    ...TEST_CONFIG.groups,
    capped: { models: ['nova-lite'], dailyTokenQuota: 1_000_000, maxOutputTokens: 512, dailyBudgetMicroUsd: 1_000_000 },
  },
  teams: { research: { monthlyBudgetMicroUsd: 100_000_000 } },
  budgetAlertFraction: 0.5,
};

interface Caller {
  readonly sub: string;
  readonly groups: string;
  readonly context?: Record<string, string>;
}

describe('gateway handler: budgets and attribution', () => {
  let server: BedrockServer;
  let db: Dynalite;
  let bedrock: BedrockRuntimeClient;
  let dynamo: DynamoDBClient;
  let handler: GatewayHandler;
  let budgets: BudgetStore;
  let quotas: QuotaStore;
  const stdout = new StdoutCapture();
  let seq = 0;
  const newId = (prefix: string) => `${prefix}-${++seq}-${Date.now()}`;

  beforeAll(async () => {
    stdout.start();
    [server, db] = await Promise.all([startBedrockServer(), startDynalite()]);
    await createUsageTable(db.endpoint, CONFIG.quotaTableName);
    bedrock = newBedrockClient({ endpoint: server.url, region: 'us-east-1', credentials: fakeCredentials() });
    dynamo = newTestDynamoDbClient(db.endpoint);
    budgets = new BudgetStore(dynamo, CONFIG.quotaTableName!);
    quotas = new QuotaStore(dynamo, CONFIG.quotaTableName!);
    handler = createHandler({ config: CONFIG, bedrock, dynamo, auditor: new Auditor(newLogger(), newMetrics()), retry: { baseDelayMs: 1, maxDelayMs: 2 } });
  });

  afterAll(async () => {
    stdout.stop();
    bedrock?.destroy();
    dynamo?.destroy();
    await Promise.all([server?.close(), db?.close()]);
  });

  /** Calls the handler as API Gateway would after the REQUEST authorizer allowed `caller`. */
  async function call(caller: Caller, body: unknown) {
    const event = toProxyEvent('POST', '/v1/chat/completions', { 'content-type': 'application/json' }, Buffer.from(JSON.stringify(body)), {
      ...userContext(caller.sub, caller.groups),
      ...caller.context,
    });
    const raw = await handler(event, fakeContext());
    const headers = Object.fromEntries(Object.entries(raw.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
    return { status: raw.statusCode, headers, body: JSON.parse(raw.body) as { error?: { type: string; code: string; message: string } } };
  }

  const key = (id: string, budgets: { daily?: string; monthly?: string }, team = ''): Caller => ({
    sub: id,
    groups: 'users',
    context: { kind: 'key', subject: id, team, groups: '', models: 'nova-lite', dailyBudgetUsd: budgets.daily ?? '', monthlyBudgetUsd: budgets.monthly ?? '' },
  });

  describe('attribution', () => {
    test('every Converse call carries the principal and the team as requestMetadata, sanitized', async () => {
      // GIVEN
      server.setBehavior({ kind: 'reply', inputTokens: 10, outputTokens: 5 });
      const since = server.requests.length;
      const sub = newId('user');
      // WHEN
      const res = await call({ sub, groups: 'users', context: { kind: 'user', subject: sub, team: 'Data Science (EU)' } }, chatBody('hi'));
      // THEN
      expect(res.status).toBe(200);
      const [converse] = server.requests.slice(since).filter((r) => r.operation === 'Converse');
      expect((converse!.body as { requestMetadata?: unknown }).requestMetadata).toEqual({
        'gateway.principalKind': 'user',
        'gateway.principalId': sub,
        'gateway.team': 'Data_Science__EU_',
      });
    });

    test('spend and tokens are metrics per team, never per user; the audit record holds the cost', async () => {
      // GIVEN
      server.setBehavior({ kind: 'reply', inputTokens: 100, outputTokens: 50 });
      const sub = newId('user');
      // WHEN
      const res = await call({ sub, groups: 'users', context: { kind: 'user', subject: sub, team: 'research' } }, chatBody('hi'));
      // THEN: 100 × 1 + 50 × 2 µUSD
      expect(res.status).toBe(200);
      expect(stdout.audit(res.headers['x-request-id']!)).toMatchObject({ callerKind: 'user', team: 'research', spendMicroUsd: 200 });
      const emf = stdout.json().filter((l) => l.Team === 'research' && l.SpendUsd === 0.0002);
      expect(emf).toHaveLength(1);
      expect(emf[0]).toMatchObject({ InputTokens: 100, OutputTokens: 50 });
      const dimensions = (emf[0]!._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][] }> }).CloudWatchMetrics[0]!.Dimensions;
      expect(dimensions).toContainEqual(['service', 'Team']);
      expect(dimensions.flat()).not.toContain('callerSub');
      expect(JSON.stringify(dimensions)).not.toContain(sub);
      expect(Object.values(emf[0]!)).not.toContain(sub);
    });
  });

  describe('budgets', () => {
    test('a key near its daily budget is capped, then refused with 429 insufficient_quota and no retry', async () => {
      // GIVEN a key with $0.002 a day (2,000 µUSD) that spent 1,200 (600 input + 300 output tokens)
      const id = newId('key');
      server.setBehavior({ kind: 'reply', inputTokens: 600, outputTokens: 300 });
      expect((await call(key(id, { daily: '0.002' }), chatBody('hello'))).status).toBe(200);
      expect(await budgets.usage({ scope: 'key', id, period: 'day' })).toEqual({ used: 1200, reserved: 0 });
      // WHEN the next request could cost up to its input bound + 512 × 2 µUSD
      server.setBehavior({ kind: 'reply', inputTokens: 20, outputTokens: 10 });
      const since = server.requests.length;
      const capped = await call(key(id, { daily: '0.002' }), chatBody('hello'));
      // THEN the model may write only what the remaining 800 µUSD pay for
      expect(capped.status).toBe(200);
      const audit = stdout.audit(capped.headers['x-request-id']!) as { maxTokens: number; reservedMicroUsd: number };
      const sent = server.requests[since]!.body as { inferenceConfig: { maxTokens: number } };
      expect(sent.inferenceConfig.maxTokens).toBe(audit.maxTokens);
      expect(audit.maxTokens).toBeLessThan(400);
      expect(audit.reservedMicroUsd).toBeLessThanOrEqual(800);
      // WHEN a third request spends all it may (the model reports the input bound and the capped output)
      const inputBound = audit.reservedMicroUsd - 2 * audit.maxTokens;
      const left = 2000 - 1200 - 40;
      server.setBehavior({ kind: 'reply', inputTokens: inputBound, outputTokens: Math.floor((left - inputBound) / 2) });
      expect((await call(key(id, { daily: '0.002' }), chatBody('hello'))).status).toBe(200);
      const before = server.requests.length;
      const refused = await call(key(id, { daily: '0.002' }), chatBody('hello'));
      // THEN
      expect(refused.status).toBe(429);
      expect(refused.body.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
      expect(refused.body.error!.message).toBe('This API key\'s daily spend budget of $0.002 is used up. It resets at 00:00 UTC.');
      expect(refused.headers['x-should-retry']).toBe('false');
      expect(server.requests.length).toBe(before);
      expect(stdout.audit(refused.headers['x-request-id']!)).toMatchObject({ decision: 'blocked', blockReason: 'quota', budgetExceeded: true });
      // the token reservation the refused request made was handed back
      expect((await quotas.usage(id)).reserved).toBe(0);
      const spent = await budgets.usage({ scope: 'key', id, period: 'day' });
      expect(spent.used + spent.reserved).toBeLessThanOrEqual(2000);
    });

    test('a user\'s group budget and the team\'s month are charged together; crossing the alert fraction alerts once', async () => {
      // GIVEN a member of "capped" ($1 a day) in team research
      const sub = newId('user');
      const caller: Caller = { sub, groups: 'capped', context: { kind: 'user', subject: sub, team: 'research' } };
      server.setBehavior({ kind: 'reply', inputTokens: 300_000, outputTokens: 100 });
      // WHEN two requests of 300,200 µUSD each (the second crosses half of $1)
      const first = await call(caller, chatBody('a'));
      const second = await call(caller, chatBody('b'));
      // THEN
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(await budgets.usage({ scope: 'user', id: sub, period: 'day' })).toEqual({ used: 600_400, reserved: 0 });
      expect((await budgets.usage({ scope: 'team', id: 'research', period: 'month' })).used).toBeGreaterThanOrEqual(600_400);
      expect(stdout.audit(first.headers['x-request-id']!)).not.toHaveProperty('budgetAlerts');
      expect(stdout.audit(second.headers['x-request-id']!)).toMatchObject({ budgetAlerts: ['user:day'] });
      expect(stdout.json().filter((l) => l.BudgetAlert !== undefined && l.Team === 'research')).toHaveLength(1);
    });

    test('fails if a key with a budget calls a model without a price: 403 model_not_priced, no model call', async () => {
      const since = server.requests.length;
      const id = newId('key');
      const keyCaller = key(id, { monthly: '5' });
      const res = await call({ ...keyCaller, context: { ...keyCaller.context, models: 'nova-pro' } }, chatBody('hi', { model: 'nova-pro' }));
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'model_not_priced' });
      expect(server.requests.length).toBe(since);
      expect(await quotas.usage(`key:${id}`)).toEqual({ used: 0, reserved: 0 });
    });
  });
});
