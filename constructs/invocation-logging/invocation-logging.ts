import { Annotations, CustomResource, Duration, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AccessLogsBucket } from '../access-logs-bucket';
import { SecureKey } from '../secure-key';
import { SecureLogGroup } from '../secure-log-group';
import { latestNodeRuntime, prebuiltCode } from '../shared/lambda-bundle';
import { LAMBDA_TRACING_ACTIONS, acknowledgeLambdaNetworkInterfaces, lambdaVpcAccessStatements } from '../shared/managed-policy-role';

/**
 * The ARN of the objects in the bucket CloudFormation's custom-resource `ResponseURL`s point at in
 * `scope`'s stack region: `cloudformation-custom-resource-response-<region without dashes>`, e.g.
 * `…-useast1`, `…-euwest1`. Bucket names are unique within a partition and this one belongs to
 * AWS, so, unlike a `cloudformation-custom-resource-response-*` wildcard, it admits no bucket
 * another account could create. An S3 endpoint policy for the handler's response allows
 * `s3:PutObject` on this ARN only.
 */
export function cloudFormationResponseObjectsArn(scope: Construct): string {
  const stack = Stack.of(scope);
  const region = Token.isUnresolved(stack.region) ? Fn.join('', Fn.split('-', stack.region)) : stack.region.replace(/-/g, '');
  return `arn:${stack.partition}:s3:::cloudformation-custom-resource-response-${region}/*`;
}

/** Key prefix under which Bedrock writes payloads too large for CloudWatch Logs. */
export const LARGE_DATA_KEY_PREFIX = 'model-invocations';

/** Key prefix of the large-payload bucket's server access logs in the access-log bucket. */
const ACCESS_LOG_PREFIX = 'large-data-bucket/';

/** The CloudFormation type of the custom resource. */
export const INVOCATION_LOGGING_RESOURCE_TYPE = 'Custom::BedrockModelInvocationLogging';

/** The handler's bedrock control-plane permissions. The Service Authorization Reference lists no resource type for any of them. */
export const INVOCATION_LOGGING_HANDLER_ACTIONS = [
  'bedrock:PutModelInvocationLoggingConfiguration',
  'bedrock:DeleteModelInvocationLoggingConfiguration',
  'bedrock:GetModelInvocationLoggingConfiguration',
] as const;

const DLQ_REASON =
  'This queue is the terminal dead-letter queue of the handler\'s asynchronous invocations (Lambda DeadLetterConfig); a ' +
  'further dead-letter queue would only move the same messages. Its RedriveAllowPolicy denies every source queue.';

/** Expire objects with the log records, old versions after 30 days, and stray multipart uploads after a week. */
function lifecycleRules(expiration: Duration): s3.LifecycleRule[] {
  return [
    {
      id: 'ExpireWithLogRetention',
      expiration,
      noncurrentVersionExpiration: Duration.days(30),
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    },
  ];
}

/** The stacks that already hold a {@link ModelInvocationLogging}: it configures a per-region singleton. */
const INSTANCES = new WeakMap<Stack, string>();

/** Properties for {@link ModelInvocationLogging}. */
export interface ModelInvocationLoggingProps {
  /**
   * The VPC the custom-resource handler runs in. It needs no internet route, but it must reach
   * the Bedrock control plane through a `bedrock` interface endpoint and S3 (for the
   * CloudFormation response URL) through an S3 gateway endpoint; this construct does not create them.
   */
  readonly vpc: ec2.IVpc;

  /**
   * Where in the VPC the handler's network interfaces go.
   * @default - { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Key for the invocation log group, the large-payload bucket, the handler's log group and its
   * dead-letter queue. For a key defined elsewhere in this app, CloudWatch Logs and Bedrock are
   * added to its policy; an imported key must already allow them.
   * @default - a new {@link SecureKey} with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long invocation logs (and the handler's own logs) are kept. Must be finite.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Log the text of prompts and responses.
   * @default true
   */
  readonly textDataDelivery?: boolean;

  /**
   * Log image inputs and outputs.
   * @default true
   */
  readonly imageDataDelivery?: boolean;

