import { createHash } from 'node:crypto';
import { Annotations, Duration, Fn, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import {
  DEFAULT_METRICS_NAMESPACE,
  GATEWAY_CONFIG_FILE_NAME,
  GATEWAY_ENV,
  GATEWAY_ROUTES,
  GatewayRouteName,
  GatewayStaticConfig,
  QUOTA_PARTITION_KEY,
  QUOTA_TTL_ATTRIBUTE,
  SERVICE_NAME,
  TOOL_NAME,
  pathParameterNames,
  staticConfigSchema,
  GATEWAY_SCOPES,
  AUTHORIZER_REFUSAL_BODIES,
  DEFAULT_RETRIEVAL_RESULTS,
  USER_TEAM_ATTRIBUTE,
} from '../../lambda/shared/gateway-contract';
import { GATE_PASSED, GATE_TAG_KEY } from '../../lambda/shared/customization-contract';
import { ModelGuardrail } from '../model-guardrail';
import { Federation, GatewayOidcProvider, GatewaySamlProvider } from './federation';
import { IPrivateNetwork } from '../private-network';
import { SecureKey } from '../secure-key';
import { SecureLogGroup } from '../secure-log-group';
import { TableBackup } from '../table-backup';
import { ManagedPolicyRole } from '../shared/managed-policy-role';
import { nagFindingText } from '../shared/nag-finding';
import { SecureFunction } from '../shared/secure-function';
import { GatewayGroup, GatewayModel, GatewayTeam, ModelKind, invokeTarget, knowledgeBaseArn, modelPrice, modelResourceArns, usd, validateBudgets, validateGroups, validateModels } from './model-access';
import { modelCapabilities } from './model-catalog';
import { GatewayAccess } from './gateway-access';
import { GatewayWebAcl } from './waf';

/** What the gateway does with a prompt its deterministic pre-screen suspects of injection. */
export enum PrescreenMode {
  /** Refuse the request. */
  BLOCK = 'block',
  /** Let it through and record the verdict. */
  FLAG = 'flag',
}

/** The stage every route of the API is deployed to. */
export const GATEWAY_STAGE_NAME = 'prod';

/** The API's TLS security policy: TLS 1.2 minimum, forward-secret AEAD ciphers, post-quantum key exchange. */
export const GATEWAY_TLS_SECURITY_POLICY = apigateway.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09;

/** A machine client: a program that signs in with the client-credentials flow, with entitlements set here. */
export interface GatewayMachineClient {
  /** A name for the app client (letters, digits, `-`, `_`; unique among the machine clients). */
  readonly name: string;
  /** The groups whose models, quotas and output caps the client gets (configured groups). */
  readonly groups: string[];
  /** The client's team (attribution and budgets). */
  readonly team: string;
}

/** The longest time API Gateway may reuse an authorizer decision: a revoked key or disabled client loses access within it. */
const MAX_AUTHORIZER_CACHE_SECONDS = 60;
const RESOURCE_SERVER_ID = /^[\x21\x23-\x5b\x5d-\x7e]{1,256}$/;
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MACHINE_CLIENT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** API Gateway's maximum integration timeout for a REST API (without a quota increase). */
const MAX_TIMEOUT_SECONDS = 29;
const MIN_TIMEOUT_SECONDS = 5;
/**
 * API Gateway's maximum integration timeout for a REST method whose response transfer mode is STREAM (no quota
 * increase needed), which is also Lambda's maximum function timeout.
 */
const MAX_STREAM_TIMEOUT_SECONDS = 900;
/** Default time a streamed answer may run. */
const DEFAULT_STREAM_TIMEOUT_SECONDS = 300;
/** Time the function keeps for itself after the last Bedrock attempt (screening, audit, response). */
const HANDLER_MARGIN_SECONDS = 2;
const HOST = /^[a-z0-9.-]+$/;
const METRICS_NAMESPACE = /^[A-Za-z0-9._/#:-]{1,255}$/;

/** Properties for {@link InferenceGateway}. */
export interface InferenceGatewayProps {
  /**
   * The private network the function runs in. The gateway adds a `bedrock-runtime` interface
   * endpoint and (with quotas) a DynamoDB gateway endpoint to it, both with policies limited to
   * the function's role, the actions it calls and the allow-listed resources.
   */
  readonly network: IPrivateNetwork;

  /**
   * The guardrail every model call must carry. The function's role may only invoke models with
   * `bedrock:GuardrailIdentifier` equal to the guardrail's current numeric version, and is denied
   * any model call without it.
   */
  readonly guardrail: ModelGuardrail;

  /** The models clients may call, by alias. Clients never name a Bedrock model id. */
  readonly models: GatewayModel[];

  /** The caller groups (Cognito groups): which aliases their members may call, and their quotas. */
  readonly groups: GatewayGroup[];

  /** The deployment's system prompt (1-20,000 characters). Clients cannot replace it. */
  readonly systemPrompt: string;

  /**
   * The refusal returned when the guardrail or a screen blocks a prompt. Pass the guardrail's
   * `blockedInputMessage` so both read the same.
   * @default "Sorry, I can't help with that request." (the ModelGuardrail default)
   */
  readonly blockedInputMessage?: string;

  /**
   * The refusal returned when the guardrail or a screen blocks a response.
   * @default "Sorry, I can't provide that response." (the ModelGuardrail default)
   */
  readonly blockedOutputMessage?: string;

  /**
   * The largest request body, in bytes (1024 to 65536). The web ACL blocks larger bodies with a
   * 413, and the function checks again.
   * @default 32768
   */
  readonly maxBodyBytes?: number;

  /**
   * The most messages one request may carry (also checked by API Gateway's request validation).
   * @default 50
   */
  readonly maxMessages?: number;

  /**
   * The longest text of one message, in characters after normalization.
   * @default 16000
   */
  readonly maxMessageChars?: number;

  /**
   * The largest decoded image one request may carry (a PNG or JPEG `data:` URL content part, for models that accept
   * images), in bytes (1 to 3750000, Bedrock's per-image limit). The body limit bounds images too: base64 is 4/3 of
   * the bytes, so with `maxBodyBytes` at most 65536 (what AWS WAF inspects), an image is in practice at most about
   * 48 KB. Larger images would need bodies the web ACL cannot inspect; this construct does not let those through.
   * @default 3750000
   */
  readonly maxImageBytes?: number;

  /**
   * The most images one request may carry (0 to 20, Bedrock's per-request limit); 0 refuses every image. Images are
   * off by default: turn them on where the guardrail's content filters evaluate images (the IMAGE modality, available
   * in some regions only), since nothing else in the gateway screens an image.
   * @default 0
   */
  readonly maxImagesPerRequest?: number;

  /**
   * What the function does with a prompt its pre-screen suspects of injection.
   * @default PrescreenMode.BLOCK
   */
  readonly prescreenMode?: PrescreenMode;

  /**
   * Host names (and their subdomains) model output may link to; every other link and image is removed.
   * @default - none: every link and image is removed
   */
  readonly allowedLinkHosts?: string[];

  /**
   * Per tool name, the host names (and their subdomains) URLs in that tool's call arguments may point to. The client
   * runs the tools, so a tool call is where a hijacked model sends data out: a call to a listed tool whose arguments
   * hold a URL to any other host is refused (an empty list allows no URL at all). Calls to tools not listed here keep
   * their URLs, which are counted in the audit record when they point outside `allowedLinkHosts`.
   * @default - no tool has a list: URLs in tool arguments are flagged and audited, never refused
   */
  readonly toolAllowedHosts?: { [toolName: string]: string[] };

  /**
   * Enforce each group's daily token quota per user (a DynamoDB table is created for it).
   * @default true
   */
  readonly quotasEnabled?: boolean;

  /**
   * Teams and the spend limits in USD their members and keys share, per UTC day and per calendar month. A caller's
   * team comes from the authorizer context. Needs `quotasEnabled`.
   * @default - no team budgets
   */
  readonly teams?: GatewayTeam[];

  /**
   * The fraction of a spend budget (key, user or team; day or month) whose crossing raises the `BudgetAlert` metric,
   * once per budget and period. Between 0 (exclusive) and 1.
   * @default 0.8
   */
  readonly budgetAlertFraction?: number;

  /**
   * Steady-state requests per second the API stage accepts, across all callers.
   * @default 50
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of requests the API stage accepts, across all callers (at least `throttlingRateLimit`).
   * @default 100
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Requests one IP address may make per 5-minute window before the web ACL blocks it (10 to 2,000,000,000).
   * @default 1000
   */
  readonly wafRateLimitPerIp?: number;

  /**
   * Requests one caller (one `Authorization` header value, i.e. one token) may make per 5-minute
   * window, from any number of IP addresses, before the web ACL blocks that token (10 to 2,000,000,000).
   * @default 300
   */
  readonly wafRateLimitPerCaller?: number;

  /**
   * Concurrent executions reserved for (and capping) the function. The account keeps 100
   * unreserved executions, so the account's concurrency quota must leave room for this.
   * @default 20
   */
  readonly reservedConcurrency?: number;

  /**
   * Time a non-streamed answer may take: 5 to 29 seconds (API Gateway answers 504 after 29 seconds for a response it
   * receives whole). One Bedrock attempt may take all of it but 2 seconds.
   * @default Duration.seconds(29)
   */
  readonly timeout?: Duration;

  /**
   * Time a streamed answer (`stream: true`) may run: from `timeout` to 15 minutes. It is the function's timeout and the
   * chat completions method's integration timeout (API Gateway allows up to 15 minutes for a method in STREAM transfer
   * mode without a quota increase); the other methods keep 29 seconds. The function ends a stream still running just
   * before it (a last error event, the reservation settled), and a non-streamed answer still stops at `timeout`.
   * @default Duration.minutes(5)
   */
  readonly streamTimeout?: Duration;

  /**
   * The function's memory, in MB (128 to 10240); CPU grows with it.
   * @default 1024
   */
  readonly memorySize?: number;

  /**
   * Attempts of one Bedrock call, including the first (1 to 5); throttling and transient errors are retried.
   * @default 3
   */
  readonly bedrockMaxAttempts?: number;

  /**
   * The user pool whose tokens the API accepts. When given, the gateway adds an app client to it
   * but no groups: the configured groups must already exist in it, and people's teams come from its `custom:team`
   * attribute when it declares one (declare it not writable by the pool's other app clients).
   * @default - a new user pool: no self sign-up, TOTP MFA required, 14-character passwords, Plus
   * feature plan with threat protection enforced, deletion protection, one group per configured group
   */
  readonly userPool?: cognito.IUserPool;

  /**
   * The identifier of the Cognito resource server whose scopes (`<id>/chat`, `<id>/models.read`) access tokens
   * must carry. Use different identifiers for gateways sharing one user pool.
   * @default "llm-gateway"
   */
  readonly resourceServerId?: string;

  /**
   * The prefix of the user pool's Cognito sign-in domain (`https://<prefix>.auth.<region>.amazoncognito.com`), where
   * people sign in (authorization code with PKCE) and machine clients get tokens (client credentials). Lowercase
   * letters, digits and hyphens; unique in the region; without "aws", "amazon" or "cognito".
   * @default - with a new user pool, a prefix derived from this construct's path; with a given pool, none (the pool's
   * own domain is used)
   */
  readonly signInDomainPrefix?: string;

  /**
   * Where the sign-in domain may send people back with an authorization code (the people's app client).
   * @default ["http://localhost:8400/callback"] - a local callback, as command-line tools and notebooks use
   */
  readonly signInCallbackUrls?: string[];

  /**
   * Programs that sign in with the client-credentials flow: one confidential app client each, with the gateway's
   * scopes, and its groups and team given here.
   * @default - none
   */
  readonly machineClients?: GatewayMachineClient[];

  /**
   * The organization's OpenID Connect identity providers people may sign in with on the sign-in domain.
   * @default - none
   */
  readonly oidcProviders?: GatewayOidcProvider[];

  /**
   * The organization's SAML 2.0 identity providers people may sign in with on the sign-in domain.
   * @default - none
   */
  readonly samlProviders?: GatewaySamlProvider[];

  /**
   * Whether users of the pool itself (e-mail address, password and TOTP) may sign in on the sign-in domain besides
   * the identity providers. Set it to false to admit people only through the organization's providers.
   * @default true
   */
  readonly cognitoSignIn?: boolean;

  /**
   * How long API Gateway reuses the authorizer's decision for one `Authorization` header value (0 to 60 seconds):
   * the longest a revoked key, a disabled or deleted user, or a removed machine client keeps access (each uncached
   * decision for a person's token asks the user pool, `AdminGetUser`).
   * @default Duration.seconds(60)
   */
  readonly authorizerCacheTtl?: Duration;

  /**
   * Key for the application data: the usage table and the function's log group (and, unless
   * `auditLogEncryptionKey` is given, the audit logs too). The function uses it through DynamoDB
   * only (`kms:ViaService`).
   * @default - a new {@link SecureKey} with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Key for the gateway's audit logs: API access and execution logs and WAF logs, which the security
   * team reads and the gateway function never needs. Give a separate key so that readers of the audit
   * logs and users of the application data are admitted separately.
   * @default - the `encryptionKey`
   */
  readonly auditLogEncryptionKey?: kms.IKey;

  /**
   * IAM roles that may administer the key the gateway creates for the MACs of its API keys, besides the
   * CloudFormation execution role that deploys the stack (see {@link SecureKeyProps.administratorRoleArns}).
   * @default - only the CloudFormation execution role
   */
  readonly keyAdministratorRoleArns?: string[];

  /**
   * Back up the API-keys table and the usage table daily with AWS Backup ({@link TableBackup}): a vault under a key
   * of its own that no one but `keyAdministratorRoleArns` may delete recovery points from. Losing the keys table
   * locks every program that calls with a gateway API key out until each key is re-issued.
   * @default true
   */
  readonly backupEnabled?: boolean;

  /**
   * How long each daily recovery point is kept (1 to 36,500 whole days).
   * @default Duration.days(35)
   */
  readonly backupRetention?: Duration;

  /**
   * The hour of the day (UTC, 0-23) the daily backup window opens.
   * @default 3
   */
  readonly backupStartHourUtc?: number;

  /**
   * How long access, execution, function and WAF logs are kept. Must be finite.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Set the region's API Gateway account setting (`AWS::ApiGateway::Account`) to a new role that lets
   * API Gateway write CloudWatch logs. API Gateway needs such a role for access and execution
   * logging, but the setting is a per-account, per-region singleton: turn this on only in one
   * stack per region, and only if the account does not manage it elsewhere. The role and the
   * setting are retained on deletion, so other APIs keep logging.
   * @default false - the account must already have an API Gateway CloudWatch Logs role
   */
  readonly createApiGatewayAccountRole?: boolean;

  /**
   * The CloudWatch namespace of the function's own metrics (Powertools).
   * @default "SecureLlmGateway"
   */
  readonly metricsNamespace?: string;

  /**
   * What happens to the user pool, usage table, log groups and (when created here) key when
   * removed from the stack. Users, quotas and logs outlive a deployment: the default keeps them
   * (the user pool and table also have deletion protection on).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An OpenAI-compatible inference gateway to Amazon Bedrock: a regional REST API
 * (`POST /v1/chat/completions`, `GET /v1/models`, `GET /v1/models/{id}`) behind an AWS WAF web ACL and a Lambda
 * REQUEST authorizer on every method, proxying to a Lambda function in isolated subnets that
 * reaches Bedrock and DynamoDB only through scoped VPC endpoints.
 *
 * - **Authorization**: `Authorization: Bearer` with a Cognito **access token** carrying the route's resource-server
 *   scope (`<id>/chat`, `<id>/models.read`; people via the sign-in domain with PKCE, programs via client credentials)
 *   or a **gateway API key** (`sk-sllm-<keyId>-<secret>`, stored as a KMS HMAC in the keys table, with a model
 *   allow-list, expiry and revocation; managed with `secure-llm-keys`). Decisions are cached per header value for at
 *   most 60 seconds. User groups map to model aliases, quotas and output caps. Request bodies are validated against a JSON schema.
 * - **Edge**: TLS 1.2+ with forward-secret ciphers only; Amazon IP reputation list, per-IP and
 *   per-caller (per token) rate limits, body size limit (oversize bodies blocked), core rule set
 *   and known bad inputs; stage throttling.
 * - **Guardrail forced by IAM**: the function's role may call `bedrock:InvokeModel` (Converse is
 *   authorized through it) only on the allow-listed foundation-model / inference-profile ARNs and
 *   only with the guardrail's current version; any call without it is explicitly denied.
 * - **Quotas**: a per-user daily token counter in a KMS-encrypted DynamoDB table with PITR.
 * - **Logs**: access logs (JSON, no bodies), execution logs (errors only, no data trace), function
 *   logs (JSON) and WAF logs (authorization header redacted), all KMS-encrypted with finite retention.
 *
 * The function needs no CloudWatch Logs or X-Ray endpoint: Lambda ships its stdout and its trace
 * segments itself; the function does not instrument the SDK with the X-Ray SDK.
 *
 * @example
 * const gateway = new InferenceGateway(this, 'Gateway', {
 *   network, guardrail,
 *   models: [{ alias: 'nova-lite', modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 4096 }],
 *   groups: [{ name: 'users', models: ['nova-lite'], dailyTokenQuota: 200_000, maxOutputTokens: 2048 }],
 *   systemPrompt: 'You are a helpful assistant.',
 * });
 * new CfnOutput(this, 'BaseUrl', { value: gateway.url });
 */
export class InferenceGateway extends Construct {
  /** The REST API. */
  public readonly api: apigateway.RestApi;
  /** The OpenAI base URL of the gateway (`https://…/prod/v1`). */
  public readonly url: string;
  /** The user pool whose tokens the API accepts. */
  public readonly userPool: cognito.IUserPool;
  /** The app client for people: authorization code with PKCE on the sign-in domain, no secret. */
  public readonly userPoolClient: cognito.UserPoolClient;
  /** The resource server whose scopes access tokens must carry. */
  public readonly resourceServer: cognito.UserPoolResourceServer;
  /** The sign-in domain; undefined with a given user pool and no `signInDomainPrefix`. */
  public readonly signInDomain?: cognito.UserPoolDomain;
  /** The machine clients' app clients, by name. */
  public readonly machineClients: Readonly<Record<string, cognito.UserPoolClient>>;
  /** The REQUEST authorizer function in front of every method. */
  public readonly authorizerFunction: lambda.Function;
  /** The gateway API keys table (key id → MAC, owner, team, models, expiry, budgets, status). */
  public readonly keysTable: dynamodb.Table;
  /** The KMS HMAC key the gateway API keys' MACs are made with. */
  public readonly keysMacKey: kms.IKey;
  /** The managed policy key administrators need for `secure-llm-keys`. */
  public readonly keysAdminPolicy: iam.IManagedPolicy;
  /** The gateway function. */
  public readonly function: lambda.Function;
  /** The function's role: every permission is in one customer-managed policy. */
  public readonly role: iam.IRole;
  /** The per-user daily token usage table; undefined when quotas are off. */
  public readonly table?: dynamodb.Table;
  /** The daily AWS Backup plan of the keys and usage tables; undefined when `backupEnabled` is false. */
  public readonly backup?: TableBackup;
  /** The web ACL in front of the API stage. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** The API stage's access log group. */
  public readonly accessLogGroup: logs.LogGroup;
  /** The key encrypting the table and the function's log group. */
  public readonly encryptionKey: kms.IKey;
  /** The key encrypting the access, execution and WAF logs (the `encryptionKey` unless another was given). */
  public readonly auditLogEncryptionKey: kms.IKey;
  /** The interface endpoint through which the function reaches Bedrock Runtime. */
  public readonly bedrockEndpoint: ec2.InterfaceVpcEndpoint;
  /**
   * The interface endpoint through which the function retrieves from the bound knowledge bases (`bedrock:Retrieve` on
   * them, for the function's role only); undefined when no alias has a `knowledgeBaseId`.
   */
  public readonly agentRuntimeEndpoint?: ec2.InterfaceVpcEndpoint;
  /** The CloudWatch namespace of the function's own metrics. */
  public readonly metricsNamespace: string;

  private readonly firewall: GatewayWebAcl;

  constructor(scope: Construct, id: string, props: InferenceGatewayProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // --- validation ------------------------------------------------------------------------
    validateModels(props.models, this);
    const boundModels = props.models.filter((m) => m.knowledgeBaseId !== undefined);
    validateGroups(props.groups, props.models);
    validateBudgets(props.models, props.groups, props.teams ?? [], props.quotasEnabled ?? true);
    const alertFraction = props.budgetAlertFraction;
    if (alertFraction !== undefined && !Token.isUnresolved(alertFraction) && !(alertFraction > 0 && alertFraction <= 1)) {
      throw new Error(`budgetAlertFraction must be greater than 0 and at most 1, got ${alertFraction}; e.g. 0.8 alerts at 80% of a budget`);
    }
    const maxBodyBytes = props.maxBodyBytes ?? 32_768;
    const maxMessages = props.maxMessages ?? 50;
    const maxMessageChars = props.maxMessageChars ?? 16_000;
    const maxImageBytes = props.maxImageBytes ?? 3_750_000;
    const maxImagesPerRequest = props.maxImagesPerRequest ?? 0;
    const throttlingRateLimit = props.throttlingRateLimit ?? 50;
    const throttlingBurstLimit = props.throttlingBurstLimit ?? 100;
    const wafRateLimitPerIp = props.wafRateLimitPerIp ?? 1000;
    const wafRateLimitPerCaller = props.wafRateLimitPerCaller ?? 300;
    const reservedConcurrency = props.reservedConcurrency ?? 20;
    const timeout = props.timeout ?? Duration.seconds(MAX_TIMEOUT_SECONDS);
    const streamTimeout = props.streamTimeout ?? Duration.seconds(DEFAULT_STREAM_TIMEOUT_SECONDS);
    const memorySize = props.memorySize ?? 1024;
    const bedrockMaxAttempts = props.bedrockMaxAttempts ?? 3;
    const quotasEnabled = props.quotasEnabled ?? true;
    const allowedLinkHosts = props.allowedLinkHosts ?? [];
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.metricsNamespace = props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE;
    const resourceServerId = props.resourceServerId ?? 'llm-gateway';
    const authorizerCacheTtl = props.authorizerCacheTtl ?? Duration.seconds(MAX_AUTHORIZER_CACHE_SECONDS);
    const machineClients = props.machineClients ?? [];
    const callbackUrls = props.signInCallbackUrls ?? ['http://localhost:8400/callback'];

    checkRange('maxBodyBytes', maxBodyBytes, 1024, 65_536, 'AWS WAF inspects at most 64 KB of an API Gateway request body');
    checkRange('maxMessages', maxMessages, 1, 500);
    checkRange('maxMessageChars', maxMessageChars, 1, 200_000);
    checkRange('maxImageBytes', maxImageBytes, 1, 3_750_000, 'Amazon Bedrock accepts images up to 3.75 MB');
    checkRange('maxImagesPerRequest', maxImagesPerRequest, 0, 20, 'Amazon Bedrock accepts at most 20 images per request; 0 refuses images');
    checkRange('throttlingRateLimit', throttlingRateLimit, 1, 10_000);
    checkRange('throttlingBurstLimit', throttlingBurstLimit, 1, 5_000);
    if (!Token.isUnresolved(throttlingBurstLimit) && !Token.isUnresolved(throttlingRateLimit) && throttlingBurstLimit < throttlingRateLimit) {
      throw new Error(
        `throttlingBurstLimit must be at least throttlingRateLimit (${throttlingRateLimit}), got ${throttlingBurstLimit}; raise the burst or lower the rate`,
      );
    }
    checkRange('wafRateLimitPerIp', wafRateLimitPerIp, 10, 2_000_000_000, 'the limits of an AWS WAF rate-based rule');
    checkRange('wafRateLimitPerCaller', wafRateLimitPerCaller, 10, 2_000_000_000, 'the limits of an AWS WAF rate-based rule');
    checkRange('reservedConcurrency', reservedConcurrency, 1, 1000);
    const timeoutSeconds = timeout.toSeconds();
    checkRange('timeout', timeoutSeconds, MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS, 'API Gateway stops waiting for a REST integration after 29 seconds', 'seconds');
    const streamTimeoutSeconds = streamTimeout.toSeconds();
    if (!Token.isUnresolved(streamTimeoutSeconds) && !Token.isUnresolved(timeoutSeconds)
      && (!Number.isInteger(streamTimeoutSeconds) || streamTimeoutSeconds < timeoutSeconds || streamTimeoutSeconds > MAX_STREAM_TIMEOUT_SECONDS)) {
      throw new Error(
        `streamTimeout must be a whole number of seconds from timeout (${timeoutSeconds}) to ${MAX_STREAM_TIMEOUT_SECONDS} seconds, got ${streamTimeoutSeconds}; ` +
        'API Gateway streams a response for at most 15 minutes, and a streamed answer may run at least as long as a buffered one',
      );
    }
    checkRange('memorySize', memorySize, 128, 10_240, 'the limits of AWS Lambda', 'MB');
    checkRange('bedrockMaxAttempts', bedrockMaxAttempts, 1, 5);
    if (!Token.isUnresolved(props.systemPrompt) && (props.systemPrompt.trim().length === 0 || props.systemPrompt.length > 20_000)) {
      throw new Error(`systemPrompt must be 1-20000 characters with a non-space character, got ${props.systemPrompt.length} characters`);
    }
    const badHost = allowedLinkHosts.find((h) => !HOST.test(h));
    if (badHost !== undefined) {
      throw new Error(`allowedLinkHosts must hold lowercase host names such as "docs.example.com" (no scheme, path or port), got "${badHost}"`);
    }
    for (const [tool, hosts] of Object.entries(props.toolAllowedHosts ?? {})) {
      if (!TOOL_NAME.test(tool)) {
        throw new Error(`toolAllowedHosts keys must be tool names of 1-64 letters, digits, _ or - (as the OpenAI API accepts them), got "${tool}"`);
      }
      const badToolHost = hosts.find((h) => !HOST.test(h));
      if (badToolHost !== undefined) {
        throw new Error(
          `toolAllowedHosts.${tool} must hold lowercase host names such as "api.example.com" (no scheme, path or port), got "${badToolHost}"`,
        );
      }
    }
    if (!METRICS_NAMESPACE.test(this.metricsNamespace) || this.metricsNamespace.startsWith('AWS/')) {
      throw new Error(`metricsNamespace must be a CloudWatch namespace outside "AWS/" (letters, digits and ._/#:-), got "${this.metricsNamespace}"`);
    }
    checkRange(
      'authorizerCacheTtl',
      authorizerCacheTtl.toSeconds(),
      0,
      MAX_AUTHORIZER_CACHE_SECONDS,
      'a revoked key or disabled client must lose access within a minute',
      'seconds',
    );
    if (!Token.isUnresolved(resourceServerId) && !RESOURCE_SERVER_ID.test(resourceServerId)) {
      throw new Error(`resourceServerId must be 1-256 printable characters without spaces, quotes or backslashes, got ${JSON.stringify(resourceServerId)}`);
    }
    if (props.signInDomainPrefix !== undefined && !Token.isUnresolved(props.signInDomainPrefix)) {
      const prefix = props.signInDomainPrefix;
      if (!DOMAIN_PREFIX.test(prefix) || /aws|amazon|cognito/.test(prefix)) {
        throw new Error(
          `signInDomainPrefix must be 1-63 lowercase letters, digits and inner hyphens without "aws", "amazon" or "cognito", got ${JSON.stringify(prefix)}; pick e.g. "acme-llm-gateway"`,
        );
      }
    }
    if (callbackUrls.length === 0) throw new Error('signInCallbackUrls must hold at least one URL, got []; omit it for the local default');
    const groupNames = new Set(props.groups.map((g) => g.name));
    machineClients.forEach((c, i) => {
      if (!MACHINE_CLIENT_NAME.test(c.name) || machineClients.findIndex((o) => o.name === c.name) !== i) {
        throw new Error(`machineClients[${i}].name must be unique and 1-64 letters, digits, "-" or "_", got ${JSON.stringify(c.name)}`);
      }
      const unknown = c.groups.find((g) => !groupNames.has(g));
      if (unknown !== undefined) {
        throw new Error(`machineClients[${i}].groups must name configured groups (${[...groupNames].join(', ')}), got ${JSON.stringify(unknown)}`);
      }
      if (c.team.length > 128 || /\s/.test(c.team)) throw new Error(`machineClients[${i}].team must be at most 128 characters without spaces, got ${JSON.stringify(c.team)}`);
    });
    if (retention === logs.RetentionDays.INFINITE) {
      throw new Error('logRetention must be a finite period, got RetentionDays.INFINITE; use RetentionDays.ONE_YEAR or longer instead');
    }

    const staticConfig = buildStaticConfig(props, {
      maxBodyBytes,
      maxMessages,
      maxMessageChars,
      maxImageBytes,
      maxImages: maxImagesPerRequest,
      allowedLinkHosts,
      quotasEnabled,
      bedrockTimeoutMs: (timeoutSeconds - HANDLER_MARGIN_SECONDS) * 1000,
      bedrockMaxAttempts,
      answerTimeoutMs: timeoutSeconds * 1000,
    });
    const staticConfigText = JSON.stringify(staticConfig);

    // --- key -------------------------------------------------------------------------------
    this.encryptionKey =
      props.encryptionKey ??
      new SecureKey(this, 'Key', { description: `Encrypts the usage table and logs of the LLM gateway ${this.node.path}`, removalPolicy }).key;
    this.auditLogEncryptionKey = props.auditLogEncryptionKey ?? this.encryptionKey;

    // --- usage table -----------------------------------------------------------------------
    if (quotasEnabled) {
      this.table = new dynamodb.Table(this, 'UsageTable', {
        partitionKey: { name: QUOTA_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: this.encryptionKey,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute: QUOTA_TTL_ATTRIBUTE,
        deletionProtection: true,
        removalPolicy,
      });
    }

    // --- function --------------------------------------------------------------------------
    // Egress of its security group: tcp/443 to the Bedrock Runtime endpoint's security group and (with quotas) to the
    // DynamoDB prefix list, added by the network with each endpoint below; nothing else.
    const gatewayFunction = new SecureFunction(this, 'Function', {
      // The static configuration goes beside the handler as a file: it is not bound by Lambda's 4 KB environment limit.
      bundle: 'gateway',
      bundleFileName: GATEWAY_CONFIG_FILE_NAME,
      bundleFileContents: staticConfigText,
      description: 'OpenAI-compatible gateway to Amazon Bedrock with forced guardrail, screening and quotas',
      roleDescription: `LLM gateway function ${this.node.path}: guardrailed Bedrock calls on allow-listed models, usage table`,
      logEncryptionKey: this.encryptionKey,
      logRetention: retention,
      removalPolicy,
      memorySize,
      // A streamed answer may run this long; a non-streamed one stops at `timeout` (answerTimeoutMs in its configuration).
      timeout: streamTimeout,
      reservedConcurrentExecutions: reservedConcurrency,
      vpc: props.network.vpc,
      vpcSubnets: props.network.isolatedSubnets,
      securityGroupDescription: 'LLM gateway function: no inbound; outbound HTTPS to the Bedrock Runtime endpoint and DynamoDB only',
      // API Gateway invokes the function synchronously and returns its errors to the caller.
      noDeadLetterQueueReason:
        'API Gateway, the only invoker the function\'s resource policy admits, calls it synchronously (Lambda proxy integration) and ' +
        'returns a failure to the caller as an HTTP error. A dead-letter queue receives only failed asynchronous invocations: it would stay empty.',
      environment: {
        [GATEWAY_ENV.guardrailId]: props.guardrail.guardrailArn,
        [GATEWAY_ENV.guardrailVersion]: props.guardrail.guardrailVersion,
        ...(this.table ? { [GATEWAY_ENV.quotaTableName]: this.table.tableName } : {}),
        [GATEWAY_ENV.staticConfigFile]: GATEWAY_CONFIG_FILE_NAME,
        // The file was validated above: the function checks it is the same text instead of validating it again.
        [GATEWAY_ENV.staticConfigSha256]: createHash('sha256').update(staticConfigText, 'utf8').digest('hex'),
        [GATEWAY_ENV.serviceName]: SERVICE_NAME,
        [GATEWAY_ENV.metricsNamespace]: this.metricsNamespace,
        // The ids may be deploy-time values (a knowledge base in the stack): the environment, not the static file.
        ...(boundModels.length === 0
          ? {}
          : { [GATEWAY_ENV.knowledgeBases]: stack.toJsonString(Object.fromEntries(boundModels.map((m) => [m.alias, m.knowledgeBaseId!]))) }),
      },
    });
    this.function = gatewayFunction;
    const functionRole = gatewayFunction.executionRole;
    this.role = functionRole.role;

    // --- Bedrock: allow-listed models, only with the guardrail -----------------------------
    const knowledgeBaseArns = [...new Set(boundModels.map((m) => knowledgeBaseArn(stack, m.knowledgeBaseId!)))];
    const modelArns = [...new Set(props.models.flatMap((m) => modelResourceArns(stack, m)))];
    const chatModels = props.models.filter((m) => m.kind !== ModelKind.EMBEDDING);
    const textModelArns = [...new Set(chatModels.filter((m) => m.customModelDeploymentArn === undefined).flatMap((m) => modelResourceArns(stack, m)))];
    const deploymentArns = [...new Set(chatModels.flatMap((m) => (m.customModelDeploymentArn === undefined ? [] : [m.customModelDeploymentArn])))];
    const embeddingModelArns = [...new Set(props.models.filter((m) => m.kind === ModelKind.EMBEDDING).flatMap((m) => modelResourceArns(stack, m)))];
    const guardrailCondition = props.guardrail.versionedArnForCondition;
    if (textModelArns.length > 0) {
      functionRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'InvokeAllowListedModelsWithGuardrail',
          actions: ['bedrock:InvokeModel'],
          resources: textModelArns,
          conditions: { StringEquals: { 'bedrock:GuardrailIdentifier': guardrailCondition } },
        }),
      );
    }
    if (deploymentArns.length > 0) {
      // Custom-model deployments named by alias, like any other model only with the guardrail, and only while the safety
      // gate's tag says the deployment passed: re-tagging it (or the workflow's rejection) stops calls without a deploy.
      // The Service Authorization Reference lists aws:ResourceTag/${TagKey} for the custom-model-deployment resource type.
      functionRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'InvokePromotedCustomModelsWithGuardrail',
          actions: ['bedrock:InvokeModel'],
          resources: deploymentArns,
          conditions: { StringEquals: { 'bedrock:GuardrailIdentifier': guardrailCondition, [`aws:ResourceTag/${GATE_TAG_KEY}`]: GATE_PASSED } },
        }),
      );
    }
    if (embeddingModelArns.length > 0) {
      // Bedrock applies no guardrail to embedding models: these exact foundation-model ARNs, and nothing else, are
      // allowed without the condition (the SecureLLM rule accepts only concrete embedding-model ARNs here).
      functionRole.addToPolicy(
        new iam.PolicyStatement({ sid: 'InvokeAllowListedEmbeddingModels', actions: ['bedrock:InvokeModel'], resources: embeddingModelArns }),
      );
    }
    // StringNotEquals also matches when the request carries no guardrail at all (a negated operator is true for a
    // missing key), so calls without the guardrail are denied on every resource — except, through NotResource, the
    // allow-listed embedding models: every text-generation model, listed or not, stays behind the Deny.
    functionRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DenyModelCallsWithoutGuardrail',
        effect: iam.Effect.DENY,
        actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        ...(embeddingModelArns.length > 0 ? { notResources: embeddingModelArns } : { resources: ['*'] }),
        conditions: { StringNotEquals: { 'bedrock:GuardrailIdentifier': guardrailCondition } },
      }),
    );
    props.guardrail.grantApply(functionRole);

    // --- Retrieval: the bound knowledge bases only ------------------------------------------
    // Retrieve and nothing else (no RetrieveAndGenerate, which would generate without this gateway's guardrail pinning
    // and screens), on exactly the bound knowledge bases.
    if (knowledgeBaseArns.length > 0) {
      functionRole.addToPolicy(
        new iam.PolicyStatement({ sid: 'RetrieveFromBoundKnowledgeBases', actions: ['bedrock:Retrieve'], resources: knowledgeBaseArns }),
      );
    }

    // --- DynamoDB: the usage counters only -------------------------------------------------
    if (this.table) {
      functionRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'UpdateUsageCounters',
          actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem'],
          resources: [this.table.tableArn],
        }),
      );
      functionRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'UsageTableKeyThroughDynamoDb',
          actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
          resources: [this.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
        }),
      );
      // The key policy admits this account's principals through DynamoDB: the function, and
      // CloudFormation, which creates the table with the key.
      SecureKey.allowUseThroughServiceOn(this.encryptionKey, 'dynamodb');
    }

    // --- endpoints -------------------------------------------------------------------------
    this.bedrockEndpoint = props.network.addInterfaceEndpoint('BedrockRuntime', {
      service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME,
      consumers: [this.function],
      principals: [this.role],
      actions: ['bedrock:InvokeModel', 'bedrock:ApplyGuardrail'],
      resources: [...modelArns, props.guardrail.guardrailArn],
    });
    if (knowledgeBaseArns.length > 0) {
      this.agentRuntimeEndpoint = props.network.addInterfaceEndpoint('BedrockAgentRuntime', {
        service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_AGENT_RUNTIME,
        consumers: [this.function],
        principals: [this.role],
        actions: ['bedrock:Retrieve'],
        resources: knowledgeBaseArns,
      });
    }
    if (this.table) {
      props.network.addGatewayEndpoint('DynamoDb', {
        service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
        actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem'],
        resources: [this.table.tableArn],
        principals: [this.role],
        consumers: [this.function],
      });
    }

    // --- users -----------------------------------------------------------------------------
    if (props.userPool) {
      this.userPool = props.userPool;
      Annotations.of(this).addInfo(
        `The given user pool must already hold the groups ${props.groups.map((g) => g.name).join(', ')}: the gateway authorizes by cognito:groups.`,
      );
    } else {
      const pool = new cognito.UserPool(this, 'UserPool', {
        selfSignUpEnabled: false,
        signInAliases: { email: true },
        autoVerify: { email: true },
        accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
        mfa: cognito.Mfa.REQUIRED,
        mfaSecondFactor: { otp: true, sms: false },
        passwordPolicy: {
          minLength: 14,
          requireLowercase: true,
          requireUppercase: true,
          requireDigits: true,
          requireSymbols: true,
          tempPasswordValidity: Duration.days(3),
          passwordHistorySize: 24,
        },
        // Threat protection (compromised credentials, adaptive authentication) needs the Plus plan.
        featurePlan: cognito.FeaturePlan.PLUS,
        standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
        deletionProtection: true,
        // A person's team (budgets, attribution, retrieval tenancy). Only administrators set it
        // (AdminUpdateUserAttributes): the app client below may not write it.
        customAttributes: { [USER_TEAM_ATTRIBUTE.slice('custom:'.length)]: new cognito.StringAttribute({ minLen: 1, maxLen: 128, mutable: true }) },
        removalPolicy,
      });
      for (const group of props.groups) {
        // Named after the group (not its position) so reordering groups never replaces one and
        // drops its members; "/" is the one character a construct id cannot hold.
        new cognito.UserPoolGroup(this, `Group${group.name.replace(/\//g, '%2F')}`, {
          userPool: pool,
          groupName: group.name,
          description: `LLM gateway callers: ${group.models.join(', ')}; ${group.dailyTokenQuota} tokens a day`.slice(0, 2048),
        });
      }
      this.userPool = pool;
    }
    // The gateway's scopes. Access tokens from SRP sign-in (InitiateAuth) carry only aws.cognito.signin.user.admin:
    // a resource-server scope comes only from the OAuth flows of the sign-in domain.
    this.resourceServer = new cognito.UserPoolResourceServer(this, 'ResourceServer', {
      userPool: this.userPool,
      identifier: resourceServerId,
      userPoolResourceServerName: 'LLM gateway',
      scopes: GATEWAY_SCOPES.map((name) => ({
        scopeName: name,
        scopeDescription: name === 'chat' ? 'Call chat completions' : 'List and read the models',
      })),
    });
    // Literal scope names (the clients depend on the resource server explicitly), so templates and outputs read them.
    const scopes = GATEWAY_SCOPES.map((name) => cognito.OAuthScope.custom(`${resourceServerId}/${name}`));
    // Prefixes are unique per region across all accounts: the default adds the account id to this construct's path.
    const defaultPrefix = (): string =>
      Fn.join('-', [
        Names.uniqueResourceName(this, { maxLength: 50, separator: '-' }).toLowerCase().replace(/[^a-z0-9-]/g, '').replace(/aws|amazon|cognito/g, 'x'),
        stack.account,
      ]);
    const domainPrefix = props.signInDomainPrefix ?? (props.userPool ? undefined : defaultPrefix());
    if (domainPrefix !== undefined) {
      this.signInDomain = new cognito.UserPoolDomain(this, 'SignInDomain', { userPool: this.userPool, cognitoDomain: { domainPrefix } });
    }
    const federation = new Federation(this, 'Federation', {
      userPool: this.userPool,
      oidcProviders: props.oidcProviders ?? [],
      samlProviders: props.samlProviders ?? [],
      cognitoSignIn: props.cognitoSignIn ?? true,
    });
    this.userPoolClient = new cognito.UserPoolClient(this, 'UserPoolClient', {
      userPool: this.userPool,
      generateSecret: false,
      // People sign in on the domain with the authorization code; Cognito checks PKCE when the client sends a code
      // challenge (public client, no secret: clients should always send one), but does not demand it.
      authFlows: { userSrp: true },
      oAuth: { flows: { authorizationCodeGrant: true }, scopes: [cognito.OAuthScope.OPENID, ...scopes], callbackUrls },
      supportedIdentityProviders: federation.supportedIdentityProviders,
      // People (and identity-provider mappings, which write through the client) may change their e-mail address, and
      // nothing else: above all not custom:team, which decides their budgets. Without a list Cognito lets the
      // client write every attribute.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    this.userPoolClient.node.addDependency(this.resourceServer);
    const machine: Record<string, cognito.UserPoolClient> = {};
    for (const c of machineClients) {
      const client = new cognito.UserPoolClient(this, `MachineClient${c.name}`, {
        userPool: this.userPool,
        userPoolClientName: c.name,
        generateSecret: true,
        authFlows: {},
        oAuth: { flows: { clientCredentials: true }, scopes },
        enableTokenRevocation: true,
        accessTokenValidity: Duration.hours(1),
      });
      client.node.addDependency(this.resourceServer);
      machine[c.name] = client;
    }
    this.machineClients = machine;
    const machineClientsJson =
      machineClients.length === 0
        ? ''
        : Fn.join('', [
            '{',
            ...machineClients.flatMap((c, i) => [
              i === 0 ? '"' : ',"',
              machine[c.name]!.userPoolClientId,
              `":${JSON.stringify({ groups: c.groups, team: c.team })}`,
            ]),
            '}',
          ]);

    const access = new GatewayAccess(this, 'Access', {
      userPool: this.userPool,
      userPoolClients: [this.userPoolClient, ...Object.values(machine)],
      resourceServerId,
      machineClientsJson,
      encryptionKey: this.encryptionKey,
      logRetention: retention,
      reservedConcurrency,
      removalPolicy,
      keyAdministratorRoleArns: props.keyAdministratorRoleArns,
    });
    this.authorizerFunction = access.function;
    this.keysTable = access.keysTable;
    this.keysMacKey = access.macKey;
    this.keysAdminPolicy = access.adminPolicy;

    // --- backup ----------------------------------------------------------------------------
    const backedUpTables = [this.keysTable, ...(this.table ? [this.table] : [])];
    if (props.backupEnabled ?? true) {
      this.backup = new TableBackup(this, 'Backup', {
        tables: backedUpTables,
        retention: props.backupRetention,
        startHourUtc: props.backupStartHourUtc,
        administratorRoleArns: props.keyAdministratorRoleArns,
        removalPolicy,
      });
    } else {
      const reason =
        'AWS Backup is turned off for this deployment (backupEnabled: false). Point-in-time recovery (35 days) and deletion protection ' +
        'remain; a table deleted anyway takes its point-in-time history with it.';
      for (const table of backedUpTables) {
        Validations.of(table.node.defaultChild as dynamodb.CfnTable).acknowledge(
          { id: 'NIST.800.53.R5-DynamoDBInBackupPlan', reason },
          { id: 'HIPAA.Security-DynamoDBInBackupPlan', reason },
        );
      }
    }

    // --- API -------------------------------------------------------------------------------
    const accessLogs = new SecureLogGroup(this, 'AccessLogs', { encryptionKey: this.auditLogEncryptionKey, retention, removalPolicy });
    this.accessLogGroup = accessLogs.logGroup;
    // One REQUEST authorizer for access tokens and gateway API keys. Its identity source is the Authorization header
    // alone, so API Gateway caches each decision under that header's value: a cached policy only ever serves the
    // credential it was made for. The TTL bounds how long a revoked key or disabled client keeps access.
    const authorizer = new apigateway.RequestAuthorizer(this, 'Authorizer', {
      handler: this.authorizerFunction,
      identitySources: [apigateway.IdentitySource.header('Authorization')],
      resultsCacheTtl: authorizerCacheTtl,
    });
    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'OpenAI-compatible LLM gateway to Amazon Bedrock',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // The account-level CloudWatch role is handled explicitly (createApiGatewayAccountRole).
      cloudWatchRole: false,
      deployOptions: {
        stageName: GATEWAY_STAGE_NAME,
        tracingEnabled: true,
        metricsEnabled: true,
        // Execution logs carry errors only and never request or response bodies.
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        throttlingRateLimit,
        throttlingBurstLimit,
        cacheClusterEnabled: false,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: accessLogFormat(),
      },
      defaultMethodOptions: {
        authorizationType: apigateway.AuthorizationType.CUSTOM,
        authorizer,
      },
    });
    const stage = this.api.deploymentStage;
    // Without a security policy the default execute-api endpoint of a regional API negotiates the
    // legacy TLS_1_0 policy. The enhanced policies apply to that endpoint too (no custom domain is
    // needed). This one accepts TLS 1.3 and TLS 1.2 with forward-secret AEAD ciphers only (no CBC,
    // no RSA key exchange) and offers post-quantum hybrid key exchange; the OpenAI SDKs (Python
    // httpx/OpenSSL, Node) negotiate TLS 1.3. TLS 1.3-only (SecurityPolicy_TLS13_1_3_2025_09)
    // would lock out TLS 1.2-only middleboxes and runtimes. STRICT access mode, which enhanced
    // policies require, also rejects requests whose SNI does not match this API's host name.
    const cfnApi = this.api.node.defaultChild as apigateway.CfnRestApi;
    cfnApi.securityPolicy = GATEWAY_TLS_SECURITY_POLICY;
    cfnApi.endpointAccessMode = apigateway.EndpointAccessMode.STRICT;

    // API Gateway would create the execution log group itself: unencrypted and kept forever.
    const executionLogs = new SecureLogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${GATEWAY_STAGE_NAME}`,
      encryptionKey: this.auditLogEncryptionKey,
      retention,
      removalPolicy,
    });
    stage.node.addDependency(executionLogs);

    const cacheReason =
      'Caching stays off: the rule asks for caching on every method (*/*), but each chat completion is a fresh model call no cache may ' +
      'answer, and GET /v1/models lists the caller\'s own models while API Gateway\'s cache key leaves out the Authorization header ' +
      'unless a method adds it, so a cache would serve one caller\'s list to another. With no cache there is no cache data to encrypt.';
    const clientCertReason =
      'The only integration is a Lambda proxy integration, which API Gateway invokes through the signed Lambda Invoke API; ' +
      'client certificates only authenticate API Gateway to HTTP backends.';
    Validations.of(stage.node.defaultChild as apigateway.CfnStage).acknowledge(
      { id: 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', reason: cacheReason },
      { id: 'HIPAA.Security-APIGWCacheEnabledAndEncrypted', reason: cacheReason },
      { id: 'PCI.DSS.321-APIGWCacheEnabledAndEncrypted', reason: cacheReason },
      { id: 'NIST.800.53.R5-APIGWSSLEnabled', reason: clientCertReason },
      { id: 'HIPAA.Security-APIGWSSLEnabled', reason: clientCertReason },
      { id: 'PCI.DSS.321-APIGWSSLEnabled', reason: clientCertReason },
    );

    if (props.createApiGatewayAccountRole) {
      const account = this.createAccountCloudWatchRole();
      stage.node.addDependency(account);
    }

    // OpenAI-style error bodies for the errors API Gateway answers itself (401, 403, 429, 400 validation, 5xx).
    const errorTemplate = {
      'application/json': '{"error":{"message":$context.error.messageString,"type":"$context.error.responseType","code":null}}',
    };
    this.api.addGatewayResponse('Default4xx', { type: apigateway.ResponseType.DEFAULT_4XX, templates: errorTemplate });
    this.api.addGatewayResponse('Default5xx', { type: apigateway.ResponseType.DEFAULT_5XX, templates: errorTemplate });
    // The authorizer's answers, as the OpenAI API words them: 401 for a missing or invalid credential, 403 for a valid
    // one that may not call this route (or a revoked, expired or unknown key).
    this.api.addGatewayResponse('Unauthorized', {
      type: apigateway.ResponseType.UNAUTHORIZED,
      statusCode: '401',
      responseHeaders: { 'WWW-Authenticate': "'Bearer'" },
      templates: {
        'application/json': AUTHORIZER_REFUSAL_BODIES.unauthorized,
      },
    });
    this.api.addGatewayResponse('AccessDenied', {
      type: apigateway.ResponseType.ACCESS_DENIED,
      statusCode: '403',
      templates: {
        'application/json': AUTHORIZER_REFUSAL_BODIES.accessDenied,
      },
    });

    const validator = this.api.addRequestValidator('RequestValidator', {
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const chatModel = this.api.addModel('ChatCompletionRequest', {
      contentType: 'application/json',
      modelName: 'ChatCompletionRequest',
      description: 'The shape every chat completion request must have before it reaches the function',
      schema: chatCompletionSchema(maxMessages),
    });
    const embeddingsModel = this.api.addModel('EmbeddingsRequest', {
      contentType: 'application/json',
      modelName: 'EmbeddingsRequest',
      description: 'The shape every embeddings request must have before it reaches the function',
      schema: {
        schema: apigateway.JsonSchemaVersion.DRAFT4,
        type: apigateway.JsonSchemaType.OBJECT,
        required: ['model', 'input'],
        properties: {
          model: { type: apigateway.JsonSchemaType.STRING, minLength: 1, maxLength: 128 },
          input: { type: [apigateway.JsonSchemaType.STRING, apigateway.JsonSchemaType.ARRAY], maxItems: 16 },
        },
      },
    });
    // The Lambda proxy integration of aws-cdk-lib's LambdaIntegration, without its one invoke permission per method
    // (three near-identical resource-policy statements): the function serves every route, so one permission below
    // admits the whole API, on its deployed stage only (the console's test-invoke stage stays excluded).
    // Response streaming: API Gateway invokes the function with InvokeWithResponseStream (the 2021-11-15
    // `response-streaming-invocations` action; the same lambda:InvokeFunction permission) and passes the body on as the
    // function writes it, so `stream: true` answers arrive as server-sent events. Non-streamed answers are one write.
    // Chat completions may stream for up to `streamTimeout` (TimeoutInMillis above 29 s is allowed for a STREAM
    // integration); the other routes answer in one write and keep API Gateway's 29 seconds.
    const streamingInvocations = `2021-11-15/functions/${this.function.functionArn}/response-streaming-invocations`;
    const integration = new apigateway.AwsIntegration({
      proxy: true,
      service: 'lambda',
      path: streamingInvocations,
      options: { responseTransferMode: apigateway.ResponseTransferMode.STREAM },
    });
    const chatIntegration = new apigateway.AwsIntegration({
      proxy: true,
      service: 'lambda',
      path: streamingInvocations,
      options: { responseTransferMode: apigateway.ResponseTransferMode.STREAM, timeout: streamTimeout },
    });
    // What each route adds to the common options; a route added to the contract must be listed here.
    const routeOptions: Record<GatewayRouteName, apigateway.MethodOptions> = {
      'chat.completions': { requestModels: { 'application/json': chatModel, $default: chatModel } },
      'models.list': {},
      'models.retrieve': {},
      embeddings: { requestModels: { 'application/json': embeddingsModel, $default: embeddingsModel } },
    };
    // Exactly the contract's routes, so API Gateway admits what the function serves and nothing else. Every method
    // gets the default REQUEST authorizer, the validator and the proxy integration; path parameters are required.
    const methods = GATEWAY_ROUTES.map((route) => {
      const parameters = pathParameterNames(route.path).map((name): [string, boolean] => [`method.request.path.${name}`, true]);
      return this.api.root.resourceForPath(route.path).addMethod(route.method, route.name === 'chat.completions' ? chatIntegration : integration, {
        requestValidator: validator,
        ...(parameters.length > 0 ? { requestParameters: Object.fromEntries(parameters) } : {}),
        ...routeOptions[route.name],
      });
    });
    // API Gateway may invoke the function for this API's deployed stage only, as this account's API. Any method and path
    // of that stage: API Gateway routes only the methods above to it, and the function serves each of them.
    const invokePermission = new lambda.CfnPermission(this, 'ApiInvokePermission', {
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionArn,
      principal: 'apigateway.amazonaws.com',
      sourceArn: this.api.arnForExecuteApi('*', '/*', GATEWAY_STAGE_NAME),
      sourceAccount: Stack.of(this).account,
    });
    stage.node.addDependency(invokePermission);
    if (Token.isUnresolved(Stack.of(this).account)) {
      // CT.LAMBDA.PR.2 accepts a literal SourceAccount, or a SourceArn that is a literal or a Ref/GetAtt of this template.
      Validations.of(invokePermission).acknowledge({
        id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
        reason:
          'Not public: the principal is apigateway.amazonaws.com, SourceAccount is this account and SourceArn is the execute-api ARN ' +
          'of this API\'s stage. The stack is environment-agnostic, so both are built from AWS::AccountId at deploy time, which the rule ' +
          'cannot evaluate; with a pinned account SourceAccount is a literal and the rule passes.',
      });
    }
    // cdk-nag's COG4 recognizes only API Gateway's Cognito user-pool authorizer type. One acknowledgment per method,
    // not one on a common parent: cdk-nag honours an acknowledgment on any ancestor, so a parent's would also hide a
    // method added later without the authorizer.
    for (const method of methods) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'Authorized by the gateway\'s Lambda REQUEST authorizer, which verifies Cognito access tokens of this user pool (aws-jwt-verify: ' +
          'signature, issuer, token_use=access, client id, expiry, the route\'s resource-server scope) and also gateway API keys; ' +
          'a Cognito user-pool authorizer cannot accept API keys, and one method has one authorizer.',
      });
    }
    // API Gateway's permission to invoke the authorizer: the same shape as the methods' permissions above.
    for (const permission of this.authorizerFunction.node.children.filter((c) => c instanceof lambda.CfnPermission)) {
      Validations.of(permission).acknowledge({
        id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
        reason:
          'Not public: the principal is apigateway.amazonaws.com and SourceArn is this API\'s authorizer ARN. ' +
          'In an environment-agnostic stack that ARN is an Fn::Join of the API id, region and account, which the rule cannot evaluate.',
      });
    }
    this.url = `${this.api.url}v1`;

    // --- edge ------------------------------------------------------------------------------
    this.firewall = new GatewayWebAcl(this, 'Firewall', {
      stageArn: stage.stageArn,
      maxBodyBytes,
      rateLimitPerIp: wafRateLimitPerIp,
      rateLimitPerCaller: wafRateLimitPerCaller,
      encryptionKey: this.auditLogEncryptionKey,
      logRetention: retention,
      removalPolicy,
    });
    this.webAcl = this.firewall.webAcl;
  }

  /** Server-side errors (5XX) returned by the API, summed over 5 minutes. */
  public metric5xx(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum', ...props });
  }

  /** Client errors (4XX, including authorization and validation failures), summed over 5 minutes. */
  public metric4xx(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.metricClientError({ period: Duration.minutes(5), statistic: 'Sum', ...props });
  }

  /** End-to-end API latency, p99 over 5 minutes. */
  public metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.metricLatency({ period: Duration.minutes(5), statistic: 'p99', ...props });
  }

  /** Function errors, summed over 5 minutes. */
  public metricFunctionErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors({ period: Duration.minutes(5), ...props });
  }

  /** Function throttles (reserved concurrency exhausted), summed over 5 minutes. */
  public metricFunctionThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricThrottles({ period: Duration.minutes(5), ...props });
  }

  /**
   * Requests the web ACL blocked, summed over 5 minutes.
   * @param rule one rule's name (see `WEB_ACL_RULE_NAMES`) @default - all rules
   */
  public metricWafBlockedRequests(rule?: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.firewall.metricBlockedRequests(rule, props);
  }

  /** The per-region API Gateway CloudWatch Logs role and account setting, both retained. */
  private createAccountCloudWatchRole(): apigateway.CfnAccount {
    const stack = Stack.of(this);
    const role = new ManagedPolicyRole(this, 'ApiGatewayCloudWatchRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'Lets API Gateway write access and execution logs of every REST API in this account and region',
    });
    const logsInRegion = `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*`;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteApiGatewayLogs',
        // The actions of the AWS-managed AmazonAPIGatewayPushToCloudWatchLogs policy, in this region and account only.
        actions: [
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:DescribeLogGroups',
          'logs:DescribeLogStreams',
          'logs:PutLogEvents',
          'logs:GetLogEvents',
          'logs:FilterLogEvents',
        ],
        resources: [logsInRegion],
      }),
    );
    Validations.of(role.policy).acknowledge({
      // Exactly the finding of this ARN, whether the stack's account and region are literals or pseudo-parameters.
      id: `AwsSolutions-IAM5[Resource::${nagFindingText(this, logsInRegion)}]`,
      reason:
        'The API Gateway CloudWatch role is an account-and-region setting shared by every REST API of the region: it must reach ' +
        'the access and execution log groups of APIs this stack does not know. It is confined to CloudWatch Logs in this account and region.',
    });
    role.role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    role.policy.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const account = new apigateway.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    account.node.addDependency(role.policy);
    return account;
  }
}

/** JSON access-log records: who, what, outcome and timings; never bodies. */
function accessLogFormat(): apigateway.AccessLogFormat {
  return apigateway.AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      extendedRequestId: '$context.extendedRequestId',
      requestTime: '$context.requestTime',
      ip: '$context.identity.sourceIp',
      userAgent: '$context.identity.userAgent',
      principal: '$context.authorizer.principalId',
      callerKind: '$context.authorizer.kind',
      httpMethod: '$context.httpMethod',
      resourcePath: '$context.resourcePath',
      protocol: '$context.protocol',
      status: '$context.status',
      responseLength: '$context.responseLength',
      responseLatency: '$context.responseLatency',
      integrationLatency: '$context.integrationLatency',
      integrationStatus: '$context.integrationStatus',
      wafResponseCode: '$context.wafResponseCode',
      error: '$context.error.message',
      errorType: '$context.error.responseType',
      xrayTraceId: '$context.xrayTraceId',
    }),
  );
}

/** The JSON schema API Gateway validates chat completion bodies against (the function validates in full). */
function chatCompletionSchema(maxMessages: number): apigateway.JsonSchema {
  return {
    schema: apigateway.JsonSchemaVersion.DRAFT4,
    title: 'ChatCompletionRequest',
    type: apigateway.JsonSchemaType.OBJECT,
    required: ['model', 'messages'],
    properties: {
      // Unknown aliases reach the function, which answers 404 model_not_found as OpenAI does.
      model: { type: apigateway.JsonSchemaType.STRING, minLength: 1, maxLength: 64 },
      messages: {
        type: apigateway.JsonSchemaType.ARRAY,
        minItems: 1,
        maxItems: maxMessages,
        items: {
          type: apigateway.JsonSchemaType.OBJECT,
          required: ['role'],
          properties: { role: { type: apigateway.JsonSchemaType.STRING } },
        },
      },
      max_tokens: { type: apigateway.JsonSchemaType.INTEGER, minimum: 1 },
      max_completion_tokens: { type: apigateway.JsonSchemaType.INTEGER, minimum: 1 },
    },
  };
}

interface DerivedLimits {
  readonly maxBodyBytes: number;
  readonly maxMessages: number;
  readonly maxMessageChars: number;
  readonly maxImageBytes: number;
  readonly maxImages: number;
  readonly allowedLinkHosts: string[];
  readonly quotasEnabled: boolean;
  readonly bedrockTimeoutMs: number;
  readonly bedrockMaxAttempts: number;
  readonly answerTimeoutMs: number;
}

/** The configuration shipped beside the function's code, validated against the function's own schema. */
function buildStaticConfig(props: InferenceGatewayProps, limits: DerivedLimits): GatewayStaticConfig {
  const config: GatewayStaticConfig = {
    systemPrompt: props.systemPrompt,
    models: Object.fromEntries(
      props.models.map((m, i) => {
        const price = modelPrice(m, `models[${i}]`);
        const can = modelCapabilities(m.modelId);
        return [
          m.alias,
          {
            modelId: invokeTarget(m),
            maxOutputTokens: m.maxOutputTokens,
            ...(m.kind === ModelKind.EMBEDDING ? { kind: 'embedding' as const } : {}),
            ...(can.forcedToolChoice ? { forcedToolChoice: true } : {}),
            ...(can.imageInput ? { imageInput: true } : {}),
            ...(m.knowledgeBaseId === undefined
              ? {}
              : {
                retrieval: {
                  numberOfResults: m.retrievalResults ?? DEFAULT_RETRIEVAL_RESULTS,
                  ...(m.retrievalMinScore === undefined ? {} : { minScore: m.retrievalMinScore }),
                },
              }),
            ...(price === undefined ? {} : { price }),
          },
        ];
      }),
    ),
    groups: Object.fromEntries(
      props.groups.map((g, i) => [
        g.name,
        {
          models: [...g.models],
          dailyTokenQuota: g.dailyTokenQuota,
          maxOutputTokens: g.maxOutputTokens,
          ...budgetsOf(`groups[${i}]`, g),
        },
      ]),
    ),
    teams: Object.fromEntries((props.teams ?? []).map((t, i) => [t.name, budgetsOf(`teams[${i}]`, t)])),
    budgetAlertFraction: props.budgetAlertFraction ?? 0.8,
    limits: {
      maxBodyBytes: limits.maxBodyBytes,
      maxMessages: limits.maxMessages,
      maxMessageChars: limits.maxMessageChars,
      maxImageBytes: limits.maxImageBytes,
      maxImages: limits.maxImages,
    },
    prescreenMode: props.prescreenMode ?? PrescreenMode.BLOCK,
    output: {
      allowedLinkHosts: [...limits.allowedLinkHosts],
      allowHtml: false,
      toolAllowedHosts: Object.fromEntries(Object.entries(props.toolAllowedHosts ?? {}).map(([tool, hosts]) => [tool, [...hosts]])),
    },
    blockedInputMessage: props.blockedInputMessage ?? 'Sorry, I can\'t help with that request.',
    blockedOutputMessage: props.blockedOutputMessage ?? 'Sorry, I can\'t provide that response.',
    quotasEnabled: limits.quotasEnabled,
    bedrockTimeoutMs: limits.bedrockTimeoutMs,
    answerTimeoutMs: limits.answerTimeoutMs,
    bedrockMaxAttempts: limits.bedrockMaxAttempts,
  };
  const text = JSON.stringify(config);
  if (Token.isUnresolved(text)) {
    throw new Error(
      'models, groups, systemPrompt, blocked messages, limits, allowedLinkHosts and toolAllowedHosts must be known at synthesis (they are written into the code package of the function), got a token; pass literal values',
    );
  }
  const parsed = staticConfigSchema().safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`The gateway configuration does not satisfy the function's schema (lambda/shared/gateway-contract.ts): ${issues}`);
  }
  return config;
}

/** A group's or team's budgets in µUSD, only those set. */
function budgetsOf(at: string, owner: { readonly dailyBudgetUsd?: number; readonly monthlyBudgetUsd?: number }): { dailyBudgetMicroUsd?: number; monthlyBudgetMicroUsd?: number } {
  return {
    ...(owner.dailyBudgetUsd === undefined ? {} : { dailyBudgetMicroUsd: usd(`${at}.dailyBudgetUsd`, owner.dailyBudgetUsd) }),
    ...(owner.monthlyBudgetUsd === undefined ? {} : { monthlyBudgetMicroUsd: usd(`${at}.monthlyBudgetUsd`, owner.monthlyBudgetUsd) }),
  };
}

function checkRange(prop: string, value: number, min: number, max: number, why?: string, unit = ''): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    const suffix = unit ? ` ${unit}` : '';
    throw new Error(
      `${prop} must be a whole number between ${min} and ${max}${suffix}${why ? ` (${why})` : ''}, got ${value}${suffix}`,
    );
  }
}
