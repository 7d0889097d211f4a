import { Annotations, Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AccessLogsBucket } from '../access-logs-bucket';
import { SecureKey } from '../secure-key';
import { SecureLogGroup } from '../secure-log-group';

/**
 * Resource types whose data events the trail records by default: guardrail and model use in
 * Amazon Bedrock, Lambda invocations and S3 object access.
 */
export const DEFAULT_DATA_EVENT_RESOURCE_TYPES: readonly string[] = [
  'AWS::Bedrock::Guardrail',
  'AWS::Bedrock::Model',
  'AWS::Lambda::Function',
  'AWS::S3::Object',
];

const RESOURCE_TYPE_PATTERN = /^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/;
// CloudTrail trail names: 3-128 characters of letters, digits, '.', '_' and '-', starting and ending
// with a letter or digit, with no two of '.', '_', '-' next to each other.
const TRAIL_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9]|[._-](?=[A-Za-z0-9]))*$/;
const IP_ADDRESS_PATTERN = /^\d{1,3}(?:\.\d{1,3}){3}$/;
/** Key prefix of the trail bucket's server access logs in the access-log bucket. */
const ACCESS_LOG_PREFIX = 'trail-bucket/';

/** Properties for {@link AuditTrail}. */
export interface AuditTrailProps {
  /**
   * Key that encrypts the log files and digests, the trail bucket (SSE-KMS) and the trail's log
   * group. CloudTrail and CloudWatch Logs are admitted to it for this account's trails and log
   * groups only; for an imported key these statements must already be in its key policy.
   * @default - a new {@link SecureKey} with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long the trail's CloudWatch Logs copy is kept. Must be finite; audit frameworks
   * (PCI DSS 10.7, CIS) expect at least one year, and shorter periods raise a warning.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Resource types (`AWS::Service::Type`) whose data events are recorded, one advanced event
   * selector each. An empty list records management events only. Objects in the trail bucket and
   * the access-log bucket (all of it, when shared) are always excluded from `AWS::S3::Object`
   * selection, since recording the trail's own deliveries would feed back into itself.
   * @default DEFAULT_DATA_EVENT_RESOURCE_TYPES
   */
  readonly dataEventResourceTypes?: string[];

  /**
   * Name of the trail. The bucket, key and role policies name the trail's ARN, which is built
   * from this name.
   * @default - a name unique to this construct's path
   */
  readonly trailName?: string;

  /**
   * Default S3 Object Lock retention of every log and digest file in the trail bucket (see
   * `objectLockMode` for who may still delete them).
   * @default Duration.days(365)
   */
  readonly objectLockRetention?: Duration;

  /**
   * Object Lock mode of that default retention.
   *
   * - `GOVERNANCE`: no one can delete or overwrite a log file version before its retention ends,
   *   except a principal allowed `s3:BypassGovernanceRetention` who asks for the bypass.
   * - `COMPLIANCE`: no one can, the account's root user included, and the retention of a locked
   *   version cannot be shortened. The bucket cannot be deleted while it holds a locked version,
   *   so removing the stack leaves it (and its storage cost) until the last retention period ends;
   *   only closing the AWS account removes it sooner. Choose it when a regulator requires WORM storage.
   * @default s3.ObjectLockMode.GOVERNANCE
   */
  readonly objectLockMode?: s3.ObjectLockMode;

  /**
   * Where the trail bucket's server access logs go (prefix `trail-bucket/`). Pass the stack's
   * shared {@link AccessLogsBucket} so its acknowledgments exist once.
   * @default - a new {@link AccessLogsBucket} owned by this construct, keeping logs 365 days
   */
  readonly serverAccessLogsBucket?: AccessLogsBucket;

