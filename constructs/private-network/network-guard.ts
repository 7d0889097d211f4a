import { Annotations, ArnFormat, CustomResource, Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  NETWORK_GUARD_ATTRIBUTES,
  NETWORK_GUARD_PROPS,
  NETWORK_GUARD_RESOURCE_TYPE,
  type NetworkGuardService,
} from '../../lambda/shared/network-guard-contract';
import { SecureKey } from '../secure-key';
import { SecureLogGroup } from '../secure-log-group';
import { latestNodeRuntime, prebuiltCode } from '../shared/lambda-bundle';
import { LAMBDA_TRACING_ACTIONS } from '../shared/managed-policy-role';

/** The EC2 actions the guard needs on `*`: Describe actions have no resource types. */
const DESCRIBE_ACTIONS = ['ec2:DescribeSecurityGroups', 'ec2:DescribePrefixLists'];

const OUTSIDE_VPC_REASON =
  'Deploy-time handler of the VPC it guards: it must answer CloudFormation (S3) before the VPC\'s functions can reach S3, because ' +
  'the S3 prefix list their egress rules name is what it returns. In the VPC it would also need an ec2 interface endpoint ' +
  '(about USD 7.30 per zone and month) kept for a call per deployment. It handles no application data: it revokes the default ' +
  'security group\'s rules and reads the region\'s AWS-managed prefix lists, with a role limited to that group.';

const DLQ_REASON =
  'This queue is the terminal dead-letter queue of the guard\'s asynchronous invocations (Lambda DeadLetterConfig); a ' +
  'further dead-letter queue would only move the same messages. Its RedriveAllowPolicy denies every source queue.';

/** Properties for {@link NetworkGuard}. */
export interface NetworkGuardProps {
  /** The VPC whose default security group the guard strips of every rule. */
  readonly vpc: ec2.Vpc;

  /**
   * Key for the handler's log group and dead-letter queue. CloudWatch Logs is granted use of it for this account's
   * log groups, and the handler's role through SQS only (for an imported key this must already be in its policy).
   * @default - a new SecureKey with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long the handler's log records are kept. Must be finite.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the handler's log group and dead-letter queue when they are removed from the stack. They are
   * evidence of what changed the network: the default keeps them.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A deploy-time custom resource (`Custom::NetworkGuard`) for a new VPC: on Create and Update it revokes every
 * ingress and egress rule of the VPC's default security group, and it returns the ids of the region's
 * AWS-managed S3 and DynamoDB prefix lists, which CloudFormation cannot otherwise return, so egress rules can name
 * them without deploy-time parameters. On Delete it leaves the group closed (it goes with its VPC).
 *
 * It replaces aws-cdk-lib's `restrictDefaultSecurityGroup` handler (a raw CloudFormation function that cdk-nag
 * never evaluates) with a `lambda.Function` that every pack evaluates: reserved concurrency 1, a KMS-encrypted
 * dead-letter queue, a KMS-encrypted log group with finite retention, X-Ray, arm64, the latest Node.js runtime,
 * and a customer-managed policy whose only write actions are limited to the one default security group.
 * It runs outside the VPC (see the `LambdaInsideVPC` acknowledgments for why).
 *
 * @example
 * const vpc = new ec2.Vpc(this, 'Vpc', { restrictDefaultSecurityGroup: false });
 * const guard = new NetworkGuard(this, 'Guard', { vpc });
 * sg.addEgressRule(ec2.Peer.prefixList(guard.prefixListIdOf(ec2.GatewayVpcEndpointAwsService.S3)), ec2.Port.tcp(443));
 */
export class NetworkGuard extends Construct {
  /** The handler. */
  public readonly function: lambda.Function;
  /** The custom resource. */
  public readonly resource: CustomResource;
  /** The dead-letter queue of the handler's asynchronous invocations. */
  public readonly deadLetterQueue: sqs.Queue;

  private readonly services = new Set<NetworkGuardService>();

