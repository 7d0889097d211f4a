import { ArnFormat, CfnParameter, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { SecureLogGroup } from '../secure-log-group';
import { NetworkGuard } from './network-guard';

/** The form of an AWS-managed prefix-list id (`pl-` and 8 or 17 hexadecimal digits). */
const PREFIX_LIST_ID = /^pl-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** The services that have gateway endpoints, with the name of their AWS-managed prefix list. */
const GATEWAY_SERVICES = {
  s3: { prop: 's3PrefixListId', parameter: 'S3PrefixListId', label: 'S3' },
  dynamodb: { prop: 'dynamoDbPrefixListId', parameter: 'DynamoDbPrefixListId', label: 'DynamoDB' },
} as const;
type GatewayServiceName = keyof typeof GATEWAY_SERVICES;

/** The CIDR block of a new VPC when none is given. */
export const DEFAULT_PRIVATE_NETWORK_CIDR = '10.0.0.0/16';

/** Properties for {@link PrivateNetwork}. */
export interface PrivateNetworkProps {
  /**
   * An existing VPC to place endpoints in, e.g. one built with `ec2.Vpc.fromVpcAttributes`
   * (never a lookup: synthesis needs no AWS account). Its isolated subnets
   * (`isolatedSubnetIds`, with `isolatedSubnetRouteTableIds` for gateway endpoints) must span at
   * least two Availability Zones. No VPC, no flow log and no network guard are created: the owner of the VPC
   * is responsible for its flow logs and its default security group, and the gateway endpoints' prefix-list ids
   * come from `s3PrefixListId`/`dynamoDbPrefixListId` or deploy-time parameters.
   * @default - a new VPC with isolated subnets only, no internet gateway and no NAT
   */
  readonly vpc?: ec2.IVpc;

  /**
   * How many Availability Zones the new VPC spans; at least two so endpoints survive the loss
   * of one zone. An environment-agnostic stack only sees two zones.
   * @default 2
   */
  readonly maxAzs?: number;

  /**
   * IPv4 CIDR block of the new VPC, between /16 and /28, split evenly across the isolated
   * subnets.
   * @default DEFAULT_PRIVATE_NETWORK_CIDR ('10.0.0.0/16')
   */
  readonly cidr?: string;

  /**
   * How long VPC flow-log records are kept. Must be finite.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * Key that encrypts the flow-log group. CloudWatch Logs is granted use of it for this
   * account's log groups (for an imported key this must already be in its policy).
   * @default - a new SecureKey with rotation enabled
   */
  readonly flowLogEncryptionKey?: kms.IKey;

  /**
   * What happens to the flow-log group when it is removed from the stack. Flow logs are
   * network evidence: the default keeps them. (The log group's own key is always retained.)
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The id of the region's AWS-managed S3 prefix list (`com.amazonaws.<region>.s3`), the only destination
   * the consumers of an S3 gateway endpoint may send HTTPS to. EC2 returns it from
   * `aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.<region>.s3`;
   * CloudFormation has no attribute for it and synthesis looks nothing up. A given id wins over the lookup.
   * @default - with a new VPC, the id the network guard (`guard`) looks up at deploy time; with an existing `vpc`,
   * a CloudFormation parameter `<id>S3PrefixListId` (pattern `pl-…`, no default) that the deployment must set.
   * Either only when an S3 gateway endpoint has consumers
   */
  readonly s3PrefixListId?: string;

  /**
   * The id of the region's AWS-managed DynamoDB prefix list (`com.amazonaws.<region>.dynamodb`), the only
   * destination the consumers of a DynamoDB gateway endpoint may send HTTPS to (see `s3PrefixListId`).
   * @default - with a new VPC, the id the network guard looks up at deploy time; with an existing `vpc`, a
   * CloudFormation parameter `<id>DynamoDbPrefixListId` (pattern `pl-…`, no default) that the deployment must set.
   * Either only when a DynamoDB gateway endpoint has consumers
   */
  readonly dynamoDbPrefixListId?: string;
}

/** Options for {@link PrivateNetwork.addInterfaceEndpoint}. */
export interface InterfaceEndpointOptions {
  /** The service to reach, e.g. `ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME`. */
  readonly service: ec2.IInterfaceVpcEndpointService;

  /**
   * What may connect to the endpoint. Each needs at least one security group; the endpoint's
   * security group admits the service port (443 for AWS services) from exactly these groups.
   */
  readonly consumers: ec2.IConnectable[];

  /**
   * The API actions the endpoint policy allows, e.g. `['bedrock:InvokeModel']`. Wildcards
   * such as `*` or `bedrock:*` are rejected: name the actions the caller really uses.
   */
  readonly actions: string[];

  /**
   * The resource ARNs the endpoint policy allows the actions on. `'*'` is accepted only when
   * given explicitly.
   */
  readonly resources: string[];

  /**
   * The principals the endpoint policy allows.
   * @default - any principal of this account (`aws:PrincipalAccount` equals this stack's account)
   */
  readonly principals?: iam.IPrincipal[];
}

/** Options for {@link PrivateNetwork.addGatewayEndpoint}. */
export interface GatewayEndpointOptions {
  /** The service to reach: `ec2.GatewayVpcEndpointAwsService.DYNAMODB` or `.S3`. */
  readonly service: ec2.IGatewayVpcEndpointService;

  /**
   * The API actions the endpoint policy allows, e.g. `['dynamodb:UpdateItem']`. Wildcards
   * such as `*` or `dynamodb:*` are rejected.
   */
  readonly actions: string[];

  /**
   * The resource ARNs the endpoint policy allows the actions on. `'*'` is accepted only when
   * given explicitly.
   */
  readonly resources: string[];

  /**
   * The principals the endpoint policy allows: IAM roles or users (matched by `aws:PrincipalArn`),
   * or `new iam.AnyPrincipal()` for requests signed outside this account, such as the pre-signed
   * URLs CloudFormation gives custom resources (then only `actions` and `resources` restrict it).
   * @default - any principal of this account (`aws:PrincipalAccount` equals this stack's account)
   */
  readonly principals?: iam.IPrincipal[];

  /**
   * What sends requests through the endpoint. Each needs at least one security group; each of them
   * gets one egress rule, tcp/443 to the service's AWS-managed prefix list (`s3PrefixListId` or
   * `dynamoDbPrefixListId` of the network), the only destination outside the VPC it may reach.
   * @default - none: no security group gets an egress rule for this endpoint
   */
  readonly consumers?: ec2.IConnectable[];
}

/** A private network: a VPC without internet access whose AWS traffic goes through scoped endpoints. */
export interface IPrivateNetwork extends IConstruct {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** The isolated subnets, for workloads and endpoints. */
  readonly isolatedSubnets: ec2.SubnetSelection;
  /** Adds an interface endpoint reachable only from the given consumers, with a scoped policy. */
  addInterfaceEndpoint(id: string, options: InterfaceEndpointOptions): ec2.InterfaceVpcEndpoint;
  /**
   * Adds a gateway endpoint on the isolated subnets' route tables, with a scoped policy; a second call for the same
   * service adds its statement and consumers to the endpoint the first call created and returns it.
   */
  addGatewayEndpoint(id: string, options: GatewayEndpointOptions): ec2.GatewayVpcEndpoint;
}

/**
 * A VPC with no path to the internet: isolated subnets in at least two Availability Zones, no
 * internet gateway, no NAT, DNS on, the default security group stripped of its rules (by a
 * {@link NetworkGuard}, which also resolves the gateway endpoints' prefix lists at deploy time), and every
 * packet recorded by a VPC flow log in a KMS-encrypted, retained log group. AWS services are
 * reached through endpoints that only the named consumers can connect to and whose policies allow
 * only the named actions, resources and (by default) this account's principals.
 *
 * @example
 * const network = new PrivateNetwork(this, 'Network');
 * const gatewaySg = new ec2.SecurityGroup(this, 'GatewaySg', { vpc: network.vpc, allowAllOutbound: false });
 * // the function runs with vpc: network.vpc, vpcSubnets: network.isolatedSubnets, securityGroups: [gatewaySg]
 * network.addInterfaceEndpoint('BedrockRuntime', {
 *   service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME,
 *   consumers: [gatewaySg],
 *   actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
 *   resources: [modelArn],
 * });
 * network.addGatewayEndpoint('DynamoDb', {
 *   service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
 *   actions: ['dynamodb:UpdateItem'],
 *   resources: [quotaTable.tableArn],
 * });
 */
export class PrivateNetwork extends Construct implements IPrivateNetwork {
  /** The VPC: the new one, or the one given in `vpc`. */
  public readonly vpc: ec2.IVpc;
  /** The isolated subnets, for workloads and endpoints. */
  public readonly isolatedSubnets: ec2.SubnetSelection;
  /** The log group receiving the VPC flow log; undefined when an existing VPC was given. */
  public readonly flowLogGroup?: logs.ILogGroup;
  /** The VPC flow log; undefined when an existing VPC was given. */
  public readonly flowLog?: ec2.FlowLog;
  /**
   * The custom resource that strips the new VPC's default security group of its rules and resolves the gateway
   * endpoints' prefix lists; undefined when an existing VPC was given.
   */
  public readonly guard?: NetworkGuard;

  private readonly prefixListIds: Partial<Record<GatewayServiceName, string>>;
  /** The gateway endpoint of each service (by service name): a route table takes one route per prefix list. */
  private readonly gatewayEndpoints = new Map<string, ec2.GatewayVpcEndpoint>();

  constructor(scope: Construct, id: string, props: PrivateNetworkProps = {}) {
    super(scope, id);
    this.isolatedSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    for (const { prop } of Object.values(GATEWAY_SERVICES)) {
      const value = props[prop];
      if (value !== undefined && !Token.isUnresolved(value) && !PREFIX_LIST_ID.test(value)) {
        throw new Error(
          `${prop} must be an AWS-managed prefix-list id ("pl-" and 8 or 17 hexadecimal digits), got "${value}"; ` +
            'find it with aws ec2 describe-managed-prefix-lists, or omit it to set it at deploy time',
        );
      }
    }
    this.prefixListIds = { s3: props.s3PrefixListId, dynamodb: props.dynamoDbPrefixListId };

    if (props.vpc) {
      const conflicting = (
        ['maxAzs', 'cidr', 'flowLogRetention', 'flowLogEncryptionKey', 'removalPolicy'] as const
      ).filter((p) => props[p] !== undefined);
      if (conflicting.length > 0) {
        throw new Error(
          `vpc cannot be combined with ${conflicting.join(', ')}: they configure the new VPC this construct would create, ` +
            `got vpc ${props.vpc.node.path} and ${conflicting.join(', ')}; drop ${conflicting.length > 1 ? 'them' : 'it'} or drop vpc`,
        );
      }
      this.vpc = props.vpc;
      validateImportedSubnets(props.vpc);
      return;
    }

    const maxAzs = props.maxAzs ?? 2;
    if (!Token.isUnresolved(maxAzs) && (!Number.isInteger(maxAzs) || maxAzs < 2)) {
      throw new Error(`maxAzs must be a whole number of at least 2 so endpoints survive the loss of one zone, got ${maxAzs}`);
    }
    const cidr = props.cidr ?? DEFAULT_PRIVATE_NETWORK_CIDR;
    if (!Token.isUnresolved(cidr)) {
      validateCidr(cidr);
    }

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      maxAzs,
      natGateways: 0,
      createInternetGateway: false,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      // NetworkGuard strips the default security group instead of aws-cdk-lib's handler, which cdk-nag cannot see.
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    this.vpc = vpc;

    const flowLogs = new SecureLogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.flowLogEncryptionKey,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.flowLogGroup = flowLogs.logGroup;

    // The flow-log service may assume the role only for flow logs of this account (confused
    // deputy). Its one permission, scoped to this log group, is a customer-managed policy: an
    // inline (default) policy is flagged by the NIST, HIPAA and PCI packs (IAMNoInlinePolicy),
    // so the role handed to the flow log takes no policy updates.
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'FlowLogRole', {
      description: `Lets VPC Flow Logs deliver ${this.node.path} records to its log group`,
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'ec2',
              resource: 'vpc-flow-log',
              resourceName: '*',
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          },
        },
      }),
    });
    const policy = new iam.ManagedPolicy(this, 'FlowLogPolicy', {
      description: `Writes ${this.node.path} flow-log records to its log group only`,
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [flowLogs.logGroup.logGroupArn],
        }),
      ],
    });
    this.flowLog = new ec2.FlowLog(this, 'FlowLog', {
      resourceType: ec2.FlowLogResourceType.fromVpc(vpc),
      trafficType: ec2.FlowLogTrafficType.ALL,
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs.logGroup, role.withoutPolicyUpdates()),
    });
    this.flowLog.node.addDependency(policy);

    // Network evidence like the flow log: same key, retention and removal policy.
    this.guard = new NetworkGuard(this, 'Guard', {
      vpc,
      encryptionKey: flowLogs.encryptionKey,
      logRetention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const closedByGuard =
      `${this.guard.node.path} revokes every ingress and egress rule of this VPC's default security group on each Create and ` +
      'Update (a lambda.Function every pack evaluates). The rule only recognises aws-cdk-lib\'s own Custom::VpcRestrictDefaultSG ' +
      'child, which is switched off because cdk-nag cannot evaluate its handler.';
    Validations.of(vpc.node.defaultChild as ec2.CfnVPC).acknowledge(
      ...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => ({ id: `${pack}-VPCDefaultSecurityGroupClosed`, reason: closedByGuard })),
    );
  }

  /**
   * Adds an interface endpoint with private DNS in the isolated subnets, its own security group
   * (no ingress but the service port from each consumer's security groups, no egress) and an
   * endpoint policy that allows only the given actions on the given resources to the given
   * principals (by default: this account's).
   */
  public addInterfaceEndpoint(id: string, options: InterfaceEndpointOptions): ec2.InterfaceVpcEndpoint {
    if (options.consumers.length === 0) {
      throw new Error(
        `consumers of interface endpoint ${id} must name at least one connectable (e.g. the Lambda function or its security group), got []`,
      );
    }
    options.consumers.forEach((consumer, i) => {
      if (consumer.connections.securityGroups.length === 0) {
        throw new Error(
          `consumers[${i}] of interface endpoint ${id} has no security group, got a connectable with securityGroups []; ` +
            'pass a resource with a security group (a Lambda function in the VPC, a SecurityGroup) ' +
            'so ingress is never opened to an address range',
        );
      }
    });
    const statement = endpointStatement(this, id, options, 'interface');

    const securityGroup = new ec2.SecurityGroup(this, `${id}SecurityGroup`, {
      vpc: this.vpc,
      description: `Interface endpoint ${id}: the service port from its named consumers only`,
      allowAllOutbound: false,
      allowAllIpv6Outbound: false,
    });
    const endpoint = new ec2.InterfaceVpcEndpoint(this, id, {
      vpc: this.vpc,
      service: options.service,
      privateDnsEnabled: true,
      subnets: this.isolatedSubnets,
      securityGroups: [securityGroup],
      open: false,
    });
    for (const consumer of options.consumers) {
      endpoint.connections.allowDefaultPortFrom(consumer, `HTTPS between ${consumerName(consumer)} and the ${id} interface endpoint`);
    }
    endpoint.addToPolicy(statement);
    return endpoint;
  }

  /**
   * Adds a gateway endpoint (S3 or DynamoDB) to the isolated subnets' route tables with an
   * endpoint policy that allows only the given actions on the given resources to the given
   * principals (by default: this account's).
   *
   * A VPC takes one gateway endpoint per service on a route table (a second one's route to the same prefix list
   * fails the deployment). So the network keeps one per service: the first call creates it (child `id`); every
   * later call for that service appends its own statement (Sid `AllowNamedActionsOnly<id>`) to that endpoint's
   * policy, gives its consumers their egress rule, and returns the same endpoint. Each caller's statement still
   * names only its principals, actions and resources.
   */
  public addGatewayEndpoint(id: string, options: GatewayEndpointOptions): ec2.GatewayVpcEndpoint {
    const existing = this.gatewayEndpoints.get(options.service.name);
    const statement = endpointStatement(this, id, options, 'gateway', existing === undefined ? undefined : `AllowNamedActionsOnly${id.replace(/[^A-Za-z0-9]/g, '')}`);
    const consumers = options.consumers ?? [];
    consumers.forEach((consumer, i) => {
      if (consumer.connections.securityGroups.length === 0) {
        throw new Error(
          `consumers[${i}] of gateway endpoint ${id} has no security group, got a connectable with securityGroups []; ` +
            'pass a resource with a security group (a Lambda function in the VPC, a SecurityGroup)',
        );
      }
    });
    const prefixList = consumers.length > 0 ? this.prefixListId(id, options.service) : undefined;
    const endpoint =
      existing ??
      new ec2.GatewayVpcEndpoint(this, id, {
        vpc: this.vpc,
        service: options.service,
        subnets: [this.isolatedSubnets],
      });
    this.gatewayEndpoints.set(options.service.name, endpoint);
    endpoint.addToPolicy(statement);
    for (const consumer of consumers) {
      for (const securityGroup of consumer.connections.securityGroups) {
        securityGroup.addEgressRule(
          ec2.Peer.prefixList(prefixList!),
          ec2.Port.tcp(443),
          `HTTPS to ${this.serviceLabel(options.service)} through the ${endpoint.node.id} gateway endpoint (its AWS-managed prefix list only)`,
        );
      }
    }
    return endpoint;
  }

  /**
   * The AWS-managed prefix list of a gateway endpoint's service: the id given in the props, else the one the
   * guard of a new VPC looks up at deploy time, else (an existing VPC) a CloudFormation parameter the deployment
   * must set (one per service, created on first use).
   */
  private prefixListId(endpointId: string, service: ec2.IGatewayVpcEndpointService): string {
    const name = gatewayServiceName(service);
    if (name === undefined) {
      throw new Error(
        `consumers of gateway endpoint ${endpointId} need the AWS-managed prefix list of its service, but only S3 and DynamoDB ` +
          `have gateway endpoints, got service ${service.name}; use ec2.GatewayVpcEndpointAwsService.S3 or .DYNAMODB`,
      );
    }
    const known = this.prefixListIds[name];
    if (known !== undefined) {
      return known;
    }
    if (this.guard) {
      return this.guard.prefixListIdOf(service);
    }
    const { parameter, label } = GATEWAY_SERVICES[name];
    const existing = this.node.tryFindChild(parameter) as CfnParameter | undefined;
    if (existing) {
      return existing.valueAsString;
    }
    const created = new CfnParameter(this, parameter, {
        type: 'String',
        allowedPattern: PREFIX_LIST_ID.source,
        constraintDescription: `must be the id of the region's AWS-managed ${label} prefix list (pl-…)`,
        description:
          `Id of this region's AWS-managed ${label} prefix list, the only destination of the ${this.node.path} functions' ${label} traffic: ` +
          `aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.<region>.${name} ` +
          "--query 'PrefixLists[0].PrefixListId'",
      });
    // A name the deployer can type (`--parameters NetworkDynamoDbPrefixListId=pl-…`), not a hashed path.
    created.overrideLogicalId(`${this.node.id}${parameter}`);
    return created.valueAsString;
  }

  private serviceLabel(service: ec2.IGatewayVpcEndpointService): string {
    const name = gatewayServiceName(service);
    return name ? GATEWAY_SERVICES[name].label : service.name;
  }
}

