import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { SecureKey, SecureLogGroup } from '../../../constructs';
import { formatFindings, newConstructTestApp, synthWithCompliance } from '../../helpers/compliance';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

describe('SecureLogGroup', () => {
  describe('defaults', () => {
    test('is KMS-encrypted with a new rotating key, keeps a year, is retained and passes every compliance check', () => {
      // GIVEN
      const app = newConstructTestApp();
      const stack = new Stack(app, 'Test');
      // WHEN
      new SecureLogGroup(stack, 'Logs');
      // THEN
      const { assembly, findings } = synthWithCompliance(app);
      expect(formatFindings(findings)).toBe('');
      const template = Template.fromJSON(assembly.getStackByName('Test').template);
      template.hasResource('AWS::Logs::LogGroup', {
        Properties: {
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogsKey'), 'Arn'] },
          RetentionInDays: 365,
        },
        DeletionPolicy: 'Retain',
      });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      const group = Object.values(template.findResources('AWS::Logs::LogGroup'))[0]!;
      expect(group.Properties.DataProtectionPolicy).toBeUndefined();
    });
  });

  describe('encryption', () => {
    test('the key lets CloudWatch Logs use it only for this account\'s log groups', () => {
      const stack = new Stack();
      new SecureLogGroup(stack, 'Logs');
      Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
              Condition: {
                ArnLike: {
                  'kms:EncryptionContext:aws:logs:arn': {
                    'Fn::Join': ['', Match.arrayWith([':logs:', ':log-group:*'])],
                  },
                },
              },
            }),
          ]),
        },
      });
    });

    test('a given key replaces the default and receives the logs statement once', () => {
      // GIVEN
      const stack = new Stack();
      const key = new SecureKey(stack, 'Shared');
      // WHEN
      new SecureLogGroup(stack, 'A', { encryptionKey: key.key });
      new SecureLogGroup(stack, 'B', { encryptionKey: key.key });
      // THEN
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::KMS::Key', 1);
      const statements = Object.values(template.findResources('AWS::KMS::Key'))[0]!.Properties.KeyPolicy.Statement as Array<{
        Sid?: string;
      }>;
      expect(statements.filter((s) => s.Sid === 'AllowCloudWatchLogsForThisAccount')).toHaveLength(1);
    });

    test('an imported key gets a warning that its policy must already allow CloudWatch Logs', () => {
      const stack = new Stack();
      const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
      new SecureLogGroup(stack, 'Logs', { encryptionKey: key });
      Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('must already allow logs'));
    });

    test('data protection audits and masks credentials and personal data', () => {
      const stack = new Stack();
      new SecureLogGroup(stack, 'Logs', { dataProtection: true });
      const group = Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup'))[0]!;
      const policy = JSON.stringify(group.Properties.DataProtectionPolicy);
      expect(policy).toContain('"Audit"');
      expect(policy).toContain('"Deidentify"');
      expect(policy).toContain('"MaskConfig"');
      expect(policy).toContain('AwsSecretKey');
      expect(policy).toContain('EmailAddress');
    });

    test('data protection can name its identifiers and an audit destination', () => {
      const stack = new Stack();
      const audit = new logs.LogGroup(stack, 'Audit');
      new SecureLogGroup(stack, 'Logs', {
        dataProtection: true,
        dataProtectionIdentifiers: [logs.DataIdentifier.AWSSECRETKEY],
        dataProtectionAuditLogGroup: audit,
      });
      const group = Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup', { Properties: { DataProtectionPolicy: Match.anyValue() } }))[0]!;
      const policy = JSON.stringify(group.Properties.DataProtectionPolicy);
      expect(policy).toContain('AwsSecretKey');
      expect(policy).not.toContain('EmailAddress');
      expect(policy).toContain('FindingsDestination');
    });
  });

  describe('grants', () => {
    test('grantWrite allows creating streams and putting events on this log group only', () => {
      const stack = new Stack();
      const group = new SecureLogGroup(stack, 'Logs');
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      group.grantWrite(role);
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Logs'), 'Arn'] },
            }),
          ],
        },
      });
    });
  });

  describe('validation', () => {
    test('fails if retention is infinite', () => {
      expect(() => new SecureLogGroup(new Stack(), 'Logs', { retention: logs.RetentionDays.INFINITE })).toThrow(
        /retention must be a finite period .* got RetentionDays.INFINITE/,
      );
    });
    test('fails if data protection has no identifiers', () => {
      expect(
        () => new SecureLogGroup(new Stack(), 'Logs', { dataProtection: true, dataProtectionIdentifiers: [] }),
      ).toThrow(/dataProtectionIdentifiers must name at least one data identifier/);
    });
    test('fails if data protection options are given without data protection', () => {
      expect(
        () => new SecureLogGroup(new Stack(), 'Logs', { dataProtectionIdentifiers: [logs.DataIdentifier.EMAILADDRESS] }),
      ).toThrow(/only apply with dataProtection: true/);
    });
    test('keeps a caller-chosen removal policy', () => {
      const stack = new Stack();
      new SecureLogGroup(stack, 'Logs', { removalPolicy: RemovalPolicy.DESTROY });
      Template.fromStack(stack).hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    });
  });
});
