/**
 * Per-user daily token quota in Amazon DynamoDB, atomic under concurrency.
 *
 * One item per user and UTC day, key `user#<userId>#<yyyy-mm-dd>`, with
 * - `consumed` (N): tokens reserved but not yet settled plus tokens settled, the only counter the limit is checked on;
 * - `used` (N): tokens actually spent (sum of settlements);
 * - `expiresAt` (N): TTL, epoch seconds two days after the day starts, so old days disappear on their own.
 *
 * A request first {@link QuotaStore.reserve | reserves} its worst case (input estimate + `maxTokens`) with ONE
 * conditional `UpdateItem` (`ADD consumed :t` if `consumed <= limit - t`), so concurrent requests can never
 * together pass the limit. After the model answers it {@link QuotaStore.settle | settles} the reservation with the
 * real count, which returns the unused part (`ADD consumed :actual-reserved, used :actual`). If every settlement is
 * at most its reservation, `consumed` never exceeds the limit; a larger actual count is still recorded honestly.
 * Outstanding reservations of a crashed invocation stay consumed until the day ends (fail closed).
 *
 * @module
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDbSdk } from './deferred-sdk';
import { QUOTA_PARTITION_KEY, QUOTA_TTL_ATTRIBUTE } from '../shared/gateway-contract';
import { QuotaExceededError } from './errors';

/** The table's key and TTL attribute names; the construct creates the table with the same ones. */
export { QUOTA_PARTITION_KEY, QUOTA_TTL_ATTRIBUTE };

const DAY_MS = 86_400_000;
const MAX_USER_ID_LENGTH = 512;

/** What {@link QuotaStore.reserveCapped} granted: the reservation and the output tokens it covers. */
export interface CappedReservation {
  readonly reservation: Reservation;
  /** The `maxTokens` the model call may use: at most what was asked, never more than the quota had left. */
  readonly outputTokens: number;
}

/** Tokens held for one request between {@link QuotaStore.reserve} and {@link QuotaStore.settle}. */
export interface Reservation {
  /** The user the tokens were reserved for. */
  readonly userId: string;
  /** The UTC day (`yyyy-mm-dd`) the tokens count against; a settlement after midnight still goes to this day. */
  readonly day: string;
  /** The DynamoDB partition key of that day's item. */
  readonly key: string;
  /** The number of tokens reserved. */
  readonly tokens: number;
}

/** A user's counters for the current UTC day. */
export interface QuotaUsage {
  /** Tokens settled today (actually spent). */
  readonly used: number;
  /** Tokens reserved by requests that have not settled yet. */
  readonly reserved: number;
}

/** The UTC day of `date` as `yyyy-mm-dd`. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Whole seconds from `date` until the next UTC midnight, at least 1. */
export function secondsUntilUtcMidnight(date: Date): number {
  const next = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - date.getTime()) / 1000));
}

/** The partition key of `userId`'s item for `day` (`yyyy-mm-dd`). */
export function quotaKey(userId: string, day: string): string {
  return `user#${userId}#${day}`;
}

/**
 * Per-user daily token quota backed by a DynamoDB table with partition key {@link QUOTA_PARTITION_KEY} (S) and TTL
 * attribute {@link QUOTA_TTL_ATTRIBUTE}. One instance per Lambda container (module scope) is intended.
 */
export class QuotaStore {
  private readonly open = new WeakSet<Reservation>();

