import { Token, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlertTopic } from '../alert-topic';

/**
 * CloudTrail management events, by service, that weaken this account's detection or audit
 * posture: guardrail and invocation-logging changes, trail tampering, detector tampering.
 */
export const POSTURE_EVENT_NAMES: Readonly<Record<string, readonly string[]>> = {
  'aws.bedrock': [
    'UpdateGuardrail',
    'DeleteGuardrail',
    'PutModelInvocationLoggingConfiguration',
    'DeleteModelInvocationLoggingConfiguration',
  ],
  'aws.cloudtrail': ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'],
  'aws.guardduty': ['DeleteDetector', 'UpdateDetector', 'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount'],
};

/** Properties for {@link ThreatDetection}. */
export interface ThreatDetectionProps {
  /**
   * Where findings and posture alerts are published. Its dead-letter queue receives events
   * EventBridge cannot deliver.
   * @default - a new {@link AlertTopic} subscribed to `alertEmails`
   */
  readonly alertTopic?: AlertTopic;

  /**
   * Email addresses subscribed to the alert topic this construct creates. Not allowed with
   * `alertTopic`: subscribe those addresses with `alertTopic.addEmail()` instead.
   * @default - no subscriptions
   */
  readonly alertEmails?: string[];

  /**
   * Create the GuardDuty detector. Set to false when the organization already runs one in this
   * account and region (a delegated administrator, or a detector from another stack): a second
   * detector fails to deploy. The alert rules are created either way.
   * @default true
   */
  readonly createDetector?: boolean;

  /**
   * The lowest GuardDuty finding severity that raises an alert (GuardDuty scores 1.0 to 10.0:
   * low 1-3.9, medium 4-6.9, high 7-8.9, critical 9-10).
   * @default 7 (high and critical findings)
   */
  readonly minimumFindingSeverity?: number;
}

/**
 * Threat detection for the account baseline: a GuardDuty detector with Lambda network-activity
 * monitoring and S3 protection, and two EventBridge rules that publish to an {@link AlertTopic}:
 *
 * - `FindingsRule`: GuardDuty findings at or above `minimumFindingSeverity`;
 * - `PostureRule`: CloudTrail-recorded API calls that weaken the security posture (guardrail
 *   updates and deletions, invocation-logging changes, stopping or changing a trail, deleting
 *   or changing a detector, leaving the GuardDuty administrator), failed attempts included.
 *
 * The posture rule only needs a CloudTrail trail in this account that records write management
 * events in this region (the default for any trail); CloudTrail then delivers these calls to
 * the default event bus. Data events are not needed. Both rules see events of this region only:
 * deploy the construct in every region you use Bedrock in.
 *
 * The detector enables protection plans through `Features` (`LAMBDA_NETWORK_LOGS`,
 * `S3_DATA_EVENTS`) and never through the legacy `DataSources` property: GuardDuty rejects a
 * detector that mixes the two.
 *
 * @example
 * // A new detector, alerts to a new encrypted topic:
 * new ThreatDetection(this, 'ThreatDetection', { alertEmails: ['secops@example.com'] });
 *
 * // The organization runs GuardDuty already; only alert, on a shared topic:
 * const alerts = new AlertTopic(this, 'Alerts');
 * new ThreatDetection(this, 'ThreatDetection', { alertTopic: alerts, createDetector: false });
 */
export class ThreatDetection extends Construct {
  /** The GuardDuty detector, when `createDetector` is true. */
  public readonly detector?: guardduty.CfnDetector;
  /** The topic that receives findings and posture alerts. */
  public readonly alertTopic: AlertTopic;
  /** The rule that forwards GuardDuty findings at or above the minimum severity. */
  public readonly findingsRule: events.Rule;
  /** The rule that forwards API calls weakening the security posture. */
  public readonly postureRule: events.Rule;

