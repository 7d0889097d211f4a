import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, DependencyGroup } from 'constructs';
import { nagFindingText } from './nag-finding';

/**
 * The EC2 actions Lambda performs with a function's execution role to attach it to a VPC: what
 * `AWSLambdaVPCAccessExecutionRole` grants, without its `logs:*` on `*`. {@link lambdaVpcAccessStatements}
 * scopes them to the function's own VPC, subnets and security groups.
 */
export const LAMBDA_VPC_ACCESS_ACTIONS: readonly string[] = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/** The Describe actions among {@link LAMBDA_VPC_ACCESS_ACTIONS}: EC2 authorizes them on `"*"` only. */
export const LAMBDA_VPC_DESCRIBE_ACTIONS: readonly string[] = ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'];

/** Where a VPC function's network interfaces live: what its execution role's EC2 permissions are scoped to. */
export interface LambdaVpcPlacement {
  /** The function's VPC. */
  readonly vpc: ec2.IVpc;
  /** The IDs of the subnets the function is placed in (`vpc.selectSubnets(...).subnetIds`). */
  readonly subnetIds: string[];
  /** The function's security groups. */
  readonly securityGroups: ec2.ISecurityGroup[];
}

/**
 * The execution-role statements that let Lambda attach a function to its VPC, each as narrow as EC2
 * authorizes it (Lambda developer guide, "Giving Lambda functions access to resources in an Amazon VPC";
 * Service Authorization Reference, "Actions defined by Amazon EC2"):
 *
 * - `DescribeNetwork`: `ec2:DescribeNetworkInterfaces` and `ec2:DescribeSubnets` on `"*"`: Describe
 *   actions have no resource types ("This action only works if it's allowed on all resources").
 * - `CreateNetworkInterfacesInOwnSubnets`: `ec2:CreateNetworkInterface` is authorized against the new
 *   interface, its subnet and its security groups, so naming only the function's subnet and security-group
 *   ARNs confines new interfaces to them. The interface's own ID does not exist yet: `network-interface/*`
 *   of this account and region.
 * - `ManageOwnVpcNetworkInterfaces`: `ec2:DeleteNetworkInterface`, `ec2:AssignPrivateIpAddresses` and
 *   `ec2:UnassignPrivateIpAddresses` on `network-interface/*` of this account and region, only for interfaces
 *   in the function's VPC (`ec2:Vpc`, an ARN). `ArnEqualsIfExists` rather than `ArnEquals`: Lambda validates
 *   the role at CreateFunction, and the guide warns that a DeleteNetworkInterface limited to other resource
 *   IDs may keep the function out of the VPC; every existing interface carries `ec2:Vpc`, so no interface of
 *   another VPC matches.
 *
 * `lambda:SourceFunctionArn` cannot narrow them: Lambda adds it only to calls from the execution environment
 * and to its log, X-Ray and EFS calls, not to the EC2 calls that create the function's network interfaces
 * (Lambda developer guide, "Using source function ARN to control function access behavior").
 */
export function lambdaVpcAccessStatements(scope: Construct, placement: LambdaVpcPlacement): iam.PolicyStatement[] {
  if (placement.subnetIds.length === 0 || placement.securityGroups.length === 0) {
    throw new Error(
      `A VPC function needs at least one subnet and one security group to scope its network-interface permissions, got ` +
        `${placement.subnetIds.length} subnets and ${placement.securityGroups.length} security groups; select subnets and pass securityGroups`,
    );
  }
  const stack = Stack.of(scope);
  const ec2Arn = (resource: string, resourceName: string): string =>
    stack.formatArn({ service: 'ec2', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const networkInterfaces = ec2Arn('network-interface', '*');
  return [
    new iam.PolicyStatement({ sid: 'DescribeNetwork', actions: [...LAMBDA_VPC_DESCRIBE_ACTIONS], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'CreateNetworkInterfacesInOwnSubnets',
      actions: ['ec2:CreateNetworkInterface'],
      resources: [
        networkInterfaces,
        ...placement.subnetIds.map((id) => ec2Arn('subnet', id)),
        ...placement.securityGroups.map((sg) => ec2Arn('security-group', sg.securityGroupId)),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'ManageOwnVpcNetworkInterfaces',
      actions: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      resources: [networkInterfaces],
      conditions: { ArnEqualsIfExists: { 'ec2:Vpc': placement.vpc.vpcArn } },
    }),
  ];
}

/**
 * Acknowledges the one wildcard {@link lambdaVpcAccessStatements} cannot avoid: `network-interface/*` of this
 * account and region, for interfaces whose IDs exist only once Lambda has created them.
 */
export function acknowledgeLambdaNetworkInterfaces(policy: iam.ManagedPolicy): void {
  const networkInterfaces = Stack.of(policy).formatArn({
    service: 'ec2',
    resource: 'network-interface',
    resourceName: '*',
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
  Validations.of(policy).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagFindingText(policy, networkInterfaces)}]`,
    reason:
      'Lambda creates the function\'s network interfaces, so their IDs do not exist when the role is written. CreateNetworkInterface ' +
      'is also limited to the function\'s subnet and security-group ARNs; Delete/Assign/UnassignPrivateIpAddresses to interfaces ' +
      'of the function\'s VPC (ec2:Vpc).',
  });
}

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
   * asked, attaching to a VPC ({@link lambdaVpcAccessStatements}) and sending traces. Only the EC2
   * Describe and X-Ray actions use `*`; they and `network-interface/*` are acknowledged for
   * `AwsSolutions-IAM5` with that reason.
   * @default - no Lambda statements
   */
  readonly lambda?: LambdaExecutionOptions;
}

/** The execution-role statements {@link ManagedPolicyRole} adds for a Lambda function. */
export interface LambdaExecutionOptions {
  /** The function's log group; the role may create streams in it and put events. */
  readonly logGroupArn: string;
  /**
   * The function's VPC placement: Lambda may create network interfaces only in these subnets with
   * these security groups, and delete or re-address only interfaces of this VPC.
   * @default - the function is not in a VPC: no EC2 statements
   */
  readonly vpc?: LambdaVpcPlacement;
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
 *   lambda: { logGroupArn: logGroup.logGroupArn, vpc: { vpc, subnetIds, securityGroups: [sg] }, tracing: true },
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
      for (const statement of lambdaVpcAccessStatements(this, options.vpc)) {
        this.addToPolicy(statement);
      }
      acknowledgeLambdaNetworkInterfaces(this.policy);
      unscoped.push(`${LAMBDA_VPC_DESCRIBE_ACTIONS.join(' and ')}, which EC2 authorizes on "*" only (Describe actions have no resource types)`);
    }
    if (options.tracing) {
      this.addToPolicy(new iam.PolicyStatement({ sid: 'Tracing', actions: [...LAMBDA_TRACING_ACTIONS], resources: ['*'] }));
      unscoped.push(`${LAMBDA_TRACING_ACTIONS.join(' and ')}, which have no resource-level permissions`);
    }
    if (unscoped.length > 0) {
      Validations.of(this.policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `Only actions that work on "*" alone use it: ${unscoped.join('; ')}. Every other statement of this policy names its resources.`,
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