  /**
   * @param client - the DynamoDB client (create it at module scope; it honours `AWS_ENDPOINT_URL_DYNAMODB`)
   * @param tableName - the quota table
   * @param now - clock, injectable for tests @default - the system clock
   */
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (tableName.length === 0) throw new Error('tableName must not be empty; pass the quota table name');
  }

  /**
   * Atomically reserves `tokens` of `userId`'s `dailyLimit` for today (UTC) with one conditional `UpdateItem`.
   *
   * @param userId - a stable caller identity (e.g. the Cognito `sub`), 1-512 characters
   * @param tokens - the request's worst case (input estimate + `maxTokens`), a positive integer
   * @param dailyLimit - the user's tokens per UTC day, a positive integer
   * @returns the reservation to pass to {@link settle}
   * @throws QuotaExceededError when the reservation would take today's total over `dailyLimit` (or `tokens` alone
   *   exceeds it); `retryAfterSeconds` is the time until the next UTC midnight
   * @throws Error when an argument is invalid (a programming error, not a client one)
   */
  async reserve(userId: string, tokens: number, dailyLimit: number): Promise<Reservation> {
    validateUserId(userId);
    validateCount('tokens', tokens, 1);
    validateCount('dailyLimit', dailyLimit, 1);
    const now = this.now();
    if (tokens > dailyLimit) {
      throw new QuotaExceededError(
        `This request needs up to ${tokens} tokens, more than your daily limit of ${dailyLimit}. Lower max_tokens or shorten the input.`,
        secondsUntilUtcMidnight(now),
      );
    }
    const day = utcDay(now);
    const key = quotaKey(userId, day);
    const dayStartSeconds = Date.parse(`${day}T00:00:00Z`) / 1000;
    try {
      await this.client.send(
        new (dynamoDbSdk().UpdateItemCommand)({
          TableName: this.tableName,
          Key: { [QUOTA_PARTITION_KEY]: { S: key } },
          UpdateExpression: 'ADD #consumed :tokens SET #expiresAt = if_not_exists(#expiresAt, :expiresAt)',
          ConditionExpression: 'attribute_not_exists(#consumed) OR #consumed <= :headroom',
          ExpressionAttributeNames: { '#consumed': 'consumed', '#expiresAt': QUOTA_TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':tokens': { N: String(tokens) },
            ':headroom': { N: String(dailyLimit - tokens) },
            ':expiresAt': { N: String(dayStartSeconds + (2 * DAY_MS) / 1000) },
          },
        }),
      );
    } catch (err) {
      if (isConditionalCheckFailed(err)) {
        throw new QuotaExceededError(
          `Your daily token quota of ${dailyLimit} is used up. It resets at 00:00 UTC.`,
          secondsUntilUtcMidnight(now),
        );
      }
      throw err;
    }
    const reservation: Reservation = Object.freeze({ userId, day, key, tokens });
    this.open.add(reservation);
    return reservation;
  }

  /**
   * Reserves `inputTokens` plus as many output tokens as the user's remaining quota allows, at most `maxOutputTokens`
   * and at least `minOutputTokens`, so that no single request can spend past the daily limit: the caller then caps
   * the model's `maxTokens` by {@link CappedReservation.outputTokens}. It first tries the full amount with one
   * conditional write; only when that fails it reads today's counters and retries once with what is left (a
   * concurrent request may take it first: then the quota is spent and it throws).
   *
   * @param inputTokens - an upper bound of the request's input tokens
   * @param maxOutputTokens - the output tokens the request asks for (already capped by the entitlement)
   * @param minOutputTokens - the fewest output tokens worth calling the model for
   * @throws QuotaExceededError when not even `inputTokens + minOutputTokens` fit
   */
  async reserveCapped(
    userId: string,
    inputTokens: number,
    maxOutputTokens: number,
    dailyLimit: number,
    minOutputTokens = 1,
  ): Promise<CappedReservation> {
    validateCount('inputTokens', inputTokens, 1);
    validateCount('maxOutputTokens', maxOutputTokens, 1);
    validateCount('minOutputTokens', minOutputTokens, 1);
    try {
      return { reservation: await this.reserve(userId, inputTokens + maxOutputTokens, dailyLimit), outputTokens: maxOutputTokens };
    } catch (err) {
      if (!(err instanceof QuotaExceededError)) throw err;
      const { used, reserved } = await this.usage(userId);
      const outputTokens = Math.min(maxOutputTokens, dailyLimit - used - reserved - inputTokens);
      if (outputTokens < minOutputTokens) throw err;
      return { reservation: await this.reserve(userId, inputTokens + outputTokens, dailyLimit), outputTokens };
    }
  }

  /**
   * Settles a reservation with the tokens actually spent: returns the unreserved remainder to the quota (or charges
   * the excess when `actualTokens` is larger) and adds `actualTokens` to `used`. Each reservation settles at most
   * once: it is marked settled before the write, so if the write fails the tokens stay reserved until the day ends
   * (fail closed) and a retry throws instead of counting twice.
   *
   * @param reservation - the value {@link reserve} returned
   * @param actualTokens - input + output tokens the model reported, a non-negative integer (0 when the call failed)
   * @throws Error when the reservation was already settled or did not come from this store, or on DynamoDB errors
   */
  async settle(reservation: Reservation, actualTokens: number): Promise<void> {
    validateCount('actualTokens', actualTokens, 0);
    if (!this.open.has(reservation)) {
      throw new Error(`reservation for ${reservation.key} was already settled or was not made by this QuotaStore`);
    }
    this.open.delete(reservation);
    await this.client.send(
      new (dynamoDbSdk().UpdateItemCommand)({
        TableName: this.tableName,
        Key: { [QUOTA_PARTITION_KEY]: { S: reservation.key } },
        UpdateExpression: 'ADD #consumed :delta, #used :actual',
        ExpressionAttributeNames: { '#consumed': 'consumed', '#used': 'used' },
        ExpressionAttributeValues: {
          ':delta': { N: String(actualTokens - reservation.tokens) },
          ':actual': { N: String(actualTokens) },
        },
      }),
    );
  }

  /**
   * Reads `userId`'s counters for today (UTC) with a strongly consistent read.
   *
   * @param userId - the caller identity used with {@link reserve}
   */
  async usage(userId: string): Promise<QuotaUsage> {
    validateUserId(userId);
    const out = await this.client.send(
      new (dynamoDbSdk().GetItemCommand)({
        TableName: this.tableName,
        Key: { [QUOTA_PARTITION_KEY]: { S: quotaKey(userId, utcDay(this.now())) } },
        ConsistentRead: true,
        ProjectionExpression: '#consumed, #used',
        ExpressionAttributeNames: { '#consumed': 'consumed', '#used': 'used' },
      }),
    );
    const consumed = Number(out.Item?.consumed?.N ?? '0');
    const used = Number(out.Item?.used?.N ?? '0');
    return { used, reserved: consumed - used };
  }
}

function validateUserId(userId: string): void {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_USER_ID_LENGTH) {
    throw new Error(`userId must be a string of 1-${MAX_USER_ID_LENGTH} characters, got ${JSON.stringify(String(userId).slice(0, 40))}`);
  }
}

function validateCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got ${value}`);
  }
}

function isConditionalCheckFailed(err: unknown): boolean {
  return err instanceof dynamoDbSdk().ConditionalCheckFailedException || (err instanceof Error && err.name === 'ConditionalCheckFailedException');
}
