import { Annotations, Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SecureKnowledgeBase } from '../knowledge-base';
import { SecureKey } from '../secure-key';
import { TerminalDeadLetterQueue } from '../shared/dead-letter-queue';
import { ManagedPolicyRole } from '../shared/managed-policy-role';

/**
 * The EventBridge Scheduler universal target that calls Bedrock Agent's StartIngestionJob (no function of ours runs),
 * without its `arn:<partition>:scheduler:::` prefix, which the schedule takes from the stack's partition.
 */
export const START_INGESTION_JOB_TARGET = 'aws-sdk:bedrockagent:startIngestionJob';

/** Properties for {@link KnowledgeBaseSync}. */
export interface KnowledgeBaseSyncProps {
  /** The knowledge base whose data source is synced. */
  readonly knowledgeBase: SecureKnowledgeBase;

  /** The topic notified when sync starts keep failing (three intervals in a row). */
  readonly alarmTopic: sns.ITopic;

  /**
   * Time between two starts of an ingestion job, 5 minutes to 1 day, in whole minutes: at most this long passes
   * between a document's release to the indexed area and the start of the job that embeds it.
   * @default Duration.minutes(15)
   */
  readonly interval?: Duration;

  /**
   * Key of the schedule's payload and of the dead-letter queue.
   * @default - a new SecureKey with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the dead-letter queue (and a key this construct creates) when removed from the stack: they hold
   * the evidence of failed starts.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const DLQ_REASON =
  'This queue is the terminal dead-letter queue of the sync schedule (failed StartIngestionJob calls); a further ' +
  'dead-letter queue would only move the same messages. An alarm watches what is sent to it and its RedriveAllowPolicy denies every source queue.';

/**
 * Keeps a knowledge base in step with its documents without a function of its own: an EventBridge Scheduler schedule
 * calls `bedrock-agent:StartIngestionJob` on the knowledge base's data source every `interval` (universal target), so
 * what the document screen releases is embedded, and what a tenant deletes loses its vectors, within about one
 * interval plus the job's run time.
 *
 * - **Role**: trusted by EventBridge Scheduler for this schedule only (`aws:SourceAccount`, `aws:SourceArn`); it may
 *   call `bedrock:StartIngestionJob` on this knowledge base, decrypt this schedule's payload (encryption context
 *   `aws:scheduler:schedule:arn`), and send to the dead-letter queue. Nothing else.
 * - **Payload**: encrypted with the customer-managed key.
 * - **Failures**: a start refused while a job still runs (ConflictException) is harmless: the next start picks up
 *   whatever changed. Failed starts go, without retry, to a KMS-encrypted dead-letter queue; an alarm notifies
 *   `alarmTopic` when starts fail three intervals in a row (a job longer than that, or a broken permission).
 *
 * @example
 * new KnowledgeBaseSync(this, 'KnowledgeBaseSync', { knowledgeBase: kb, alarmTopic: alerts.topic, interval: Duration.minutes(15) });
 */
export class KnowledgeBaseSync extends Construct {
  /** The schedule. */
  public readonly schedule: scheduler.CfnSchedule;
  /** The role EventBridge Scheduler assumes to start ingestion jobs. */
  public readonly role: iam.IRole;
  /** The dead-letter queue of failed starts. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The alarm on starts failing three intervals in a row. */
  public readonly failedStartsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: KnowledgeBaseSyncProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const interval = props.interval ?? Duration.minutes(15);
    const minutes = interval.toMinutes({ integral: false });
    if (!Token.isUnresolved(minutes) && (!Number.isInteger(minutes) || minutes < 5 || minutes > 1440)) {
      throw new Error(`interval must be a whole number of minutes from 5 to 1440 (1 day), got ${interval.toHumanString()}; e.g. Duration.minutes(15)`);
    }
    const key =
      props.encryptionKey ?? new SecureKey(this, 'Key', { description: `Sync schedule payload and dead letters of ${this.node.path}`, removalPolicy }).key;

    this.deadLetterQueue = new TerminalDeadLetterQueue(this, 'DeadLetterQueue', { encryptionKey: key, terminalReason: DLQ_REASON, removalPolicy });
    Validations.of(this.deadLetterQueue.node.defaultChild as sqs.CfnQueue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is the dead-letter queue of the sync schedule (its target\'s DeadLetterConfig); the rule recognises only ' +
          'queues named in another queue\'s RedrivePolicy or a function\'s DeadLetterConfig, not an EventBridge Scheduler target\'s.',
      },
    );

