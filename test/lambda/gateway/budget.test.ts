import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import * as fc from 'fast-check';
import { BudgetStore, SpendLimit, SpendLimitSource, keyBudgetsFromContext, priceFor, secondsUntilNextUtcMonth, spendKey, spendLimits } from '../../../lambda/gateway/budget';
import { PermissionDeniedError, QuotaExceededError, toHttpResponse } from '../../../lambda/gateway/errors';
import type { GatewayStaticConfig } from '../../../lambda/gateway/runtime-config';
import { TokenPrice, costMicroUsd } from '../../../lambda/shared/money';
import { Dynalite, createUsageTable, newTestDynamoDbClient, startDynalite } from '../../helpers/dynalite';

const MID_MARCH = new Date('2025-03-14T12:00:00.000Z');
const NOVA_LITE: TokenPrice = { inputMicroUsdPerMillionTokens: 60_000, outputMicroUsdPerMillionTokens: 240_000 };
/** A round price: 1 µUSD per input token, 2 µUSD per output token. */
const ROUND: TokenPrice = { inputMicroUsdPerMillionTokens: 1_000_000, outputMicroUsdPerMillionTokens: 2_000_000 };

describe('BudgetStore', () => {
  let db: Dynalite;
  let client: DynamoDBClient;
  let table: string;
  let seq = 0;
  const newId = () => `key-${++seq}`;
  const keyDay = (id: string, limitMicroUsd: number): SpendLimit => ({ scope: 'key', id, period: 'day', limitMicroUsd });

  beforeAll(async () => {
    db = await startDynalite();
    table = await createUsageTable(db.endpoint);
    client = newTestDynamoDbClient(db.endpoint);
  });

  afterAll(async () => {
    client?.destroy();
    await db?.close();
  });

  describe('reserve and settle', () => {
    test('reserves the worst case on every counter and settles the real cost', async () => {
      // GIVEN
      const store = new BudgetStore(client, table, undefined, () => MID_MARCH);
      const id = newId();
      const limits: SpendLimit[] = [keyDay(id, 1_000_000), { scope: 'team', id: 'data#science', period: 'month', limitMicroUsd: 5_000_000 }];
      // WHEN
      const granted = await store.reserveCapped(limits, ROUND, 100, 400);
      // THEN: 100 × 1 + 400 × 2 µUSD on both counters
      expect(granted).toMatchObject({ outputTokens: 400, reservation: { microUsd: 900 } });
      expect(await store.usage(limits[0]!)).toEqual({ used: 0, reserved: 900 });
      expect(await store.usage(limits[1]!)).toEqual({ used: 0, reserved: 900 });
      // WHEN
      const alerts = await store.settle(granted.reservation, 300, 0.8);
      // THEN
      expect(alerts).toEqual([]);
      expect(await store.usage(limits[0]!)).toEqual({ used: 300, reserved: 0 });
      expect(await store.usage(limits[1]!)).toEqual({ used: 300, reserved: 0 });
    });

    test('counters are keyed per scope, encoded id and period, and expire two days after the period', async () => {
      // GIVEN
      const store = new BudgetStore(client, table, undefined, () => MID_MARCH);
      const limit: SpendLimit = { scope: 'team', id: 'a#b', period: 'month', limitMicroUsd: 100 };
      // WHEN
      await store.reserveCapped([limit], ROUND, 1, 1);
      // THEN
      expect(spendKey(limit, MID_MARCH)).toBe('spend#team#a%23b#2025-03');
      expect(spendKey({ ...limit, period: 'day' }, MID_MARCH)).toBe('spend#team#a%23b#2025-03-14');
      const item = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'spend#team#a%23b#2025-03' } }, ConsistentRead: true }));
      expect(item.Item?.expiresAt?.N).toBe(String(Date.parse('2025-04-03T00:00:00Z') / 1000));
    });

    test('with no limits nothing is written and the full output is granted', async () => {
      const store = new BudgetStore(client, table, undefined, () => MID_MARCH);
      const granted = await store.reserveCapped([], NOVA_LITE, 1000, 4096);
      expect(granted.outputTokens).toBe(4096);
      expect(await store.settle(granted.reservation, 5, 0.8)).toEqual([]);
    });

    test('fails if a reservation is settled twice', async () => {
      const store = new BudgetStore(client, table, undefined, () => MID_MARCH);
      const granted = await store.reserveCapped([keyDay(newId(), 10_000)], ROUND, 1, 1);
      await store.settle(granted.reservation, 3, 0.8);
      await expect(store.settle(granted.reservation, 3, 0.8)).rejects.toThrow('already settled');
    });
  });

  describe('caps', () => {
    test('caps the output tokens by what the tightest budget has left', async () => {
      // GIVEN: the key has 1,000 µUSD a day, 600 already spent
      const store = new BudgetStore(client, table, undefined, () => MID_MARCH);
      const id = newId();
      const spent = await store.reserveCapped([keyDay(id, 1_000)], ROUND, 600, 0, 0);
      await store.settle(spent.reservation, 600, 1);
      // WHEN: 100 input tokens and up to 4,096 output tokens
      const granted = await store.reserveCapped([keyDay(id, 1_000), keyDay(`${id}-wide`, 1_000_000)], ROUND, 100, 4096);
      // THEN: 400 µUSD left - 100 for the input = 300 → 150 output tokens
      expect(granted.outputTokens).toBe(150);
      expect(granted.reservation.microUsd).toBe(400);
      expect(await store.usage(keyDay(id, 0))).toEqual({ used: 600, reserved: 400 });
      // the wide counter holds the capped amount only (the refused full amount was compensated)
      expect(await store.usage(keyDay(`${id}-wide`, 0))).toEqual({ used: 0, reserved: 400 });
    });

    test('a worst case larger than the limit on a fresh counter is capped, never written in full', async () => {
      const store = new BudgetStore(client, table, undefined, () => MID_MARCH);
      const id = newId();
      const granted = await store.reserveCapped([keyDay(id, 1_000)], ROUND, 100, 64_000);
      expect(granted.outputTokens).toBe(450);
      expect(await store.usage(keyDay(id, 0))).toEqual({ used: 0, reserved: 1_000 });
    });

    test('fails if the budget is spent: 429 insufficient_quota, no retry, Retry-After until the period ends', async () => {
      // GIVEN
      const store = new BudgetStore(client, table, undefined, () => MID_MARCH);
      const team: SpendLimit = { scope: 'team', id: `t-${newId()}`, period: 'month', limitMicroUsd: 2_500_000 };
      const all = await store.reserveCapped([team], ROUND, 2_500_000, 0, 0);
      await store.settle(all.reservation, 2_500_000, 1);
      // WHEN
      const err = await store.reserveCapped([team], ROUND, 10, 10).catch((e: unknown) => e);
      // THEN
      expect(err).toBeInstanceOf(QuotaExceededError);
      expect((err as Error).message).toBe('Your team\'s monthly spend budget of $2.50 is used up. It resets on the first day of next month, 00:00 UTC.');
      const response = toHttpResponse(err, 'req-1');
      expect(response.statusCode).toBe(429);
      expect(JSON.parse(response.body).error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
      expect(response.headers['x-should-retry']).toBe('false');
      expect(response.headers['retry-after']).toBe(String(secondsUntilNextUtcMonth(MID_MARCH)));
    });

    test('fails if even the input alone costs more than the budget', async () => {
      const store = new BudgetStore(client, table, undefined, () => MID_MARCH);
      const err = await store.reserveCapped([keyDay(newId(), 50)], ROUND, 100, 10).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QuotaExceededError);
      expect((err as Error).message).toBe('This request costs at least $0.000102, more than this API key\'s daily spend budget of $0.00005. Shorten the input.');
    });

    test('a refusal on one counter leaves the other counters as they were', async () => {
      // GIVEN: the team is spent, the key is not
      const store = new BudgetStore(client, table, undefined, () => MID_MARCH);
      const key = keyDay(newId(), 1_000_000);
      const team: SpendLimit = { scope: 'team', id: `t-${newId()}`, period: 'day', limitMicroUsd: 10 };
      const spent = await store.reserveCapped([team], ROUND, 10, 0, 0);
      await store.settle(spent.reservation, 10, 1);
      // WHEN
      await expect(store.reserveCapped([key, team], ROUND, 5, 5)).rejects.toBeInstanceOf(QuotaExceededError);
      // THEN
      expect(await store.usage(key)).toEqual({ used: 0, reserved: 0 });
    });
  });

  describe('alerts', () => {
    test('the settlement that crosses the fraction alerts once per counter and period, later ones do not', async () => {
      // GIVEN
      const store = new BudgetStore(client, table, undefined, () => MID_MARCH);
      const team: SpendLimit = { scope: 'team', id: `t-${newId()}`, period: 'day', limitMicroUsd: 1_000 };
      const settle = async (micro: number) => {
        const r = await store.reserveCapped([team], ROUND, micro, 0, 0);
        return store.settle(r.reservation, micro, 0.8);
      };
      // WHEN / THEN
      expect(await settle(700)).toEqual([]);
      expect(await settle(100)).toEqual([{ scope: 'team', period: 'day', team: team.id }]);
      expect(await settle(100)).toEqual([]);
    });

    test('concurrent settlements crossing the fraction raise exactly one alert', async () => {
      // GIVEN
      const store = new BudgetStore(client, table, undefined, () => MID_MARCH);
      const key = keyDay(newId(), 1_000);
      const reservations = await Promise.all(Array.from({ length: 10 }, () => store.reserveCapped([key], ROUND, 100, 0, 0)));
      // WHEN
      const alerts = await Promise.all(reservations.map((r) => store.settle(r.reservation, 100, 0.5)));
      // THEN: a key's alert carries no id
      expect(alerts.flat()).toEqual([{ scope: 'key', period: 'day' }]);
    });
  });

  describe('concurrency', () => {
    test('50 concurrent requests on one key never spend past its budget, and every settled micro-dollar is counted', async () => {
      // GIVEN: $0.01 a day for the key, a $1 team month, Nova Lite prices
      const store = new BudgetStore(client, table, undefined, () => MID_MARCH);
      const key = keyDay(newId(), 10_000);
      const team: SpendLimit = { scope: 'team', id: `t-${newId()}`, period: 'month', limitMicroUsd: 1_000_000 };
      let maxSeen = 0;
      let settled = 0;
      // WHEN: each request has 3,000 input tokens and asks for 4,096 output tokens (worst case 1,164 µUSD)
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, async (_, i) => {
          const granted = await store.reserveCapped([key, team], NOVA_LITE, 3_000, 4_096);
          const seen = await store.usage(key);
          maxSeen = Math.max(maxSeen, seen.used + seen.reserved);
          const actual = costMicroUsd(NOVA_LITE, 2_000 + (i % 1000), (i * 97) % (granted.outputTokens + 1));
          expect(actual).toBeLessThanOrEqual(granted.reservation.microUsd);
          await store.settle(granted.reservation, actual, 0.8);
          settled += actual;
        }),
      );
      // THEN
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected.every((r) => r.reason instanceof QuotaExceededError)).toBe(true);
      expect(results.length - rejected.length).toBeGreaterThanOrEqual(8);
      expect(maxSeen).toBeLessThanOrEqual(10_000);
      const final = await store.usage(key);
      expect(final).toEqual({ used: settled, reserved: 0 });
      expect(final.used).toBeLessThanOrEqual(10_000);
      expect(await store.usage(team)).toEqual({ used: settled, reserved: 0 });
    });
  });
});

