import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AccessLogsBucket } from '../access-logs-bucket';

/** Properties for {@link SecureBucket}. */
export interface SecureBucketProps {
  /** The bucket's default encryption key (SSE-KMS with S3 Bucket Keys). */
  readonly encryptionKey: kms.IKey;

  /** Where the bucket's server access logs go. */
  readonly serverAccessLogsBucket: AccessLogsBucket;

  /** The prefix of this bucket's logs in `serverAccessLogsBucket`, e.g. `document-bucket/`; unique per source bucket. */
  readonly serverAccessLogsPrefix: string;

  /**
   * Lifecycle rules, e.g. the expiry of replaced versions.
   * @default - none
   */
  readonly lifecycleRules?: s3.LifecycleRule[];

  /**
   * Send the bucket's object events to EventBridge. Set on the bucket itself: no notifications custom resource.
   * @default false
   */
  readonly eventBridgeEnabled?: boolean;

  /**
   * Why the bucket is not replicated: the reason of the `S3BucketReplicationEnabled` acknowledgments (NIST 800-53,
   * HIPAA, PCI DSS).
   */
  readonly noReplicationReason: string;

  /** Why the bucket has no Object Lock: the reason of the cfn-guard `s3_bucket_object_lock_enabled_check` acknowledgment. */
  readonly noObjectLockReason: string;

  /**
   * What happens to the bucket when it is removed from the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A private bucket for data of this package: SSE-KMS with the given key and S3 Bucket Keys, versioning, TLS 1.2+
 * only, Block Public Access, ACLs disabled (bucket owner enforced), and server access logs delivered to an
 * {@link AccessLogsBucket} that admits exactly this bucket under its prefix. Replication and Object Lock are not
 * configured: the caller states why, and the findings are acknowledged with that reason.
 *
 * The logging configuration is written on the bucket itself and admitted with
 * {@link AccessLogsBucket.allowLoggingFrom}, not with the L2 `serverAccessLogsBucket`, which would add a second,
 * identical grant to the log bucket's policy.
 *
 * @example
 * const bucket = new SecureBucket(this, 'Bucket', {
 *   encryptionKey: key,
 *   serverAccessLogsBucket: accessLogs,
 *   serverAccessLogsPrefix: 'document-bucket/',
 *   noReplicationReason: 'Copies of documents their owners keep elsewhere.',
 *   noObjectLockReason: 'Owners must be able to delete their documents.',
 * });
 */
export class SecureBucket extends s3.Bucket {
  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id, {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: props.lifecycleRules,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const cfnBucket = this.node.defaultChild as s3.CfnBucket;
    cfnBucket.loggingConfiguration = { destinationBucketName: props.serverAccessLogsBucket.bucket.bucketName, logFilePrefix: props.serverAccessLogsPrefix };
    props.serverAccessLogsBucket.allowLoggingFrom(this, props.serverAccessLogsPrefix);
    if (props.eventBridgeEnabled) {
      cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    }
    Validations.of(cfnBucket).acknowledge(
      ...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => ({ id: `${pack}-S3BucketReplicationEnabled`, reason: props.noReplicationReason })),
      { id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', reason: props.noObjectLockReason },
    );
  }
}
