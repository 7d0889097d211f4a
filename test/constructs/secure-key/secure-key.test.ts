import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SecureKey } from '../../../constructs';
import { formatFindings, newTestApp, synthWithCompliance } from '../../helpers/compliance';

describe('SecureKey', () => {
  describe('defaults', () => {
    test('rotates, is retained and passes every compliance check', () => {
      // GIVEN
      const app = newTestApp();
      const stack = new Stack(app, 'Test');
      // WHEN
      new SecureKey(stack, 'Key');
      // THEN
      const { assembly, findings } = synthWithCompliance(app);
      expect(formatFindings(findings)).toBe('');
      const template = Template.fromJSON(assembly.getStackByName('Test').template);
      template.hasResource('AWS::KMS::Key', {
        Properties: Match.objectLike({ EnableKeyRotation: true, PendingWindowInDays: 30 }),
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });

    test('denies grants that are not for AWS resources', () => {
      const stack = new Stack();
      new SecureKey(stack, 'Key');
      Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'kms:CreateGrant',
              Principal: { AWS: '*' },
              Condition: {
                BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
              },
            }),
          ]),
        },
      });
    });
  });

  describe('grants', () => {
    test('CloudWatch Logs is confined to this account\'s log groups, once', () => {
      const stack = new Stack();
      const key = new SecureKey(stack, 'Key');
      key.allowCloudWatchLogs();
      key.allowCloudWatchLogs();
      const policy = Template.fromStack(stack).findResources('AWS::KMS::Key');
      const statements = Object.values(policy)[0]!.Properties.KeyPolicy.Statement as Array<{ Sid?: string }>;
      expect(statements.filter((s) => s.Sid === 'AllowCloudWatchLogsForThisAccount')).toHaveLength(1);
      Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'AllowCloudWatchLogsForThisAccount',
              Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
            }),
          ]),
        },
      });
    });

    test('a service is bound to this account and source ARN', () => {
      const stack = new Stack();
      const key = new SecureKey(stack, 'Key');
      key.allowServiceUse('cloudtrail.amazonaws.com', ['kms:GenerateDataKey*'], 'arn:aws:cloudtrail:*:123456789012:trail/*');
      Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Condition: {
                StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
                ArnLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:123456789012:trail/*' },
              },
            }),
          ]),
        },
      });
    });
  });

  describe('validation', () => {
    test('fails if pendingWindow is shorter than 7 days', () => {
      expect(() => new SecureKey(new Stack(), 'Key', { pendingWindow: Duration.days(3) })).toThrow(
        /pendingWindow must be between 7 and 30 days, got 3 days/,
      );
    });
    test('fails if alias carries the alias/ prefix', () => {
      expect(() => new SecureKey(new Stack(), 'Key', { alias: 'alias/x' })).toThrow(/alias must be .* got "alias\/x"/);
    });
    test('fails if a service is given kms:*', () => {
      const key = new SecureKey(new Stack(), 'Key');
      expect(() => key.allowServiceUse('sns.amazonaws.com', ['kms:*'])).toThrow(/actions must name specific KMS actions/);
    });
    test('keeps a caller-chosen removal policy', () => {
      const stack = new Stack();
      new SecureKey(stack, 'Key', { removalPolicy: RemovalPolicy.DESTROY });
      Template.fromStack(stack).hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    });
  });
});
