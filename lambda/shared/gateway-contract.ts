/**
 * The contract between the gateway's constructs and its functions: the routes the API serves and the scope each needs,
 * the environment variables the functions read, the usage and keys tables' key names, the static configuration's
 * schema, the service names, the block reasons of the `Blocked` metric, the authorizer's policy context and the
 * gateway API key format. The construct builds the API, the table, the environment and the alarms
 * from it; the handler routes, reads and emits by it. Neither side spells these names on its own.
 *
 * Dependency-light on purpose: the construct library loads (and ships) this file at synthesis, so it imports
 * `zod/mini` and nothing else — no AWS SDK, no Powertools, no other handler module.
 *
 * @module
 */
// zod/mini: the same validation core and messages as `zod`, with functions instead of methods, so the gateway bundle
// keeps only the checks in use (zod's share: 97 KB minified with `zod`, 34 KB with `zod/mini`). It registers no
// locale itself: set English (process-wide and idempotent, as `zod` does on first use).
import * as z from 'zod/mini';
import { en } from 'zod/locales';

z.config(en());

// ---------------------------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------------------------

/**
 * The scopes of the gateway's Cognito resource server, one per kind of operation. An access token carries them as
 * `<resourceServerId>/<scope>`; a gateway API key may call every route.
 */
export const GATEWAY_SCOPES = ['chat', 'models.read', 'embeddings'] as const;

/** One of {@link GATEWAY_SCOPES}. */
export type GatewayScope = (typeof GATEWAY_SCOPES)[number];

/** One operation of the gateway's API. */
export interface GatewayRoute {
  /** The operation's name, as the audit record's `route` holds it (e.g. `chat.completions`). */
  readonly name: string;
  /** The HTTP method, upper case. */
  readonly method: 'GET' | 'POST';
  /** The path below the stage, API Gateway style: `{name}` stands for one non-empty path segment. */
  readonly path: string;
  /** The resource-server scope (without the resource-server id) an access token needs for this route. */
  readonly scope: GatewayScope;
}

/**
 * Every route of the API, and nothing else: API Gateway creates exactly these resources and methods (each with the
 * Cognito authorizer, request validation and the Lambda proxy integration), and the handler answers exactly these;
 * anything else is a 404 `unknown_route` from the handler, or API Gateway's own 403 before it.
 */
export const GATEWAY_ROUTES = [
  { name: 'chat.completions', method: 'POST', path: '/v1/chat/completions', scope: 'chat' },
  { name: 'models.list', method: 'GET', path: '/v1/models', scope: 'models.read' },
  { name: 'models.retrieve', method: 'GET', path: '/v1/models/{id}', scope: 'models.read' },
  // Its own scope: an indexing job that only embeds documents needs no access to chat, nor chat users to bulk embedding.
  { name: 'embeddings', method: 'POST', path: '/v1/embeddings', scope: 'embeddings' },
] as const satisfies readonly GatewayRoute[];

/** The name of one of {@link GATEWAY_ROUTES}. */
export type GatewayRouteName = (typeof GATEWAY_ROUTES)[number]['name'];

/** A request matched to one of {@link GATEWAY_ROUTES}. */
export interface RouteMatch {
  /** The route. */
  readonly route: (typeof GATEWAY_ROUTES)[number];
  /** The values of the route's `{name}` segments, percent-decoded (kept as sent when not valid percent-encoding). */
  readonly params: Readonly<Record<string, string>>;
}

const PARAMETER = /^\{([A-Za-z][A-Za-z0-9_]*)\}$/;

/** The names of a route path's `{name}` segments, in order: `/v1/models/{id}` → `['id']`. */
export function pathParameterNames(path: string): string[] {
  return path.split('/').flatMap((segment) => {
    const m = PARAMETER.exec(segment);
    return m ? [m[1]!] : [];
  });
}

/** Each route with its path's segments, a `{name}` segment with its name: split once, not on every request. */
const ROUTE_TEMPLATES = GATEWAY_ROUTES.map((route) => ({
  route,
  parts: route.path.split('/').map((literal) => ({ literal, name: PARAMETER.exec(literal)?.[1] })),
}));

