import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { TerminalDeadLetterQueue } from '../../../constructs/shared/dead-letter-queue';
import { findAcknowledgments } from '../../../lib/compliance/report';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

describe('TerminalDeadLetterQueue', () => {
  describe('defaults', () => {
    test('KMS-encrypted with the given key, TLS-only, 14 days, no source queue may redrive into it, retained', () => {
      // GIVEN
      const stack = new Stack(undefined, 'Test');
      // WHEN
      new TerminalDeadLetterQueue(stack, 'Dlq', { encryptionKey: new kms.Key(stack, 'Key'), terminalReason: 'the end' });
      // THEN
      const template = Template.fromStack(stack);
      template.hasResource('AWS::SQS::Queue', {
        Properties: {
          KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
          MessageRetentionPeriod: 1209600,
          RedriveAllowPolicy: { redrivePermission: 'denyAll' },
        },
        DeletionPolicy: 'Retain',
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
      });
    });

    test('the terminal reason acknowledges the missing dead-letter queue (Serverless, cfn-guard) on the queue only', () => {
      // GIVEN
      const stack = new Stack(undefined, 'Test');
      // WHEN
      new TerminalDeadLetterQueue(stack, 'Dlq', { encryptionKey: new kms.Key(stack, 'Key'), terminalReason: 'the end', removalPolicy: RemovalPolicy.DESTROY });
      // THEN
      expect(findAcknowledgments(stack).map((a) => [a.path, a.id, a.reason]).sort()).toEqual(
        [
          ['Test/Dlq/Resource', 'Annotation::Serverless-SQSRedrivePolicy', 'the end'],
          ['Test/Dlq/Resource', 'cdk-validator-cfnguard::sqs_dlq_check', 'the end'],
        ].sort(),
      );
      Template.fromStack(stack).hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Delete' });
    });
  });
});
