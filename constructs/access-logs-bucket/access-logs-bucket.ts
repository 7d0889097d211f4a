import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Properties for {@link AccessLogsBucket}. */
export interface AccessLogsBucketProps {
  /**
   * What happens to the bucket when it is removed from the stack. Access logs are evidence of who
   * read or changed the audit data: the default keeps them. With DESTROY, a non-empty bucket still
   * blocks deletion (no auto-delete function is added).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long an access log object is kept before it expires. Must be a whole number of days.
   * Overwritten or deleted versions are kept 30 more days, and incomplete multipart uploads are
   * aborted after 7 days.
   * @default Duration.days(365)
   */
  readonly expiration?: Duration;
}

/**
 * The S3 bucket that receives the server access logs of other buckets, meant to be shared by
 * every bucket of a stack (one log prefix each), so the acknowledgments below exist once.
 *
 * It uses SSE-S3 default encryption: S3 server access logging does not deliver to buckets whose
 * default encryption is SSE-KMS or DSSE-KMS, nor to buckets with Object Lock enabled (Amazon S3
 * User Guide, "Troubleshoot server access logging"). The logs hold request metadata (requester,
 * key, operation, status), never the objects themselves. Otherwise it is hardened like the audit
 * buckets: versioned, Block Public Access, ACLs disabled (bucket owner enforced), TLS 1.2+ only,
 * object events to EventBridge, and lifecycle rules that expire logs, old versions and stray
 * multipart uploads.
 *
 * Writes are admitted one source at a time with {@link AccessLogsBucket.allowLoggingFrom}: the S3
 * logging service may put objects under the source's prefix only, for that source bucket and
 * this account (`aws:SourceArn`, `aws:SourceAccount`). The source bucket's own
 * `LoggingConfiguration` must name this bucket and the same prefix.
 *
 * @example
 * const accessLogs = new AccessLogsBucket(this, 'AccessLogs', { expiration: Duration.days(731) });
 * const trail = new AuditTrail(this, 'Trail', { serverAccessLogsBucket: accessLogs });
 * // Any other bucket of the stack: point its logging configuration at the bucket, then admit it.
 * (data.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
 *   destinationBucketName: accessLogs.bucket.bucketName,
 *   logFilePrefix: 'data-bucket/',
 * };
 * accessLogs.allowLoggingFrom(data, 'data-bucket/');
 */
export class AccessLogsBucket extends Construct {
  /** The bucket that receives the server access logs. */
  public readonly bucket: s3.Bucket;

  /** The prefixes admitted so far, to refuse overlapping ones. */
  private readonly prefixes: string[] = [];
  /** The statement IDs used so far: IDs must be unique within a bucket policy. */
  private readonly sids = new Set<string>();

