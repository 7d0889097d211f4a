import { CfnOutput, Duration, Lazy, SecretValue, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  AlertTopic,
  DocumentIngestion,
  GatewayModel,
  InferenceGateway,
  invokeTarget,
  KnowledgeBaseSync,
  ModelCustomization,
  ModelGuardrail,
  ModelKind,
  PrescreenMode,
  PrivateNetwork,
  SecureKey,
  SecureKnowledgeBase,
  SecurityMonitoring,
} from '../constructs';
import { BlueprintStack, BlueprintStackProps } from './blueprint-stack';
import { ensureAlertDestination } from './alert-destination';
import { BLUEPRINT_KNOWLEDGE_BASE, type BlueprintConfig } from './config';

/** Properties for {@link GatewayStack}. */
export interface GatewayStackProps extends BlueprintStackProps {
  /** The validated `gateway` section of the configuration. */
  readonly config: BlueprintConfig['gateway'];

  /**
   * The topic the gateway's security alarms notify, e.g. the baseline's alert topic (the blueprint app passes it unless
   * `gateway.monitoring` names a destination of its own).
   * @default - the topic `config.monitoring.alertTopicArn` names, else a new {@link AlertTopic} encrypted with the
   *   gateway's audit key, with `config.monitoring.alertEmails` subscribed
   */
  readonly alertTopic?: AlertTopic;

  /**
   * Roles that may administer the stack's keys besides the CloudFormation execution role that deploys it.
   * @default - none
   */
  readonly keyAdministratorRoleArns?: string[];

  /**
   * The validated `customization` section: a training-data vault and the guarded customization workflow in the
   * gateway's private network.
   * @default - no model customization
   */
  readonly customization?: BlueprintConfig['customization'];
}

/**
 * One LLM gateway: two customer-managed keys (application data; audit logs and alerts), a private network without internet access, the Bedrock
 * guardrail and its published version, and the inference gateway (WAF, API Gateway with Cognito,
 * the gateway function and its usage table), and its security monitoring (alarms to an
 * encrypted SNS topic, dashboard). Deploy several with different stack names and
 * configurations for separate audiences.
 *
 * Environment-agnostic unless the configuration names an account and region.
 */
export class GatewayStack extends BlueprintStack {
  /** The key of the application data: usage table, guardrail, function logs. */
  public readonly applicationKey: SecureKey;
  /** The key of the audit data: API access and execution logs, WAF logs, flow logs, security alerts. */
  public readonly auditKey: SecureKey;
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
  /** The screened document store, when `gateway.retrieval` is configured. */
  public readonly documents?: DocumentIngestion;
  /** The knowledge base over the screened documents, when `gateway.retrieval` is configured. */
  public readonly knowledgeBase?: SecureKnowledgeBase;
  /** The schedule that starts the knowledge base's ingestion jobs, when `gateway.retrieval` is configured. */
  public readonly knowledgeBaseSync?: KnowledgeBaseSync;
  /** The training-data vault and guarded customization workflow, when configured. */
  public readonly customization?: ModelCustomization;

