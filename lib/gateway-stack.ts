import { CfnOutput, Duration } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  AlertTopic,
  GatewayModel,
  InferenceGateway,
  invokeTarget,
  ModelGuardrail,
  PrescreenMode,
  PrivateNetwork,
  SecureKey,
  SecurityMonitoring,
} from '../constructs';
import { BlueprintStack, BlueprintStackProps } from './blueprint-stack';
import { ensureAlertDestination } from './alert-destination';
import type { BlueprintConfig } from './config';

/** Properties for {@link GatewayStack}. */
export interface GatewayStackProps extends BlueprintStackProps {
  /** The validated `gateway` section of the configuration. */
  readonly config: BlueprintConfig['gateway'];

  /**
   * The topic the gateway's security alarms notify, e.g. the baseline's alert topic.
   * @default - a new {@link AlertTopic} encrypted with the gateway key, with `config.monitoring.alertEmails` subscribed
   */
  readonly alertTopic?: AlertTopic;
}

/**
 * One LLM gateway: a customer-managed key, a private network without internet access, the Bedrock
 * guardrail and its published version, and the inference gateway (WAF, API Gateway with Cognito,
 * the gateway function and its usage table), and its security monitoring (alarms to an
 * encrypted SNS topic, dashboard). Deploy several with different stack names and
 * configurations for separate audiences.
 *
 * Environment-agnostic unless the configuration names an account and region.
 */
export class GatewayStack extends BlueprintStack {
  /** The key that encrypts the gateway's logs, usage table, flow logs, guardrail and alert topic. */
  public readonly key: SecureKey;
  /** The private network the gateway function runs in. */
  public readonly network: PrivateNetwork;
  /** The guardrail every model call carries. */
  public readonly guardrail: ModelGuardrail;
  /** The gateway. */
  public readonly gateway: InferenceGateway;
  /** The topic the security alarms notify. */
  public readonly alertTopic: AlertTopic;
  /** The security alarms and dashboard. */
  public readonly monitoring: SecurityMonitoring;

