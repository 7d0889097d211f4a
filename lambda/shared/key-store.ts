/**
 * The gateway API keys table: one item per key id with the key's MAC (never the key), owner, team, model allow-list,
 * expiry, optional budgets, status and timestamps. The authorizer reads it ({@link KeyStore.get}); the key
 * administration CLI writes it. Strongly consistent reads, so a revocation is seen by the next uncached request.
 *
 * @module
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { KEYS_ATTR, KEY_STATUSES } from './gateway-contract';

/** One key as the table holds it. */
export interface KeyRecord {
  readonly keyId: string;
  /** HMAC-SHA-256 of the whole key (base64). */
  readonly mac: string;
  readonly owner: string;
  readonly team: string;
  readonly models: readonly string[];
  /** Epoch seconds. */
  readonly expiresAt: number;
  readonly dailyBudgetUsd?: number;
  readonly monthlyBudgetUsd?: number;
  readonly status: (typeof KEY_STATUSES)[number];
  /** ISO-8601. */
  readonly createdAt: string;
  readonly rotatedAt?: string;
  readonly revokedAt?: string;
}

/** A key id that does not exist (or exists already, on create). */
export class KeyNotFoundError extends Error {
  constructor(keyId: string) {
    super(`No key with id ${keyId}`);
    this.name = 'KeyNotFoundError';
  }
}

const A = KEYS_ATTR;

function toItem(r: KeyRecord): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    [A.keyId]: { S: r.keyId },
    [A.mac]: { S: r.mac },
    [A.owner]: { S: r.owner },
    [A.team]: { S: r.team },
    [A.models]: { L: r.models.map((m) => ({ S: m })) },
    [A.expiresAt]: { N: String(r.expiresAt) },
    [A.status]: { S: r.status },
    [A.createdAt]: { S: r.createdAt },
  };
  if (r.dailyBudgetUsd !== undefined) item[A.dailyBudgetUsd] = { N: String(r.dailyBudgetUsd) };
  if (r.monthlyBudgetUsd !== undefined) item[A.monthlyBudgetUsd] = { N: String(r.monthlyBudgetUsd) };
  if (r.rotatedAt !== undefined) item[A.rotatedAt] = { S: r.rotatedAt };
  if (r.revokedAt !== undefined) item[A.revokedAt] = { S: r.revokedAt };
  return item;
}

/** A record from an item, or `undefined` when the item is malformed (a malformed item never authorizes). */
export function fromItem(item: Record<string, AttributeValue>): KeyRecord | undefined {
  const s = (name: string): string | undefined => item[name]?.S;
  const n = (name: string): number | undefined => {
    const v = item[name]?.N;
    return v === undefined ? undefined : Number(v);
  };
  const keyId = s(A.keyId);
  const mac = s(A.mac);
  const status = s(A.status);
  const expiresAt = n(A.expiresAt);
  const models = item[A.models]?.L?.map((v) => v.S);
  if (keyId === undefined || mac === undefined || expiresAt === undefined || !Number.isFinite(expiresAt)) return undefined;
  if (status !== 'active' && status !== 'revoked') return undefined;
  if (models === undefined || models.some((m) => typeof m !== 'string')) return undefined;
  const daily = n(A.dailyBudgetUsd);
  const monthly = n(A.monthlyBudgetUsd);
  const rotatedAt = s(A.rotatedAt);
  const revokedAt = s(A.revokedAt);
  return {
    keyId,
    mac,
    owner: s(A.owner) ?? '',
    team: s(A.team) ?? '',
    models: models as string[],
    expiresAt,
    status,
    createdAt: s(A.createdAt) ?? '',
    ...(daily !== undefined && Number.isFinite(daily) ? { dailyBudgetUsd: daily } : {}),
    ...(monthly !== undefined && Number.isFinite(monthly) ? { monthlyBudgetUsd: monthly } : {}),
    ...(rotatedAt !== undefined ? { rotatedAt } : {}),
    ...(revokedAt !== undefined ? { revokedAt } : {}),
  };
}

/** Reads and writes the keys table. */
export class KeyStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** The key, or `undefined` when there is none (or its item is malformed). Strongly consistent. */
  async get(keyId: string): Promise<KeyRecord | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { [A.keyId]: { S: keyId } }, ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  }

  /** Adds a new key; fails if the key id exists. */
  async create(record: KeyRecord): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: toItem(record),
        ConditionExpression: 'attribute_not_exists(#k)',
        ExpressionAttributeNames: { '#k': A.keyId },
      }),
    );
  }

  /** Every key (without MACs), in key-id order. */
  async list(): Promise<Omit<KeyRecord, 'mac'>[]> {
    const out: Omit<KeyRecord, 'mac'>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) {
        const r = fromItem(item);
        if (r) {
          const { mac: _mac, ...rest } = r;
          out.push(rest);
        }
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return out.sort((a, b) => a.keyId.localeCompare(b.keyId));
  }

  /** Marks a key revoked. @throws KeyNotFoundError */
  async revoke(keyId: string, now: Date): Promise<void> {
    await this.updateExisting(keyId, 'SET #s = :revoked, #ra = :now', { '#s': A.status, '#ra': A.revokedAt }, {
      ':revoked': { S: 'revoked' },
      ':now': { S: now.toISOString() },
    });
  }

  /** Replaces an active key's MAC (a new secret); the old secret stops working. @throws KeyNotFoundError */
  async rotate(keyId: string, mac: string, now: Date): Promise<void> {
    await this.updateExisting(
      keyId,
      'SET #m = :mac, #ro = :now',
      { '#m': A.mac, '#ro': A.rotatedAt, '#s': A.status },
      { ':mac': { S: mac }, ':now': { S: now.toISOString() }, ':active': { S: 'active' } },
      ' AND #s = :active',
    );
  }

  private async updateExisting(
    keyId: string,
    update: string,
    names: Record<string, string>,
    values: Record<string, AttributeValue>,
    extraCondition = '',
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [A.keyId]: { S: keyId } },
          UpdateExpression: update,
          ConditionExpression: `attribute_exists(#k)${extraCondition}`,
          ExpressionAttributeNames: { ...names, '#k': A.keyId },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new KeyNotFoundError(keyId);
      throw e;
    }
  }
}
