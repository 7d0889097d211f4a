import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, DependencyGroup } from 'constructs';

/**
 * The EC2 actions Lambda performs with a function's execution role to attach it to a VPC: what
 * `AWSLambdaVPCAccessExecutionRole` grants, without its `logs:*` on `*`. None of them supports
 * resource-level permissions usable here (`DescribeNetworkInterfaces` and `DescribeSubnets` only work on `*`).
 */
export const LAMBDA_VPC_ACCESS_ACTIONS: readonly string[] = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/** The X-Ray actions a function with active tracing needs; X-Ray has no resource-level permissions for them. */
export const LAMBDA_TRACING_ACTIONS: readonly string[] = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

/** Properties for {@link ManagedPolicyRole}. */
export interface ManagedPolicyRoleProps {
  /** Who may assume the role, e.g. `new iam.ServicePrincipal('lambda.amazonaws.com')`. */
  readonly assumedBy: iam.IPrincipal;

  /** What the role is for, shown on the role and its policy. */
  readonly description: string;

  /**
   * Add the permissions of a Lambda function's execution role: writing to `logGroupArn`, and, when
   * asked, attaching to a VPC and sending traces. The statements on `*` (VPC and tracing) are
   * acknowledged for `AwsSolutions-IAM5[Resource::*]` with the reason that they have no
   * resource-level permissions.
   * @default - no Lambda statements
   */
  readonly lambda?: LambdaExecutionOptions;
}

/** The execution-role statements {@link ManagedPolicyRole} adds for a Lambda function. */
export interface LambdaExecutionOptions {
  /** The function's log group; the role may create streams in it and put events. */
  readonly logGroupArn: string;
  /**
   * The function runs in a VPC.
   * @default false
   */
  readonly vpc?: boolean;
  /**
   * The function has active X-Ray tracing.
   * @default false
   */
  readonly tracing?: boolean;
}

/**
 * An IAM role whose every permission lives in ONE customer-managed policy: no inline (default)
 * policy is ever created, which the NIST 800-53, HIPAA and PCI packs flag (`IAMNoInlinePolicy`).
 *
 * Use {@link ManagedPolicyRole.grantPrincipal} as the grantee of `grantXxx` methods: their
 * statements go into the managed policy. Hand {@link ManagedPolicyRole.closedRole} to constructs
 * that would otherwise add statements of their own (e.g. `lambda.Function`, which adds VPC and X-Ray
 * permissions to its role): its policy updates are dropped, so everything the role may do is visible
 * in one place.
 *
 * @example
 * const role = new ManagedPolicyRole(this, 'Role', {
 *   assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
 *   description: 'Gateway function',
 *   lambda: { logGroupArn: logGroup.logGroupArn, vpc: true, tracing: true },
 * });
 * table.grantReadData(role);
 * new lambda.Function(this, 'Fn', { role: role.closedRole, ... });
 */
export class ManagedPolicyRole extends Construct implements iam.IGrantable {
  /** The role. Statements added to it directly would create an inline policy: grant to this construct instead. */
  public readonly role: iam.Role;
  /** The customer-managed policy that holds every permission of the role. */
  public readonly policy: iam.ManagedPolicy;
  /** The role with policy updates disabled, for constructs that take a role and would add statements to it. */
  public readonly closedRole: iam.IRole;
  /** A principal for the role whose policy additions go into {@link ManagedPolicyRole.policy}. */
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: ManagedPolicyRoleProps) {
    super(scope, id);
    this.policy = new iam.ManagedPolicy(this, 'Policy', { description: props.description });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: props.assumedBy,
      description: props.description,
      managedPolicies: [this.policy],
    });
    this.closedRole = this.role.withoutPolicyUpdates();
    this.grantPrincipal = new ManagedPolicyPrincipal(this.role, this.policy);

    if (props.lambda) {
      this.addLambdaExecutionStatements(props.lambda);
    }
  }

  /** The role's ARN. */
  public get roleArn(): string {
    return this.role.roleArn;
  }

  /** Adds a statement to the role's managed policy. */
  public addToPolicy(statement: iam.PolicyStatement): void {
    this.policy.addStatements(statement);
  }

  private addLambdaExecutionStatements(options: LambdaExecutionOptions): void {
    this.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [options.logGroupArn],
      }),
    );
    const unscoped: string[] = [];
    if (options.vpc) {
      this.addToPolicy(new iam.PolicyStatement({ sid: 'AttachToVpc', actions: [...LAMBDA_VPC_ACCESS_ACTIONS], resources: ['*'] }));
      unscoped.push(`the EC2 network-interface actions Lambda performs with the execution role to attach the function to its VPC (${LAMBDA_VPC_ACCESS_ACTIONS.join(', ')}; DescribeNetworkInterfaces and DescribeSubnets only work on "*")`);
    }
    if (options.tracing) {
      this.addToPolicy(new iam.PolicyStatement({ sid: 'Tracing', actions: [...LAMBDA_TRACING_ACTIONS], resources: ['*'] }));
      unscoped.push(`${LAMBDA_TRACING_ACTIONS.join(' and ')}, which have no resource-level permissions`);
    }
    if (unscoped.length > 0) {
      Validations.of(this.policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `Only actions without resource-level permissions use "*": ${unscoped.join('; ')}. Every other statement of this policy names its resources.`,
      });
    }
  }
}

/**
 * The role as a principal whose `addToPrincipalPolicy` writes into the managed policy, so that
 * `grantXxx(grantee)` methods never create an inline policy.
 */
class ManagedPolicyPrincipal implements iam.IPrincipal {
  public readonly grantPrincipal: iam.IPrincipal = this;
  public readonly assumeRoleAction: string;
  public readonly policyFragment: iam.PrincipalPolicyFragment;
  public readonly principalAccount?: string;

  constructor(
    private readonly role: iam.Role,
    private readonly policy: iam.ManagedPolicy,
  ) {
    this.assumeRoleAction = role.assumeRoleAction;
    this.policyFragment = role.policyFragment;
    this.principalAccount = role.principalAccount;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    const policyDependable = new DependencyGroup();
    policyDependable.add(this.policy);
    return { statementAdded: true, policyDependable };
  }

  public toString(): string {
    return `ManagedPolicyPrincipal(${this.role.node.path})`;
  }
}
