import { DynamoDBClient, GetItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import * as fc from 'fast-check';
import { QuotaExceededError, toHttpResponse } from '../../../lambda/gateway/errors';
import { QuotaStore, Reservation, quotaKey, secondsUntilUtcMidnight, utcDay } from '../../../lambda/gateway/quota';
import { Dynalite, createUsageTable, fakeCredentials, startDynalite } from '../../helpers/dynalite';

const DAY_1 = new Date('2025-03-14T23:59:30.250Z');
const DAY_2 = new Date('2025-03-15T00:00:01.000Z');

describe('QuotaStore', () => {
  let db: Dynalite;
  let client: DynamoDBClient;
  let table: string;
  let userSeq = 0;
  const savedEndpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  /** A fresh user per test keeps tests independent on one table. */
  const newUser = () => `user-${++userSeq}`;

  beforeAll(async () => {
    db = await startDynalite();
    table = await createUsageTable(db.endpoint);
    // The gateway's module-scope client has no explicit endpoint: prove the environment variable reaches it.
    process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint;
    client = new DynamoDBClient({ region: 'us-east-1', credentials: fakeCredentials() });
  });

  afterAll(async () => {
    client?.destroy();
    await db?.close();
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    else process.env.AWS_ENDPOINT_URL_DYNAMODB = savedEndpoint;
  });

  async function rawItem(key: string) {
    const out = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: key } }, ConsistentRead: true }));
    return out.Item;
  }

  describe('reserve and settle', () => {
    test('reserve holds tokens and settle turns them into use, returning the rest', async () => {
      // GIVEN
      const store = new QuotaStore(client, table, () => DAY_1);
      const user = newUser();
      // WHEN
      const reservation = await store.reserve(user, 500, 10_000);
      // THEN
      expect(reservation).toEqual({ userId: user, day: '2025-03-14', key: `user#${user}#2025-03-14`, tokens: 500 });
      expect(await store.usage(user)).toEqual({ used: 0, reserved: 500 });
      // WHEN
      await store.settle(reservation, 120);
      // THEN
      expect(await store.usage(user)).toEqual({ used: 120, reserved: 0 });
    });

    test('the item is keyed by user and UTC day and expires two days after the day starts', async () => {
      // GIVEN
      const store = new QuotaStore(client, table, () => DAY_1);
      const user = newUser();
      // WHEN
      await store.reserve(user, 10, 100);
      // THEN
      const item = await rawItem(`user#${user}#2025-03-14`);
      expect(item?.consumed?.N).toBe('10');
      expect(item?.expiresAt?.N).toBe(String(Date.parse('2025-03-16T00:00:00Z') / 1000));
    });

    test('the TTL is set once, not pushed back by later reservations', async () => {
      let now = new Date('2025-03-14T00:00:00Z');
      const store = new QuotaStore(client, table, () => now);
      const user = newUser();
      await store.reserve(user, 10, 100);
      now = new Date('2025-03-14T23:00:00Z');
      await store.reserve(user, 10, 100);
      expect((await rawItem(quotaKey(user, '2025-03-14')))?.expiresAt?.N).toBe(String(Date.parse('2025-03-16T00:00:00Z') / 1000));
    });

    test('a settlement above the reservation charges the excess', async () => {
      // GIVEN
      const store = new QuotaStore(client, table, () => DAY_1);
      const user = newUser();
      const reservation = await store.reserve(user, 100, 200);
      // WHEN
      await store.settle(reservation, 150);
      // THEN
      expect(await store.usage(user)).toEqual({ used: 150, reserved: 0 });
      await expect(store.reserve(user, 51, 200)).rejects.toBeInstanceOf(QuotaExceededError);
      await expect(store.reserve(user, 50, 200)).resolves.toMatchObject({ tokens: 50 });
    });

    test('settling zero tokens (failed call) returns the whole reservation', async () => {
      const store = new QuotaStore(client, table, () => DAY_1);
      const user = newUser();
      await store.settle(await store.reserve(user, 1000, 1000), 0);
      expect(await store.usage(user)).toEqual({ used: 0, reserved: 0 });
      await expect(store.reserve(user, 1000, 1000)).resolves.toBeDefined();
    });

    test('users do not share a quota', async () => {
      const store = new QuotaStore(client, table, () => DAY_1);
      const alice = newUser();
      const bob = newUser();
      await store.reserve(alice, 1000, 1000);
      await expect(store.reserve(bob, 1000, 1000)).resolves.toBeDefined();
    });
  });

  describe('exhaustion', () => {
    test('a reservation past the limit throws QuotaExceededError retrying at the next UTC midnight', async () => {
      // GIVEN
      const store = new QuotaStore(client, table, () => DAY_1);
      const user = newUser();
      await store.reserve(user, 600, 1000);
      await store.reserve(user, 400, 1000); // exactly at the limit is allowed
      // WHEN
      const err: unknown = await store.reserve(user, 1, 1000).catch((e: unknown) => e);
      // THEN
      expect(err).toBeInstanceOf(QuotaExceededError);
      expect((err as QuotaExceededError).retryAfterSeconds).toBe(30); // 29.75 s to midnight, rounded up
      const response = toHttpResponse(err, 'req-1');
      expect(response.statusCode).toBe(429);
      expect(response.headers['retry-after']).toBe('30');
      expect(JSON.parse(response.body)).toMatchObject({ error: { type: 'insufficient_quota', code: 'insufficient_quota' } });
      expect(await store.usage(user)).toEqual({ used: 0, reserved: 1000 });
    });

    test('a request larger than the whole limit is refused without touching the table', async () => {
      const store = new QuotaStore(client, table, () => DAY_1);
      const user = newUser();
      await expect(store.reserve(user, 1001, 1000)).rejects.toMatchObject({ name: 'QuotaExceededError', retryAfterSeconds: 30 });
      expect(await rawItem(quotaKey(user, '2025-03-14'))).toBeUndefined();
    });

    test('settling frees quota for the next request', async () => {
      const store = new QuotaStore(client, table, () => DAY_1);
      const user = newUser();
      const reservation = await store.reserve(user, 1000, 1000);
      await expect(store.reserve(user, 500, 1000)).rejects.toBeInstanceOf(QuotaExceededError);
      await store.settle(reservation, 400);
      await expect(store.reserve(user, 600, 1000)).resolves.toBeDefined();
    });

    test('the quota resets at UTC midnight, and a late settlement still counts on its own day', async () => {
      // GIVEN
      let now = DAY_1;
      const store = new QuotaStore(client, table, () => now);
      const user = newUser();
      const lastOfDay1 = await store.reserve(user, 1000, 1000);
      await expect(store.reserve(user, 1, 1000)).rejects.toBeInstanceOf(QuotaExceededError);
      // WHEN
      now = DAY_2;
      // THEN
      expect(await store.usage(user)).toEqual({ used: 0, reserved: 0 });
      await expect(store.reserve(user, 1000, 1000)).resolves.toMatchObject({ day: '2025-03-15' });
      await store.settle(lastOfDay1, 10);
      expect(await rawItem(quotaKey(user, '2025-03-14'))).toMatchObject({ consumed: { N: '10' }, used: { N: '10' } });
      expect(await store.usage(user)).toEqual({ used: 0, reserved: 1000 });
    });

    test('DynamoDB errors other than the condition are not disguised as quota errors', async () => {
      const store = new QuotaStore(client, 'no-such-table', () => DAY_1);
      await expect(store.reserve(newUser(), 1, 10)).rejects.toBeInstanceOf(ResourceNotFoundException);
    });
  });

  describe('capped reservation', () => {
    test('grants the whole request while it fits, and only what is left of the quota once it does not', async () => {
      // GIVEN a user with 1,000 tokens a day who has spent 900 of them
      const store = new QuotaStore(client, table, () => DAY_1);
      const user = newUser();
      const first = await store.reserveCapped(user, 400, 500, 1000);
      expect(first.outputTokens).toBe(500);
      await store.settle(first.reservation, 900);
      // WHEN a request with a 60-token input bound asks for 500 output tokens
      const second = await store.reserveCapped(user, 60, 500, 1000);
      // THEN it gets the 40 that are left, and the day's total cannot pass the limit even if it spends them all
      expect(second.outputTokens).toBe(40);
      expect(second.reservation.tokens).toBe(100);
      await store.settle(second.reservation, 100);
      expect(await store.usage(user)).toEqual({ used: 1000, reserved: 0 });
    });

    test('fails if not even the input bound and the minimum output fit', async () => {
      // GIVEN 990 of 1,000 tokens spent
      const store = new QuotaStore(client, table, () => DAY_1);
      const user = newUser();
      const spent = await store.reserve(user, 990, 1000);
      await store.settle(spent, 990);
      // THEN a request whose input alone needs 10 tokens, plus at least 1 to answer, is refused
      await expect(store.reserveCapped(user, 10, 500, 1000)).rejects.toBeInstanceOf(QuotaExceededError);
      // AND one that fits in the 10 left gets them
      await expect(store.reserveCapped(user, 4, 500, 1000)).resolves.toMatchObject({ outputTokens: 6 });
    });

    test('a request larger than the whole limit is capped to the limit instead of refused', async () => {
      const store = new QuotaStore(client, table, () => DAY_1);
      const granted = await store.reserveCapped(newUser(), 300, 5000, 1000);
      expect(granted.outputTokens).toBe(700);
      expect(granted.reservation.tokens).toBe(1000);
    });
  });

  describe('concurrency', () => {
    test('50 parallel reservations of 100 against 1,000 tokens: exactly 10 succeed', async () => {
      // GIVEN
      const store = new QuotaStore(client, table, () => DAY_1);
      const user = newUser();
      // WHEN
      const results = await Promise.allSettled(Array.from({ length: 50 }, () => store.reserve(user, 100, 1000)));
      // THEN
      const fulfilled = results.filter((r) => r.status === 'fulfilled');
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(fulfilled).toHaveLength(10);
      expect(rejected.every((r) => r.reason instanceof QuotaExceededError)).toBe(true);
      expect(await store.usage(user)).toEqual({ used: 0, reserved: 1000 });
    });

    test('40 parallel reserve-then-settle requests never push the total past the limit and account every token', async () => {
      // GIVEN
      const store = new QuotaStore(client, table, () => DAY_1);
      const user = newUser();
      const limit = 2_000;
      let maxSeen = 0;
      let settledTokens = 0;
      // WHEN
      const requests = Array.from({ length: 40 }, async (_, i) => {
        const reservation = await store.reserve(user, 200, limit);
        const seen = await store.usage(user);
        maxSeen = Math.max(maxSeen, seen.used + seen.reserved);
        const actual = (i * 37) % 201;
        await store.settle(reservation, actual);
        settledTokens += actual;
      });
      const results = await Promise.allSettled(requests);
      // THEN
      expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(10);
      expect(maxSeen).toBeLessThanOrEqual(limit);
      expect(await store.usage(user)).toEqual({ used: settledTokens, reserved: 0 });
    });
  });

  describe('properties', () => {
    type Op = { kind: 'reserve'; tokens: number } | { kind: 'settle'; index: number; fraction: number };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('reserve' as const), tokens: fc.integer({ min: 1, max: 400 }) }),
      fc.record({ kind: fc.constant('settle' as const), index: fc.nat(), fraction: fc.double({ min: 0, max: 2, noNaN: true }) }),
    );

    /** Runs ops against the store and a model; reservations succeed exactly when they fit. */
    async function check(ops: Op[], limit: number, allowOvershoot: boolean): Promise<void> {
      const store = new QuotaStore(client, table, () => DAY_1);
      const user = newUser();
      const open: Reservation[] = [];
      let modelConsumed = 0;
      let modelUsed = 0;
      for (const op of ops) {
        if (op.kind === 'reserve') {
          const fits = modelConsumed + op.tokens <= limit;
          const outcome = await store.reserve(user, op.tokens, limit).then(
            (r) => r,
            (e: unknown) => e,
          );
          if (fits) {
            expect(outcome).not.toBeInstanceOf(Error);
            open.push(outcome as Reservation);
            modelConsumed += op.tokens;
          } else {
            expect(outcome).toBeInstanceOf(QuotaExceededError);
          }
        } else if (open.length > 0) {
          const [reservation] = open.splice(op.index % open.length, 1);
          const fraction = allowOvershoot ? op.fraction : Math.min(op.fraction, 1);
          const actual = Math.floor(reservation!.tokens * fraction);
          await store.settle(reservation!, actual);
          modelConsumed += actual - reservation!.tokens;
          modelUsed += actual;
        }
        const usage = await store.usage(user);
        expect(usage).toEqual({ used: modelUsed, reserved: modelConsumed - modelUsed });
        if (!allowOvershoot) expect(usage.used + usage.reserved).toBeLessThanOrEqual(limit);
      }
    }

    test('when settlements stay within their reservations, consumption never exceeds the limit', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { maxLength: 25 }), fc.integer({ min: 1, max: 1500 }), (ops, limit) => check(ops, limit, false)),
        // A fixed number of runs, not a time budget: the same cases are checked on an idle and on a busy machine.
        { numRuns: 100 },
      );
    });

    test('with overshooting settlements, every token is accounted and reservations succeed exactly when they fit', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { maxLength: 25 }), fc.integer({ min: 1, max: 1500 }), (ops, limit) => check(ops, limit, true)),
        // A fixed number of runs, not a time budget: the same cases are checked on an idle and on a busy machine.
        { numRuns: 100 },
      );
    });

    test('retryAfterSeconds is always 1..86400 and lands on the next UTC midnight', () => {
      fc.assert(
        fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => {
          const now = new Date(ms);
          const s = secondsUntilUtcMidnight(now);
          expect(s).toBeGreaterThanOrEqual(1);
          expect(s).toBeLessThanOrEqual(86_400);
          expect(utcDay(new Date(ms + s * 1000))).not.toBe(utcDay(now));
          expect(utcDay(new Date(ms + (s - 1) * 1000))).toBe(utcDay(now));
        }),
      );
    });
  });

  describe('validation', () => {
    const store = () => new QuotaStore(client, table, () => DAY_1);

    test.each([0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('fails if tokens is %p', async (tokens) => {
      await expect(store().reserve('u', tokens, 100)).rejects.toThrow(/tokens must be an integer >= 1/);
    });

    test.each([0, -1, 2.5])('fails if dailyLimit is %p', async (limit) => {
      await expect(store().reserve('u', 1, limit)).rejects.toThrow(/dailyLimit must be an integer >= 1/);
    });

    test('fails if userId is empty or longer than 512 characters', async () => {
      await expect(store().reserve('', 1, 100)).rejects.toThrow(/userId must be a string of 1-512 characters/);
      await expect(store().usage('x'.repeat(513))).rejects.toThrow(/userId must be a string of 1-512 characters/);
    });

    test('fails if actualTokens is negative or fractional', async () => {
      const s = store();
      const reservation = await s.reserve(newUser(), 10, 100);
      await expect(s.settle(reservation, -1)).rejects.toThrow(/actualTokens must be an integer >= 0/);
      await expect(s.settle(reservation, 0.5)).rejects.toThrow(/actualTokens must be an integer >= 0/);
    });

    test('fails if a reservation is settled twice, without counting it twice', async () => {
      const s = store();
      const user = newUser();
      const reservation = await s.reserve(user, 10, 100);
      await s.settle(reservation, 4);
      await expect(s.settle(reservation, 4)).rejects.toThrow(/already settled/);
      expect(await s.usage(user)).toEqual({ used: 4, reserved: 0 });
    });

    test('fails if the reservation was not made by this store', async () => {
      const forged: Reservation = { userId: 'u', day: '2025-03-14', key: quotaKey('u', '2025-03-14'), tokens: 1_000_000 };
      await expect(store().settle(forged, 0)).rejects.toThrow(/not made by this QuotaStore/);
    });

    test('fails if tableName is empty', () => {
      expect(() => new QuotaStore(client, '')).toThrow(/tableName must not be empty/);
    });
  });
});
