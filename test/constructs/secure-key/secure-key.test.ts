import { App, CliCredentialsStackSynthesizer, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SecureKey } from '../../../constructs';
import { formatFindings, newConstructTestApp, synthWithCompliance } from '../../helpers/compliance';
import {
  DEFAULT_CFN_EXEC_ROLE,
  keyAdministrators,
  kmsGrantsWithoutViaService,
  unconditionedRootGrants,
  viaServicesByKey,
} from '../../helpers/key-policy';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

describe('SecureKey', () => {
  describe('defaults', () => {
    test('rotates, is retained and passes every compliance check', () => {
      // GIVEN
      const app = newConstructTestApp();
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

  describe('administration', () => {
    test('no statement grants the account root anything without a condition', () => {
      const stack = new Stack();
      new SecureKey(stack, 'Key');
      expect(unconditionedRootGrants(Template.fromStack(stack))).toEqual([]);
    });

    test('the CloudFormation execution role administers the key without using it', () => {
      const stack = new Stack();
      new SecureKey(stack, 'Key');
      const template = Template.fromStack(stack);
      expect(Object.values(keyAdministrators(template))).toEqual([[DEFAULT_CFN_EXEC_ROLE]]);
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'KeyAdministration',
              Action: Match.arrayWith(['kms:Describe*', 'kms:Put*', 'kms:ScheduleKeyDeletion']),
              Condition: { ArnLike: { 'aws:PrincipalArn': Match.anyValue() } },
            }),
          ]),
        },
      });
      const statements = JSON.stringify(template.toJSON());
      expect(statements).not.toMatch(/"kms:(Decrypt|Encrypt|GenerateDataKey|\*)"/);
    });

    test('a custom execution role of the DefaultStackSynthesizer is the one admitted', () => {
      const app = new App();
      const stack = new Stack(app, 'Custom', {
        synthesizer: new DefaultStackSynthesizer({ cloudFormationExecutionRole: 'arn:aws:iam::111122223333:role/Deployer' }),
      });
      new SecureKey(stack, 'Key');
      expect(Object.values(keyAdministrators(Template.fromStack(stack)))).toEqual([[{ 'Fn::Sub': 'arn:aws:iam::111122223333:role/Deployer' }]]);
    });

    test('named administrator roles join the execution role', () => {
      const stack = new Stack();
      new SecureKey(stack, 'Key', { administratorRoleArns: ['arn:aws:iam::111122223333:role/sec/KeyAdmins'] });
      expect(Object.values(keyAdministrators(Template.fromStack(stack)))).toEqual([
        [DEFAULT_CFN_EXEC_ROLE, 'arn:aws:iam::111122223333:role/sec/KeyAdmins'],
      ]);
    });

    test('a synthesizer without an execution role needs a named administrator', () => {
      const app = new App();
      const stack = new Stack(app, 'Cli', { synthesizer: new CliCredentialsStackSynthesizer() });
      new SecureKey(stack, 'Key', { administratorRoleArns: ['arn:aws:iam::111122223333:role/Deployer'] });
      expect(Object.values(keyAdministrators(Template.fromStack(stack)))).toEqual([['arn:aws:iam::111122223333:role/Deployer']]);
    });
  });

  describe('grants', () => {
    test('grantViaService scopes the grantee\'s statement and admits the account through that service only', () => {
      // GIVEN
      const stack = new Stack();
      const key = new SecureKey(stack, 'Key');
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      // WHEN
      key.grantViaService(role, ['kms:Decrypt'], 's3');
      key.grantViaService(role, ['kms:GenerateDataKey'], 'sqs');
      SecureKey.allowUseThroughServiceOn(key.key, 's3');
      // THEN
      const template = Template.fromStack(stack);
      expect(kmsGrantsWithoutViaService(template)).toEqual([]);
      expect(viaServicesByKey(template)).toEqual({ Key: ['s3', 'sqs'] });
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'UseThroughAwsServicesOfThisAccount',
              Condition: { StringEquals: Match.objectLike({ 'kms:CallerAccount': { Ref: 'AWS::AccountId' } }) },
            }),
          ]),
        },
      });
    });

    test('grantViaServiceOn leaves another key\'s policy alone and still scopes the grantee', () => {
      const stack = new Stack();
      const key = new kms.Key(stack, 'Plain');
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      SecureKey.grantViaServiceOn(key, role, ['kms:Decrypt'], 'sns');
      const template = Template.fromStack(stack);
      expect(kmsGrantsWithoutViaService(template)).toEqual([]);
      expect(viaServicesByKey(template)).toEqual({});
    });


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
    test('fails if an administrator is not a role ARN', () => {
      expect(() => new SecureKey(new Stack(), 'Key', { administratorRoleArns: ['arn:aws:iam::111122223333:user/alice'] })).toThrow(
        /administratorRoleArns\[0\] must be an IAM role ARN such as arn:aws:iam::111122223333:role\/KeyAdmins, got "arn:aws:iam::111122223333:user\/alice"/,
      );
    });
    test('fails if an administrator belongs to another account than the stack', () => {
      const stack = new Stack(new App(), 'Pinned', { env: { account: '111122223333', region: 'eu-west-1' } });
      expect(() => new SecureKey(stack, 'Key', { administratorRoleArns: ['arn:aws:iam::444455556666:role/Admins'] })).toThrow(
        /administratorRoleArns\[0\] must be a role of the key's account 111122223333 .* not of 444455556666, got "arn:aws:iam::444455556666:role\/Admins"/,
      );
    });
    test('fails if nobody could administer the key after deployment', () => {
      const stack = new Stack(new App(), 'Cli', { synthesizer: new CliCredentialsStackSynthesizer() });
      expect(() => new SecureKey(stack, 'Key')).toThrow(/administratorRoleArns must name the role that deploys Cli\/Key, got none/);
    });
    test('fails if grantViaService is asked for kms:* or an unknown service name', () => {
      const stack = new Stack();
      const key = new SecureKey(stack, 'Key');
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      expect(() => key.grantViaService(role, ['kms:*'], 's3')).toThrow(/actions must name specific KMS actions such as "kms:Decrypt", got \[kms:\*\]/);
      expect(() => key.grantViaService(role, ['kms:Decrypt'], 's3.eu-west-1.amazonaws.com')).toThrow(
        /service must be a service endpoint prefix such as "dynamodb" or "s3", got "s3.eu-west-1.amazonaws.com"/,
      );
    });
    test('keeps a caller-chosen removal policy', () => {
      const stack = new Stack();
      new SecureKey(stack, 'Key', { removalPolicy: RemovalPolicy.DESTROY });
      Template.fromStack(stack).hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    });
  });
});