describe('spendLimits', () => {
  const config = {
    groups: {
      staff: { models: ['m'], dailyTokenQuota: 1, maxOutputTokens: 1, dailyBudgetMicroUsd: 2_000_000, monthlyBudgetMicroUsd: 30_000_000 },
      power: { models: ['m'], dailyTokenQuota: 1, maxOutputTokens: 1, dailyBudgetMicroUsd: 9_000_000 },
      free: { models: ['m'], dailyTokenQuota: 1, maxOutputTokens: 1 },
    },
    teams: { research: { monthlyBudgetMicroUsd: 100_000_000 } },
  };

  test('a user gets the largest budget of their groups, per period, and their team\'s', () => {
    expect(spendLimits({ kind: 'user', subject: 'sub-1', team: 'research', viaGroups: ['staff', 'power'] }, config)).toEqual([
      { scope: 'user', id: 'sub-1', period: 'day', limitMicroUsd: 9_000_000 },
      { scope: 'team', id: 'research', period: 'month', limitMicroUsd: 100_000_000 },
    ]);
  });

  test('a group without a budget lifts the user\'s; an unknown team has none', () => {
    expect(spendLimits({ kind: 'user', subject: 'sub-1', team: 'other', viaGroups: ['staff', 'free'] }, config)).toEqual([]);
  });

  test('a key is held to its own budgets, whatever the groups', () => {
    expect(spendLimits({ kind: 'key', subject: 'k1', team: '', viaGroups: ['staff'], keyBudgets: { monthlyMicroUsd: 5 } }, config)).toEqual([
      { scope: 'key', id: 'k1', period: 'month', limitMicroUsd: 5 },
    ]);
  });

  test('agrees with the straightforward computation over the groups (property)', () => {
    // The rule as first written: the groups that exist, and per period the largest budget when every one sets one.
    const reference = (source: SpendLimitSource, cfg: Pick<GatewayStaticConfig, 'groups' | 'teams'>): SpendLimit[] => {
      const out: SpendLimit[] = [];
      const add = (scope: SpendLimit['scope'], id: string, period: SpendLimit['period'], limit: number | undefined) => {
        if (limit !== undefined) out.push({ scope, id, period, limitMicroUsd: limit });
      };
      if (source.kind === 'key') {
        add('key', source.subject, 'day', source.keyBudgets?.dailyMicroUsd);
        add('key', source.subject, 'month', source.keyBudgets?.monthlyMicroUsd);
      } else {
        const specs = source.viaGroups.flatMap((g) => (Object.prototype.hasOwnProperty.call(cfg.groups, g) ? [cfg.groups[g]!] : []));
        const largest = (pick: (s: (typeof specs)[number]) => number | undefined): number | undefined =>
          specs.length > 0 && specs.every((s) => pick(s) !== undefined) ? Math.max(...specs.map((s) => pick(s)!)) : undefined;
        add(source.kind, source.subject, 'day', largest((s) => s.dailyBudgetMicroUsd));
        add(source.kind, source.subject, 'month', largest((s) => s.monthlyBudgetMicroUsd));
      }
      const team = source.team !== '' && cfg.teams !== undefined && Object.prototype.hasOwnProperty.call(cfg.teams, source.team) ? cfg.teams[source.team] : undefined;
      if (team !== undefined) {
        add('team', source.team, 'day', team.dailyBudgetMicroUsd);
        add('team', source.team, 'month', team.monthlyBudgetMicroUsd);
      }
      return out;
    };
    const names = fc.constantFrom('a', 'b', 'c', 'd', 'constructor', 'toString');
    const budget = fc.option(fc.integer({ min: 1, max: 1_000_000_000 }), { nil: undefined });
    const spec = fc.record({ dailyBudgetMicroUsd: budget, monthlyBudgetMicroUsd: budget }).map((b) => ({
      models: ['m'], dailyTokenQuota: 1, maxOutputTokens: 1,
      ...(b.dailyBudgetMicroUsd === undefined ? {} : { dailyBudgetMicroUsd: b.dailyBudgetMicroUsd }),
      ...(b.monthlyBudgetMicroUsd === undefined ? {} : { monthlyBudgetMicroUsd: b.monthlyBudgetMicroUsd }),
    }));
    const teamSpec = fc.record({ dailyBudgetMicroUsd: budget, monthlyBudgetMicroUsd: budget });
    const cfg = fc.record({
      groups: fc.dictionary(names, spec, { maxKeys: 4 }),
      teams: fc.option(fc.dictionary(names, teamSpec, { maxKeys: 3 }), { nil: undefined }),
    });
    const source = fc.record({
      kind: fc.constantFrom('user' as const, 'client' as const, 'key' as const),
      subject: fc.constantFrom('sub-1', 'k1'),
      team: fc.oneof(fc.constant(''), names),
      viaGroups: fc.array(names, { maxLength: 5 }),
      keyBudgets: fc.record({ dailyMicroUsd: budget, monthlyMicroUsd: budget }),
    });
    fc.assert(fc.property(source, cfg, (s, c) => {
      expect(spendLimits(s, c as unknown as GatewayStaticConfig)).toEqual(reference(s, c as unknown as GatewayStaticConfig));
    }), { numRuns: 500 });
  });
});