/** `s3` or `dynamodb` for a gateway-endpoint service (`com.amazonaws.<region>.<name>`), else undefined. */
function gatewayServiceName(service: ec2.IGatewayVpcEndpointService): GatewayServiceName | undefined {
  const name = service.name.split('.').pop();
  return name === 's3' || name === 'dynamodb' ? name : undefined;
}

/**
 * What is wrong with `cidr` as the CIDR block of a new {@link PrivateNetwork}, or undefined when
 * it is an aligned IPv4 network between /16 and /28. The message follows the name of the setting
 * and ends with the value it got, e.g. `must start on a /22 boundary; use "10.65.0.0/22", got "10.65.0.1/22"`.
 */
export function privateNetworkCidrProblem(cidr: string): string | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : NaN;
  if (!match || octets.some((o) => o > 255) || prefix < 16 || prefix > 28) {
    return `must be an IPv4 CIDR block between /16 and /28, e.g. "${DEFAULT_PRIVATE_NETWORK_CIDR}"`;
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) {
    const base = address - (address % size);
    const network = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256).join('.');
    return `must start on a /${prefix} boundary; use "${network}/${prefix}"`;
  }
  return undefined;
}

/** Checks that `cidr` is an aligned IPv4 network between /16 and /28. */
function validateCidr(cidr: string): void {
  const problem = privateNetworkCidrProblem(cidr);
  if (problem !== undefined) {
    throw new Error(`cidr ${problem}, got "${cidr}"`);
  }
}

