import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AccessLogsBucket, AccessLogsBucketProps } from '../../../constructs/access-logs-bucket';
import { Finding, formatFindings, newConstructTestApp, synthWithCompliance } from '../../helpers/compliance';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

type Statement = { Sid?: string; Effect: string; Principal?: unknown; Action: unknown; Resource: unknown; Condition?: unknown };

/** A stack with one AccessLogsBucket. */
function setup(props: AccessLogsBucketProps = {}): { stack: Stack; accessLogs: AccessLogsBucket } {
  const stack = new Stack();
  return { stack, accessLogs: new AccessLogsBucket(stack, 'AccessLogs', props) };
}

function bucketId(stack: Stack, accessLogs: AccessLogsBucket): string {
  return stack.getLogicalId(accessLogs.bucket.node.defaultChild as s3.CfnBucket);
}

function onlyBucket(template: Template): { DeletionPolicy?: string; UpdateReplacePolicy?: string; Properties: Record<string, unknown> } {
  const buckets = Object.values(template.findResources('AWS::S3::Bucket'));
  expect(buckets).toHaveLength(1);
  return buckets[0] as never;
}

function policyStatements(template: Template): Statement[] {
  const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
  expect(policies).toHaveLength(1);
  return policies[0]!.Properties.PolicyDocument.Statement as Statement[];
}

/** `arn:...:<bucket>/<prefix>*` as CDK renders arnForObjects on the access-log bucket. */
const objectsArn = (id: string, prefix: string): unknown => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, `/${prefix}*`]] });