  constructor(scope: Construct, id: string, props: GatewayStackProps) {
    super(scope, id, props);
    const config = props.config;

    // 'Key' is the id the single key of earlier versions had: it stays the application key, so the
    // usage table and the guardrail keep their key.
    this.applicationKey = new SecureKey(this, 'Key', {
      alias: `${this.stackName}/application`,
      description: 'secure-llm-blueprint gateway application data: usage table, guardrail, function logs',
      administratorRoleArns: props.keyAdministratorRoleArns,
    });
    this.auditKey = new SecureKey(this, 'AuditKey', {
      alias: `${this.stackName}/audit`,
      description: 'secure-llm-blueprint gateway audit data: API access and execution logs, WAF logs, flow logs, security alerts',
      administratorRoleArns: props.keyAdministratorRoleArns,
    });

    this.network = new PrivateNetwork(this, 'Network', {
      maxAzs: config.maxAzs,
      cidr: config.vpcCidr,
      flowLogEncryptionKey: this.auditKey.key,
      flowLogRetention: config.logRetentionDays as logs.RetentionDays,
      dynamoDbPrefixListId: config.dynamoDbPrefixListId,
    });

    this.guardrail = new ModelGuardrail(this, 'Guardrail', {
      encryptionKey: this.applicationKey.key,
      deniedTopics: config.guardrail.deniedTopics,
      blockedWords: config.guardrail.blockedWords,
      managedProfanityFilter: config.guardrail.managedProfanityFilter,
      groundingThreshold: config.guardrail.groundingThreshold,
      relevanceThreshold: config.guardrail.relevanceThreshold,
      // Clients may send images only where the guardrail's content filters see them too.
      filterImages: config.limits.maxImagesPerRequest > 0,
      blockedInputMessage: config.guardrail.blockedInputMessage,
      blockedOutputMessage: config.guardrail.blockedOutputMessage,
    });

    const models: GatewayModel[] = Object.entries(config.models).map(([alias, m]) => ({
      alias,
      modelId: m.modelId,
      inferenceProfileId: m.inferenceProfile?.id,
      inferenceProfileRegions: m.inferenceProfile?.regions,
      customModelDeploymentArn: m.customModelDeploymentArn,
      maxOutputTokens: m.maxOutputTokens,
      ...(m.kind === 'embedding' ? { kind: ModelKind.EMBEDDING } : {}),
      allowUnlistedModelId: m.allowUnlistedModelId,
      inputUsdPerMillionTokens: m.price?.inputUsdPerMillionTokens,
      outputUsdPerMillionTokens: m.price?.outputUsdPerMillionTokens,
      // "blueprint": the knowledge base built below from gateway.retrieval (after the gateway, whose endpoint it uses).
      knowledgeBaseId:
        m.retrieval?.knowledgeBaseId === BLUEPRINT_KNOWLEDGE_BASE
          ? Lazy.string({ produce: () => this.knowledgeBase!.knowledgeBaseId })
          : m.retrieval?.knowledgeBaseId,
      retrievalResults: m.retrieval?.numberOfResults,
      retrievalMinScore: m.retrieval?.minScore,
    }));
    this.gateway = new InferenceGateway(this, 'Gateway', {
      network: this.network,
      keyAdministratorRoleArns: props.keyAdministratorRoleArns,
      guardrail: this.guardrail,
      encryptionKey: this.applicationKey.key,
      auditLogEncryptionKey: this.auditKey.key,
      models,
      groups: Object.entries(config.groups).map(([name, g]) => ({
        name,
        models: g.models,
        dailyTokenQuota: g.dailyTokenQuota,
        maxOutputTokens: g.maxOutputTokens,
        dailyBudgetUsd: g.dailyBudgetUsd,
        monthlyBudgetUsd: g.monthlyBudgetUsd,
      })),
      teams: Object.entries(config.teams).map(([name, t]) => ({ name, dailyBudgetUsd: t.dailyBudgetUsd, monthlyBudgetUsd: t.monthlyBudgetUsd })),
      budgetAlertFraction: config.budgetAlertFraction,
      systemPrompt: config.systemPrompt,
      blockedInputMessage: config.guardrail.blockedInputMessage,
      blockedOutputMessage: config.guardrail.blockedOutputMessage,
      maxBodyBytes: config.limits.maxBodyBytes,
      maxMessages: config.limits.maxMessages,
      maxMessageChars: config.limits.maxMessageChars,
      maxImageBytes: config.limits.maxImageBytes,
      maxImagesPerRequest: config.limits.maxImagesPerRequest,
      prescreenMode: config.prescreenMode === 'flag' ? PrescreenMode.FLAG : PrescreenMode.BLOCK,
      allowedLinkHosts: config.allowedLinkHosts,
      toolAllowedHosts: config.toolAllowedHosts,
      quotasEnabled: config.quotasEnabled,
      backupEnabled: config.backup.enabled,
      backupRetention: Duration.days(config.backup.retentionDays),
      backupStartHourUtc: config.backup.startHourUtc,
      throttlingRateLimit: config.api.throttleRateLimit,
      throttlingBurstLimit: config.api.throttleBurstLimit,
      wafRateLimitPerIp: config.api.wafRateLimitPerIp,
      wafRateLimitPerCaller: config.api.wafRateLimitPerCaller,
      reservedConcurrency: config.lambda.reservedConcurrency,
      timeout: Duration.seconds(config.lambda.timeoutSeconds),
      streamTimeout: Duration.seconds(config.lambda.streamTimeoutSeconds),
      memorySize: config.lambda.memoryMb,
      userPool: config.existingUserPoolId
        ? cognito.UserPool.fromUserPoolId(this, 'ExistingUserPool', config.existingUserPoolId)
        : undefined,
      resourceServerId: config.access.resourceServerId,
      signInDomainPrefix: config.access.signInDomainPrefix,
      signInCallbackUrls: config.access.signInCallbackUrls,
      machineClients: Object.entries(config.access.machineClients).map(([name, c]) => ({ name, groups: c.groups, team: c.team })),
      authorizerCacheTtl: Duration.seconds(config.access.authorizerCacheTtlSeconds),
      oidcProviders: Object.entries(config.access.federation.oidc).map(([name, p]) => ({
        name,
        issuerUrl: p.issuerUrl,
        clientId: p.clientId,
        clientSecret: SecretValue.secretsManager(p.clientSecretArn),
        scopes: p.scopes,
        emailClaim: p.emailClaim,
      })),
      samlProviders: Object.entries(config.access.federation.saml).map(([name, p]) => ({ name, metadataUrl: p.metadataUrl, emailAttribute: p.emailAttribute })),
      cognitoSignIn: config.access.federation.cognitoSignIn,
      // API Gateway cannot log without the account's CloudWatch role; a fresh account has none.
      createApiGatewayAccountRole: config.api.createAccountCloudWatchRole,
      logRetention: config.logRetentionDays as logs.RetentionDays,
    });

    const { alertEmails, alertTopicArn, alertsReachNobody } = config.monitoring;
    const ownDestination = alertEmails.length > 0 || alertTopicArn !== undefined || alertsReachNobody;
    if (props.alertTopic && ownDestination) {
      throw new Error(
        'config.monitoring.alertEmails, alertTopicArn and alertsReachNobody only apply to the topic the gateway stack creates or imports, ' +
          `got ${JSON.stringify({ alertEmails, alertTopicArn, alertsReachNobody })} and an alertTopic; ` +
          'drop them, or subscribe the addresses to that topic instead (AlertTopic.addEmail)',
      );
    }
    if (!props.alertTopic && !ownDestination && !Token.isUnresolved(this.account)) {
      throw new Error(
        `config.monitoring.alertEmails must name at least one recipient of security alerts: the account ${this.account} is pinned ` +
          'and no alertTopic is given, so the alarms would otherwise reach nobody. Set config.monitoring.alertEmails, ' +
          'config.monitoring.alertTopicArn, pass alertTopic, or set config.monitoring.alertsReachNobody: true (not recommended)',
      );
    }
    if (props.alertTopic) {
      this.alertTopic = props.alertTopic;
    } else {
      this.alertTopic = new AlertTopic(this, 'Alerts', { encryptionKey: this.auditKey.key, topicArn: alertTopicArn });
      if (alertTopicArn === undefined) {
        ensureAlertDestination(this.alertTopic, alertEmails, alertsReachNobody, 'gateway.monitoring');
      }
    }
    const { alertEmails: _emails, alertsReachNobody: _reachNobody, alertTopicArn: _arn, ...thresholds } = config.monitoring;
    const modelIds = [...new Set(models.map(invokeTarget))];
    this.monitoring = new SecurityMonitoring(this, 'Monitoring', {
      gateway: this.gateway,
      guardrail: this.guardrail,
      alertTopic: this.alertTopic,
      // A CloudWatch alarm reads at most 10 metrics; beyond that the construct watches every model of the account.
      bedrockModelIds: modelIds.length <= 10 ? modelIds : undefined,
      ...thresholds,
    });

    if (config.retrieval) {
      const retrieval = config.retrieval;
      this.documents = new DocumentIngestion(this, 'Documents', {
        network: this.network,
        tenants: Object.entries(retrieval.tenants).map(([name, t]) => ({ name, uploaderRoleArns: t.uploaderRoleArns })),
        reviewerRoleArns: retrieval.reviewerRoleArns,
        alarmTopic: this.alertTopic.topic,
        encryptionKey: this.applicationKey.key,
        maxDocumentBytes: retrieval.maxDocumentBytes,
        ...(retrieval.applyGuardrail ? { guardrail: this.guardrail, bedrockRuntimeEndpoint: this.gateway.bedrockEndpoint } : {}),
        logRetention: config.logRetentionDays as logs.RetentionDays,
      });
      const kbConfig = retrieval.knowledgeBase;
      this.knowledgeBase = new SecureKnowledgeBase(this, 'KnowledgeBase', {
        dataBucket: this.documents.bucket,
        dataKey: this.documents.encryptionKey,
        inclusionPrefix: this.documents.indexedPrefix,
        alarmTopic: this.alertTopic.topic,
        embeddingModelId: kbConfig.embeddingModelId,
        embeddingDimensions: kbConfig.embeddingDimensions,
        chunkMaxTokens: kbConfig.chunkMaxTokens,
        chunkOverlapPercentage: kbConfig.chunkOverlapPercentage,
        encryptionKey: this.applicationKey.key,
        vpc: this.network.vpc,
        vpcSubnets: this.network.isolatedSubnets,
        s3PrefixListId: this.s3PrefixListId(),
        accessLogs: this.documents.serverAccessLogsBucket,
        logRetention: config.logRetentionDays as logs.RetentionDays,
      });
      // One S3 gateway endpoint per route table: the chunk screen uses the document store's, for its intermediate bucket only.
      const chunkScreenRole = this.knowledgeBase.chunkScreen.role!;
      this.documents.s3Endpoint.addToPolicy(
        new iam.PolicyStatement({
          sid: 'KnowledgeBaseChunkScreen',
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: [this.knowledgeBase.intermediateBucket.arnForObjects('*')],
          conditions: { ArnEquals: { 'aws:PrincipalArn': chunkScreenRole.roleArn } },
        }),
      );
      this.knowledgeBaseSync = new KnowledgeBaseSync(this, 'KnowledgeBaseSync', {
        knowledgeBase: this.knowledgeBase,
        alarmTopic: this.alertTopic.topic,
        interval: Duration.minutes(retrieval.syncIntervalMinutes),
        encryptionKey: this.applicationKey.key,
      });
      new CfnOutput(this, 'KnowledgeBaseId', {
        description: 'Knowledge base over the screened documents (gateway.models.<alias>.retrieval.knowledgeBaseId: "blueprint" binds an alias to it)',
        value: this.knowledgeBase.knowledgeBaseId,
      });
      new CfnOutput(this, 'KnowledgeBaseDataSourceId', {
        description: `Its data source, synced every ${retrieval.syncIntervalMinutes} minutes (aws bedrock-agent list-ingestion-jobs --knowledge-base-id … --data-source-id …)`,
        value: this.knowledgeBase.dataSourceId,
      });
      new CfnOutput(this, 'DocumentsBucketName', {
        description: 'Document bucket: upload to incoming/<tenant>/; screened documents appear under indexed/<tenant>/, suspicious ones under quarantine/<tenant>/',
        value: this.documents.bucket.bucketName,
      });
      for (const [tenant, policy] of Object.entries(this.documents.uploaderPolicies)) {
        new CfnOutput(this, `DocumentsUploaderPolicyArn-${tenant}`, {
          description: `Managed policy to attach to the uploader roles of tenant ${tenant}`,
          value: policy.managedPolicyArn,
        });
      }
      new CfnOutput(this, 'DocumentsReviewerPolicyArn', {
        description: 'Managed policy to attach to the reviewer roles that release quarantined documents (secure-llm-docs release)',
        value: this.documents.reviewerPolicy.managedPolicyArn,
      });
    }

    const customization = props.customization;
    if (customization !== undefined) {
      this.customization = new ModelCustomization(this, 'Customization', {
        network: this.network,
        guardrail: this.guardrail,
        systemPrompt: config.systemPrompt,
        bedrockRuntimeEndpoint: this.gateway.bedrockEndpoint,
        allowedLinkHosts: config.allowedLinkHosts,
        gateMaxRefusalDrop: customization.gate.maxRefusalDrop,
        gateMaxLeakIncrease: customization.gate.maxLeakIncrease,
        gateMaxFalseRefusalIncrease: customization.gate.maxFalseRefusalIncrease,
        baseModelId: customization.baseModelId,
        dataWriterRoleArns: customization.dataWriterRoleArns,
        encryptionKey: this.applicationKey.key,
        objectLockMode: customization.objectLockMode === 'COMPLIANCE' ? s3.ObjectLockMode.COMPLIANCE : s3.ObjectLockMode.GOVERNANCE,
        objectLockRetention: Duration.days(customization.objectLockRetentionDays),
        maxJobDuration: Duration.hours(customization.maxJobHours),
        hyperParameters: customization.hyperParameters,
        logRetention: config.logRetentionDays as logs.RetentionDays,
      });
      new CfnOutput(this, 'TrainingDataVaultName', {
        description: 'Training-data vault: datasets/<name>/<version>/ and manifests/<name>/<version>.json (secure-llm-manifest)',
        value: this.customization.vault.bucketName,
      });
      new CfnOutput(this, 'CustomizationWorkflowArn', {
        description: 'Guarded customization workflow: start it with {"dataset": "<name>", "version": "<version>"}',
        value: this.customization.stateMachine.stateMachineArn,
      });
    }

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
    // What baseline.enforcedGuardrail names to enforce this guardrail account-wide.
    new CfnOutput(this, 'GuardrailArn', { description: 'The guardrail every model call carries (baseline.enforcedGuardrail.guardrailIdentifier)', value: this.guardrail.guardrailArn });
    new CfnOutput(this, 'GuardrailVersion', { description: 'Its published numeric version (baseline.enforcedGuardrail.guardrailVersion)', value: this.guardrail.guardrailVersion });
    new CfnOutput(this, 'KeysTableName', { description: 'Gateway API keys table (secure-llm-keys --table)', value: this.gateway.keysTable.tableName });
    new CfnOutput(this, 'KeysMacKeyArn', { description: 'KMS HMAC key of the gateway API keys (secure-llm-keys --mac-key)', value: this.gateway.keysMacKey.keyArn });
    new CfnOutput(this, 'KeysAdminPolicyArn', {
      description: 'Managed policy to attach to the administrators who manage gateway API keys with secure-llm-keys',
      value: this.gateway.keysAdminPolicy.managedPolicyArn,
    });  }

  /** The region's S3 prefix list, looked up at deploy time by the network guard of the gateway's own VPC. */
  private s3PrefixListId(): string {
    if (!this.network.guard) {
      throw new Error(`The network ${this.network.node.path} has no network guard to look up the S3 prefix list of the knowledge base's chunk screen`);
    }
    return this.network.guard.prefixListIdOf(ec2.GatewayVpcEndpointAwsService.S3);
  }
}
