/**
 * Spend budgets in USD per key, per user (or app client) and per team, per UTC day and per calendar month (UTC),
 * in the usage table beside the token quota.
 *
 * One item per counter and period, key `spend#<scope>#<id>#<yyyy-mm-dd | yyyy-mm>`, with integer micro-dollars
 * (see `lambda/shared/money.ts`): `consumed` (reserved + settled, the only value the limit is checked on), `used`
 * (settled), `alertedAt` (set once when a settlement crossed the alert fraction) and the TTL `expiresAt`.
 *
 * A request reserves the cost of its worst case (the input bound at the input price plus `maxTokens` at the output
 * price) on every counter that has a limit, with one conditional `UpdateItem` per counter (`ADD consumed :c` if
 * `consumed <= limit - c`): no counter can ever pass its limit, whatever the concurrency. The counters are written
 * in parallel, not in one `TransactWriteItems` (a transaction would cost twice the write units and the local
 * DynamoDB the tests run against has none); when one of them refuses, the others that accepted are
 * **compensated** (`ADD consumed -c`, unconditional) before the refusal is returned. Between the write and its
 * compensation a counter holds money it did not spend, which can only refuse a concurrent request early, never let
 * one overspend. A compensation that fails leaves the money held until the period ends (fail closed) and is reported.
 *
 * When the full worst case does not fit, {@link BudgetStore.reserveCapped} reads the counters and retries once with
 * the most output tokens the smallest remainder can pay for, so no single request can spend past a limit: the
 * handler then caps the model's `maxTokens`. {@link BudgetStore.settle} charges the real cost and returns the rest.
 *
 * @module
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDbSdk } from './deferred-sdk';
import { QUOTA_PARTITION_KEY, QUOTA_TTL_ATTRIBUTE, SPEND_KEY_PREFIX } from '../shared/gateway-contract';
import { TokenPrice, affordableOutputTokens, costMicroUsd, formatMicroUsd, usdToMicroUsd } from '../shared/money';
import { PermissionDeniedError, QuotaExceededError } from './errors';
import { secondsUntilUtcMidnight, utcDay } from './quota';
import type { GatewayStaticConfig } from './runtime-config';

/** Whose money a counter holds: a person, a program's app client, a gateway API key, or a team. */
export type SpendScope = 'user' | 'client' | 'key' | 'team';
/** The period a counter covers. */
export type SpendPeriod = 'day' | 'month';

/** One limited counter a request is charged on. */
export interface SpendLimit {
  readonly scope: SpendScope;
  /** The user's sub, app client id, key id or team name. */
  readonly id: string;
  readonly period: SpendPeriod;
  /** The limit in µUSD, a positive integer. */
  readonly limitMicroUsd: number;
}

/** Money held for one request between {@link BudgetStore.reserveCapped} and {@link BudgetStore.settle}. */
export interface SpendReservation {
  /** The counters charged, with their DynamoDB keys (for the period the reservation was made in). */
  readonly counters: ReadonlyArray<{ readonly limit: SpendLimit; readonly key: string }>;
  /** µUSD held on each counter. */
  readonly microUsd: number;
}

/** What {@link BudgetStore.reserveCapped} granted. */
export interface CappedSpend {
  readonly reservation: SpendReservation;
  /** The `maxTokens` the model call may use: at most what was asked, never more than every budget can pay for. */
  readonly outputTokens: number;
}

/** A counter whose settled spend crossed the alert fraction for the first time in its period. */
export interface BudgetAlert {
  readonly scope: SpendScope;
  readonly period: SpendPeriod;
  /** The team's name for a team counter; never a user or key id (alerts become metrics). */
  readonly team?: string;
}

/** A counter's values for the current period. */
export interface SpendUsage {
  /** µUSD settled. */
  readonly used: number;
  /** µUSD reserved by requests that have not settled. */
  readonly reserved: number;
}

/** Called when a compensation or settlement write failed: that counter holds the money until its period ends. */
export type SpendWarning = (message: string, fields: Record<string, unknown>) => void;

const DAY_MS = 86_400_000;
const MAX_ID_LENGTH = 512;

/** The period label of `date`: `yyyy-mm-dd` for a day, `yyyy-mm` for a month (UTC). */
export function periodLabel(period: SpendPeriod, date: Date): string {
  return period === 'day' ? utcDay(date) : utcDay(date).slice(0, 7);
}