describe('AccessLogsBucket', () => {
  describe('defaults', () => {
    let findings: Finding[];

    beforeAll(() => {
      // GIVEN: the bucket receiving the logs of a plain bucket in the same stack (cdk-nag accepts a
      // bucket without logging of its own only when a bucket of its stack logs to it)
      const app = newConstructTestApp();
      const stack = new Stack(app, 'Test');
      const accessLogs = new AccessLogsBucket(stack, 'AccessLogs');
      const source = new s3.Bucket(stack, 'Source', { enforceSSL: true });
      (source.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
        destinationBucketName: accessLogs.bucket.bucketName,
        logFilePrefix: 'source-bucket/',
      };
      // WHEN
      accessLogs.allowLoggingFrom(source, 'source-bucket/');
      findings = synthWithCompliance(app).findings;
    });

    test('passes every compliance check with no unacknowledged finding', () => {
      // THEN: the report was read (the plain source bucket has findings of its own) ...
      expect(findings.some((f) => f.path.startsWith('Test/Source/'))).toBe(true);
      // ... and none of them is about the access-log bucket or its policy
      expect(formatFindings(findings.filter((f) => f.path.startsWith('Test/AccessLogs/')))).toBe('');
    });

    test('is SSE-S3 encrypted (all server access logging delivers to), versioned, private, ACL-free and without Object Lock', () => {
      // GIVEN
      const bucket = onlyBucket(Template.fromStack(setup().stack));
      // THEN
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      });
      expect(bucket.Properties).not.toHaveProperty('ObjectLockEnabled');
      expect(bucket.Properties).not.toHaveProperty('ObjectLockConfiguration');
      expect(bucket.Properties).not.toHaveProperty('LoggingConfiguration');
    });

    test('expires logs after 365 days, old versions after 30 and incomplete uploads after 7', () => {
      // GIVEN
      const bucket = onlyBucket(Template.fromStack(setup().stack));
      // THEN
      expect(bucket.Properties.LifecycleConfiguration).toEqual({
        Rules: [
          {
            Id: 'ExpireAccessLogs',
            Status: 'Enabled',
            ExpirationInDays: 365,
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          },
        ],
      });
    });

    test('is retained', () => {
      // GIVEN
      const bucket = onlyBucket(Template.fromStack(setup().stack));
      // THEN
      expect(bucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });

    test('denies requests without TLS or below TLS 1.2', () => {
      // GIVEN
      const { stack, accessLogs } = setup();
      const statements = policyStatements(Template.fromStack(stack));
      const id = bucketId(stack, accessLogs);
      // THEN
      expect(statements).toEqual([
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          Resource: [{ 'Fn::GetAtt': [id, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/*']] }],
        }),
      ]);
    });

    test('keeps the logical ID a bucket created directly under its construct ID has', () => {
      // GIVEN: the same path, once through the construct and once as a plain bucket
      const wrapped = new Stack(new App(), 'Baseline');
      const plain = new Stack(new App(), 'Baseline');
      const accessLogs = new AccessLogsBucket(wrapped, 'AccessLogsBucket');
      const bucket = new s3.Bucket(plain, 'AccessLogsBucket');
      // THEN: owners that used to create the bucket themselves keep their resource on upgrade
      expect(bucketId(wrapped, accessLogs)).toBe(plain.getLogicalId(bucket.node.defaultChild as s3.CfnBucket));
      expect(accessLogs.node.defaultChild).toBe(accessLogs.bucket);
    });
  });

  describe('configuration', () => {
    test('keeps a caller-chosen expiration and removal policy', () => {
      // GIVEN
      const { stack } = setup({ expiration: Duration.days(731), removalPolicy: RemovalPolicy.DESTROY });
      const bucket = onlyBucket(Template.fromStack(stack));
      // THEN
      expect(bucket).toMatchObject({
        DeletionPolicy: 'Delete',
        Properties: { LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 731 })] } },
      });
    });
  });

  describe('grants', () => {
    test('allowLoggingFrom lets S3 logging put objects under the prefix for that source bucket and this account only', () => {
      // GIVEN
      const { stack, accessLogs } = setup();
      const source = new s3.Bucket(stack, 'Source');
      // WHEN
      accessLogs.allowLoggingFrom(source, 'source-bucket/');
      // THEN
      const id = bucketId(stack, accessLogs);
      const allows = policyStatements(Template.fromStack(stack)).filter((s) => s.Effect === 'Allow');
      expect(allows).toEqual([
        {
          Sid: 'S3ServerAccessLogsDeliverySourceBucket',
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: objectsArn(id, 'source-bucket/'),
          Condition: {
            ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [stack.getLogicalId(source.node.defaultChild as s3.CfnBucket), 'Arn'] } },
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          },
        },
      ]);
    });

    test('admits each source under its own prefix with its own statement ID', () => {
      // GIVEN
      const { stack, accessLogs } = setup();
      const first = new s3.Bucket(stack, 'First');
      const second = new s3.Bucket(stack, 'Second');
      const third = new s3.Bucket(stack, 'Third');
      // WHEN: the last two prefixes differ only in punctuation, so their statement IDs would collide
      accessLogs.allowLoggingFrom(first, 'trail-bucket/');
      accessLogs.allowLoggingFrom(second, 'a-b/');
      accessLogs.allowLoggingFrom(third, 'a_b/');
      // THEN
      const id = bucketId(stack, accessLogs);
      const allows = policyStatements(Template.fromStack(stack)).filter((s) => s.Effect === 'Allow');
      const arnOf = (b: s3.Bucket): unknown => ({ 'Fn::GetAtt': [stack.getLogicalId(b.node.defaultChild as s3.CfnBucket), 'Arn'] });
      expect(allows.map((s) => [s.Sid, s.Resource, (s.Condition as { ArnLike: unknown }).ArnLike])).toEqual([
        ['S3ServerAccessLogsDeliveryTrailBucket', objectsArn(id, 'trail-bucket/'), { 'aws:SourceArn': arnOf(first) }],
        ['S3ServerAccessLogsDeliveryAB', objectsArn(id, 'a-b/'), { 'aws:SourceArn': arnOf(second) }],
        ['S3ServerAccessLogsDeliveryAB2', objectsArn(id, 'a_b/'), { 'aws:SourceArn': arnOf(third) }],
      ]);
    });

    test('without a prefix, admits the source for the whole bucket', () => {
      // GIVEN
      const { stack, accessLogs } = setup();
      // WHEN
      accessLogs.allowLoggingFrom(s3.Bucket.fromBucketName(stack, 'Source', 'source-bucket'));
      // THEN
      const allows = policyStatements(Template.fromStack(stack)).filter((s) => s.Effect === 'Allow');
      expect(allows).toEqual([
        expect.objectContaining({ Sid: 'S3ServerAccessLogsDelivery', Resource: objectsArn(bucketId(stack, accessLogs), '') }),
      ]);
    });

    test('accepts an unresolved prefix', () => {
      // GIVEN
      const { stack, accessLogs } = setup();
      const prefix = new CfnParameter(stack, 'Prefix').valueAsString;
      // WHEN
      accessLogs.allowLoggingFrom(new s3.Bucket(stack, 'Source'), prefix);
      // THEN
      Template.fromStack(stack).hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'S3ServerAccessLogsDelivery',
              Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(stack, accessLogs), 'Arn'] }, '/', { Ref: 'Prefix' }, '*']] },
            }),
          ]),
        },
      });
    });
  });

  describe('validation', () => {
    test('fails if expiration is not a whole number of days', () => {
      expect(() => setup({ expiration: Duration.hours(36) })).toThrow(
        /expiration must be a whole number of days, at least 1, got 1 day 12 hours/,
      );
    });

    test('fails if expiration is shorter than a day', () => {
      expect(() => setup({ expiration: Duration.days(0) })).toThrow(/expiration must be a whole number of days, at least 1, got 0 days/);
    });

    test('fails if the prefix holds a wildcard', () => {
      const { stack, accessLogs } = setup();
      const source = new s3.Bucket(stack, 'Source');
      expect(() => accessLogs.allowLoggingFrom(source, 'logs/*')).toThrow(/prefix must not contain '\*' or '\?'.* got "logs\/\*"/);
      expect(() => accessLogs.allowLoggingFrom(source, 'logs?')).toThrow(/got "logs\?"/);
    });

    test('fails if two sources share or nest prefixes', () => {
      // GIVEN
      const { stack, accessLogs } = setup();
      accessLogs.allowLoggingFrom(new s3.Bucket(stack, 'First'), 'data/');
      const second = new s3.Bucket(stack, 'Second');
      // THEN
      expect(() => accessLogs.allowLoggingFrom(second, 'data/')).toThrow(
        /prefix must not overlap the prefix of another source bucket, got "data\/" next to "data\/"/,
      );
      expect(() => accessLogs.allowLoggingFrom(second, 'data/second/')).toThrow(/got "data\/second\/" next to "data\/"/);
      expect(() => accessLogs.allowLoggingFrom(second, 'da')).toThrow(/got "da" next to "data\/"/);
      expect(() => accessLogs.allowLoggingFrom(second)).toThrow(/got "" next to "data\/"/);
    });

    test('fails if the source is the access-log bucket itself', () => {
      const { accessLogs } = setup();
      expect(() => accessLogs.allowLoggingFrom(accessLogs.bucket, 'self/')).toThrow(
        /allowLoggingFrom cannot take the access-log bucket Default\/AccessLogs itself/,
      );
    });

    test('fails if the source bucket is in another stack', () => {
      // GIVEN
      const app = new App();
      const logs = new AccessLogsBucket(new Stack(app, 'Logs'), 'AccessLogs');
      const source = new s3.Bucket(new Stack(app, 'Data'), 'Source');
      // THEN
      expect(() => logs.allowLoggingFrom(source, 'data/')).toThrow(
        /sourceBucket must be in the stack of Logs\/AccessLogs \(Logs\), got Data\/Source in Data; .* Create one AccessLogsBucket per stack/,
      );
    });
  });
});