    // A name fixed at synthesis, so the role's trust policy names the schedule without referring to it (a cycle).
    const scheduleName = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    const scheduleArn = stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `default/${scheduleName}` });
    const role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnEquals: { 'aws:SourceArn': scheduleArn },
      }),
      description: `Sync schedule ${this.node.path}: starts ingestion jobs of one knowledge base`,
    });
    this.role = role.role;
    role.addToPolicy(
      new iam.PolicyStatement({ sid: 'StartIngestionJob', actions: ['bedrock:StartIngestionJob'], resources: [props.knowledgeBase.knowledgeBaseArn] }),
    );
    this.allowPayloadDecryption(key, role, scheduleArn);
    role.addToPolicy(new iam.PolicyStatement({ sid: 'DeadLetter', actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
    SecureKey.grantViaServiceOn(key, role, ['kms:GenerateDataKey', 'kms:Decrypt'], 'sqs');

    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      name: scheduleName,
      description: `Starts an ingestion job of the knowledge base ${props.knowledgeBase.node.path} every ${minutes} minutes`,
      scheduleExpression: `rate(${minutes} minutes)`,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      kmsKeyArn: key.keyArn,
      target: {
        arn: `arn:${stack.partition}:scheduler:::${START_INGESTION_JOB_TARGET}`,
        roleArn: role.roleArn,
        input: stack.toJsonString({ KnowledgeBaseId: props.knowledgeBase.knowledgeBaseId, DataSourceId: props.knowledgeBase.dataSourceId }),
        // A refused start is retried by the next tick, with whatever changed since.
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      },
    });
    this.schedule.node.addDependency(role.policy);

    this.failedStartsAlarm = new cloudwatch.Alarm(this, 'FailedStartsAlarm', {
      alarmDescription:
        `Ingestion jobs of ${props.knowledgeBase.node.path} failed to start three intervals in a row (a job running that long, or a broken permission): ` +
        'released documents are not being embedded; read the messages in the sync dead-letter queue',
      metric: this.deadLetterQueue.metricNumberOfMessagesSent({ period: interval, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.failedStartsAlarm.addAlarmAction(new cw_actions.SnsAction(props.alarmTopic));
  }

  /**
   * The payload key, as EventBridge Scheduler uses it (EventBridge Scheduler User Guide, "Encryption at rest", "Managing
   * KMS keys" and its CloudTrail example): the principal creating the schedule (CloudFormation) encrypts through
   * Scheduler, so the key policy admits this account's principals through `scheduler` (`kms:ViaService`); at every
   * start, Scheduler decrypts the payload client-side with the execution role's own session, so that call carries no
   * `kms:ViaService`, only the encryption context `aws:scheduler:schedule:arn`. The role's statement and the key
   * policy are pinned to this schedule's ARN in that context.
   */
  private allowPayloadDecryption(key: kms.IKey, role: ManagedPolicyRole, scheduleArn: string): void {
    const stack = Stack.of(this);
    SecureKey.allowUseThroughServiceOn(key, 'scheduler');
    const thisSchedule = { 'kms:EncryptionContext:aws:scheduler:schedule:arn': scheduleArn };
    role.addToPolicy(new iam.PolicyStatement({ sid: 'DecryptSchedulePayload', actions: ['kms:Decrypt'], resources: [key.keyArn], conditions: { StringEquals: thisSchedule } }));
    const keyPolicy = key.addToResourcePolicy(
      new iam.PolicyStatement({
        // The role's ARN would make the key depend on the role, whose policy names the key: the account delegates to
        // IAM (the role's statement above), for this schedule's payload only.
        principals: [new iam.AccountRootPrincipal()],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:CallerAccount': stack.account, ...thisSchedule } },
      }),
      true,
    );
    if (!keyPolicy.statementAdded) {
      Annotations.of(this).addWarningV2(
        'secure-llm-blueprint:importedKeySchedulePayload',
        `The imported key ${key.node.path} must already let this account's IAM policies allow kms:Decrypt with the encryption context ` +
          'aws:scheduler:schedule:arn of this schedule, or the schedule cannot decrypt its payload and no ingestion job starts.',
      );
    }
  }
}
