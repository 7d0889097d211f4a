import { Annotations, Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  INCOMING_PREFIX,
  INDEXED_PREFIX,
  INGEST_ENV,
  INGEST_METRICS,
  INGEST_METRICS_NAMESPACE,
  QUARANTINE_PREFIX,
  TENANT_ID_PATTERN,
} from '../../lambda/shared/ingest-contract';
import { AccessLogsBucket } from '../access-logs-bucket';
import type { ModelGuardrail } from '../model-guardrail';
import type { IPrivateNetwork } from '../private-network';
import { SecureKey, keyAdministratorArnProblem } from '../secure-key';
import { TerminalDeadLetterQueue } from '../shared/dead-letter-queue';
import { nagFindingText } from '../shared/nag-finding';
import { SecureBucket } from '../shared/secure-bucket';
import { SecureFunction } from '../shared/secure-function';

/** One tenant of the document store: its id (its folder in every area) and the roles that upload its documents. */
export interface DocumentTenant {
  /** The tenant id: 1-63 lowercase letters, digits and inner hyphens. It is the folder name and the sidecar's `tenant`. */
  readonly name: string;
  /** ARNs of the IAM roles (of this account) that may write under `incoming/<name>/`, and only there. At least one. */
  readonly uploaderRoleArns: string[];
}

/** Properties for {@link DocumentIngestion}. */
export interface DocumentIngestionProps {
  /** The private network the screening function runs in; an S3 gateway endpoint scoped to this bucket is added to it. */
  readonly network: IPrivateNetwork;

  /** The tenants and their uploader roles. At least one; ids unique. */
  readonly tenants: DocumentTenant[];

  /** The topic the ingestion alarms notify (a document quarantined; an event or invocation in the dead-letter queue). */
  readonly alarmTopic: sns.ITopic;

  /**
   * Roles that may release quarantined documents (write to `indexed/`, tag, read `quarantine/`), e.g. with
   * `secure-llm-docs release`. Attach {@link DocumentIngestion.reviewerPolicy} to them.
   * @default - none: no quarantined document can be released until reviewers are named
   */
  readonly reviewerRoleArns?: string[];

  /**
   * The key of the bucket, the function's logs and the dead-letter queue.
   * @default - a new SecureKey with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Where the bucket's server access logs go (prefix `document-bucket/`).
   * @default - a new AccessLogsBucket
   */
  readonly serverAccessLogsBucket?: AccessLogsBucket;

  /**
   * The largest document screened, in bytes (1 KiB to 50 MiB); larger ones are quarantined unread as `too-large`.
   * @default 5242880 (5 MiB)
   */
  readonly maxDocumentBytes?: number;

  /**
   * A guardrail the screen applies to every document the deterministic screen finds clean (ApplyGuardrail, source
   * INPUT: personal data, denied topics, words). Needs {@link DocumentIngestionProps.bedrockRuntimeEndpoint}.
   * @default - no guardrail check
   */
  readonly guardrail?: ModelGuardrail;

  /**
   * The network's Bedrock Runtime interface endpoint (e.g. `InferenceGateway.bedrockEndpoint`): the function reaches
   * ApplyGuardrail through it; its policy is extended with this function's role and the guardrail.
   * @default - none; required with `guardrail`
   */
  readonly bedrockRuntimeEndpoint?: ec2.InterfaceVpcEndpoint;

  /**
   * How many documents are screened at once.
   * @default 2
   */
  readonly reservedConcurrency?: number;