  /**
   * Log embeddings.
   * @default true
   */
  readonly embeddingDataDelivery?: boolean;

  /**
   * Log video inputs and outputs.
   * @default true
   */
  readonly videoDataDelivery?: boolean;

  /**
   * Log audio inputs and outputs.
   * @default true
   */
  readonly audioDataDelivery?: boolean;

  /**
   * Deliver payloads larger than 100 KB (and binary data) to an S3 bucket instead of dropping
   * them from the CloudWatch Logs record.
   * @default true
   */
  readonly largeDataDelivery?: boolean;

  /**
   * Where the large-payload bucket's server access logs go (prefix `large-data-bucket/`). Pass
   * the stack's shared {@link AccessLogsBucket} so its acknowledgments exist once. Unused when
   * `largeDataDelivery` is false.
   * @default - a new {@link AccessLogsBucket} owned by this construct, keeping logs as long as `logRetention`
   */
  readonly serverAccessLogsBucket?: AccessLogsBucket;

  /**
   * Take over a logging configuration someone else put in this account and region. Without it,
   * the custom resource's Create fails (naming this setting) instead of overwriting it, and an
   * Update leaves one another owner put in place since and says so. With it, the configuration
   * found on Create is kept in the custom resource's physical ID and put back when the resource
   * is deleted; the handler may then pass any role of this account to Bedrock (the previous
   * configuration's delivery role is not known at synth time).
   * @default false
   */
  readonly takeOverExisting?: boolean;

