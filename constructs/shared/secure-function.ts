import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SecureKey } from '../secure-key';
import { SecureLogGroup } from '../secure-log-group';
import { LambdaBundleName, latestNodeRuntime, prebuiltCode, prebuiltCodeWithFile } from './lambda-bundle';
import { ManagedPolicyRole } from './managed-policy-role';

/** Properties for {@link SecureFunction}. */
export interface SecureFunctionProps {
  /** The pre-built bundle the function runs (`dist/bundles/<bundle>/index.js`, handler `index.handler`). */
  readonly bundle: LambdaBundleName;

  /**
   * A data file deployed beside `index.js` (e.g. a static configuration larger than Lambda's 4 KB of environment):
   * its plain file name, with `bundleFileContents`.
   * @default - the bundle alone
   */
  readonly bundleFileName?: string;

  /**
   * The contents of `bundleFileName`. Required with it.
   * @default - none; required when `bundleFileName` is given
   */
  readonly bundleFileContents?: string;

  /**
   * The child id of the function's log group, beside the function.
   * @default `${id}Logs`
   */
  readonly logGroupId?: string;

  /** What the function does, shown on the function. */
  readonly description: string;

  /** What the execution role is for, shown on the role and its managed policy. */
  readonly roleDescription: string;

  /** The key of the function's log group. */
  readonly logEncryptionKey: kms.IKey;

  /**
   * How long the function's log records (its audit records) are kept. Must be finite.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the log group when it is removed from the stack: it holds the function's audit records.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Statements of the execution role beyond its Lambda ones (logs, VPC, X-Ray), in this order, ahead of the
   * dead-letter statements. More can be added later with `executionRole.addToPolicy` or a grant to `executionRole`.
   * @default - none
   */
  readonly policyStatements?: iam.PolicyStatement[];

  /**
   * Memory of the function, in MiB.
   * @default 1024
   */
  readonly memorySize?: number;

  /**
   * How long one invocation may run.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;

  /** Concurrent executions reserved for (and limiting) the function. */
  readonly reservedConcurrentExecutions: number;

  /**
   * Environment variables of the function.
   * @default - none
   */
  readonly environment?: { [key: string]: string };

  /**
   * The VPC to run the function in. A security group with no inbound and no outbound rule is created for it
   * (`<id>SecurityGroup`): add the egress the function needs to {@link SecureFunction.securityGroup}.
   * @default - outside a VPC; `outsideVpcReason` must then say why
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of the function, when `vpc` is given.
   * @default - the VPC's isolated subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The description of the function's security group. Required with `vpc`.
   * @default - none; required when `vpc` is given
   */
  readonly securityGroupDescription?: string;

  /**
   * Why the function runs outside a VPC: the reason of the `LambdaInsideVPC` acknowledgments (NIST 800-53, HIPAA,
   * PCI DSS, cfn-guard). Required without `vpc`, refused with it.
   * @default - none; required when `vpc` is not given
   */
  readonly outsideVpcReason?: string;

  /**
   * The queue that keeps failed asynchronous invocations. The execution role may send to it and, when the queue
   * has a key, use that key through SQS.
   * @default - none; `noDeadLetterQueueReason` must then say why
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Why the function has no dead-letter queue (typically: it is only invoked synchronously, so a queue would stay
   * empty): the reason of the `LambdaDLQ` acknowledgments (NIST 800-53, HIPAA, Serverless). Required without
   * `deadLetterQueue`, refused with it.
   * @default - none; required when `deadLetterQueue` is not given
   */
  readonly noDeadLetterQueueReason?: string;
}

/**
 * A Lambda function of this package, set up the one way the package runs functions:
 *
 * - **Code**: a pre-built bundle of this package, deployed as built and signed when the scope has a
 *   `LambdaCodeSigning` ({@link prebuiltCode}); Node.js (latest runtime CDK knows), arm64, `index.handler`.
 * - **Logs**: a KMS-encrypted log group with finite retention, JSON log format.
 * - **Role**: a {@link ManagedPolicyRole} whose one managed policy holds every permission (logs, VPC attachment
 *   scoped to the function's subnets and security group, X-Ray, the given statements, the dead-letter queue); the
 *   function gets the role closed, so nothing adds inline statements behind its back.
 * - **Network**: in the VPC with its own security group (no inbound, no outbound until the caller adds it), or
 *   outside with a stated reason.
 * - **Failures**: a dead-letter queue, or a stated reason why none.
 * - Active X-Ray tracing and reserved concurrency, always.
 *
 * The companions are created beside the function, in the same scope, as `<id>Logs` (or `logGroupId`), `<id>Role` and
 * `<id>SecurityGroup`: the ids these resources had when each construct of this package built them itself, so
 * adopting this class changes no logical id (a new id would replace the log group, the role and the network
 * interfaces). Grant to {@link SecureFunction.executionRole}: the function's own `grantPrincipal` is the closed
 * role, whose policy updates are dropped.
 *
 * @example
 * const screen = new SecureFunction(this, 'Handler', {
 *   bundle: 'ingest-screen',
 *   description: 'Screens uploaded documents',
 *   roleDescription: `Document screening ${this.node.path}`,
 *   logEncryptionKey: key,
 *   reservedConcurrentExecutions: 2,
 *   vpc, securityGroupDescription: 'Document screen: no inbound; HTTPS to S3 only',
 *   deadLetterQueue: queue,
 * });
 * bucket.grantRead(screen.executionRole);
 */