  constructor(scope: Construct, id: string, props: ThreatDetectionProps = {}) {
    super(scope, id);

    const minimumFindingSeverity = props.minimumFindingSeverity ?? 7;
    if (
      !Token.isUnresolved(minimumFindingSeverity) &&
      !(minimumFindingSeverity >= 1 && minimumFindingSeverity <= 10)
    ) {
      throw new Error(
        `minimumFindingSeverity must be between 1 and 10 (GuardDuty severity: 7 = high, 9 = critical), got ${minimumFindingSeverity}`,
      );
    }
    if (props.alertTopic && props.alertEmails !== undefined) {
      throw new Error(
        `alertEmails only applies to the topic this construct creates, got both alertTopic (${props.alertTopic.node.path}) ` +
          `and alertEmails [${props.alertEmails.join(', ')}]; subscribe them with alertTopic.addEmail() instead`,
      );
    }

    this.alertTopic = props.alertTopic ?? new AlertTopic(this, 'AlertTopic', { emailSubscriptions: props.alertEmails });

    if (props.createDetector ?? true) {
      this.detector = new guardduty.CfnDetector(this, 'Detector', {
        enable: true,
        findingPublishingFrequency: 'FIFTEEN_MINUTES',
        features: [
          { name: 'LAMBDA_NETWORK_LOGS', status: 'ENABLED' },
          { name: 'S3_DATA_EVENTS', status: 'ENABLED' },
        ],
      });
      Validations.of(this.detector).acknowledge({
        id: 'cdk-validator-cfnguard::guardduty_s3_protection_enabled_check',
        reason:
          'S3 protection is enabled through Features (S3_DATA_EVENTS ENABLED). CT.GUARDDUTY.PR.1 only reads the legacy ' +
          'DataSources.S3Logs property, which GuardDuty does not allow together with Features.',
      });
    }

    this.findingsRule = new events.Rule(this, 'FindingsRule', {
      description: `GuardDuty findings with severity >= ${minimumFindingSeverity} to the security alert topic`,
      eventPattern: {
        source: ['aws.guardduty'],
        detailType: ['GuardDuty Finding'],
        detail: { severity: events.Match.greaterThanOrEqual(minimumFindingSeverity) },
      },
    });
    this.findingsRule.addTarget(
      new AlertTopicTarget(this.alertTopic.topic, this.alertTopic.deadLetterQueue, findingMessage()),
    );

    this.postureRule = new events.Rule(this, 'PostureRule', {
      description: 'API calls that weaken guardrails, invocation logging, CloudTrail or GuardDuty, to the security alert topic',
      eventPattern: {
        source: Object.keys(POSTURE_EVENT_NAMES),
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: Object.keys(POSTURE_EVENT_NAMES).map((source) => `${source.replace(/^aws\./, '')}.amazonaws.com`),
          eventName: Object.values(POSTURE_EVENT_NAMES).flat(),
        },
      },
    });
    this.postureRule.addTarget(
      new AlertTopicTarget(this.alertTopic.topic, this.alertTopic.deadLetterQueue, postureMessage()),
    );
  }

  /** The detector's ID, when `createDetector` is true. */
  public get detectorId(): string | undefined {
    return this.detector?.attrId;
  }
}

/** A one-line alert for a GuardDuty finding: severity, title, type, where, and the finding ID to look up. */
function findingMessage(): events.RuleTargetInput {
  const f = (path: string): string => events.EventField.fromPath(path);
  return events.RuleTargetInput.fromText(
    `GuardDuty finding, severity ${f('$.detail.severity')}: ${f('$.detail.title')} ` +
      `(type ${f('$.detail.type')}, account ${f('$.account')}, region ${f('$.region')}, finding ${f('$.detail.id')}).`,
  );
}

/** A one-line alert for a posture-weakening API call: what, on which service, by whom, from where. */
function postureMessage(): events.RuleTargetInput {
  const f = (path: string): string => events.EventField.fromPath(path);
  return events.RuleTargetInput.fromText(
    `Security posture change: ${f('$.detail.eventName')} on ${f('$.detail.eventSource')} by ` +
      `${f('$.detail.userIdentity.arn')} from ${f('$.detail.sourceIPAddress')} ` +
      `(account ${f('$.account')}, region ${f('$.region')}, at ${f('$.time')}, CloudTrail event ${f('$.detail.eventID')}).`,
  );
}

/**
 * Targets an {@link AlertTopic}'s topic with a dead-letter queue. Unlike `targets.SnsTopic`, it
 * does not call `grantPublish` on the EventBridge service principal (an unconditioned
 * statement): the alert topic's policy already admits EventBridge for this account only.
 */
class AlertTopicTarget implements events.IRuleTarget {
  constructor(
    private readonly topic: sns.ITopic,
    private readonly deadLetterQueue: sqs.IQueue,
    private readonly message: events.RuleTargetInput,
  ) {}

  public bind(rule: events.IRuleRef, _id?: string): events.RuleTargetConfig {
    targets.addToDeadLetterQueueResourcePolicy(rule, this.deadLetterQueue);
    return {
      ...targets.bindBaseTargetConfig({ deadLetterQueue: this.deadLetterQueue }),
      arn: this.topic.topicArn,
      input: this.message,
      targetResource: this.topic,
    };
  }
}