  /**
   * How long the function's log records (audit records included) are kept. Must be finite.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the bucket, its key, logs and dead-letter queue when removed from the stack. The bucket holds
   * the tenants' documents and the quarantine evidence: the default keeps them.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The largest `maxDocumentBytes` accepted: the function holds one document and its text in memory. */
const MAX_DOCUMENT_BYTES_LIMIT = 50 * 1024 * 1024;
const DEFAULT_MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

const DLQ_REASON =
  'This queue is the terminal dead-letter queue of the ingestion rule target and of the screening function\'s asynchronous ' +
  'invocations; a further dead-letter queue would only move the same messages. An alarm watches it and its RedriveAllowPolicy ' +
  'denies every source queue.';

/**
 * A document store whose documents become retrievable only after a screen: the document bucket, and a screening
 * function that EventBridge invokes for every object created under `incoming/`.
 *
 * The bucket (customer-managed key with S3 Bucket Keys, versioning, TLS 1.2+ only, Block Public Access, ACLs
 * disabled, server access logs, RETAIN by default) has three areas, one folder per tenant:
 * `incoming/<tenant>/` (uploads), `indexed/<tenant>/` (screened documents with their knowledge-base metadata sidecar
 * `<key>.metadata.json` = `{"metadataAttributes": {"tenant": "<tenant>"}}`) and `quarantine/<tenant>/`.
 *
 * Who may write where is enforced by the bucket policy, for every principal of every account: a tenant's uploader
 * roles may put objects only under `incoming/<tenant>/` and delete only their tenant's incoming and indexed objects;
 * no one else may write under that incoming folder; only the screening function and the reviewers may write under
 * `indexed/` and `quarantine/`. The uploaders' IAM side is one managed policy per tenant
 * ({@link DocumentIngestion.uploaderPolicies}) to attach to their roles (the roles belong to others, e.g. IAM Identity
 * Center permission sets, so the construct does not modify them). The tenant of a document is the folder its
 * uploader could write to, never its content.
 *
 * The screening function (lambda/ingest-screen) runs in the private network (S3 through a gateway endpoint scoped to
 * this bucket and the function's role; ApplyGuardrail through the given Bedrock Runtime endpoint), with a KMS log
 * group, X-Ray, arm64, reserved concurrency and one managed-policy role. Failed deliveries (rule target) and failed
 * invocations (function) go to one KMS-encrypted dead-letter queue; an alarm on it and one on quarantined documents
 * notify the alarm topic. Every object ends in `indexed/`, `quarantine/` or the dead-letter queue.
 *
 * @example
 * const ingestion = new DocumentIngestion(this, 'Documents', {
 *   network,
 *   tenants: [{ name: 'acme', uploaderRoleArns: ['arn:aws:iam::111122223333:role/AcmeUploader'] }],
 *   alarmTopic: alerts.topic,
 * });
 * ingestion.grantReadIndexed(knowledgeBaseRole);
 */
export class DocumentIngestion extends Construct {
  /** The document bucket. */
  public readonly bucket: s3.Bucket;
  /** The key of the bucket, logs and dead-letter queue. */
  public readonly encryptionKey: kms.IKey;
  /** The prefix of the area the knowledge base reads: `indexed/`. */
  public readonly indexedPrefix: string = INDEXED_PREFIX;
  /** The screening function. */
  public readonly function: lambda.Function;
  /** The dead-letter queue of the rule target and the function. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The rule that sends `Object Created` events under `incoming/` to the function. */
  public readonly rule: events.Rule;
  /** One managed policy per tenant (by tenant id) for its uploader roles. */
  public readonly uploaderPolicies: Readonly<Record<string, iam.ManagedPolicy>>;
  /** The managed policy for the reviewer roles (release of quarantined documents). */
  public readonly reviewerPolicy: iam.ManagedPolicy;
  /**
   * The network's S3 gateway endpoint this construct added (policy: the screening role on the bucket's three areas).
   * A VPC should have one S3 gateway endpoint per route table: another S3 client of the same network (e.g. a
   * knowledge base's chunk screen) adds its own statement to this endpoint's policy instead of adding a second endpoint.
   */
  public readonly s3Endpoint: ec2.GatewayVpcEndpoint;
  /** The bucket receiving the document bucket's server access logs (prefix `document-bucket/`). */
  public readonly serverAccessLogsBucket: AccessLogsBucket;
  /** The alarms: `quarantined` (any document quarantined) and `deadLetters` (anything in the dead-letter queue). */
  public readonly alarms: { readonly quarantined: cloudwatch.Alarm; readonly deadLetters: cloudwatch.Alarm };

  private readonly metricsNamespace: string;

