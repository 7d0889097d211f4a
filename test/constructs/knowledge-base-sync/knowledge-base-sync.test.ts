import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SecureKnowledgeBase } from '../../../constructs/knowledge-base';
import { KnowledgeBaseSync, type KnowledgeBaseSyncProps } from '../../../constructs/knowledge-base-sync';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

function setup(extra: Partial<KnowledgeBaseSyncProps> = {}): Stack {
  const stack = new Stack(new App(), 'Sync', { env: { account: '111122223333', region: 'eu-west-1' } });
  const dataKey = new kms.Key(stack, 'DataKey', { enableKeyRotation: true });
  const dataBucket = new s3.Bucket(stack, 'Documents', { encryption: s3.BucketEncryption.KMS, encryptionKey: dataKey });
  const alarmTopic = new sns.Topic(stack, 'Alerts');
  const knowledgeBase = new SecureKnowledgeBase(stack, 'KnowledgeBase', { dataBucket, dataKey, alarmTopic });
  new KnowledgeBaseSync(stack, 'Sync', { knowledgeBase, alarmTopic, ...extra });
  return stack;
}

describe('KnowledgeBaseSync', () => {
  describe('defaults', () => {
    test('every 15 minutes, no retry, encrypted with its own key, trusted by Scheduler for this schedule only', () => {
      // GIVEN / WHEN
      const template = Template.fromStack(setup());
      // THEN
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'rate(15 minutes)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SyncKey'), 'Arn'] },
        Target: Match.objectLike({
          // The universal target's partition is the stack's (GovCloud and China have their own).
          Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:::aws-sdk:bedrockagent:startIngestionJob']] },
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        }),
      });
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({
              Principal: { Service: 'scheduler.amazonaws.com' },
              Condition: {
                StringEquals: { 'aws:SourceAccount': '111122223333' },
                ArnEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, Match.stringLikeRegexp('^:scheduler:eu-west-1:111122223333:schedule/default/Sync')]] } },
              },
            }),
          ],
        },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'NumberOfMessagesSent', EvaluationPeriods: 3, Period: 900 });
    });
  });

  describe('encryption', () => {
    test('the execution role decrypts only this schedule\'s payload, by its encryption context, and the key policy admits exactly that', () => {
      // GIVEN / WHEN
      const template = Template.fromStack(setup());
      // THEN Scheduler decrypts with the role's own session (no kms:ViaService), context aws:scheduler:schedule:arn
      const scheduleArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, Match.stringLikeRegexp('^:scheduler:eu-west-1:111122223333:schedule/default/Sync')]] };
      const thisSchedule = { 'kms:EncryptionContext:aws:scheduler:schedule:arn': scheduleArn };
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            { Sid: 'DecryptSchedulePayload', Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SyncKey'), 'Arn'] }, Condition: { StringEquals: thisSchedule } },
          ]),
        },
      });
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'kms:Decrypt',
              Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] } },
              Condition: { StringEquals: { 'kms:CallerAccount': '111122223333', ...thisSchedule } },
            }),
          ]),
        },
      });
      // and no statement of the role relies on kms:ViaService scheduler, which the start-time Decrypt never carries
      expect(JSON.stringify(template.findResources('AWS::IAM::ManagedPolicy'))).not.toContain('scheduler.eu-west-1.amazonaws.com');
    });
  });

  describe('validation', () => {
    test('fails if the interval is not a whole number of minutes', () => {
      expect(() => setup({ interval: Duration.seconds(90) })).toThrow(/interval must be a whole number of minutes from 5 to 1440 \(1 day\), got 1 minute 30 seconds/);
    });
    test('fails if the interval is shorter than 5 minutes', () => {
      expect(() => setup({ interval: Duration.minutes(1) })).toThrow(/interval must be a whole number of minutes from 5 to 1440.*got 1 minute/);
    });
  });
});