/**
 * The route a request's method and path (below the stage, without query string) address, or `undefined`. A literal
 * segment must match exactly; a `{name}` segment matches any one non-empty segment. One trailing slash is ignored.
 */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const wanted = method.toUpperCase();
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const segments = trimmed.split('/');
  for (const { route, parts } of ROUTE_TEMPLATES) {
    if (route.method !== wanted || parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let matches = true;
    for (let i = 0; i < parts.length && matches; i++) {
      const part = parts[i]!;
      const segment = segments[i]!;
      if (part.name === undefined) matches = part.literal === segment;
      else if (segment.length === 0) matches = false;
      else params[part.name] = decodeSegment(segment);
    }
    if (matches) return { route, params };
  }
  return undefined;
}

/** The routes as a sentence for error messages: `POST /v1/chat/completions, GET /v1/models and GET /v1/models/{id}`. */
export function describeRoutes(): string {
  const all = GATEWAY_ROUTES.map((r) => `${r.method} ${r.path}`);
  return all.length === 1 ? all[0]! : `${all.slice(0, -1).join(', ')} and ${all[all.length - 1]}`;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Environment, table, telemetry
// ---------------------------------------------------------------------------------------------------------------

/**
 * The environment variables the function reads. The static configuration does not travel here (it is compiled
 * into the bundle, see `lambda/gateway/runtime-config.ts`).
 */
export const GATEWAY_ENV = {
  /** Guardrail ARN (or id) every model call carries. */
  guardrailId: 'GUARDRAIL_ID',
  /** The guardrail's numeric published version (never `DRAFT`). */
  guardrailVersion: 'GUARDRAIL_VERSION',
  /** The usage table's name; set only when quotas are enabled. */
  quotaTableName: 'QUOTA_TABLE_NAME',
  /** The static configuration file beside the bundle ({@link GATEWAY_CONFIG_FILE_NAME}), relative to the code directory. */
  staticConfigFile: 'GATEWAY_CONFIG_FILE',
  /**
   * SHA-256 (lower-case hex) of the static configuration file's UTF-8 text as the construct wrote it, after validating
   * it with {@link staticConfigSchema}. At cold start the function compares the file against it instead of validating it
   * again, and refuses to start on a mismatch: the file was changed after synthesis.
   */
  staticConfigSha256: 'GATEWAY_CONFIG_SHA256',
  /** Powertools service name of logs and metrics; {@link SERVICE_NAME}. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** Powertools metrics namespace; the alarms watch it. @default {@link DEFAULT_METRICS_NAMESPACE} */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /**
   * JSON object `{ "<alias>": "<knowledge-base id>" }` of the aliases bound to a knowledge base (their `retrieval`
   * settings are in the static configuration); set only when some alias is bound. An environment variable rather than
   * the static file so that the id can be a deploy-time value (the `KnowledgeBaseId` of a knowledge base in the stack).
   */
  knowledgeBases: 'KNOWLEDGE_BASE_IDS',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Retrieval
// ---------------------------------------------------------------------------------------------------------------

/** A Bedrock knowledge-base id: 10 uppercase letters or digits, as `aws bedrock-agent list-knowledge-bases` prints it. */
export const KNOWLEDGE_BASE_ID = /^[0-9A-Z]{10}$/;

/**
 * The metadata attribute of every indexed document (its sidecar `metadataAttributes`) that names the tenant owning it;
 * the gateway filters every retrieval on it (`equals`) with the caller's team.
 */
export const TENANT_METADATA_KEY = 'tenant';

/** Chunks one retrieval returns when an alias sets no `numberOfResults`. */
export const DEFAULT_RETRIEVAL_RESULTS = 5;
/** The most chunks one retrieval may return (each is screened, spotlighted and billed as input). */
export const MAX_RETRIEVAL_RESULTS = 20;

/** The static configuration file the construct writes beside the pre-built bundle ({@link staticConfigSchema}). */
export const GATEWAY_CONFIG_FILE_NAME = 'gateway-config.json';

/** The usage table's partition key attribute name (type S). */
export const QUOTA_PARTITION_KEY = 'pk';
/** The usage table's TTL attribute name (type N, epoch seconds). */
export const QUOTA_TTL_ATTRIBUTE = 'expiresAt';

// ---------------------------------------------------------------------------------------------------------------
// Money: budgets and prices cross from the construct to the function as integer micro-dollars
// ---------------------------------------------------------------------------------------------------------------

/** A model's price in µUSD per million tokens (USD per million × 1,000,000); the arithmetic is in `./money`. */
export interface TokenPrice {
  /** µUSD per million input tokens. */
  readonly inputMicroUsdPerMillionTokens: number;
  /** µUSD per million output tokens. */
  readonly outputMicroUsdPerMillionTokens: number;
}

const USD_TEXT = /^(\d{1,12})(?:\.(\d{1,6}))?$/;

/**
 * A USD amount as whole micro-dollars, read from its decimal text: `"12.5"` → 12,500,000. A number is read from its
 * shortest decimal text (`String(0.1)` is `"0.1"`), so `0.1` is exactly 100,000 and never 99,999.
 *
 * @returns the amount, or `undefined` when it is not a non-negative decimal with at most 6 decimals and 12 digits
 *   before the point (exponent notation, signs, `NaN` and `Infinity` are refused)
 */
export function usdToMicroUsd(value: string | number): number | undefined {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value.trim();
  const m = USD_TEXT.exec(text);
  if (m === null) return undefined;
  return Number(BigInt(m[1]!) * 1_000_000n + BigInt((m[2] ?? '').padEnd(6, '0')));
}


/** The partition-key prefix of spend-budget counters in the usage table (`spend#<scope>#<id>#<period>`). */
export const SPEND_KEY_PREFIX = 'spend#';

/** The metric one settlement emits when it takes a budget counter past the alert fraction (once per counter and period). */
export const BUDGET_ALERT_METRIC = 'BudgetAlert';
/** The metric of spend in USD, per model and per team (`Team` dimension). */
export const SPEND_METRIC = 'SpendUsd';
/** The dimension that carries the caller's team on the spend and token metrics (`none` for no team). */
export const TEAM_DIMENSION = 'Team';

/** The Powertools service name: the `service` field of logs and the `service` dimension of every metric. */
export const SERVICE_NAME = 'llm-gateway';
/** The CloudWatch namespace of the function's metrics when none is configured. */
export const DEFAULT_METRICS_NAMESPACE = 'SecureLlmGateway';

/** Every reason a control refuses a request or replaces a response: the `Reason` dimension of `Blocked`. */
export const BLOCK_REASONS = ['input_screen', 'guardrail_input', 'guardrail_output', 'output_screen', 'canary_leak', 'quota', 'tool_call'] as const;

/** Why a control refused a request or replaced a response (one of {@link BLOCK_REASONS}). */
export type BlockReason = (typeof BLOCK_REASONS)[number];

// ---------------------------------------------------------------------------------------------------------------
// Static configuration
// ---------------------------------------------------------------------------------------------------------------

/** A tool (function) name as OpenAI's API accepts it; tool names in configuration follow the same rule. */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * The gateway function's static configuration (model catalogue, groups, system prompt, limits), built and validated
 * by the construct at synthesis. The function checks at cold start that its file is the one validated
 * ({@link GATEWAY_ENV}.staticConfigSha256); a configuration given inline (tests, local runs) it validates again. The
 * values only known at deployment come from the environment ({@link GATEWAY_ENV}).
 *
 * Built on first use, not when the module loads: constructing the schema's zod objects was the largest single module's
 * share of the function's own cold-start work (about 10 ms, timed per module in an unminified bundle), and a deployed
 * function whose file matches its digest never needs them.
 */
export function staticConfigSchema(): StaticConfigSchema {
  return (builtStaticConfigSchema ??= buildStaticConfigSchema());
}
let builtStaticConfigSchema: StaticConfigSchema | undefined;
/** The zod schema of {@link GatewayStaticConfig}. */
export type StaticConfigSchema = ReturnType<typeof buildStaticConfigSchema>;

/** Builds {@link staticConfigSchema}. */
function buildStaticConfigSchema() {
  return z.strictObject({
    /** The deployment's system prompt: the only `system` content the model ever receives. */
    systemPrompt: z.string().check(z.minLength(1), z.maxLength(20_000)),
    /** Model aliases clients may name → the Bedrock model or inference-profile id to call. */
    models: z.record(
      z.string(),
      z.strictObject({
        /** Foundation-model id or inference-profile id passed to Converse as `modelId`. */
        modelId: z.string().check(z.minLength(1)),
        /** Hard cap of output tokens for this model. */
        maxOutputTokens: z.int().check(z.positive()),
        /**
         * `embedding`: served only by `POST /v1/embeddings` (InvokeModel, no guardrail: Bedrock applies none to embedding
         * models); absent: a chat model, served only by `POST /v1/chat/completions`.
         */
        kind: z.optional(z.literal('embedding')),
        /**
         * The model can be forced to call one named tool (Converse `toolChoice: { tool }`), which structured output
         * (`response_format` `json_object` / `json_schema`) needs; absent: it cannot, and such requests get a 400.
         */
        forcedToolChoice: z.optional(z.boolean()),
        /** The model accepts image content blocks (vision); absent: it does not, and image parts get a 400. */
        imageInput: z.optional(z.boolean()),
        /**
         * The alias answers from a knowledge base (its id is in the environment, {@link GATEWAY_ENV}.knowledgeBases): the
         * caller's question retrieves up to `numberOfResults` chunks of the caller's tenant, scored at least `minScore`;
         * absent: no retrieval.
         */
        retrieval: z.optional(
          z.strictObject({
            numberOfResults: z.int().check(z.minimum(1), z.maximum(MAX_RETRIEVAL_RESULTS)),
            /** Chunks scored below it are not used; absent: every returned chunk. */
            minScore: z.optional(z.number().check(z.gte(0), z.lte(1))),
          }),
        ),
        /** The price spend budgets charge, in µUSD per million tokens (see `lambda/shared/money.ts`); absent: unpriced. */
        price: z.optional(
          z.strictObject({
            inputMicroUsdPerMillionTokens: z.int().check(z.nonnegative()),
            outputMicroUsdPerMillionTokens: z.int().check(z.nonnegative()),
          }),
        ),
      }),
    ),
    /** Caller groups (Cognito groups) → aliases they may use, daily token quota, output cap. */
    groups: z.record(
      z.string(),
      z.strictObject({
        models: z.array(z.string()).check(z.minLength(1)),
        dailyTokenQuota: z.int().check(z.positive()),
        maxOutputTokens: z.int().check(z.positive()),
        /** Spend limit per member per UTC day, in µUSD; absent: none. */
        dailyBudgetMicroUsd: z.optional(z.int().check(z.positive())),
        /** Spend limit per member per calendar month (UTC), in µUSD; absent: none. */
        monthlyBudgetMicroUsd: z.optional(z.int().check(z.positive())),
      }),
    ),
    /** Teams (the `team` of the authorizer context) → their shared spend limits in µUSD. */
    teams: z.optional(
      z.record(
        z.string(),
        z.strictObject({
          dailyBudgetMicroUsd: z.optional(z.int().check(z.positive())),
          monthlyBudgetMicroUsd: z.optional(z.int().check(z.positive())),
        }),
      ),
    ),
    /** The fraction of a spend budget whose crossing emits one `BudgetAlert` metric per counter and period. */
    budgetAlertFraction: z.optional(z.number().check(z.gt(0), z.lte(1))),
    limits: z.strictObject({
      /** Largest request body accepted, in bytes (UTF-8). */
      maxBodyBytes: z.int().check(z.positive()),
      /** Most messages in one request. */
      maxMessages: z.int().check(z.positive()),
      /** Longest text of one message, in characters after normalization. */
      maxMessageChars: z.int().check(z.positive()),
      /** Largest decoded image (a `data:` URL content part), in bytes; absent: 3,750,000 (Bedrock's per-image limit). */
      maxImageBytes: z.optional(z.int().check(z.positive())),
      /** Most images in one request; absent: 0 (images refused). Images are also bounded by `maxBodyBytes` (base64 is 4/3 of the bytes). */
      maxImages: z.optional(z.int().check(z.nonnegative())),
    }),
    /** What the deterministic pre-screen does with a suspected injection: refuse it, or only record it. */
    prescreenMode: z.enum(['block', 'flag']),
    output: z.strictObject({
      /** Hosts (and their subdomains) that model output may link to; every other link or image is removed. */
      allowedLinkHosts: z.array(z.string()),
      /** Let raw HTML through (off: tags are removed). */
      allowHtml: z.boolean(),
      /**
       * Per tool name, the hosts (and their subdomains) URLs in that tool's call arguments may point to: a call to a
       * listed tool with a URL to any other host is refused. Tools not listed: such URLs are flagged in the audit record.
       */
      toolAllowedHosts: z.record(z.string().check(z.regex(TOOL_NAME)), z.array(z.string())),
    }),
    /** Refusal shown when the guardrail or a screen blocks the input. */
    blockedInputMessage: z.string().check(z.minLength(1)),
    /** Refusal shown when the guardrail or a screen blocks the output. */
    blockedOutputMessage: z.string().check(z.minLength(1)),
    /** Whether per-user token quotas are enforced (DynamoDB). */
    quotasEnabled: z.boolean(),
    /** Timeout of one Bedrock call, in milliseconds, and attempts including the first. */
    bedrockTimeoutMs: z.int().check(z.positive()),
    bedrockMaxAttempts: z.int().check(z.minimum(1), z.maximum(5)),
    /**
     * Time a non-streamed answer may take from the request's arrival, in milliseconds: API Gateway's integration
     * timeout for an answer it receives whole. A streamed answer may run to the function's own timeout. Absent: the
     * function's remaining time bounds both.
     */
    answerTimeoutMs: z.optional(z.int().check(z.positive())),
  });
}

/** The static configuration of the gateway function. */
export type GatewayStaticConfig = z.infer<StaticConfigSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Authorizer: environment, policy context, gateway API keys and their table
// ---------------------------------------------------------------------------------------------------------------

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
  /** Tests only (never set by the construct): a loopback `http://` URL to fetch the pool's JWKS from instead of Cognito. */
  jwksUri: 'JWKS_URI',
} as const;

/**
 * The user pool attribute holding a person's team (budgets, attribution, retrieval tenancy). Only administrators
 * set it (`AdminUpdateUserAttributes`): the gateway's app client may not write it.
 */
export const USER_TEAM_ATTRIBUTE = 'custom:team';

/** A team name: 1 to 128 characters without white space (machine clients' and users' teams alike). */
export const TEAM_PATTERN = /^\S{1,128}$/;

/** The user statuses that may call the gateway: confirmed pool users and users federated from an identity provider. */
export const ADMITTED_USER_STATUSES: readonly string[] = ['CONFIRMED', 'EXTERNAL_PROVIDER'];

/**
 * The bodies API Gateway answers the authorizer's refusals with, in the OpenAI error shape (gateway responses
 * `UNAUTHORIZED`, 401, and `ACCESS_DENIED`, 403): the construct deploys them, the tests' HTTP adapter serves them.
 */
export const AUTHORIZER_REFUSAL_BODIES = {
  unauthorized:
    '{"error":{"message":"Missing or invalid credentials: send Authorization: Bearer <access token or gateway API key>.","type":"authentication_error","code":"invalid_api_key","param":null}}',
  accessDenied:
    '{"error":{"message":"These credentials may not call this route: the key is revoked, expired or unknown, the user is disabled or unknown, or the token lacks the scope.","type":"permission_error","code":"access_denied","param":null}}',
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