  constructor(scope: Construct, id: string, props: DocumentIngestionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const maxDocumentBytes = props.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
    const reservedConcurrency = props.reservedConcurrency ?? 2;
    const reviewerRoleArns = props.reviewerRoleArns ?? [];
    validateProps(props, stack, maxDocumentBytes, reservedConcurrency, reviewerRoleArns);

    this.encryptionKey =
      props.encryptionKey ?? new SecureKey(this, 'Key', { description: `Documents, screening logs and dead letters of ${this.node.path}`, removalPolicy }).key;
    SecureKey.allowUseThroughServiceOn(this.encryptionKey, 's3');

    // --- bucket --------------------------------------------------------------------------------
    const accessLogs = props.serverAccessLogsBucket ?? new AccessLogsBucket(this, 'AccessLogs', { removalPolicy });
    this.serverAccessLogsBucket = accessLogs;
    this.bucket = new SecureBucket(this, 'Bucket', {
      encryptionKey: this.encryptionKey,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'document-bucket/',
      lifecycleRules: [
        // Replaced and deleted versions (an uploader's overwrite, a removed document) stay recoverable for 30 days.
        { id: 'ExpireOldVersions', noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      // Object events reach EventBridge, which invokes the screen.
      eventBridgeEnabled: true,
      noReplicationReason:
        'The document bucket holds copies of documents their tenants keep elsewhere; a meaningful replica lives in another Region ' +
        'or account outside this stack. Versioning keeps replaced or deleted documents for 30 days.',
      noObjectLockReason:
        'Tenants must be able to delete their indexed documents (the knowledge base then removes their vectors) and the screen ' +
        'deletes each incoming version it has handled; Object Lock would forbid both. Versioning keeps deleted versions 30 days.',
      removalPolicy,
    });

    // --- function --------------------------------------------------------------------------------
    this.deadLetterQueue = new TerminalDeadLetterQueue(this, 'DeadLetterQueue', { encryptionKey: this.encryptionKey, terminalReason: DLQ_REASON, removalPolicy });

    const incoming = this.bucket.arnForObjects(`${INCOMING_PREFIX}*`);
    const written = [this.bucket.arnForObjects(`${INDEXED_PREFIX}*`), this.bucket.arnForObjects(`${QUARANTINE_PREFIX}*`)];
    this.metricsNamespace = INGEST_METRICS_NAMESPACE;
    const screen = new SecureFunction(this, 'Handler', {
      bundle: 'ingest-screen',
      description: 'Screens each document uploaded under incoming/ and moves it to indexed/ (with its tenant sidecar) or quarantine/',
      roleDescription: `Document screening ${this.node.path}: reads incoming documents, writes indexed and quarantined ones`,
      logEncryptionKey: this.encryptionKey,
      logRetention: props.logRetention,
      removalPolicy,
      policyStatements: [
        new iam.PolicyStatement({
          sid: 'ReadAndRemoveIncoming',
          actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:DeleteObject', 's3:DeleteObjectVersion'],
          resources: [incoming],
        }),
        new iam.PolicyStatement({ sid: 'WriteIndexedAndQuarantine', actions: ['s3:PutObject'], resources: written }),
        new iam.PolicyStatement({
          sid: 'DocumentKeyThroughS3',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [this.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      ],
      // The document, its text and the screen's work in memory: 1 GiB for the 50 MiB limit, less for smaller ones.
      memorySize: maxDocumentBytes > 16 * 1024 * 1024 ? 2048 : 1024,
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: reservedConcurrency,
      vpc: props.network.vpc,
      vpcSubnets: props.network.isolatedSubnets,
      securityGroupDescription: 'Document screening function: no inbound; outbound HTTPS to S3 (gateway endpoint) and the Bedrock Runtime endpoint only',
      deadLetterQueue: this.deadLetterQueue,
      environment: {
        [INGEST_ENV.bucketName]: this.bucket.bucketName,
        [INGEST_ENV.tenants]: props.tenants.map((t) => t.name).join(','),
        [INGEST_ENV.maxDocumentBytes]: String(maxDocumentBytes),
        [INGEST_ENV.metricsNamespace]: this.metricsNamespace,
        ...(props.guardrail
          ? { [INGEST_ENV.guardrailId]: props.guardrail.guardrailArn, [INGEST_ENV.guardrailVersion]: props.guardrail.guardrailVersion }
          : {}),
      },
    });
    this.function = screen;
    const role = screen.executionRole;
    const objectWildcard = 'Objects are created at run time under the three areas: the role reads and deletes only incoming/* and writes only indexed/* and quarantine/* of this bucket.';
    for (const resource of [incoming, ...written]) {
      Validations.of(role.policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${nagText(this, resource)}]`, reason: objectWildcard });
    }

    this.s3Endpoint = props.network.addGatewayEndpoint('DocumentsS3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObject'],
      resources: [incoming, ...written],
      principals: [role.role],
      consumers: [this.function],
    });
    if (props.guardrail && props.bedrockRuntimeEndpoint) {
      props.guardrail.grantApply(role);
      props.bedrockRuntimeEndpoint.addToPolicy(
        new iam.PolicyStatement({
          sid: 'DocumentScreenAppliesGuardrail',
          principals: [new iam.ArnPrincipal(role.roleArn)],
          actions: ['bedrock:ApplyGuardrail'],
          resources: [props.guardrail.guardrailArn],
        }),
      );
      props.bedrockRuntimeEndpoint.connections.allowDefaultPortFrom(this.function, 'HTTPS from the document screening function (ApplyGuardrail)');
    }

    // --- trigger -----------------------------------------------------------------------------------
    // A name fixed at synthesis: the key policy names the rule by ARN without referring to the rule resource (the rule
    // refers to the bucket, the bucket to the key: a reference back would be a cycle).
    const ruleName = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    const ruleArn = stack.formatArn({ service: 'events', resource: 'rule', resourceName: ruleName });
    this.rule = new events.Rule(this, 'IncomingRule', {
      ruleName,
      description: `Screens every object created under ${INCOMING_PREFIX} of the document bucket`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [this.bucket.bucketName] }, object: { key: [{ prefix: INCOMING_PREFIX }] } },
      },
      targets: [
        new targets.LambdaFunction(this.function, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
    const eventsStatement = this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': ruleArn } },
      }),
      true,
    );
    if (!eventsStatement.statementAdded) {
      Annotations.of(this).addWarningV2(
        'secure-llm-blueprint:importedKeyIngestionDeadLetters',
        `The imported key ${this.encryptionKey.node.path} must already let events.amazonaws.com use kms:GenerateDataKey and kms:Decrypt ` +
          'for this rule, or failed deliveries cannot reach the dead-letter queue.',
      );
    }

    // --- who may write where ----------------------------------------------------------------------
    this.uploaderPolicies = this.restrictWrites(props.tenants, role.roleArn, reviewerRoleArns);
    this.reviewerPolicy = new iam.ManagedPolicy(this, 'ReviewerPolicy', {
      description: `Release of quarantined documents of ${this.node.path} (secure-llm-docs release)`,
      statements: [
        new iam.PolicyStatement({ sid: 'ReadQuarantine', actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging'], resources: [this.bucket.arnForObjects(`${QUARANTINE_PREFIX}*`)] }),
        new iam.PolicyStatement({ sid: 'ListQuarantine', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${QUARANTINE_PREFIX}*`] } } }),
        new iam.PolicyStatement({ sid: 'ReleaseToIndexed', actions: ['s3:PutObject', 's3:PutObjectTagging'], resources: [this.bucket.arnForObjects(`${INDEXED_PREFIX}*`)] }),
        new iam.PolicyStatement({
          sid: 'DocumentKeyThroughS3',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [this.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      ],
    });
    Validations.of(this.reviewerPolicy).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${nagText(this, this.bucket.arnForObjects(`${QUARANTINE_PREFIX}*`))}]`,
        reason: 'A reviewer reads any quarantined document of this bucket (their names are not known in advance); the bucket policy admits only the named reviewer roles.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${nagText(this, this.bucket.arnForObjects(`${INDEXED_PREFIX}*`))}]`,
        reason: 'A release writes the released document and its sidecar under indexed/<tenant>/ of this bucket; the bucket policy admits only the named reviewer roles there.',
      },
    );