  constructor(scope: Construct, id: string, props: AccessLogsBucketProps = {}) {
    super(scope, id);

    const expiration = props.expiration ?? Duration.days(365);
    const days = expiration.toDays({ integral: false });
    if (!Token.isUnresolved(days) && (!Number.isInteger(days) || days < 1)) {
      throw new Error(
        `expiration must be a whole number of days, at least 1, got ${expiration.toHumanString()}; pass e.g. Duration.days(365)`,
      );
    }

    // 'Default' keeps the bucket's logical ID what it was when the owning constructs created the
    // bucket themselves under this construct's ID (CDK leaves 'Default' out of logical IDs).
    this.bucket = new s3.Bucket(this, 'Default', {
      // SSE-S3: the only default encryption S3 server access logging delivers to (see above).
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [
        {
          id: 'ExpireAccessLogs',
          expiration,
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const cfnBucket = this.bucket.node.defaultChild as s3.CfnBucket;
    // Object events (deletions included) reach EventBridge for alerting (Control Tower CT.S3.PR.4).
    // Set on the L1: the L2 `eventBridgeEnabled` prop adds a notifications custom-resource function.
    cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    this.acknowledge(cfnBucket);
  }

  /**
   * Lets the S3 logging service deliver the server access logs of `sourceBucket` under `prefix`,
   * through a bucket-policy statement conditioned on the source bucket's ARN and this account
   * (ACLs are disabled, so no log-delivery grant is used). Configure the source bucket's
   * `LoggingConfiguration` with this bucket and the same prefix.
   *
   * @param sourceBucket the bucket whose requests are logged; in this stack unless its ARN is known
   * @param prefix the key prefix of its log objects, e.g. `trail-bucket/`, which must not overlap
   *   the prefix of another source; without one, logs land at the top of the bucket and no other
   *   source can be admitted
   */
  public allowLoggingFrom(sourceBucket: s3.IBucket, prefix: string = ''): void {
    this.validateSource(sourceBucket, prefix);
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: this.uniqueSid(prefix),
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${prefix}*`)],
        conditions: {
          ArnLike: { 'aws:SourceArn': sourceBucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
    );
  }

  private validateSource(sourceBucket: s3.IBucket, prefix: string): void {
    if (sourceBucket === this.bucket) {
      throw new Error(
        `allowLoggingFrom cannot take the access-log bucket ${this.node.path} itself, got it as sourceBucket; ` +
          'logging the destination into itself would log every delivery again without end',
      );
    }
    if (Token.isUnresolved(sourceBucket.bucketArn) && Stack.of(sourceBucket) !== Stack.of(this)) {
      throw new Error(
        `sourceBucket must be in the stack of ${this.node.path} (${Stack.of(this).stackName}), got ${sourceBucket.node.path} ` +
          `in ${Stack.of(sourceBucket).stackName}; its logging configuration and this bucket policy would refer to each ` +
          'other across stacks (a cycle). Create one AccessLogsBucket per stack',
      );
    }
    if (Token.isUnresolved(prefix)) {
      return;
    }
    if (/[*?]/.test(prefix)) {
      throw new Error(
        `prefix must not contain '*' or '?' (they would widen the grant to other keys), got "${prefix}"; pass a literal prefix like "data-bucket/"`,
      );
    }
    const overlapping = this.prefixes.find((p) => p.startsWith(prefix) || prefix.startsWith(p));
    if (overlapping !== undefined) {
      throw new Error(
        `prefix must not overlap the prefix of another source bucket, got "${prefix}" next to "${overlapping}"; ` +
          'give each source its own folder, e.g. "<source>-bucket/"',
      );
    }
    this.prefixes.push(prefix);
  }

  /** `S3ServerAccessLogsDelivery` plus the prefix in PascalCase, numbered if already taken. */
  private uniqueSid(prefix: string): string {
    const suffix = Token.isUnresolved(prefix)
      ? ''
      : prefix
          .split(/[^A-Za-z0-9]+/)
          .filter((part) => part.length > 0)
          .map((part) => part[0]!.toUpperCase() + part.slice(1))
          .join('');
    const base = `S3ServerAccessLogsDelivery${suffix}`;
    let sid = base;
    for (let n = 2; this.sids.has(sid); n++) {
      sid = `${base}${n}`;
    }
    this.sids.add(sid);
    return sid;
  }

  private acknowledge(cfnBucket: s3.CfnBucket): void {
    const sseS3 =
      'S3 server access logging delivers only to target buckets with SSE-S3 default encryption; SSE-KMS and DSSE-KMS ' +
      'are not supported (Amazon S3 User Guide, "Troubleshoot server access logging"). The bucket holds request ' +
      'metadata only, never the logged objects, which stay in their own KMS-encrypted buckets; it is private, ' +
      'versioned and TLS-only, and only the S3 logging service may write to it, per source bucket.';
    const replication =
      'The access-log bucket is not replicated: a meaningful replica lives in another Region or a log-archive account, ' +
      'outside this stack, and a same-Region copy would add no resilience. Versioning keeps overwritten or deleted ' +
      'log objects for 30 days and deletions reach EventBridge for alerting.';
    Validations.of(cfnBucket).acknowledge(
      { id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason: sseS3 },
      { id: 'HIPAA.Security-S3DefaultEncryptionKMS', reason: sseS3 },
      { id: 'PCI.DSS.321-S3DefaultEncryptionKMS', reason: sseS3 },
      { id: 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check', reason: sseS3 },
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: replication },
      { id: 'HIPAA.Security-S3BucketReplicationEnabled', reason: replication },
      { id: 'PCI.DSS.321-S3BucketReplicationEnabled', reason: replication },
      {
        id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
        reason:
          'This is the server access log destination itself: logging it into itself would log every delivery again ' +
          'without end, and logging it into a further bucket only moves the same question there. Only the S3 logging ' +
          'service writes here.',
      },
      {
        id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
        reason:
          'S3 server access logging does not deliver to buckets with Object Lock enabled (Amazon S3 User Guide, ' +
          '"Configuring S3 Object Lock"); versioning keeps overwritten or deleted access logs recoverable instead.',
      },
    );
  }
}
