/**
 * An in-memory DynamoDB (dynalite) on a random loopback port, for handler tests that run the real
 * `@aws-sdk/client-dynamodb` against it. Pure JavaScript (memory-level): no native build, no Java, no Docker.
 *
 * @module
 */
import { listenOnLoopback } from './listen';
import type { Server } from 'node:http';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QUOTA_PARTITION_KEY } from '../../lambda/gateway/quota';
import { KEYS_ATTR } from '../../lambda/shared/gateway-contract';

/** dynalite ships no type declarations; this is the part of its API the helper uses. */
type DynaliteFactory = (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

// eslint-disable-next-line @typescript-eslint/no-require-imports -- dynalite is CommonJS without type declarations
const dynalite = require('dynalite') as DynaliteFactory;

/**
 * Fake static credentials: dynalite checks that requests are signed, not by whom.
 * A new object each call, because the SDK annotates the credentials object it is given.
 */
export function fakeCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: 'AKIDTESTTESTTESTTEST', secretAccessKey: 'test-secret-key' };
}

/** A running dynalite server. */
export interface Dynalite {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_DYNAMODB` or a client's `endpoint`. */
  readonly endpoint: string;
  /** Stops the server, dropping open keep-alive connections; resolves once it no longer listens. */
  close(): Promise<void>;
}

/** Starts dynalite in memory on 127.0.0.1 and a random port, with table operations taking effect immediately. */
export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listenOnLoopback(server);
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** A DynamoDB client for `endpoint` with fake credentials, region us-east-1 and no retries. Destroy it after use. */
export function newTestDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: fakeCredentials(), maxAttempts: 1 });
}

/**
 * Creates the quota (usage) table with the key schema {@link QuotaStore} expects: partition key `pk` (S), on demand.
 *
 * @param endpoint - the dynalite endpoint
 * @param tableName - the table to create @default 'usage'
 * @returns the table name
 */
export async function createUsageTable(endpoint: string, tableName = 'usage'): Promise<string> {
  const client = newTestDynamoDbClient(endpoint);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [{ AttributeName: QUOTA_PARTITION_KEY, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: QUOTA_PARTITION_KEY, AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } finally {
    client.destroy();
  }
  return tableName;
}

/**
 * Creates a gateway API keys table with the key schema `KeyStore` expects: partition key `keyId` (S), on demand.
 *
 * @returns the table name
 */
export async function createKeysTable(endpoint: string, tableName = 'keys'): Promise<string> {
  const client = newTestDynamoDbClient(endpoint);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [{ AttributeName: KEYS_ATTR.keyId, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: KEYS_ATTR.keyId, AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } finally {
    client.destroy();
  }
  return tableName;
}
