import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SecureKey } from '../../../constructs/secure-key';
import { TableBackup, TableBackupProps } from '../../../constructs/table-backup';
import { Finding, formatFindings, newConstructTestApp, synthWithCompliance } from '../../helpers/compliance';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

function newTable(stack: Stack, id: string): dynamodb.Table {
  const key = (stack.node.tryFindChild('TableKey') as SecureKey | undefined) ?? new SecureKey(stack, 'TableKey');
  key.allowUseThroughService('dynamodb');
  return new dynamodb.Table(stack, id, {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key.key,
    deletionProtection: true,
  });
}

function newBackup(props: Partial<TableBackupProps> = {}): { stack: Stack; backup: TableBackup } {
  const stack = new Stack();
  const backup = new TableBackup(stack, 'Backup', { tables: [newTable(stack, 'Table')], ...props });
  return { stack, backup };
}

function vaultStatements(template: Template): Statement[] {
  const vaults = Object.values(template.findResources('AWS::Backup::BackupVault'));
  expect(vaults).toHaveLength(1);
  return vaults[0]!.Properties.AccessPolicy.Statement as Statement[];
}

describe('TableBackup', () => {
  describe('defaults', () => {
    let template: Template;
    let findings: Finding[];

    beforeAll(() => {
      // GIVEN
      const app = newConstructTestApp();
      const stack = new Stack(app, 'Test');
      const keys = newTable(stack, 'Keys');
      const usage = newTable(stack, 'Usage');
      // WHEN
      new TableBackup(stack, 'Backup', { tables: [keys, usage] });
      // THEN (synthesized once for every test in this block)
      const result = synthWithCompliance(app);
      findings = result.findings;
      template = Template.fromJSON(result.assembly.getStackByName('Test').template);
    });

    test('passes every compliance check, and the tables need no DynamoDBInBackupPlan acknowledgment', () => {
      expect(formatFindings(findings)).toBe('');
    });

    test('selects the tables by ARN', () => {
      template.hasResourceProperties('AWS::Backup::BackupSelection', {
        BackupSelection: Match.objectLike({
          Resources: [
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^Keys'), 'Arn'] },
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^Usage'), 'Arn'] },
          ],
        }),
      });
    });

    test('backs up daily at 03:00 UTC and keeps each recovery point 35 days', () => {
      template.hasResourceProperties('AWS::Backup::BackupPlan', {
        BackupPlan: Match.objectLike({
          BackupPlanRule: [
            Match.objectLike({ ScheduleExpression: 'cron(0 3 * * ? *)', Lifecycle: { DeleteAfterDays: 35 } }),
          ],
        }),
      });
    });

    test('encrypts the vault with a new rotating key of its own, retained with the vault', () => {
      template.hasResource('AWS::Backup::BackupVault', {
        Properties: Match.objectLike({ EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupKey'), 'Arn'] } }),
        DeletionPolicy: 'Retain',
      });
      template.hasResource('AWS::KMS::Key', {
        Properties: Match.objectLike({ EnableKeyRotation: true, Description: Match.stringLikeRegexp('AWS Backup recovery points') }),
        DeletionPolicy: 'Retain',
      });
    });

    test('admits this account\'s principals to the vault key only through AWS Backup', () => {
      const keys = Object.entries(template.findResources('AWS::KMS::Key')).filter(([id]) => id.startsWith('BackupKey'));
      expect(keys).toHaveLength(1);
      const statements = keys[0]![1].Properties.KeyPolicy.Statement as Statement[];
      expect(statements).toContainEqual(
        expect.objectContaining({
          Sid: 'UseThroughAwsServicesOfThisAccount',
          Condition: {
            StringEquals: expect.objectContaining({ 'kms:ViaService': [{ 'Fn::Join': ['', ['backup.', { Ref: 'AWS::Region' }, '.amazonaws.com']] }] }),
          },
        }),
      );
    });

    test('denies every principal deleting a recovery point or shortening its lifecycle', () => {
      expect(vaultStatements(template)).toContainEqual({
        Sid: 'DenyRecoveryPointDeletion',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'],
        Resource: '*',
      });
    });

    test('gives the backup role to AWS Backup only, with the policy AWS Backup documents', () => {
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'backup.amazonaws.com' } })],
        }),
        ManagedPolicyArns: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup']] },
        ],
      });
    });
  });

  describe('encryption', () => {
    test('uses a given key instead of creating one', () => {
      // GIVEN
      const stack = new Stack();
      const key = new kms.Key(stack, 'Given', { enableKeyRotation: true });
      // WHEN
      new TableBackup(stack, 'Backup', { tables: [newTable(stack, 'Table')], encryptionKey: key });
      // THEN
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Given'), 'Arn'] } });
      expect(Object.keys(template.findResources('AWS::KMS::Key')).filter((id) => id.startsWith('Backup'))).toEqual([]);
    });
  });

  describe('configuration', () => {
    test('keeps recovery points for the given retention and starts at the given hour', () => {
      // WHEN
      const { stack } = newBackup({ retention: Duration.days(90), startHourUtc: 22 });
      // THEN
      Template.fromStack(stack).hasResourceProperties('AWS::Backup::BackupPlan', {
        BackupPlan: Match.objectLike({
          BackupPlanRule: [Match.objectLike({ ScheduleExpression: 'cron(0 22 * * ? *)', Lifecycle: { DeleteAfterDays: 90 } })],
        }),
      });
    });

    test('lets only the named administrators delete recovery points', () => {
      // GIVEN
      const admin = 'arn:aws:iam::123456789012:role/BackupAdmin';
      // WHEN
      const { stack } = newBackup({ administratorRoleArns: [admin] });
      // THEN
      expect(vaultStatements(Template.fromStack(stack))).toContainEqual(
        expect.objectContaining({ Sid: 'DenyRecoveryPointDeletion', Effect: 'Deny', Condition: { ArnNotLike: { 'aws:PrincipalArn': [admin] } } }),
      );
    });

    test('destroys the vault and key with the stack when asked', () => {
      // WHEN
      const { stack } = newBackup({ removalPolicy: RemovalPolicy.DESTROY });
      // THEN
      Template.fromStack(stack).hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Delete' });
    });
  });

  describe('validation', () => {
    test('fails if no table is given', () => {
      const stack = new Stack();
      expect(() => new TableBackup(stack, 'Backup', { tables: [] })).toThrow(/tables must name at least one table/);
    });

    test.each([
      [Duration.hours(36), /retention must be a whole number of days between 1 and 36500, got 1.5 days/],
      [Duration.days(36_501), /retention must be a whole number of days between 1 and 36500, got 36501 days/],
    ])('fails if retention is %s', (retention, message) => {
      expect(() => newBackup({ retention })).toThrow(message);
    });

    test.each([24, -1, 2.5])('fails if startHourUtc is %s', (hour) => {
      expect(() => newBackup({ startHourUtc: hour })).toThrow(new RegExp(`startHourUtc must be a whole hour between 0 and 23, got ${hour}`));
    });
  });
});