/** Checks that an existing VPC's isolated subnets span at least two Availability Zones, when that is known at synthesis. */
function validateImportedSubnets(vpc: ec2.IVpc): void {
  const subnets = vpc.isolatedSubnets;
  if (subnets.length === 0) {
    throw new Error(
      `vpc ${vpc.node.path} has no isolated subnets, got isolatedSubnets []; import it with isolatedSubnetIds ` +
        '(e.g. ec2.Vpc.fromVpcAttributes with isolatedSubnetIds and isolatedSubnetRouteTableIds)',
    );
  }
  const zones = subnets.map((s) => s.availabilityZone);
  if (zones.some((z) => Token.isUnresolved(z))) {
    return;
  }
  const distinct = new Set(zones);
  if (distinct.size < 2) {
    throw new Error(
      `vpc ${vpc.node.path} must have isolated subnets in at least 2 Availability Zones so endpoints survive the loss of one zone, ` +
        `got ${distinct.size} (${[...distinct].join(', ')})`,
    );
  }
}

const SERVICE_WILDCARD = /^([a-z0-9-]+:)?\*$/i;
const ACTION = /^[a-z0-9-]+:[a-z0-9*]+$/i;

/** A readable name for a consumer in rule descriptions: its construct path, else its security groups'. */
function consumerName(consumer: ec2.IConnectable): string {
  if (Construct.isConstruct(consumer)) {
    return consumer.node.path;
  }
  return consumer.connections.securityGroups.map((sg) => sg.node.path).join(', ');
}

