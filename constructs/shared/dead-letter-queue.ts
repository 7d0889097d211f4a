import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Properties for {@link TerminalDeadLetterQueue}. */
export interface TerminalDeadLetterQueueProps {
  /** The key of the queue's messages. */
  readonly encryptionKey: kms.IKey;

  /**
   * Why this queue has no dead-letter queue of its own (whose failures end here, and what watches it): the reason
   * of the `Serverless-SQSRedrivePolicy` and cfn-guard `sqs_dlq_check` acknowledgments.
   */
  readonly terminalReason: string;

  /**
   * What happens to the queue when it is removed from the stack: it holds the evidence of what failed.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The last stop of failed deliveries or invocations: a KMS-encrypted, TLS-only queue that keeps messages for the
 * 14-day maximum, whose RedriveAllowPolicy denies every source queue (nothing can make it a dead-letter queue of
 * something else), and which has no dead-letter queue of its own, with the stated reason acknowledged.
 * Watch it with an alarm (e.g. on `metricApproximateNumberOfMessagesVisible`).
 *
 * @example
 * const dlq = new TerminalDeadLetterQueue(this, 'DeadLetterQueue', {
 *   encryptionKey: key,
 *   terminalReason: 'The dead-letter queue of the ingestion rule and function; an alarm watches it.',
 * });
 */
export class TerminalDeadLetterQueue extends sqs.Queue {
  constructor(scope: Construct, id: string, props: TerminalDeadLetterQueueProps) {
    super(scope, id, {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.DENY_ALL },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.node.defaultChild as sqs.CfnQueue).acknowledge(
      { id: 'Serverless-SQSRedrivePolicy', reason: props.terminalReason },
      { id: 'cdk-validator-cfnguard::sqs_dlq_check', reason: props.terminalReason },
    );
  }
}
