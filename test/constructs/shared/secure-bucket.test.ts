import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AccessLogsBucket } from '../../../constructs/access-logs-bucket';
import { SecureBucket, SecureBucketProps } from '../../../constructs/shared/secure-bucket';
import { findAcknowledgments } from '../../../lib/compliance/report';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

function props(stack: Stack): SecureBucketProps {
  return {
    encryptionKey: new kms.Key(stack, 'Key'),
    serverAccessLogsBucket: new AccessLogsBucket(stack, 'AccessLogs'),
    serverAccessLogsPrefix: 'data/',
    noReplicationReason: 'why not replicated',
    noObjectLockReason: 'why no object lock',
  };
}

describe('SecureBucket', () => {
  describe('defaults', () => {
    test('KMS with bucket keys, versioned, private, owner-enforced, TLS-only, retained, logging to the access-log bucket', () => {
      // GIVEN
      const stack = new Stack(undefined, 'Test');
      // WHEN
      new SecureBucket(stack, 'Data', props(stack));
      // THEN
      const template = Template.fromStack(stack);
      template.hasResource('AWS::S3::Bucket', {
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } } },
            ],
          },
          VersioningConfiguration: { Status: 'Enabled' },
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^AccessLogs') }, LogFilePrefix: 'data/' },
          NotificationConfiguration: Match.absent(),
        },
        DeletionPolicy: 'Retain',
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: Match.stringLikeRegexp('^Data') },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
          ]),
        },
      });
    });

    test('the access-log bucket admits this bucket once, under its prefix only', () => {
      // GIVEN
      const stack = new Stack(undefined, 'Test');
      // WHEN
      new SecureBucket(stack, 'Data', props(stack));
      // THEN
      const policies = Template.fromStack(stack).findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: Match.stringLikeRegexp('^AccessLogs') } } });
      const deliveries = Object.values(policies).flatMap((p) =>
        (p.Properties.PolicyDocument.Statement as Array<{ Principal?: { Service?: string }; Resource: unknown }>).filter((s) => s.Principal?.Service === 'logging.s3.amazonaws.com'),
      );
      expect(deliveries).toHaveLength(1);
      expect(JSON.stringify(deliveries[0]?.Resource)).toContain('/data/*');
    });

    test('object events reach EventBridge only when asked', () => {
      // GIVEN
      const stack = new Stack(undefined, 'Test');
      // WHEN
      new SecureBucket(stack, 'Data', { ...props(stack), eventBridgeEnabled: true });
      // THEN
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::S3::Bucket', { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } } });
      template.resourceCountIs('Custom::S3BucketNotifications', 0);
    });

    test('the stated reasons acknowledge replication (three packs) and Object Lock (cfn-guard) on the bucket only', () => {
      // GIVEN
      const stack = new Stack(undefined, 'Test');
      // WHEN
      new SecureBucket(stack, 'Data', props(stack));
      // THEN
      const acks = findAcknowledgments(stack).filter((a) => a.path.startsWith('Test/Data/'));
      expect(acks.map((a) => [a.path, a.id, a.reason]).sort()).toEqual(
        [
          ['Test/Data/Resource', 'Annotation::HIPAA.Security-S3BucketReplicationEnabled', 'why not replicated'],
          ['Test/Data/Resource', 'Annotation::NIST.800.53.R5-S3BucketReplicationEnabled', 'why not replicated'],
          ['Test/Data/Resource', 'Annotation::PCI.DSS.321-S3BucketReplicationEnabled', 'why not replicated'],
          ['Test/Data/Resource', 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', 'why no object lock'],
        ].sort(),
      );
    });
  });
});