export class SecureFunction extends lambda.Function {
  /** The execution role; grant to it (its statements go into its one managed policy). */
  public readonly executionRole: ManagedPolicyRole;
  /** The function's log group. */
  public readonly secureLogGroup: SecureLogGroup;
  /** The function's security group, when it runs in a VPC. */
  public readonly securityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: SecureFunctionProps) {
    validate(props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logGroup = new SecureLogGroup(scope, props.logGroupId ?? `${id}Logs`, {
      encryptionKey: props.logEncryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy,
    });
    const vpcSubnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    const securityGroup = props.vpc
      ? new ec2.SecurityGroup(scope, `${id}SecurityGroup`, {
          vpc: props.vpc,
          description: props.securityGroupDescription,
          allowAllOutbound: false,
          allowAllIpv6Outbound: false,
        })
      : undefined;
    const role = new ManagedPolicyRole(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.roleDescription,
      lambda: {
        logGroupArn: logGroup.logGroupArn,
        vpc: props.vpc && securityGroup ? { vpc: props.vpc, subnetIds: props.vpc.selectSubnets(vpcSubnets).subnetIds, securityGroups: [securityGroup] } : undefined,
        tracing: true,
      },
    });
    for (const statement of props.policyStatements ?? []) {
      role.addToPolicy(statement);
    }
    if (props.deadLetterQueue) {
      addDeadLetterStatements(role, props.deadLetterQueue);
    }

    super(scope, id, {
      // Pre-built in this package (scripts/bundle-lambdas.mjs): the deployed bytes are the tested ones.
      code:
        props.bundleFileName !== undefined && props.bundleFileContents !== undefined
          ? prebuiltCodeWithFile(props.bundle, props.bundleFileName, props.bundleFileContents)
          : prebuiltCode(props.bundle),
      handler: 'index.handler',
      description: props.description,
      runtime: latestNodeRuntime(),
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.minutes(5),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: lambda.Tracing.ACTIVE,
      // Every permission is in the role's managed policy; the function cannot add inline statements.
      role: role.closedRole,
      ...(props.vpc && securityGroup ? { vpc: props.vpc, vpcSubnets, securityGroups: [securityGroup] } : {}),
      logGroup: logGroup.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // Lambda's asynchronous defaults (2 retries, events kept up to 6 hours), then the dead-letter queue.
      deadLetterQueue: props.deadLetterQueue,
      environment: props.environment,
    });
    this.executionRole = role;
    this.secureLogGroup = logGroup;
    this.securityGroup = securityGroup;
    // The function is created only once its role may write its logs (and reach its VPC).
    this.node.addDependency(role.policy);

    const cfnFunction = this.node.defaultChild as lambda.CfnFunction;
    if (props.noDeadLetterQueueReason !== undefined) {
      const reason = props.noDeadLetterQueueReason;
      Validations.of(cfnFunction).acknowledge(
        { id: 'NIST.800.53.R5-LambdaDLQ', reason },
        { id: 'HIPAA.Security-LambdaDLQ', reason },
        { id: 'Serverless-LambdaDLQ', reason },
      );
    }
    if (props.outsideVpcReason !== undefined) {
      const reason = props.outsideVpcReason;
      Validations.of(cfnFunction).acknowledge(
        { id: 'NIST.800.53.R5-LambdaInsideVPC', reason },
        { id: 'HIPAA.Security-LambdaInsideVPC', reason },
        { id: 'PCI.DSS.321-LambdaInsideVPC', reason },
        { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason },
      );
    }
  }
}

/**
 * The dead-letter statements of the execution role: `sqs:SendMessage` on the queue, and the queue's key (when it
 * has one) through SQS only, which the key policy admits when a {@link SecureKey} defined the key.
 */
function addDeadLetterStatements(role: ManagedPolicyRole, queue: sqs.IQueue): void {
  role.addToPolicy(new iam.PolicyStatement({ sid: 'DeadLetter', actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
  const key = queue.encryptionMasterKey;
  if (key) {
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptDeadLetters',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${queue.stack.region}.amazonaws.com` } },
      }),
    );
    SecureKey.allowUseThroughServiceOn(key, 'sqs');
  }
}

function validate(props: SecureFunctionProps): void {
  if ((props.bundleFileName === undefined) !== (props.bundleFileContents === undefined)) {
    throw new Error(
      `bundleFileName and bundleFileContents go together, got ${props.bundleFileName === undefined ? 'only bundleFileContents' : `only bundleFileName "${props.bundleFileName}"`}; pass both, or neither`,
    );
  }
  if (props.vpc && props.outsideVpcReason !== undefined) {
    throw new Error(`outsideVpcReason is only for a function outside a VPC, got "${props.outsideVpcReason}" with a vpc; leave it out, or leave out vpc`);
  }
  if (!props.vpc && props.outsideVpcReason === undefined) {
    throw new Error('outsideVpcReason must say why the function runs outside a VPC, got none without a vpc; pass vpc (and securityGroupDescription), or the reason');
  }
  if (props.vpc && props.securityGroupDescription === undefined) {
    throw new Error('securityGroupDescription must be given with vpc, got none; describe what the function may reach, e.g. "no inbound; HTTPS to S3 only"');
  }
  if (!props.vpc && props.securityGroupDescription !== undefined) {
    throw new Error(`securityGroupDescription is only used with vpc, got "${props.securityGroupDescription}" without a vpc; pass vpc too, or leave it out`);
  }
  if (props.deadLetterQueue && props.noDeadLetterQueueReason !== undefined) {
    throw new Error(`noDeadLetterQueueReason is only for a function without a dead-letter queue, got "${props.noDeadLetterQueueReason}" with one; leave it out`);
  }
  if (!props.deadLetterQueue && props.noDeadLetterQueueReason === undefined) {
    throw new Error('noDeadLetterQueueReason must say why the function has no dead-letter queue, got none and no deadLetterQueue; pass deadLetterQueue, or the reason');
  }
}
