/**
 * The contract between the gateway's REQUEST authorizer, the gateway function, the key administration CLI and the
 * constructs: the authorizer's environment variables, the policy context it hands the function, the API key format
 * and the keys table's attribute names. Dependency-free on purpose: the construct library loads it at synthesis.
 *
 * @module
 */

/** The environment variables the authorizer reads. */
export const AUTHORIZER_ENV = {
  /** The Cognito user pool whose access tokens are accepted. */
  userPoolId: 'USER_POOL_ID',
  /** Space-separated app client ids whose access tokens are accepted. */
  clientIds: 'USER_POOL_CLIENT_IDS',
  /** The resource server's identifier: scopes arrive as `<id>/<scope>`. */
  resourceServerId: 'RESOURCE_SERVER_ID',
  /** JSON `{ "<clientId>": { "groups": [...], "team": "..." } }`: entitlements of machine clients (client credentials). */
  machineClients: 'MACHINE_CLIENTS',
  /** The gateway API keys table. */
  keysTableName: 'KEYS_TABLE_NAME',
  /** The KMS HMAC key (id or ARN) the keys' MACs are made with. */
  keysMacKeyId: 'KEYS_MAC_KEY_ID',
  /** Powertools service name. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
} as const;

/** The Powertools service name of the authorizer's logs. */
export const AUTHORIZER_SERVICE_NAME = 'llm-gateway-authorizer';

/** What kind of credential the caller presented. */
export const CALLER_KINDS = ['user', 'client', 'key'] as const;

/** One of {@link CALLER_KINDS}. */
export type CallerKind = (typeof CALLER_KINDS)[number];

/**
 * The policy context the authorizer returns and API Gateway passes to the function in
 * `requestContext.authorizer`. Every value is a string; lists are space-separated; absent values are `''`.
 */
export interface AuthorizerContext {
  /** `user` (a person's access token), `client` (client-credentials access token) or `key` (gateway API key). */
  readonly kind: CallerKind;
  /** The Cognito `sub` of a user, the app client id of a client, the key id of a key. */
  readonly subject: string;
  /** The team, or `''`. */
  readonly team: string;
  /** Space-separated groups: a user's `cognito:groups`, a client's configured groups, `''` for keys. */
  readonly groups: string;
  /** Space-separated model aliases a key may use; `''` for users and clients (their groups decide). */
  readonly models: string;
  /** Space-separated scopes the credential carries (without the resource-server id). */
  readonly scopes: string;
  /** A key's daily budget in USD, or `''`. */
  readonly dailyBudgetUsd: string;
  /** A key's monthly budget in USD, or `''`. */
  readonly monthlyBudgetUsd: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Gateway API keys
// ---------------------------------------------------------------------------------------------------------------

/** Every gateway API key starts with this, so secret scanners can recognise one. */
export const API_KEY_PREFIX = 'sk-sllm-';
/** Characters of a key id (base62, public: it names the key in logs, audit and the CLI). */
export const API_KEY_ID_LENGTH = 12;
/** Characters of a key's secret (base62: 32 characters ≈ 190 bits of randomness). */
export const API_KEY_SECRET_LENGTH = 32;
/** A whole key: `sk-sllm-<keyId>-<secret>`. */
export const API_KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}([A-Za-z0-9]{${API_KEY_ID_LENGTH}})-([A-Za-z0-9]{${API_KEY_SECRET_LENGTH}})$`);
/** A key id alone. */
export const API_KEY_ID_PATTERN = new RegExp(`^[A-Za-z0-9]{${API_KEY_ID_LENGTH}}$`);

/** The keys table's attribute names. The partition key is {@link KEYS_ATTR}.keyId (type S). */
export const KEYS_ATTR = {
  keyId: 'keyId',
  /** Base64 HMAC-SHA-256 of the whole key, made by the KMS HMAC key. */
  mac: 'mac',
  owner: 'owner',
  team: 'team',
  /** List of model aliases (L of S). */
  models: 'models',
  /** Epoch seconds (N) after which the key is refused. */
  expiresAt: 'expiresAt',
  dailyBudgetUsd: 'dailyBudgetUsd',
  monthlyBudgetUsd: 'monthlyBudgetUsd',
  /** `active` or `revoked`. */
  status: 'status',
  createdAt: 'createdAt',
  rotatedAt: 'rotatedAt',
  revokedAt: 'revokedAt',
} as const;

/** The statuses a key can have. */
export const KEY_STATUSES = ['active', 'revoked'] as const;