  constructor(scope: Construct, id: string, props: NetworkGuardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const encryptionKey =
      props.encryptionKey ?? new SecureKey(this, 'Key', { description: `Encrypts the logs and dead letters of ${this.node.path}`, removalPolicy }).key;

    const logGroup = new SecureLogGroup(this, 'HandlerLogs', {
      encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy,
    }).logGroup;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Lambda delivers here directly; no SQS queue may redrive into it.
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.DENY_ALL },
      removalPolicy,
    });
    Validations.of(this.deadLetterQueue.node.defaultChild as sqs.CfnQueue).acknowledge(
      { id: 'Serverless-SQSRedrivePolicy', reason: DLQ_REASON },
      { id: 'cdk-validator-cfnguard::sqs_dlq_check', reason: DLQ_REASON },
    );

    const defaultSecurityGroupArn = stack.formatArn({
      service: 'ec2',
      resource: 'security-group',
      resourceName: props.vpc.vpcDefaultSecurityGroup,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Network guard ${this.node.path}`,
    });
    // Only this role may use the key, and only through SQS, for the dead letters: the key's other users (CloudWatch Logs
    // for the flow logs, say) are not widened to every principal of the account through SQS.
    const keyStatement = encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [role],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${stack.region}.amazonaws.com`, 'kms:CallerAccount': stack.account } },
      }),
      true,
    );
    if (!keyStatement.statementAdded) {
      Annotations.of(this).addWarningV2(
        'secure-llm-blueprint:importedKeyNetworkGuardPolicy',
        `The imported key ${encryptionKey.node.path} must already let ${role.node.path} use kms:GenerateDataKey and kms:Decrypt ` +
          'through SQS, or the guard cannot write to its dead-letter queue.',
      );
    }
    // A customer-managed policy, not the role's inline one (NIST/HIPAA/PCI IAMNoInlinePolicy). Attached from the policy's
    // side, so the key policy above can name the role without a dependency cycle (role → policy → key → role).
    const policy = new iam.ManagedPolicy(this, 'HandlerPolicy', {
      description: `Network guard ${this.node.path}: revokes the rules of one default security group, reads prefix lists`,
      roles: [role],
      statements: [
        new iam.PolicyStatement({ sid: 'DescribeGroupAndPrefixLists', actions: DESCRIBE_ACTIONS, resources: ['*'] }),
        new iam.PolicyStatement({
          sid: 'RevokeDefaultSecurityGroupRules',
          actions: ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
          resources: [defaultSecurityGroupArn],
        }),
        new iam.PolicyStatement({ sid: 'Tracing', actions: [...LAMBDA_TRACING_ACTIONS], resources: ['*'] }),
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
        new iam.PolicyStatement({ sid: 'DeadLetter', actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
        new iam.PolicyStatement({
          sid: 'EncryptDeadLetters',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `sqs.${stack.region}.amazonaws.com` } },
        }),
      ],
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only actions that EC2 and X-Ray authorize on "*" alone use it: ec2:DescribeSecurityGroups and ec2:DescribePrefixLists ' +
        '(Describe actions have no resource types in the Service Authorization Reference) and xray:PutTraceSegments/PutTelemetryRecords. ' +
        'The revoke actions are limited to this VPC\'s default security group; logs, sqs and kms to this construct\'s resources.',
    });

    this.function = new lambda.Function(this, 'Handler', {
      // Pre-built in this package (scripts/bundle-lambdas.mjs): the deployed bytes are the tested ones.
      code: prebuiltCode('network-guard'),
      handler: 'index.handler',
      description: 'Revokes every rule of the VPC default security group and returns the S3/DynamoDB prefix-list ids (custom resource)',
      runtime: latestNodeRuntime(),
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(2),
      reservedConcurrentExecutions: 1,
      tracing: lambda.Tracing.ACTIVE,
      // Every permission is in HandlerPolicy: the function may not add its own (inline) statements.
      role: role.withoutPolicyUpdates(),
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      deadLetterQueue: this.deadLetterQueue,
    });
    // Lambda checks at creation that the role may send to the dead-letter queue.
    this.function.node.addDependency(policy);
    Validations.of(this.function.node.defaultChild as lambda.CfnFunction).acknowledge(
      { id: 'NIST.800.53.R5-LambdaInsideVPC', reason: OUTSIDE_VPC_REASON },
      { id: 'HIPAA.Security-LambdaInsideVPC', reason: OUTSIDE_VPC_REASON },
      { id: 'PCI.DSS.321-LambdaInsideVPC', reason: OUTSIDE_VPC_REASON },
      { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: OUTSIDE_VPC_REASON },
    );

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.function.functionArn,
      resourceType: NETWORK_GUARD_RESOURCE_TYPE,
      serviceTimeout: Duration.minutes(5),
      properties: {
        [NETWORK_GUARD_PROPS.defaultSecurityGroupId]: props.vpc.vpcDefaultSecurityGroup,
        // Only the lists something references: a region without one fails only the stacks that need it.
        [NETWORK_GUARD_PROPS.prefixListServices]: Lazy.list({ produce: () => [...this.services].sort() }, { omitEmpty: true }),
      },
    });
    // The role's policy must be in place before the first request.
    this.resource.node.addDependency(policy);
  }

  /**
   * The id of the region's AWS-managed prefix list of a gateway-endpoint service (S3 or DynamoDB), resolved at
   * deploy time by the guard (`Fn::GetAtt`). The guard looks up only the lists asked for here.
   */
  public prefixListIdOf(service: ec2.IGatewayVpcEndpointService): string {
    const name = service.name.split('.').pop();
    if (name !== 's3' && name !== 'dynamodb') {
      throw new Error(
        `service must be ec2.GatewayVpcEndpointAwsService.S3 or .DYNAMODB (the services with an AWS-managed prefix list), got ${service.name}`,
      );
    }
    this.services.add(name);
    return this.resource.getAttString(NETWORK_GUARD_ATTRIBUTES[name]);
  }
}