  /**
   * What happens to the key, the buckets (the access-log bucket only when created here) and the
   * log group when they are removed from the stack. They hold audit evidence: the default keeps them.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An account-wide AWS CloudTrail trail built to be evidence: multi-region with global service
 * events, log file integrity validation, KMS encryption, delivery to both S3 and an encrypted
 * CloudWatch Logs group, and advanced event selectors for all management events plus data events
 * of the chosen resource types (Bedrock guardrails and models, Lambda functions and S3 objects by
 * default).
 *
 * The trail bucket is SSE-KMS encrypted with an S3 Bucket Key, versioned, Object-Lock protected
 * (governance mode unless `objectLockMode` asks for compliance mode), TLS-only, private,
 * ACL-free, and writable by CloudTrail only for this trail (`aws:SourceArn`). Its server access logs go to an {@link AccessLogsBucket} (given, or its own),
 * which is SSE-S3 encrypted because S3 server access logging cannot deliver to SSE-KMS or
 * Object-Lock buckets.
 *
 * @example
 * const trail = new AuditTrail(this, 'AuditTrail', {
 *   dataEventResourceTypes: ['AWS::Bedrock::Guardrail', 'AWS::Bedrock::Model'],
 * });
 * trail.grantRead(securityAuditRole);
 */
export class AuditTrail extends Construct {
  /** The trail. */
  public readonly trail: cloudtrail.CfnTrail;
  /** The trail's ARN. */
  public readonly trailArn: string;
  /** The trail's name. */
  public readonly trailName: string;
  /** The bucket that receives log files and digests. */
  public readonly bucket: s3.Bucket;
  /** The bucket that receives the server access logs of {@link AuditTrail.bucket} (shared when one was given). */
  public readonly accessLogsBucket: s3.Bucket;
  /** The log group that receives a copy of every event. */
  public readonly logGroup: logs.LogGroup;
  /** The key that encrypts log files, digests, the trail bucket and the log group. */
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: AuditTrailProps = {}) {
    super(scope, id);

    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const dataEventResourceTypes = props.dataEventResourceTypes ?? [...DEFAULT_DATA_EVENT_RESOURCE_TYPES];
    const objectLockRetention = props.objectLockRetention ?? Duration.days(365);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.validate(props.trailName, logRetention, dataEventResourceTypes, objectLockRetention);

    const stack = Stack.of(this);
    this.trailName = props.trailName ?? Names.uniqueResourceName(this, { maxLength: 128 });
    // The policies below must name the trail before it exists: the trail cannot be created until
    // its bucket policy, key policy and role allow it, so its ARN is built from its name.
    const trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: this.trailName });

    if (props.encryptionKey) {
      this.encryptionKey = props.encryptionKey;
    } else {
      this.encryptionKey = new SecureKey(this, 'Key', {
        description: `Encrypts CloudTrail log files, digests and the trail log group of ${this.node.path}`,
        removalPolicy,
      }).key;
    }
    this.allowCloudTrail(trailArn);

    const accessLogs = props.serverAccessLogsBucket ?? new AccessLogsBucket(this, 'AccessLogsBucket', { removalPolicy });
    this.accessLogsBucket = accessLogs.bucket;

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention:
        props.objectLockMode === s3.ObjectLockMode.COMPLIANCE
          ? s3.ObjectLockRetention.compliance(objectLockRetention)
          : s3.ObjectLockRetention.governance(objectLockRetention),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [{ id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy,
    });
    enableEventBridgeNotifications(this.bucket);
    acknowledgeReplication(this.bucket);
    // Set on the L1 so it does not depend on the @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy
    // feature flag; the access-log bucket's policy admits the S3 logging service for this bucket.
    (this.bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: this.accessLogsBucket.bucketName,
      logFilePrefix: ACCESS_LOG_PREFIX,
    };
    accessLogs.allowLoggingFrom(this.bucket, ACCESS_LOG_PREFIX);
    const cloudTrailPrincipal = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSCloudTrailAclCheck',
        principals: [cloudTrailPrincipal],
        actions: ['s3:GetBucketAcl'],
        resources: [this.bucket.bucketArn],
        conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSCloudTrailWrite',
        principals: [cloudTrailPrincipal],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`AWSLogs/${stack.account}/*`)],
        conditions: {
          StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn },
        },
      }),
    );

    this.logGroup = new SecureLogGroup(this, 'LogGroup', {
      encryptionKey: this.encryptionKey,
      retention: logRetention,
      removalPolicy,
    }).logGroup;

    const logsRole = new iam.Role(this, 'LogsRole', {
      description: `Lets CloudTrail deliver the events of ${this.node.path} to its log group`,
      assumedBy: cloudTrailPrincipal.withConditions({ StringEquals: { 'aws:SourceArn': trailArn } }),
    });
    // A customer-managed policy rather than an inline one (NIST/HIPAA/PCI IAMNoInlinePolicy).
    const logsPolicy = new iam.ManagedPolicy(this, 'LogsPolicy', {
      description: `Lets CloudTrail write the events of ${this.node.path} to its log group only`,
      roles: [logsRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });

    this.trail = new cloudtrail.CfnTrail(this, 'Resource', {
      trailName: this.trailName,
      isLogging: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      kmsKeyId: this.encryptionKey.keyArn,
      s3BucketName: this.bucket.bucketName,
      cloudWatchLogsLogGroupArn: this.logGroup.logGroupArn,
      cloudWatchLogsRoleArn: logsRole.roleArn,
      advancedEventSelectors: [
        {
          name: 'All management events',
          fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }],
        },
        ...dataEventResourceTypes.map((type) => this.dataEventSelector(type)),
      ],
    });
    // CloudTrail checks its bucket policy and its role when the trail is created.
    this.trail.node.addDependency(logsRole, logsPolicy);
    if (this.bucket.policy) {
      this.trail.node.addDependency(this.bucket.policy);
    }
    this.trailArn = this.trail.attrArn;
  }

  /**
   * Lets the grantee read log files and digests from the trail bucket, including `kms:Decrypt`
   * on the key through S3 only (`kms:ViaService`).
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    // Not bucket.grantRead: it adds kms:Decrypt on the key without a kms:ViaService condition.
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
      resourceArns: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
    }).combine(SecureKey.grantViaServiceOn(this.encryptionKey, grantee, ['kms:Decrypt'], 's3'));
  }

  private dataEventSelector(type: string): cloudtrail.CfnTrail.AdvancedEventSelectorProperty {
    const fieldSelectors: cloudtrail.CfnTrail.AdvancedFieldSelectorProperty[] = [
      { field: 'eventCategory', equalTo: ['Data'] },
      { field: 'resources.type', equalTo: [type] },
    ];
    if (type === 'AWS::S3::Object') {
      // Every log file CloudTrail delivers, and every access log S3 delivers about it, is itself an
      // S3 data event that would be recorded in the next log file, and so on without end: leave both
      // audit buckets out. Access to the trail bucket is still recorded by its server access logs.
      fieldSelectors.push({
        field: 'resources.ARN',
        notStartsWith: [`${this.bucket.bucketArn}/`, `${this.accessLogsBucket.bucketArn}/`],
      });
    }
    return { name: `${type} data events`, fieldSelectors };
  }

  private allowCloudTrail(trailArn: string): void {
    const stack = Stack.of(this);
    const principal = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    const encrypt = this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [principal],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceArn': trailArn },
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*`,
          },
        },
      }),
      true,
    );
    // DescribeKey to validate the key; Decrypt because the trail bucket uses an S3 Bucket Key
    // (CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail").
    this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [principal],
        actions: ['kms:DescribeKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
      }),
      true,
    );
    if (!encrypt.statementAdded) {
      Annotations.of(this).addWarningV2(
        'secure-llm-blueprint:importedKeyCloudTrailPolicy',
        `The imported key ${this.encryptionKey.node.path} must already allow cloudtrail.amazonaws.com kms:GenerateDataKey*, ` +
          'kms:DescribeKey and kms:Decrypt for this trail (aws:SourceArn, kms:EncryptionContext:aws:cloudtrail:arn); ' +
          'its policy cannot be changed from this stack.',
      );
    }
  }

  private validate(
    trailName: string | undefined,
    logRetention: logs.RetentionDays,
    dataEventResourceTypes: string[],
    objectLockRetention: Duration,
  ): void {
    if (trailName !== undefined && !Token.isUnresolved(trailName)) {
      if (
        trailName.length < 3 ||
        trailName.length > 128 ||
        !TRAIL_NAME_PATTERN.test(trailName) ||
        IP_ADDRESS_PATTERN.test(trailName)
      ) {
        throw new Error(
          `trailName must be 3-128 letters, digits, '.', '_' or '-', start and end with a letter or digit, have no two ` +
            `of '.', '_', '-' in a row and not look like an IP address, got "${trailName}"`,
        );
      }
    }
    if (logRetention === logs.RetentionDays.INFINITE) {
      throw new Error(
        'logRetention must be a finite period, got RetentionDays.INFINITE; use RetentionDays.ONE_YEAR or longer (e.g. SEVEN_YEARS)',
      );
    }
    if (logRetention < logs.RetentionDays.ONE_YEAR) {
      Annotations.of(this).addWarningV2(
        'secure-llm-blueprint:auditLogRetention',
        `logRetention is ${logRetention} days; audit frameworks (PCI DSS 10.7, CIS) expect at least one year (RetentionDays.ONE_YEAR)`,
      );
    }
    const seen = new Set<string>();
    for (const type of dataEventResourceTypes) {
      if (Token.isUnresolved(type)) {
        continue;
      }
      if (!RESOURCE_TYPE_PATTERN.test(type)) {
        throw new Error(
          `dataEventResourceTypes entries must be CloudTrail resource types like "AWS::Lambda::Function", got "${type}"`,
        );
      }
      if (seen.has(type)) {
        throw new Error(`dataEventResourceTypes must not repeat a resource type, got "${type}" twice; list each type once`);
      }
      seen.add(type);
    }
    const days = objectLockRetention.toDays({ integral: false });
    if (!Token.isUnresolved(days) && (!Number.isInteger(days) || days < 1 || days > 36500)) {
      throw new Error(
        `objectLockRetention must be a whole number of days between 1 and 36500, got ${objectLockRetention.toHumanString()}; ` +
          'pass e.g. Duration.days(365)',
      );
    }
  }
}

/**
 * Publishes the bucket's object events (deletions included) to EventBridge, so tampering can be
 * alerted on (Control Tower CT.S3.PR.4). Set on the L1: the L2 `eventBridgeEnabled` prop deploys a
 * notifications custom resource (a Lambda function) that CloudFormation's native property makes
 * unnecessary.
 */
function enableEventBridgeNotifications(bucket: s3.Bucket): void {
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
    eventBridgeConfiguration: { eventBridgeEnabled: true },
  };
}

/**
 * The NIST, HIPAA and PCI packs want every bucket replicated. Replication needs a destination
 * bucket in another Region or a log-archive account, which this single-stack construct cannot
 * own; a same-Region copy in the same account would satisfy the rule without adding resilience.
 */
function acknowledgeReplication(bucket: s3.Bucket): void {
  const reason =
    'The trail bucket is not replicated: a meaningful replica lives in another Region or a log-archive account, ' +
    'outside this stack. Versioning and Object Lock protect the objects in place, and CloudTrail ' +
    'digest files make any loss or change of a log file detectable.';
  Validations.of(bucket.node.defaultChild as s3.CfnBucket).acknowledge(
    { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason },
    { id: 'HIPAA.Security-S3BucketReplicationEnabled', reason },
    { id: 'PCI.DSS.321-S3BucketReplicationEnabled', reason },
  );
}
