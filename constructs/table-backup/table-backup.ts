import { Duration, Names, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { SecureKey } from '../secure-key';

/** The AWS managed policy AWS Backup documents for the role it assumes to take backups. */
export const BACKUP_SERVICE_ROLE_POLICY = 'service-role/AWSBackupServiceRolePolicyForBackup';

/** Properties for {@link TableBackup}. */
export interface TableBackupProps {
  /** The tables to back up: the selection names each by ARN. At least one. */
  readonly tables: dynamodb.ITable[];

  /**
   * Encrypts the recovery points in the vault (AWS Backup's independent encryption of DynamoDB backups).
   * @default - a new KMS key with rotation, separate from the tables' key, so that scheduling the tables' key for
   *   deletion does not take the backups with it
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long each daily recovery point is kept; AWS Backup deletes it afterwards. Between 1 and 36,500 days.
   * @default Duration.days(35)
   */
  readonly retention?: Duration;

  /**
   * The hour of the day (UTC, 0-23) the daily backup window opens.
   * @default 3
   */
  readonly startHourUtc?: number;

  /**
   * IAM roles (besides the CloudFormation execution role) that may administer the key created here, and the only
   * principals the vault lets delete a recovery point or shorten its lifecycle.
   * @default - none: no principal may delete a recovery point; each leaves the vault at the end of its retention
   */
  readonly administratorRoleArns?: string[];

  /**
   * What happens to the vault and the key created here when removed from the stack. The recovery points are what
   * is left when a table is lost, so the default keeps them (a vault that still holds recovery points cannot be
   * deleted anyway).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A daily AWS Backup plan for DynamoDB tables: a vault encrypted with a customer-managed key whose access policy
 * denies deleting recovery points (or shortening their lifecycle) to everyone but the named administrators, a plan
 * with one daily rule, a selection naming the tables by ARN, and the role AWS Backup assumes to take the backups.
 *
 * Point-in-time recovery already undoes bad writes of the last 35 days; the plan adds copies that outlive the table
 * itself (a deleted table takes its point-in-time history with it after 35 days, its AWS Backup recovery points do
 * not) and are encrypted under a key of their own.
 *
 * @example
 * new TableBackup(this, 'Backup', { tables: [table], retention: Duration.days(35) });
 */
export class TableBackup extends Construct {
  /** The vault the recovery points are stored in. */
  public readonly vault: backup.CfnBackupVault;
  /** The backup plan. */
  public readonly plan: backup.CfnBackupPlan;
  /** The role AWS Backup assumes to back up the tables. */
  public readonly role: iam.Role;
  /** The key of the recovery points. */
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: TableBackupProps) {
    super(scope, id);
    const retentionDays = (props.retention ?? Duration.days(35)).toDays({ integral: false });
    const startHourUtc = props.startHourUtc ?? 3;
    const administratorRoleArns = props.administratorRoleArns ?? [];
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    if (props.tables.length === 0) {
      throw new Error('tables must name at least one table to back up, got []; pass the tables or do not create a TableBackup');
    }
    if (!Token.isUnresolved(retentionDays) && !(Number.isInteger(retentionDays) && retentionDays >= 1 && retentionDays <= 36_500)) {
      throw new Error(`retention must be a whole number of days between 1 and 36500, got ${retentionDays} days; e.g. Duration.days(35)`);
    }
    if (!Token.isUnresolved(startHourUtc) && !(Number.isInteger(startHourUtc) && startHourUtc >= 0 && startHourUtc <= 23)) {
      throw new Error(`startHourUtc must be a whole hour between 0 and 23, got ${startHourUtc}; e.g. 3 for 03:00 UTC`);
    }

    if (props.encryptionKey) {
      this.encryptionKey = props.encryptionKey;
    } else {
      const key = new SecureKey(this, 'Key', {
        description: `Encrypts the AWS Backup recovery points of ${this.node.path}`,
        administratorRoleArns,
        removalPolicy,
      });
      this.encryptionKey = key.key;
    }
    // AWS Backup encrypts the recovery points with the vault's key on behalf of the caller: the backup role, and
    // whoever restores; the key policy admits this account's principals through AWS Backup only.
    SecureKey.allowUseThroughServiceOn(this.encryptionKey, 'backup');

    // Recovery points leave the vault at the end of their lifecycle (AWS Backup deletes them, not a principal).
    // Nobody else may delete one or shorten its lifecycle, except the named administrators.
    const protect = new iam.PolicyStatement({
      sid: 'DenyRecoveryPointDeletion',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'],
      resources: ['*'],
      conditions: administratorRoleArns.length > 0 ? { ArnNotLike: { 'aws:PrincipalArn': administratorRoleArns } } : undefined,
    });
    this.vault = new backup.CfnBackupVault(this, 'Vault', {
      // Vault and plan names are unique per account and region: derived from this construct's path (stack included).
      backupVaultName: Names.uniqueResourceName(this, { maxLength: 50, separator: '-' }),
      encryptionKeyArn: this.encryptionKey.keyArn,
      accessPolicy: new iam.PolicyDocument({ statements: [protect] }).toJSON(),
    });
    this.vault.applyRemovalPolicy(removalPolicy);

    this.plan = new backup.CfnBackupPlan(this, 'Plan', {
      backupPlan: {
        backupPlanName: Names.uniqueResourceName(this, { maxLength: 50, separator: '-' }),
        backupPlanRule: [
          {
            ruleName: 'Daily',
            targetBackupVault: this.vault.attrBackupVaultName,
            scheduleExpression: `cron(0 ${startHourUtc} * * ? *)`,
            startWindowMinutes: 60,
            completionWindowMinutes: 8 * 60,
            lifecycle: { deleteAfterDays: retentionDays },
          },
        ],
      },
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: `AWS Backup role of ${this.node.path}: backs up the tables its selection names`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(BACKUP_SERVICE_ROLE_POLICY)],
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${BACKUP_SERVICE_ROLE_POLICY}]`,
      reason:
        'AWSBackupServiceRolePolicyForBackup is the policy AWS Backup documents for the role it assumes: it covers both ways AWS Backup ' +
        'backs up DynamoDB (CreateBackup, or StartAwsBackupJob with advanced features, which an account may switch at any time) and the ' +
        'KMS grants each needs, and AWS keeps it current. Only backup.amazonaws.com may assume the role, and it is passed only to this ' +
        'plan\'s selection, which names these tables by ARN.',
    });

    new backup.CfnBackupSelection(this, 'Selection', {
      backupPlanId: this.plan.attrBackupPlanId,
      backupSelection: {
        selectionName: 'Tables',
        iamRoleArn: this.role.roleArn,
        resources: props.tables.map((t) => t.tableArn),
      },
    });
  }
}