describe('keyBudgetsFromContext', () => {
  test('reads decimal USD text, empty for none', () => {
    expect(keyBudgetsFromContext({ dailyBudgetUsd: '2.5', monthlyBudgetUsd: '' })).toEqual({ dailyMicroUsd: 2_500_000 });
    expect(keyBudgetsFromContext(undefined)).toEqual({});
  });

  test('fails if a budget is not a positive decimal amount (fail closed)', () => {
    expect(() => keyBudgetsFromContext({ dailyBudgetUsd: '-1' })).toThrow('authorizer context dailyBudgetUsd must be a positive decimal USD amount');
    expect(() => keyBudgetsFromContext({ monthlyBudgetUsd: '0' })).toThrow('monthlyBudgetUsd');
  });
});

describe('priceFor', () => {
  test('fails if a budget applies and the model has no price: 403 model_not_priced', () => {
    const limits: SpendLimit[] = [{ scope: 'key', id: 'k', period: 'day', limitMicroUsd: 1 }];
    const err = (() => {
      try {
        return priceFor('mystery', limits, { models: { mystery: { modelId: 'x.y', maxOutputTokens: 1 } } });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect((err as PermissionDeniedError).message).toContain('gateway.models.mystery.price');
    expect(priceFor('mystery', [], { models: { mystery: { modelId: 'x.y', maxOutputTokens: 1 } } })).toBeUndefined();
  });
});