  constructor(scope: Construct, id: string, props: GatewayStackProps) {
    super(scope, id, props);
    const config = props.config;

    this.key = new SecureKey(this, 'Key', {
      alias: `${this.stackName}/gateway`,
      description: 'secure-llm-blueprint gateway: logs, usage table, flow logs, guardrail and security alerts',
    });

    this.network = new PrivateNetwork(this, 'Network', {
      maxAzs: config.maxAzs,
      cidr: config.vpcCidr,
      flowLogEncryptionKey: this.key.key,
      flowLogRetention: config.logRetentionDays as logs.RetentionDays,
    });

    this.guardrail = new ModelGuardrail(this, 'Guardrail', {
      encryptionKey: this.key.key,
      deniedTopics: config.guardrail.deniedTopics,
      blockedWords: config.guardrail.blockedWords,
      managedProfanityFilter: config.guardrail.managedProfanityFilter,
      groundingThreshold: config.guardrail.groundingThreshold,
      relevanceThreshold: config.guardrail.relevanceThreshold,
      blockedInputMessage: config.guardrail.blockedInputMessage,
      blockedOutputMessage: config.guardrail.blockedOutputMessage,
    });

    const models: GatewayModel[] = Object.entries(config.models).map(([alias, m]) => ({
      alias,
      modelId: m.modelId,
      inferenceProfileId: m.inferenceProfile?.id,
      inferenceProfileRegions: m.inferenceProfile?.regions,
      maxOutputTokens: m.maxOutputTokens,
      allowUnlistedModelId: m.allowUnlistedModelId,
    }));
    this.gateway = new InferenceGateway(this, 'Gateway', {
      network: this.network,
      guardrail: this.guardrail,
      encryptionKey: this.key.key,
      models,
      groups: Object.entries(config.groups).map(([name, g]) => ({
        name,
        models: g.models,
        dailyTokenQuota: g.dailyTokenQuota,
        maxOutputTokens: g.maxOutputTokens,
      })),
      systemPrompt: config.systemPrompt,
      blockedInputMessage: config.guardrail.blockedInputMessage,
      blockedOutputMessage: config.guardrail.blockedOutputMessage,
      maxBodyBytes: config.limits.maxBodyBytes,
      maxMessages: config.limits.maxMessages,
      maxMessageChars: config.limits.maxMessageChars,
      prescreenMode: config.prescreenMode === 'flag' ? PrescreenMode.FLAG : PrescreenMode.BLOCK,
      allowedLinkHosts: config.allowedLinkHosts,
      quotasEnabled: config.quotasEnabled,
      throttlingRateLimit: config.api.throttleRateLimit,
      throttlingBurstLimit: config.api.throttleBurstLimit,
      wafRateLimitPerIp: config.api.wafRateLimitPerIp,
      wafRateLimitPerCaller: config.api.wafRateLimitPerCaller,
      reservedConcurrency: config.lambda.reservedConcurrency,
      timeout: Duration.seconds(config.lambda.timeoutSeconds),
      memorySize: config.lambda.memoryMb,
      userPool: config.existingUserPoolId
        ? cognito.UserPool.fromUserPoolId(this, 'ExistingUserPool', config.existingUserPoolId)
        : undefined,
      resourceServerId: config.access.resourceServerId,
      signInDomainPrefix: config.access.signInDomainPrefix,
      signInCallbackUrls: config.access.signInCallbackUrls,
      machineClients: Object.entries(config.access.machineClients).map(([name, c]) => ({ name, groups: c.groups, team: c.team })),
      authorizerCacheTtl: Duration.seconds(config.access.authorizerCacheTtlSeconds),
      // API Gateway cannot log without the account's CloudWatch role; a fresh account has none.
      createApiGatewayAccountRole: true,
      logRetention: config.logRetentionDays as logs.RetentionDays,
    });

    if (props.alertTopic && config.monitoring.alertEmails.length > 0) {
      throw new Error(
        `config.monitoring.alertEmails only applies to the topic the gateway stack creates, got ${config.monitoring.alertEmails.length} addresses ` +
          'and an alertTopic; subscribe them to that topic instead (AlertTopic.addEmail)',
      );
    }
    if (props.alertTopic) {
      this.alertTopic = props.alertTopic;
    } else {
      this.alertTopic = new AlertTopic(this, 'Alerts', { encryptionKey: this.key.key });
      ensureAlertDestination(this.alertTopic, config.monitoring.alertEmails, config.monitoring.alertsReachNobody, 'gateway.monitoring');
    }
    const { alertEmails: _emails, alertsReachNobody: _reachNobody, ...thresholds } = config.monitoring;
    const modelIds = [...new Set(models.map(invokeTarget))];
    this.monitoring = new SecurityMonitoring(this, 'Monitoring', {
      gateway: this.gateway,
      guardrail: this.guardrail,
      alertTopic: this.alertTopic,
      // A CloudWatch alarm reads at most 10 metrics; beyond that the construct watches every model of the account.
      bedrockModelIds: modelIds.length <= 10 ? modelIds : undefined,
      ...thresholds,
    });

    new CfnOutput(this, 'ApiUrl', {
      description: 'OpenAI base URL of the gateway (POST /chat/completions, GET /models)',
      value: this.gateway.url,
    });
    new CfnOutput(this, 'UserPoolId', { description: 'Cognito user pool of the gateway callers', value: this.gateway.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', {
      description: 'Cognito app client for people (authorization code with PKCE on the sign-in domain; send the access token as Authorization: Bearer)',
      value: this.gateway.userPoolClient.userPoolClientId,
    });
    if (this.gateway.signInDomain) {
      new CfnOutput(this, 'SignInDomainUrl', {
        description: 'Cognito sign-in domain: /oauth2/authorize for people, /oauth2/token for tokens and client credentials',
        value: this.gateway.signInDomain.baseUrl(),
      });
    }
    new CfnOutput(this, 'Scopes', {
      description: 'OAuth scopes the gateway requires (chat completions; model list)',
      value: `${config.access.resourceServerId}/chat ${config.access.resourceServerId}/models.read`,
    });
    new CfnOutput(this, 'KeysTableName', { description: 'Gateway API keys table (secure-llm-keys --table)', value: this.gateway.keysTable.tableName });
    new CfnOutput(this, 'KeysMacKeyArn', { description: 'KMS HMAC key of the gateway API keys (secure-llm-keys --mac-key)', value: this.gateway.keysMacKey.keyArn });
    new CfnOutput(this, 'KeysAdminPolicyArn', {
      description: 'Managed policy to attach to the administrators who manage gateway API keys with secure-llm-keys',
      value: this.gateway.keysAdminPolicy.managedPolicyArn,
    });
  }
}