    // --- alarms --------------------------------------------------------------------------------------
    const action = new cw_actions.SnsAction(props.alarmTopic);
    const quarantined = new cloudwatch.Alarm(this, 'QuarantinedAlarm', {
      alarmDescription: 'A document was quarantined by the ingestion screen: review it (audit record in the screening logs) and release or delete it',
      metric: this.metricQuarantined(),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const deadLetters = new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: 'A document event could not be screened (dead-letter queue): the object is still under incoming/, not retrievable',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    quarantined.addAlarmAction(action);
    deadLetters.addAlarmAction(action);
    this.alarms = { quarantined, deadLetters };
  }

  /**
   * Lets `grantee` read the indexed area only (documents and sidecars), e.g. the knowledge base's role: GetObject on
   * `indexed/*`, ListBucket for prefixes under `indexed/`, and the key's Decrypt through S3.
   */
  public grantReadIndexed(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [this.bucket.arnForObjects(`${INDEXED_PREFIX}*`)],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${INDEXED_PREFIX}*`] } },
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Decrypt'],
      resourceArns: [this.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
    });
    return grant;
  }

  /** Documents moved to the indexed area (sum per 5 minutes). */
  public metricIndexed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(INGEST_METRICS.indexed, props);
  }

  /** Documents moved to quarantine (sum per 5 minutes). */
  public metricQuarantined(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(INGEST_METRICS.quarantined, props);
  }

  private metric(name: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName: name,
      dimensionsMap: { service: 'secure-llm-ingest-screen' },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  /**
   * The bucket policy's write rules and one uploader policy per tenant. Denies apply to every principal, so no
   * identity policy, of this account or another, can widen them.
   */
  private restrictWrites(tenants: DocumentTenant[], screenRoleArn: string, reviewerRoleArns: string[]): Record<string, iam.ManagedPolicy> {
    const stack = Stack.of(this);
    const policies: Record<string, iam.ManagedPolicy> = {};
    for (const tenant of tenants) {
      const own = this.bucket.arnForObjects(`${INCOMING_PREFIX}${tenant.name}/*`);
      const ownIndexed = this.bucket.arnForObjects(`${INDEXED_PREFIX}${tenant.name}/*`);
      // Nobody but the tenant's uploaders writes its incoming folder.
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `DenyIncomingWritesByOthers${pascal(tenant.name)}`,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          resources: [own],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': tenant.uploaderRoleArns } },
        }),
      );
      // The tenant's uploaders write nowhere else.
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `DenyUploadersOutsideOwnIncoming${pascal(tenant.name)}`,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          notResources: [own],
          conditions: { ArnEquals: { 'aws:PrincipalArn': tenant.uploaderRoleArns } },
        }),
      );
      const policy = new iam.ManagedPolicy(this, `UploaderPolicy-${tenant.name}`, {
        description: `Uploads of tenant ${tenant.name} to ${this.node.path}: write incoming/${tenant.name}/, delete its incoming and indexed documents`,
        statements: [
          new iam.PolicyStatement({ sid: 'UploadToOwnIncoming', actions: ['s3:PutObject'], resources: [own] }),
          new iam.PolicyStatement({ sid: 'RemoveOwnDocuments', actions: ['s3:DeleteObject', 's3:GetObject'], resources: [own, ownIndexed] }),
          new iam.PolicyStatement({
            sid: 'ListOwnDocuments',
            actions: ['s3:ListBucket'],
            resources: [this.bucket.bucketArn],
            conditions: { StringLike: { 's3:prefix': [`${INCOMING_PREFIX}${tenant.name}/*`, `${INDEXED_PREFIX}${tenant.name}/*`] } },
          }),
          new iam.PolicyStatement({
            sid: 'DocumentKeyThroughS3',
            actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
            resources: [this.encryptionKey.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
          }),
        ],
      });
      Validations.of(policy).acknowledge(
        ...[own, ownIndexed].map((arn) => ({
          id: `AwsSolutions-IAM5[Resource::${nagText(this, arn)}]`,
          reason: `Document names are chosen at upload: the tenant's uploaders write, read and delete only under its own folders (incoming/${tenant.name}/, indexed/${tenant.name}/) of this bucket.`,
        })),
      );
      policies[tenant.name] = policy;
    }
    // Only the screen and the reviewers write the indexed and quarantine areas: what is there was screened or released.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyIndexedAndQuarantineWritesByOthers',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject', 's3:PutObjectTagging'],
        resources: [this.bucket.arnForObjects(`${INDEXED_PREFIX}*`), this.bucket.arnForObjects(`${QUARANTINE_PREFIX}*`)],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': [screenRoleArn, ...reviewerRoleArns] } },
      }),
    );
    return policies;
  }
}

/** `acme-corp` → `AcmeCorp`, for statement ids. */
function pascal(name: string): string {
  return name
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

/** A resource as cdk-nag spells it in a finding id. */
function nagText(scope: Construct, value: string): string {
  return nagFindingText(scope, value);
}

function validateProps(props: DocumentIngestionProps, stack: Stack, maxDocumentBytes: number, reservedConcurrency: number, reviewerRoleArns: string[]): void {
  if (props.tenants.length === 0) {
    throw new Error('tenants must name at least one tenant with its uploader roles, got []; add e.g. { name: "acme", uploaderRoleArns: ["arn:aws:iam::111122223333:role/AcmeUploader"] }');
  }
  const seen = new Set<string>();
  for (const [i, tenant] of props.tenants.entries()) {
    if (!TENANT_ID_PATTERN.test(tenant.name)) {
      throw new Error(
        `tenants[${i}].name must be 1-63 lowercase letters, digits and inner hyphens (it is an S3 folder and a filter value), got ${JSON.stringify(tenant.name)}; e.g. "acme-corp"`,
      );
    }
    if (seen.has(tenant.name)) {
      throw new Error(`tenants[${i}].name must be unique, got "${tenant.name}" twice; merge the two entries' uploaderRoleArns`);
    }
    seen.add(tenant.name);
    if (tenant.uploaderRoleArns.length === 0) {
      throw new Error(`tenants[${i}].uploaderRoleArns of tenant "${tenant.name}" must name at least one IAM role, got []; add the role that uploads its documents`);
    }
    tenant.uploaderRoleArns.forEach((arn, j) => {
      const problem = keyAdministratorArnProblem(arn, stack.account);
      if (problem !== undefined) throw new Error(`tenants[${i}].uploaderRoleArns[${j}] ${problem}, got "${arn}"`);
    });
  }
  reviewerRoleArns.forEach((arn, j) => {
    const problem = keyAdministratorArnProblem(arn, stack.account);
    if (problem !== undefined) throw new Error(`reviewerRoleArns[${j}] ${problem}, got "${arn}"`);
  });
  if (!Token.isUnresolved(maxDocumentBytes) && (!Number.isInteger(maxDocumentBytes) || maxDocumentBytes < 1024 || maxDocumentBytes > MAX_DOCUMENT_BYTES_LIMIT)) {
    throw new Error(`maxDocumentBytes must be a whole number between 1024 and ${MAX_DOCUMENT_BYTES_LIMIT} (50 MiB), got ${maxDocumentBytes}`);
  }
  if (!Token.isUnresolved(reservedConcurrency) && (!Number.isInteger(reservedConcurrency) || reservedConcurrency < 1 || reservedConcurrency > 100)) {
    throw new Error(`reservedConcurrency must be a whole number between 1 and 100, got ${reservedConcurrency}`);
  }
  if (props.guardrail && !props.bedrockRuntimeEndpoint) {
    throw new Error(
      'bedrockRuntimeEndpoint must be given with guardrail, got none: the function reaches ApplyGuardrail through the network\'s ' +
        'Bedrock Runtime endpoint; pass e.g. gateway.bedrockEndpoint',
    );
  }
}