/** The partition key of a counter in the period of `date`. The id is URI-encoded so a `#` in it cannot collide. */
export function spendKey(limit: Pick<SpendLimit, 'scope' | 'id' | 'period'>, date: Date): string {
  return `${SPEND_KEY_PREFIX}${limit.scope}#${encodeURIComponent(limit.id)}#${periodLabel(limit.period, date)}`;
}

/** Whole seconds from `date` until the first day of the next month (UTC), at least 1. */
export function secondsUntilNextUtcMonth(date: Date): number {
  const next = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  return Math.max(1, Math.ceil((next - date.getTime()) / 1000));
}

/** TTL of a counter item: two days after its period ends. */
function expiresAt(period: SpendPeriod, date: Date): number {
  const end = period === 'day'
    ? Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1)
    : Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  return (end + 2 * DAY_MS) / 1000;
}

/**
 * Spend budgets backed by the usage table (partition key {@link QUOTA_PARTITION_KEY}, TTL {@link QUOTA_TTL_ATTRIBUTE}).
 * One instance per Lambda container (module scope) is intended.
 */
export class BudgetStore {
  private readonly open = new WeakSet<SpendReservation>();

  /**
   * @param client - the DynamoDB client (module scope)
   * @param tableName - the usage table
   * @param warn - told about writes that failed and left money held @default - ignore
   * @param now - clock, injectable for tests @default - the system clock
   */
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly warn: SpendWarning = () => undefined,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (tableName.length === 0) throw new Error('tableName must not be empty; pass the usage table name');
  }

  /**
   * Reserves the cost of `inputTokens` plus as many output tokens as every limit can pay for, at most
   * `maxOutputTokens` and at least `minOutputTokens`. With no limits, reserves nothing and grants `maxOutputTokens`.
   *
   * @throws QuotaExceededError (429 `insufficient_quota`) naming the budget that is spent; `retryAfterSeconds` is
   *   the time until that budget's period ends
   * @throws Error on DynamoDB errors (after compensating what was written) or invalid arguments
   */
  async reserveCapped(
    limits: readonly SpendLimit[],
    price: TokenPrice,
    inputTokens: number,
    maxOutputTokens: number,
    minOutputTokens = 1,
  ): Promise<CappedSpend> {
    limits.forEach(validateLimit);
    const date = this.now();
    const counters = limits.map((limit) => ({ limit, key: spendKey(limit, date) }));
    if (counters.length === 0) return { reservation: this.track({ counters, microUsd: 0 }), outputTokens: maxOutputTokens };

    const smallest = counters.reduce((a, b) => (b.limit.limitMicroUsd < a.limit.limitMicroUsd ? b : a));
    const floor = costMicroUsd(price, inputTokens, minOutputTokens);
    if (floor > smallest.limit.limitMicroUsd) {
      throw exceeded(smallest.limit, date, `This request costs at least $${formatMicroUsd(floor)}, more than ${budgetName(smallest.limit)} of $${formatMicroUsd(smallest.limit.limitMicroUsd)}. Shorten the input.`);
    }
    const full = costMicroUsd(price, inputTokens, maxOutputTokens);
    const refused = await this.hold(counters, full, date);
    if (refused === undefined) return { reservation: this.track({ counters, microUsd: full }), outputTokens: maxOutputTokens };

    // The worst case does not fit somewhere: pay for what the tightest remainder allows, once.
    const usages = await Promise.all(counters.map((c) => this.read(c.key)));
    let tightest = counters[0]!;
    let remaining = Number.POSITIVE_INFINITY;
    usages.forEach((u, i) => {
      const left = counters[i]!.limit.limitMicroUsd - u.used - u.reserved;
      if (left < remaining) {
        remaining = left;
        tightest = counters[i]!;
      }
    });
    const outputTokens = affordableOutputTokens(price, inputTokens, Math.max(remaining, -1), maxOutputTokens);
    if (outputTokens < minOutputTokens) throw spent(tightest.limit, date);
    const capped = costMicroUsd(price, inputTokens, outputTokens);
    const again = await this.hold(counters, capped, date);
    if (again !== undefined) throw spent(again, date);
    return { reservation: this.track({ counters, microUsd: capped }), outputTokens };
  }

  /**
   * Settles a reservation with the real cost: returns the unspent part (or charges the excess), adds the cost to
   * `used`, and reports each counter whose `used` reached `alertFraction` of its limit for the first time in its
   * period (a conditional write makes that once per counter and period, whatever the concurrency). A counter whose
   * write fails keeps the money held (fail closed) and is reported to `warn`. Each reservation settles at most once.
   *
   * @param actualMicroUsd - the cost of the tokens the model reported (0 when the call failed)
   * @param alertFraction - in (0, 1]
   * @throws Error when the reservation was already settled or not made by this store
   */
  async settle(reservation: SpendReservation, actualMicroUsd: number, alertFraction: number): Promise<BudgetAlert[]> {
    if (!Number.isSafeInteger(actualMicroUsd) || actualMicroUsd < 0) throw new Error(`actualMicroUsd must be a non-negative integer, got ${actualMicroUsd}`);
    if (!(alertFraction > 0 && alertFraction <= 1)) throw new Error(`alertFraction must be in (0, 1], got ${alertFraction}`);
    if (!this.open.has(reservation)) throw new Error('the spend reservation was already settled or was not made by this BudgetStore');
    this.open.delete(reservation);
    const alerts: BudgetAlert[] = [];
    await Promise.all(
      reservation.counters.map(async ({ limit, key }) => {
        try {
          const out = await this.client.send(
            new (dynamoDbSdk().UpdateItemCommand)({
              TableName: this.tableName,
              Key: { [QUOTA_PARTITION_KEY]: { S: key } },
              UpdateExpression: 'ADD #consumed :delta, #used :actual',
              ExpressionAttributeNames: { '#consumed': 'consumed', '#used': 'used' },
              ExpressionAttributeValues: { ':delta': { N: String(actualMicroUsd - reservation.microUsd) }, ':actual': { N: String(actualMicroUsd) } },
              ReturnValues: 'ALL_NEW',
            }),
          );
          const used = Number(out.Attributes?.used?.N ?? '0');
          if (actualMicroUsd === 0 || out.Attributes?.alertedAt !== undefined || used < Math.ceil(limit.limitMicroUsd * alertFraction)) return;
          if (await this.markAlerted(key)) alerts.push({ scope: limit.scope, period: limit.period, ...(limit.scope === 'team' ? { team: limit.id } : {}) });
        } catch (err) {
          this.warn('budget settlement failed; the reservation stays held until the period ends', { counter: `${limit.scope}:${limit.period}`, errorName: errorName(err) });
        }
      }),
    );
    return alerts;
  }

  /** Reads a counter for the current period with a strongly consistent read. */
  async usage(limit: Pick<SpendLimit, 'scope' | 'id' | 'period'>): Promise<SpendUsage> {
    return this.read(spendKey(limit, this.now()));
  }

  private track(reservation: SpendReservation): SpendReservation {
    const frozen = Object.freeze(reservation);
    this.open.add(frozen);
    return frozen;
  }

  /** Holds `microUsd` on every counter, or on none: returns the limit that refused, after compensating the others. */
  private async hold(counters: SpendReservation['counters'], microUsd: number, date: Date): Promise<SpendLimit | undefined> {
    // A fresh counter passes the condition whatever the amount: an amount over a limit is refused before any write.
    const over = counters.find((c) => microUsd > c.limit.limitMicroUsd);
    if (over !== undefined) return over.limit;
    const results = await Promise.allSettled(
      counters.map(({ limit, key }) =>
        this.client.send(
          new (dynamoDbSdk().UpdateItemCommand)({
            TableName: this.tableName,
            Key: { [QUOTA_PARTITION_KEY]: { S: key } },
            UpdateExpression: 'ADD #consumed :c SET #expiresAt = if_not_exists(#expiresAt, :expiresAt)',
            ConditionExpression: 'attribute_not_exists(#consumed) OR #consumed <= :headroom',
            ExpressionAttributeNames: { '#consumed': 'consumed', '#expiresAt': QUOTA_TTL_ATTRIBUTE },
            ExpressionAttributeValues: {
              ':c': { N: String(microUsd) },
              ':headroom': { N: String(limit.limitMicroUsd - microUsd) },
              ':expiresAt': { N: String(expiresAt(limit.period, date)) },
            },
          }),
        ),
      ),
    );
    if (results.every((r) => r.status === 'fulfilled')) return undefined;
    await Promise.all(
      results.map(async (r, i) => {
        if (r.status !== 'fulfilled') return;
        const { limit, key } = counters[i]!;
        try {
          await this.client.send(
            new (dynamoDbSdk().UpdateItemCommand)({
              TableName: this.tableName,
              Key: { [QUOTA_PARTITION_KEY]: { S: key } },
              UpdateExpression: 'ADD #consumed :c',
              ExpressionAttributeNames: { '#consumed': 'consumed' },
              ExpressionAttributeValues: { ':c': { N: String(-microUsd) } },
            }),
          );
        } catch (err) {
          this.warn('budget compensation failed; the money stays held until the period ends', { counter: `${limit.scope}:${limit.period}`, errorName: errorName(err) });
        }
      }),
    );
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [{ reason: r.reason as unknown, limit: counters[i]!.limit }] : []));
    const other = failures.find((f) => !isConditionalCheckFailed(f.reason));
    if (other !== undefined) throw other.reason;
    return failures[0]!.limit;
  }

  private async read(key: string): Promise<SpendUsage> {
    const out = await this.client.send(
      new (dynamoDbSdk().GetItemCommand)({
        TableName: this.tableName,
        Key: { [QUOTA_PARTITION_KEY]: { S: key } },
        ConsistentRead: true,
        ProjectionExpression: '#consumed, #used',
        ExpressionAttributeNames: { '#consumed': 'consumed', '#used': 'used' },
      }),
    );
    const consumed = Number(out.Item?.consumed?.N ?? '0');
    const used = Number(out.Item?.used?.N ?? '0');
    return { used, reserved: consumed - used };
  }

  /** Marks a counter alerted; true only for the one settlement that set the mark. */
  private async markAlerted(key: string): Promise<boolean> {
    try {
      await this.client.send(
        new (dynamoDbSdk().UpdateItemCommand)({
          TableName: this.tableName,
          Key: { [QUOTA_PARTITION_KEY]: { S: key } },
          UpdateExpression: 'SET #alertedAt = :now',
          ConditionExpression: 'attribute_not_exists(#alertedAt)',
          ExpressionAttributeNames: { '#alertedAt': 'alertedAt' },
          ExpressionAttributeValues: { ':now': { N: String(Math.floor(this.now().getTime() / 1000)) } },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }
}

/** The caller's spend limits for one request, from the configuration and the authorizer context. */
export interface SpendLimitSource {
  /** How the caller authenticated. */
  readonly kind: 'user' | 'client' | 'key';
  /** Sub, app client id or key id. */
  readonly subject: string;
  /** Team name, or '' for none. */
  readonly team: string;
  /** The caller's groups that allow the alias (user and client callers). */
  readonly viaGroups: readonly string[];
  /** A key's own budgets in µUSD (key callers), from the authorizer context. */
  readonly keyBudgets?: KeyBudgets;
}

/** A gateway API key's budgets in µUSD; absent: none. */
export interface KeyBudgets {
  readonly dailyMicroUsd?: number;
  readonly monthlyMicroUsd?: number;
}

type BudgetConfig = Pick<GatewayStaticConfig, 'groups' | 'teams'>;

/**
 * Every limited counter a request is charged on: the key's own budgets (key callers) or the largest budget among
 * the caller's groups that allow the alias (user and client callers; when one of those groups sets none, the caller
 * has none: as for token quotas, the most generous group wins), and the team's budgets. Pure.
 */
export function spendLimits(source: SpendLimitSource, config: BudgetConfig): SpendLimit[] {
  // Loops instead of closures and intermediate arrays: this runs on every chat request.
  const out: SpendLimit[] = [];
  if (source.kind === 'key') {
    addLimit(out, 'key', source.subject, 'day', source.keyBudgets?.dailyMicroUsd);
    addLimit(out, 'key', source.subject, 'month', source.keyBudgets?.monthlyMicroUsd);
  } else {
    // The largest budget of each period among the groups; none as soon as one of them sets none, or no group applies.
    let groups = 0;
    let day: number | undefined = Number.NEGATIVE_INFINITY;
    let month: number | undefined = Number.NEGATIVE_INFINITY;
    for (const g of source.viaGroups) {
      if (!Object.prototype.hasOwnProperty.call(config.groups, g)) continue;
      const spec = config.groups[g]!;
      groups++;
      day = day === undefined || spec.dailyBudgetMicroUsd === undefined ? undefined : Math.max(day, spec.dailyBudgetMicroUsd);
      month = month === undefined || spec.monthlyBudgetMicroUsd === undefined ? undefined : Math.max(month, spec.monthlyBudgetMicroUsd);
    }
    addLimit(out, source.kind, source.subject, 'day', groups > 0 ? day : undefined);
    addLimit(out, source.kind, source.subject, 'month', groups > 0 ? month : undefined);
  }
  const team = source.team !== '' && config.teams !== undefined && Object.prototype.hasOwnProperty.call(config.teams, source.team) ? config.teams[source.team] : undefined;
  if (team !== undefined) {
    addLimit(out, 'team', source.team, 'day', team.dailyBudgetMicroUsd);
    addLimit(out, 'team', source.team, 'month', team.monthlyBudgetMicroUsd);
  }
  return out;
}

function addLimit(out: SpendLimit[], scope: SpendScope, id: string, period: SpendPeriod, limit: number | undefined): void {
  if (limit !== undefined) out.push({ scope, id, period, limitMicroUsd: limit });
}

/**
 * The price to charge `alias` at when `limits` are not empty.
 *
 * @throws PermissionDeniedError (403 `model_not_priced`) when a budget applies and the model has no price: the
 *   configuration prices every model when groups or teams have budgets, so this happens for a key with a budget on
 *   a model the administrator left unpriced; refusing is the only way not to spend unmetered.
 */
export function priceFor(alias: string, limits: readonly SpendLimit[], config: Pick<GatewayStaticConfig, 'models'>): TokenPrice | undefined {
  const price = config.models[alias]?.price;
  if (limits.length > 0 && price === undefined) {
    throw new PermissionDeniedError(
      `The model ${JSON.stringify(alias)} has no price, and a spend budget applies to you. Ask the gateway's administrator to set gateway.models.${alias}.price.`,
      { code: 'model_not_priced', param: 'model' },
    );
  }
  return price;
}

/**
 * A key's budgets from the authorizer context (`dailyBudgetUsd`, `monthlyBudgetUsd`: decimal USD text, '' for none).
 *
 * @throws Error when a value is neither '' nor a decimal USD amount: the context comes from our own authorizer, so
 *   that is a defect, and the request fails closed (500)
 */
export function keyBudgetsFromContext(context: Readonly<Record<string, unknown>> | null | undefined): KeyBudgets {
  const read = (name: string): number | undefined => {
    const value = context?.[name];
    if (value === undefined || value === null || value === '') return undefined;
    const micro = typeof value === 'string' || typeof value === 'number' ? usdToMicroUsd(value) : undefined;
    if (micro === undefined || micro === 0) throw new Error(`authorizer context ${name} must be a positive decimal USD amount or '', got a ${typeof value}`);
    return micro;
  };
  const daily = read('dailyBudgetUsd');
  const monthly = read('monthlyBudgetUsd');
  return { ...(daily === undefined ? {} : { dailyMicroUsd: daily }), ...(monthly === undefined ? {} : { monthlyMicroUsd: monthly }) };
}

function validateLimit(limit: SpendLimit): void {
  if (typeof limit.id !== 'string' || limit.id.length === 0 || limit.id.length > MAX_ID_LENGTH) {
    throw new Error(`a ${limit.scope} budget needs an id of 1-${MAX_ID_LENGTH} characters, got ${limit.id.length}`);
  }
  if (!Number.isSafeInteger(limit.limitMicroUsd) || limit.limitMicroUsd < 1) {
    throw new Error(`limitMicroUsd must be a positive integer, got ${limit.limitMicroUsd}`);
  }
}

function budgetName(limit: SpendLimit): string {
  const whose = limit.scope === 'key' ? 'this API key\'s' : limit.scope === 'team' ? 'your team\'s' : 'your';
  return `${whose} ${limit.period === 'day' ? 'daily' : 'monthly'} spend budget`;
}

function exceeded(limit: SpendLimit, date: Date, message: string): QuotaExceededError {
  return new QuotaExceededError(message, limit.period === 'day' ? secondsUntilUtcMidnight(date) : secondsUntilNextUtcMonth(date), { code: 'insufficient_quota' });
}

function spent(limit: SpendLimit, date: Date): QuotaExceededError {
  const resets = limit.period === 'day' ? 'at 00:00 UTC' : 'on the first day of next month, 00:00 UTC';
  const name = budgetName(limit);
  return exceeded(limit, date, `${name.charAt(0).toUpperCase()}${name.slice(1)} of $${formatMicroUsd(limit.limitMicroUsd)} is used up. It resets ${resets}.`);
}

function isConditionalCheckFailed(err: unknown): boolean {
  return err instanceof dynamoDbSdk().ConditionalCheckFailedException || (err instanceof Error && err.name === 'ConditionalCheckFailedException');
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