  /**
   * What happens to the logs, buckets, queue and (when created here) key and access-log bucket
   * when removed from the stack. They hold prompts and responses, which are evidence: the default keeps them. With
   * DESTROY, non-empty buckets still block deletion (no auto-delete function is added).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Amazon Bedrock model-invocation logging for this account and region, delivered to a
 * KMS-encrypted CloudWatch Logs log group with a data-protection policy, with large payloads in
 * a KMS-encrypted, versioned, TLS-only S3 bucket.
 *
 * CloudFormation has no resource type for this setting, so a custom resource
 * (`Custom::BedrockModelInvocationLogging`) calls `PutModelInvocationLoggingConfiguration` on
 * create and update and `DeleteModelInvocationLoggingConfiguration` on delete. Its handler is a
 * hardened Lambda function (VPC, arm64, reserved concurrency 1, X-Ray, dead-letter queue,
 * explicit KMS log group) that answers CloudFormation itself — no provider framework.
 *
 * The setting is a per-account, per-region singleton (deploy this once, e.g. in an
 * account-baseline stack). A configuration someone else put in place is never overwritten
 * silently: the Create fails unless `takeOverExisting` is true, and then the configuration found
 * is kept and put back on delete. On delete, the construct otherwise removes the configuration
 * only if it is still the one it set.
 *
 * Network prerequisites, to be added by the caller: a `bedrock` (control plane) interface
 * endpoint with private DNS reachable on tcp/443 from {@link ModelInvocationLogging.connections},
 * and an S3 gateway endpoint on the handler subnets' route tables, with tcp/443 egress from
 * {@link ModelInvocationLogging.connections} to the region's S3 prefix list, through which the handler
 * uploads its response to CloudFormation's pre-signed URL (an S3 endpoint policy must admit
 * `s3:PutObject` on {@link cloudFormationResponseObjectsArn} for any principal, since the URL
 * carries CloudFormation's signature, not the handler role's). When the endpoints are in the same
 * stack, make `resource` depend on them, so that CloudFormation deletes the custom resource
 * (which needs them) before the endpoints. Reserved concurrency needs the account's minimum of
 * unreserved concurrency (100 by default) to remain.
 *
 * @example
 * const vpc = new ec2.Vpc(this, 'Vpc', {
 *   natGateways: 0,
 *   subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
 * });
 * const s3 = vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
 * const bedrock = vpc.addInterfaceEndpoint('Bedrock', { service: ec2.InterfaceVpcEndpointAwsService.BEDROCK });
 *
 * const logging = new ModelInvocationLogging(this, 'InvocationLogging', { vpc, imageDataDelivery: false });
 * bedrock.connections.allowFrom(logging, ec2.Port.tcp(443));
 * logging.connections.allowTo(ec2.Peer.prefixList(s3PrefixListId), ec2.Port.tcp(443));
 * logging.resource.node.addDependency(s3, bedrock);
 * logging.grantReadLogs(auditorRole);
 */
export class ModelInvocationLogging extends Construct implements ec2.IConnectable {
  /** The log group Bedrock writes invocation records (prompts, responses, metadata) to. */
  public readonly logGroup: logs.LogGroup;
  /** The bucket for payloads over 100 KB; undefined when `largeDataDelivery` is false. */
  public readonly bucket?: s3.Bucket;
  /** The bucket that receives the large-payload bucket's server access logs (shared when one was given); undefined with the bucket. */
  public readonly accessLogsBucket?: s3.Bucket;
  /** The role Bedrock assumes to deliver logs. */
  public readonly deliveryRole: iam.Role;
  /**
   * The custom-resource handler. Its role is closed: every permission it has is in the construct's
   * customer-managed policy, and `addToRolePolicy` on it has no effect.
   */
  public readonly function: lambda.Function;
  /** The handler's security group: no inbound, and outbound only what the caller allows to its endpoints. */
  public readonly connections: ec2.Connections;
  /** The key that encrypts logs, payloads and the dead-letter queue. */
  public readonly encryptionKey: kms.IKey;
  /** The handler's dead-letter queue (asynchronous invocations that failed to answer CloudFormation). */
  public readonly deadLetterQueue: sqs.Queue;
  /**
   * The custom resource that puts the configuration. Make it (not the whole construct) depend on
   * endpoints whose policies name this construct's role, to avoid a dependency cycle.
   */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ModelInvocationLoggingProps) {
    super(scope, id);
    const stack = Stack.of(this);

    const deliveries = {
      TextDataDeliveryEnabled: props.textDataDelivery ?? true,
      ImageDataDeliveryEnabled: props.imageDataDelivery ?? true,
      EmbeddingDataDeliveryEnabled: props.embeddingDataDelivery ?? true,
      VideoDataDeliveryEnabled: props.videoDataDelivery ?? true,
      AudioDataDeliveryEnabled: props.audioDataDelivery ?? true,
    };
    if (!Object.values(deliveries).some((enabled) => enabled)) {
      throw new Error(
        'At least one of textDataDelivery, imageDataDelivery, embeddingDataDelivery, videoDataDelivery, audioDataDelivery ' +
          'must be true, got all false; to turn invocation logging off, remove this construct instead',
      );
    }
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    if (retention === logs.RetentionDays.INFINITE) {
      throw new Error(
        'logRetention must be a finite period so prompts and responses are not kept forever, got RetentionDays.INFINITE; ' +
          'use RetentionDays.ONE_YEAR or longer (e.g. TEN_YEARS) instead',
      );
    }
    const existing = INSTANCES.get(stack);
    if (existing !== undefined) {
      throw new Error(
        `Only one ModelInvocationLogging may exist per stack (Bedrock keeps one logging configuration per account and region), ` +
          `got a second one at ${this.node.path} next to ${existing}; remove one of them`,
      );
    }

    const vpcSubnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    let selected: ec2.SelectedSubnets;
    try {
      selected = props.vpc.selectSubnets(vpcSubnets);
    } catch (err) {
      throw new Error(
        `vpcSubnets selects no subnets of the VPC (${(err as Error).message}); pass a VPC with isolated subnets or ` +
          'vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }',
        { cause: err },
      );
    }
    const publicIds = new Set(props.vpc.publicSubnets.map((s) => s.subnetId));
    if (selected.subnetIds.length === 0 || selected.subnetIds.some((s) => publicIds.has(s))) {
      throw new Error(
        `vpcSubnets must select at least one private or isolated subnet and no public subnet, got [${selected.subnetIds.join(', ')}]; ` +
          'pass vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }',
      );
    }

    INSTANCES.set(stack, this.node.path);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const largeDataDelivery = props.largeDataDelivery ?? true;
    // Bedrock acting for this account, from any Bedrock resource of this region (confused-deputy guard).
    const bedrockConditions = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:bedrock:${stack.region}:${stack.account}:*` },
    };

    // --- key -------------------------------------------------------------------------------
    if (props.encryptionKey) {
      this.encryptionKey = props.encryptionKey;
    } else {
      this.encryptionKey = new SecureKey(this, 'Key', {
        description: `Encrypts Bedrock model-invocation logs and payloads (${this.node.path})`,
        removalPolicy,
      }).key;
    }

    // --- where the logs go -----------------------------------------------------------------
    this.logGroup = new SecureLogGroup(this, 'LogGroup', {
      encryptionKey: this.encryptionKey,
      retention,
      dataProtection: true,
      removalPolicy,
    }).logGroup;

    // Customer-managed policies rather than role-inline ones (NIST/HIPAA/PCI IAMNoInlinePolicy).
    const deliveryPolicy = new iam.ManagedPolicy(this, 'DeliveryPolicy', {
      description: 'What Amazon Bedrock may do when delivering model-invocation logs',
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteInvocationLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });
    this.deliveryRole = new iam.Role(this, 'DeliveryRole', {
      assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com').withConditions(bedrockConditions),
      description: 'Lets Amazon Bedrock deliver model-invocation logs of this account and region',
      managedPolicies: [deliveryPolicy],
    });

    if (largeDataDelivery) {
      const expiration = Duration.days(retention);
      const accessLogs =
        props.serverAccessLogsBucket ?? new AccessLogsBucket(this, 'AccessLogsBucket', { expiration, removalPolicy });
      this.accessLogsBucket = accessLogs.bucket;
      const bucket = new s3.Bucket(this, 'LargeDataBucket', {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.encryptionKey,
        bucketKeyEnabled: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforceSSL: true,
        versioned: true,
        // Lets investigators put a legal hold on the payloads of an incident. No default retention: with one,
        // S3 rejects every PutObject that carries neither Content-MD5 nor a checksum header, and nothing
        // documents that Bedrock's large-data delivery sends either, so payloads could be lost silently.
        // Until someone places a hold, Object Lock protects nothing here.
        objectLockEnabled: true,
        // Payloads live exactly as long as the log records that point to them.
        lifecycleRules: lifecycleRules(expiration),
        removalPolicy,
      });
      this.bucket = bucket;
      // Server access logging, set on the L1 with an explicit bucket policy so it does not depend on
      // the @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy feature flag (the ACL fallback clashes
      // with BUCKET_OWNER_ENFORCED).
      (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
        destinationBucketName: this.accessLogsBucket.bucketName,
        logFilePrefix: ACCESS_LOG_PREFIX,
      };
      accessLogs.allowLoggingFrom(bucket, ACCESS_LOG_PREFIX);
      // Object-level events (e.g. deletions in an evidence bucket) reach EventBridge for alerting,
      // set on the L1 so no notifications custom-resource function is added.
      (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
        eventBridgeConfiguration: { eventBridgeEnabled: true },
      };
      Validations.of(bucket.node.defaultChild as s3.CfnBucket).acknowledge(
        ...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => ({
          id: `${pack}-S3BucketReplicationEnabled`,
          reason:
            'Model-invocation logging is a regional setting and this construct is regional: cross-region replication needs a ' +
            'destination bucket and key in another region, which belong to the caller\'s backup design. Here versioning keeps an ' +
            'overwritten or deleted payload recoverable for 30 days; Object Lock has no default retention, so it guards only ' +
            'payloads an investigator has put a legal hold on.',
        })),
      );
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowBedrockLargeDataDelivery',
          principals: [new iam.ServicePrincipal('bedrock.amazonaws.com')],
          actions: ['s3:PutObject'],
          resources: [bucket.arnForObjects(`${LARGE_DATA_KEY_PREFIX}/*`)],
          conditions: bedrockConditions,
        }),
      );
      deliveryPolicy.addStatements(
        new iam.PolicyStatement({
          sid: 'WriteLargePayloads',
          actions: ['s3:PutObject'],
          resources: [bucket.arnForObjects(`${LARGE_DATA_KEY_PREFIX}/*`)],
        }),
        new iam.PolicyStatement({
          sid: 'EncryptLargePayloads',
          actions: ['kms:GenerateDataKey'],
          resources: [this.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      );
      // Bedrock writes large payloads with the delivery role; S3 then uses the key for it.
      SecureKey.allowUseThroughServiceOn(this.encryptionKey, 's3');
      const keyStatement = this.encryptionKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowBedrockLargeDataEncryption',
          principals: [new iam.ServicePrincipal('bedrock.amazonaws.com')],
          actions: ['kms:GenerateDataKey'],
          resources: ['*'],
          conditions: bedrockConditions,
        }),
        true,
      );
      if (!keyStatement.statementAdded) {
        Annotations.of(this).addWarningV2(
          'secure-llm-blueprint:importedKeyBedrockPolicy',
          `The imported key ${this.encryptionKey.node.path} must already allow bedrock.amazonaws.com kms:GenerateDataKey ` +
            'with aws:SourceAccount and aws:SourceArn conditions, or large payloads cannot be written.',
        );
      }
      Validations.of(deliveryPolicy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${stack.resolve(stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket))}.Arn>/${LARGE_DATA_KEY_PREFIX}/*]`,
        reason:
          'Bedrock names each large-payload object itself; the grant is confined to the one key prefix of the dedicated bucket Bedrock is configured to write to.',
      });
    }

    // --- the custom-resource handler -------------------------------------------------------
    // No rule of its own: the caller opens egress to exactly the endpoints it creates (the bedrock
    // endpoint's security group, the S3 gateway endpoint's prefix list), e.g. PrivateNetwork's
    // addInterfaceEndpoint / addGatewayEndpoint with this construct among the consumers.
    const securityGroup = new ec2.SecurityGroup(this, 'HandlerSecurityGroup', {
      vpc: props.vpc,
      allowAllOutbound: false,
      description: 'Bedrock invocation-logging handler: no inbound; outbound HTTPS to VPC endpoints only',
    });

    const handlerLogGroup = new SecureLogGroup(this, 'HandlerLogGroup', {
      encryptionKey: this.encryptionKey,
      retention,
      removalPolicy,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Lambda delivers here directly; no SQS queue may redrive into it.
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.DENY_ALL },
      removalPolicy,
    });
    Validations.of(this.deadLetterQueue.node.defaultChild as sqs.CfnQueue).acknowledge(
      { id: 'Serverless-SQSRedrivePolicy', reason: DLQ_REASON },
      { id: 'cdk-validator-cfnguard::sqs_dlq_check', reason: DLQ_REASON },
    );

    // Not a ManagedPolicyRole: that construct nests its policy and role one level deeper, which would
    // change the construct paths and logical IDs of HandlerPolicy and HandlerRole (replacing a deployed role).
    const handlerPolicy = new iam.ManagedPolicy(this, 'HandlerPolicy', {
      description: 'Bedrock invocation-logging custom resource handler',
      statements: [
        new iam.PolicyStatement({
          sid: 'ManageInvocationLoggingConfiguration',
          actions: [...INVOCATION_LOGGING_HANDLER_ACTIONS],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'PassDeliveryRoleToBedrock',
          actions: ['iam:PassRole'],
          resources: [this.deliveryRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
        }),
        ...lambdaVpcAccessStatements(this, { vpc: props.vpc, subnetIds: selected.subnetIds, securityGroups: [securityGroup] }),
        new iam.PolicyStatement({
          sid: 'Tracing',
          actions: [...LAMBDA_TRACING_ACTIONS],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [handlerLogGroup.logGroupArn],
        }),
        new iam.PolicyStatement({
          sid: 'DeadLetter',
          actions: ['sqs:SendMessage'],
          resources: [this.deadLetterQueue.queueArn],
        }),
        new iam.PolicyStatement({
          sid: 'EncryptDeadLetters',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `sqs.${stack.region}.amazonaws.com` } },
        }),
      ],
    });
    SecureKey.allowUseThroughServiceOn(this.encryptionKey, 'sqs');
    if (props.takeOverExisting === true) {
      const anyRoleOfThisAccount = `arn:${stack.partition}:iam::${stack.account}:role/*`;
      handlerPolicy.addStatements(
        new iam.PolicyStatement({
          sid: 'RestoreTakenOverConfiguration',
          actions: ['iam:PassRole'],
          resources: [anyRoleOfThisAccount],
          conditions: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
        }),
      );
      Validations.of(handlerPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
        reason:
          'takeOverExisting: putting back the configuration found on Create passes its delivery role to Bedrock, and that ' +
          'role is only known at deploy time; the grant is limited to roles of this account passed to bedrock.amazonaws.com.',
      });
    }
    Validations.of(handlerPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only actions without resource-level permissions use "*": bedrock Put/Get/DeleteModelInvocationLoggingConfiguration ' +
        '(an account-and-region setting with no ARN; the Service Authorization Reference lists no resource type), ' +
        'xray:PutTraceSegments/PutTelemetryRecords, and ec2:DescribeNetworkInterfaces/DescribeSubnets, which EC2 authorizes on "*" only. ' +
        'The other network-interface actions are limited to the handler\'s subnets, security group and VPC; iam:PassRole, logs, sqs ' +
        'and kms are scoped to this construct\'s resources.',
    });
    acknowledgeLambdaNetworkInterfaces(handlerPolicy);
    const handlerRole = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Bedrock invocation-logging custom resource handler',
      managedPolicies: [handlerPolicy],
    });

    this.function = new lambda.Function(this, 'Handler', {
      // Pre-built in this package (scripts/bundle-lambdas.mjs): the deployed bytes are the tested ones.
      code: prebuiltCode('invocation-logging'),
      handler: 'index.handler',
      description: 'Sets and removes the Amazon Bedrock model-invocation logging configuration (custom resource)',
      runtime: latestNodeRuntime(),
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(2),
      reservedConcurrentExecutions: 1,
      tracing: lambda.Tracing.ACTIVE,
      // Every permission is in HandlerPolicy: the function may not add its own (inline) statements.
      role: handlerRole.withoutPolicyUpdates(),
      vpc: props.vpc,
      vpcSubnets,
      securityGroups: [securityGroup],
      logGroup: handlerLogGroup.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      deadLetterQueue: this.deadLetterQueue,
    });
    this.connections = this.function.connections;

    const resource = (this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.function.functionArn,
      resourceType: INVOCATION_LOGGING_RESOURCE_TYPE,
      serviceTimeout: Duration.minutes(5),
      properties: {
        LogGroupName: this.logGroup.logGroupName,
        DeliveryRoleArn: this.deliveryRole.roleArn,
        ...(this.bucket ? { LargeDataBucketName: this.bucket.bucketName, LargeDataKeyPrefix: LARGE_DATA_KEY_PREFIX } : {}),
        ...deliveries,
        ...(props.takeOverExisting === true ? { TakeOverExisting: true } : {}),
      },
    }));
    // Bedrock validates the role, log group, bucket and key policy when the configuration is put.
    resource.node.addDependency(this.deliveryRole, deliveryPolicy, this.logGroup);
    if (this.bucket) {
      resource.node.addDependency(this.bucket);
    }
    if (Stack.of(this.encryptionKey) === stack) {
      resource.node.addDependency(this.encryptionKey);
    }
  }

  /**
   * Lets the grantee read the invocation records: the log group and, when large-payload
   * delivery is on, the payload objects (with `kms:Decrypt` on the key through S3 only).
   */
  public grantReadLogs(grantee: iam.IGrantable): iam.Grant {
    const grant = this.logGroup.grantRead(grantee);
    if (!this.bucket) {
      return grant;
    }
    // Not bucket.grantRead: it adds kms:Decrypt on the key without a kms:ViaService condition.
    return grant
      .combine(
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
          resourceArns: [this.bucket.bucketArn, this.bucket.arnForObjects(`${LARGE_DATA_KEY_PREFIX}/*`)],
        }),
      )
      .combine(SecureKey.grantViaServiceOn(this.encryptionKey, grantee, ['kms:Decrypt'], 's3'));
  }
}