/**
 * Validates endpoint-policy options and builds the single statement of the endpoint policy.
 *
 * Gateway endpoints evaluate a principal ARN in `Principal` as the account root user only, so
 * for them the given principals are matched with an `aws:PrincipalArn` condition instead.
 */
function endpointStatement(
  scope: Construct,
  id: string,
  options: { readonly actions: string[]; readonly resources: string[]; readonly principals?: iam.IPrincipal[] },
  kind: 'interface' | 'gateway',
  sid = 'AllowNamedActionsOnly',
): iam.PolicyStatement {
  if (options.actions.length === 0) {
    throw new Error(`actions of endpoint ${id} must name at least one API action (e.g. "bedrock:InvokeModel"), got []`);
  }
  for (const action of options.actions) {
    if (Token.isUnresolved(action)) {
      continue;
    }
    if (SERVICE_WILDCARD.test(action)) {
      throw new Error(`actions of endpoint ${id} must not contain the wildcard "${action}"; name the actions the consumers call`);
    }
    if (!ACTION.test(action)) {
      throw new Error(`actions of endpoint ${id} must be of the form "service:Action", got "${action}"`);
    }
  }
  if (options.resources.length === 0) {
    throw new Error(`resources of endpoint ${id} must name at least one ARN (or "*" explicitly), got []`);
  }
  if (options.principals !== undefined && options.principals.length === 0) {
    throw new Error(
      `principals of endpoint ${id} must name at least one principal, got []; omit it to allow this account's principals`,
    );
  }

  const statement = new iam.PolicyStatement({
    sid,
    effect: iam.Effect.ALLOW,
    actions: options.actions,
    resources: options.resources,
  });
  if (!options.principals) {
    statement.addAnyPrincipal();
    statement.addCondition('StringEquals', { 'aws:PrincipalAccount': Stack.of(scope).account });
  } else if (kind === 'interface') {
    statement.addPrincipals(...options.principals);
  } else if (options.principals.some((p) => p instanceof iam.AnyPrincipal)) {
    // Requests signed by another account, such as pre-signed URLs handed out by an AWS service:
    // the statement's actions and resources are then the only restriction.
    statement.addAnyPrincipal();
  } else {
    statement.addAnyPrincipal();
    statement.addCondition('ArnEquals', { 'aws:PrincipalArn': options.principals.map((p, i) => principalArn(id, p, i)) });
  }
  return statement;
}

/** The IAM ARN of a plain IAM principal (role, user), for an `aws:PrincipalArn` condition. */
function principalArn(id: string, principal: iam.IPrincipal, index: number): string {
  const fragment = principal.policyFragment;
  const aws = fragment.principalJson.AWS;
  if (
    principal instanceof iam.AccountPrincipal ||
    !aws ||
    aws.length !== 1 ||
    Object.keys(fragment.principalJson).length !== 1 ||
    Object.keys(fragment.conditions).length > 0
  ) {
    throw new Error(
      `principals[${index}] of gateway endpoint ${id} must be an IAM role or user without conditions, got ${String(principal)}; ` +
        "a gateway endpoint matches principals by aws:PrincipalArn (omit principals to allow this account's principals)",
    );
  }
  return aws[0]!;
}
