/**
 * Derives an architecture graph from synthesized CloudFormation templates.
 *
 * Pure: no I/O, no CDK. Every node and edge comes from the templates, so a picture drawn from the
 * graph cannot drift from what `cdk synth` produces:
 * - meaningful resources become nodes named by their construct path (`aws:cdk:path` metadata);
 * - log groups and alarms become one counting node per stack;
 * - plumbing (IAM roles and policies, security groups and their rules, subnets, route tables,
 *   API Gateway methods, bucket and topic policies, aliases…) is collapsed into the resource it
 *   belongs to, so its references become that resource's edges;
 * - edges are `Ref`, `Fn::GetAtt` and `Fn::Sub` references between resources, except those inside
 *   `Principal`, `NotPrincipal` and `Condition` (they say who may act, not what is used), in
 *   descriptions, and in a resource's own name (`LogGroupName: /aws/lambda/${Function}`);
 * - an ARN built from a parent and a child (`…/restapis/${Api}/stages/${Stage}`) points at the child;
 * - a reference to another stack's output (`Fn::GetStackOutput`, `Fn::ImportValue`) points at the
 *   resource that output refers to;
 * - nodes that reference a VPC are drawn inside it;
 * - two external actors are added: the API's client and Amazon Bedrock behind its VPC endpoints.
 */

/** One synthesized stack. */
export interface StackTemplate {
  /** The stack's construct id: the first component of every construct path in it. */
  readonly id: string;
  /** The deployed stack name, shown as the cluster title. */
  readonly stackName: string;
  /** The CloudFormation template. */
  readonly template: CfnTemplate;
}

/** The parts of a CloudFormation template the graph reads. */
export interface CfnTemplate {
  readonly Resources?: Record<string, TemplateResource>;
  /** Outputs, read to follow cross-stack references to the resource they name. */
  readonly Outputs?: Record<string, { readonly Value?: unknown; readonly Export?: { readonly Name?: unknown } }>;
}

/** The parts of a CloudFormation resource the graph reads. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/** What a node stands for; it decides the node's colour. */
export type NodeCategory = 'compute' | 'network' | 'security' | 'storage' | 'management' | 'ai' | 'custom' | 'external' | 'other';

/** A box in the diagram. */
export interface DiagramNode {
  /** Unique, stable id: the construct path without hashes (`Gateway/Gateway/Function`), or `external:<name>`. */
  readonly id: string;
  /** Display lines, first the kind (`Lambda function`), then the construct path inside its stack. */
  readonly lines: readonly string[];
  readonly category: NodeCategory;
  /** The stack (construct id) the node is drawn in; undefined for external actors. */
  readonly stack?: string;
  /** The id of the VPC node the node is drawn inside, if any. */
  readonly vpc?: string;
}

/** How an edge is drawn. */
export type EdgeKind = 'uses' | 'encryption' | 'logs' | 'external';

/** An arrow from the resource that holds a reference to the resource it references. */
export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly label?: string;
}

/** One cluster per stack, and one nested cluster per VPC. */
export interface DiagramCluster {
  readonly id: string;
  readonly label: string;
  /** The VPC node id for a VPC cluster; undefined for a stack cluster. */
  readonly vpc?: string;
  /** The stack (construct id) the cluster belongs to. */
  readonly stack: string;
}

/** The whole graph, every list sorted. */
export interface Diagram {
  readonly clusters: readonly DiagramCluster[];
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
}

interface NodeKind {
  readonly kind: string;
  readonly category: NodeCategory;
}

/** Resource types drawn as a node of their own. Types not listed here or below are drawn too, by their type name. */
const NODE_TYPES: Record<string, NodeKind> = {
  'AWS::ApiGateway::RestApi': { kind: 'API Gateway REST API', category: 'network' },
  'AWS::ApiGateway::Stage': { kind: 'API stage', category: 'network' },
  'AWS::Bedrock::Guardrail': { kind: 'Bedrock guardrail', category: 'ai' },
  'AWS::Bedrock::GuardrailVersion': { kind: 'guardrail version', category: 'ai' },
  'AWS::CloudTrail::Trail': { kind: 'CloudTrail trail', category: 'management' },
  'AWS::CloudWatch::Dashboard': { kind: 'CloudWatch dashboard', category: 'management' },
  'AWS::Cognito::UserPool': { kind: 'Cognito user pool', category: 'security' },
  'AWS::DynamoDB::Table': { kind: 'DynamoDB table', category: 'storage' },
  'AWS::EC2::VPC': { kind: 'VPC', category: 'network' },
  'AWS::EC2::VPCEndpoint': { kind: 'VPC endpoint', category: 'network' },
  'AWS::Events::Rule': { kind: 'EventBridge rule', category: 'management' },
  'AWS::GuardDuty::Detector': { kind: 'GuardDuty detector', category: 'security' },
  'AWS::KMS::Key': { kind: 'KMS key', category: 'security' },
  'AWS::Lambda::Function': { kind: 'Lambda function', category: 'compute' },
  'AWS::S3::Bucket': { kind: 'S3 bucket', category: 'storage' },
  'AWS::SNS::Topic': { kind: 'SNS topic', category: 'management' },
  'AWS::WAFv2::WebACL': { kind: 'WAF web ACL', category: 'security' },
};

/** Resource types drawn as one counting node per stack. */
const GROUP_TYPES: Record<string, { readonly key: string; readonly noun: string; readonly category: NodeCategory }> = {
  'AWS::Logs::LogGroup': { key: 'log-groups', noun: 'log group', category: 'management' },
  'AWS::CloudWatch::Alarm': { key: 'alarms', noun: 'CloudWatch alarm', category: 'management' },
  'AWS::CloudWatch::CompositeAlarm': { key: 'alarms', noun: 'CloudWatch alarm', category: 'management' },
};

/**
 * Plumbing: collapsed into the resource it belongs to. The value names the property that references
 * the owner ("attached to"); `null` means the owner is found from who references the resource, then
 * from the construct tree.
 */
const PLUMBING_TYPES: Record<string, string | null> = {
  'AWS::ApiGateway::ApiKey': null,
  'AWS::ApiGateway::Authorizer': 'RestApiId',
  'AWS::ApiGateway::Deployment': 'RestApiId',
  'AWS::ApiGateway::GatewayResponse': 'RestApiId',
  'AWS::ApiGateway::Method': 'RestApiId',
  'AWS::ApiGateway::Model': 'RestApiId',
  'AWS::ApiGateway::RequestValidator': 'RestApiId',
  'AWS::ApiGateway::Resource': 'RestApiId',
  'AWS::ApiGateway::UsagePlan': null,
  'AWS::ApiGateway::UsagePlanKey': 'UsagePlanId',
  'AWS::Cognito::UserPoolClient': 'UserPoolId',
  'AWS::Cognito::UserPoolDomain': 'UserPoolId',
  'AWS::Cognito::UserPoolGroup': 'UserPoolId',
  'AWS::EC2::FlowLog': 'ResourceId',
  'AWS::EC2::Route': 'RouteTableId',
  'AWS::EC2::RouteTable': 'VpcId',
  'AWS::EC2::SecurityGroup': null,
  'AWS::EC2::SecurityGroupEgress': 'GroupId',
  'AWS::EC2::SecurityGroupIngress': 'GroupId',
  'AWS::EC2::Subnet': 'VpcId',
  'AWS::EC2::SubnetRouteTableAssociation': 'SubnetId',
  'AWS::IAM::ManagedPolicy': 'Roles',
  'AWS::IAM::Policy': 'Roles',
  'AWS::IAM::Role': null,
  'AWS::KMS::Alias': 'TargetKeyId',
  'AWS::Lambda::EventInvokeConfig': 'FunctionName',
  'AWS::Lambda::Version': 'FunctionName',
  'AWS::Lambda::Alias': 'FunctionName',
  'AWS::S3::BucketPolicy': 'Bucket',
  'AWS::SNS::Subscription': 'TopicArn',
  'AWS::SNS::TopicPolicy': 'Topics',
  'AWS::SQS::Queue': null,
  'AWS::SQS::QueuePolicy': 'Queues',
  'AWS::WAFv2::LoggingConfiguration': 'ResourceArn',
  'AWS::WAFv2::WebACLAssociation': 'WebACLArn',
  // CDK's own helper custom resources belong to what they configure.
  'Custom::VpcRestrictDefaultSG': null,
  'Custom::S3AutoDeleteObjects': null,
  'Custom::LogRetention': null,
};

/** Left out with their references: they add no relationship the diagram does not already show. */
const OMITTED_TYPES = new Set([
  'AWS::CDK::Metadata',
  'AWS::Lambda::Permission', // the invoker already references the function
  'AWS::Logs::ResourcePolicy', // account-wide
  'AWS::ApiGateway::Account', // account-wide
]);

/** Property keys whose references are access control, not use. */
const ACCESS_CONTROL_KEYS = new Set(['Principal', 'NotPrincipal', 'Condition']);

/**
 * True for a property that only mentions another resource in prose or in this resource's own
 * name (`AlarmDescription`, `LogGroupName` of a log group): not a relationship.
 */
function isNarrative(type: string, key: string): boolean {
  const own = type.slice(type.lastIndexOf(':') + 1);
  return key.endsWith('Description') || key === `${own}Name`;
}

const PATH_METADATA = 'aws:cdk:path';

/** The external actor calling the API. */
export const CLIENT_NODE_ID = 'external:client';
/** The external service behind the Bedrock VPC endpoints. */
export const BEDROCK_NODE_ID = 'external:bedrock';

/** One reference from a resource's properties. */
interface Reference {
  readonly target: string;
  /** The top-level property it sits under. */
  readonly property: string;
  /** Refs inside one `Fn::Join` / `Fn::Sub` share an expression number. */
  readonly expression: number;
  /** True for a security-group ingress rule's source: traffic flows from the target. */
  readonly reversed: boolean;
}

interface ResourceInfo {
  readonly stack: StackTemplate;
  readonly logicalId: string;
  readonly resource: TemplateResource;
  /** Construct path without `/Resource` and `/Default` tails and without hashes. */
  readonly scope: string;
  readonly refs: readonly Reference[];
  readonly role: 'node' | 'group' | 'plumbing' | 'omitted';
}

/**
 * The construct path of a resource without the trailing `Resource`/`Default` ids that L2 constructs
 * add, without repeated ids (`Key/Key` → `Key`), and without content hashes
 * (`Versionc65fce628b2e` → `Version`), so the name stays put when the content changes.
 */
export function scopeOf(path: string): string {
  const parts = path.split('/').map((p) => p.replace(/[0-9a-f]*[0-9][0-9a-f]*$/, (h) => (h.length >= 8 ? '' : h)));
  while (parts.length > 1 && (parts[parts.length - 1] === 'Resource' || parts[parts.length - 1] === 'Default')) {
    parts.pop();
  }
  // Repeats below the stack's first level (`Key/Key`) say nothing; `Gateway/Gateway` (stack, construct) does.
  return parts.filter((p, i) => i < 2 || p !== parts[i - 1]).join('/');
}

/** Every reference from a resource's properties to a resource in `resources`, with where it sits. */
function referencesOf(type: string, properties: Record<string, unknown> | undefined, resources: ReadonlySet<string>): Reference[] {
  const out: Reference[] = [];
  let expressions = 0;
  // Refs inside one Fn::Join / Fn::Sub share their expression's number; any other ref has its own.
  const add = (target: string, property: string, expression: number | undefined): void => {
    if (resources.has(target)) {
      const reversed = type === 'AWS::EC2::SecurityGroupIngress' && property === 'SourceSecurityGroupId';
      out.push({ target, property, expression: expression ?? ++expressions, reversed });
    }
  };
  const walk = (value: unknown, property: string, expression: number | undefined): void => {
    if (Array.isArray(value)) {
      value.forEach((v) => walk(v, property, expression));
      return;
    }
    if (value === null || typeof value !== 'object') {
      return;
    }
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = obj[key];
      if (key === 'Ref' && typeof arg === 'string') {
        add(arg, property, expression);
        return;
      }
      if (key === 'Fn::GetAtt') {
        const [target, attribute] = Array.isArray(arg) ? [arg[0], arg[1]] : typeof arg === 'string' ? arg.split('.') : [];
        // A VPC's default security group is what the network guard strips, not a place in the VPC: a reference to it
        // would draw the guard (which runs outside the VPC) inside the VPC's cluster.
        if (typeof target === 'string' && attribute !== 'DefaultSecurityGroup') {
          add(target, property, expression);
        }
        return;
      }
      if (key === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
        const own = ++expressions;
        const local = new Set(vars && typeof vars === 'object' ? Object.keys(vars) : []);
        if (typeof text === 'string') {
          for (const m of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
            const name = m[1]!.split('.')[0]!;
            if (!local.has(name)) {
              add(name, property, own);
            }
          }
        }
        walk(vars, property, own);
        return;
      }
      if (key === 'Fn::Join') {
        walk(arg, property, ++expressions);
        return;
      }
    }
    for (const key of keys) {
      if (!ACCESS_CONTROL_KEYS.has(key) && !key.endsWith('Description')) {
        walk(obj[key], property, expression);
      }
    }
  };
  for (const [property, value] of Object.entries(properties ?? {})) {
    if (!isNarrative(type, property)) {
      walk(value, property, undefined);
    }
  }
  return out;
}

/**
 * The outputs other stacks read, by `GetStackOutput` key (`<stack name>\u0000<output name>`) and by
 * export name (`export\u0000<name>`), each with the stack and logical id of the resource it refers to.
 */
function crossStackTargets(stacks: readonly StackTemplate[]): Map<string, { stack: string; logicalId: string }> {
  const out = new Map<string, { stack: string; logicalId: string }>();
  for (const stack of stacks) {
    const logicalIds = new Set(Object.keys(stack.template.Resources ?? {}));
    for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
      const [ref] = referencesOf('AWS::CloudFormation::Output', { Value: output.Value }, logicalIds);
      if (ref) {
        const target = { stack: stack.id, logicalId: ref.target };
        out.set(`${stack.stackName}\u0000${name}`, target);
        if (typeof output.Export?.Name === 'string') {
          out.set(`export\u0000${output.Export.Name}`, target);
        }
      }
    }
  }
  return out;
}

/** The keys (as {@link crossStackTargets} makes them) of every other stack's output a resource's properties read. */
function crossStackReferencesOf(properties: Record<string, unknown> | undefined): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(walk);
      return;
    }
    if (value === null || typeof value !== 'object') {
      return;
    }
    const obj = value as Record<string, unknown>;
    const stackOutput = obj['Fn::GetStackOutput'] as { StackName?: unknown; OutputName?: unknown } | undefined;
    if (typeof stackOutput?.StackName === 'string' && typeof stackOutput.OutputName === 'string') {
      out.push(`${stackOutput.StackName}\u0000${stackOutput.OutputName}`);
      return;
    }
    if (typeof obj['Fn::ImportValue'] === 'string') {
      out.push(`export\u0000${obj['Fn::ImportValue']}`);
      return;
    }
    for (const [key, v] of Object.entries(obj)) {
      if (!ACCESS_CONTROL_KEYS.has(key) && !key.endsWith('Description')) {
        walk(v);
      }
    }
  };
  walk(properties);
  return out;
}

/** True for the Lambda functions CDK itself deploys to back its helper custom resources. */
function isCdkProviderFunction(path: string): boolean {
  return path.split('/').some((p) => p.startsWith('Custom::') || /^AWS[0-9a-f]{32}$/.test(p) || /^LogRetention[0-9a-f]{32}$/.test(p));
}

function roleOf(type: string, path: string): ResourceInfo['role'] {
  if (OMITTED_TYPES.has(type)) {
    return 'omitted';
  }
  if (type in GROUP_TYPES) {
    return 'group';
  }
  if (type in PLUMBING_TYPES || (type === 'AWS::Lambda::Function' && isCdkProviderFunction(path))) {
    return 'plumbing';
  }
  return 'node';
}

/** The service of a VPC endpoint (`bedrock-runtime`), from the literal tail of its `ServiceName`. */
function endpointService(properties: Record<string, unknown> | undefined): string {
  const name = properties?.ServiceName;
  let literal: unknown = name;
  if (name && typeof name === 'object' && 'Fn::Join' in name) {
    const parts = (name as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    literal = parts[parts.length - 1];
  }
  return typeof literal === 'string' ? literal.slice(literal.lastIndexOf('.') + 1) : '?';
}

function nodeLines(info: ResourceInfo, label: string): string[] {
  const { Type: type, Properties: props } = info.resource;
  const known = NODE_TYPES[type];
  let kind = known?.kind ?? type.replace(/^AWS::/, '');
  if (type === 'AWS::ApiGateway::Stage' && typeof props?.StageName === 'string') {
    kind += ` "${props.StageName}"`;
  }
  if (type === 'AWS::EC2::VPCEndpoint') {
    const endpointType = typeof props?.VpcEndpointType === 'string' ? props.VpcEndpointType.toLowerCase() : 'gateway';
    kind += ` ${endpointService(props)} (${endpointType})`;
  }
  if (type === 'AWS::KMS::Key' && props?.EnableKeyRotation === true) {
    kind += ' (rotation)';
  }
  return [kind, label];
}

function categoryOf(type: string): NodeCategory {
  return NODE_TYPES[type]?.category ?? (type.startsWith('Custom::') ? 'custom' : 'other');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Derives the architecture graph of `stacks`. Resources without `aws:cdk:path` metadata are named
 * by their logical id (synthesize with the `aws:cdk:enable-path-metadata` context set to get paths).
 */
export function deriveDiagram(stacks: readonly StackTemplate[]): Diagram {
  const sortedStacks = [...stacks].sort((a, b) => compare(a.id, b.id));
  const nodes = new Map<string, DiagramNode>();
  const edges = new Map<string, DiagramEdge>();
  const clusters: DiagramCluster[] = [];
  const stages: string[] = [];
  const webAcls: string[] = [];
  const bedrockEndpoints: string[] = [];
  const outputs = crossStackTargets(sortedStacks);
  // Per stack: each resource's node, and its type; cross-stack edges are drawn once every stack has its nodes.
  const representatives = new Map<string, { representative: Map<string, string>; infos: Map<string, ResourceInfo> }>();
  const crossStack: Array<{ from: string; key: string }> = [];

  for (const stack of sortedStacks) {
    const resources = stack.template.Resources ?? {};
    const logicalIds = new Set(Object.keys(resources));
    const infos = new Map<string, ResourceInfo>();
    for (const logicalId of [...logicalIds].sort(compare)) {
      const resource = resources[logicalId]!;
      const path = typeof resource.Metadata?.[PATH_METADATA] === 'string' ? (resource.Metadata[PATH_METADATA] as string) : `${stack.id}/${logicalId}`;
      infos.set(logicalId, {
        stack,
        logicalId,
        resource,
        scope: scopeOf(path),
        refs: referencesOf(resource.Type, resource.Properties, logicalIds),
        role: roleOf(resource.Type, path),
      });
    }

    // Node ids: the scope, made unique in logical-id order should two resources share one.
    const nodeIdOf = new Map<string, string>();
    const taken = new Set<string>();
    for (const info of infos.values()) {
      if (info.role === 'group') {
        nodeIdOf.set(info.logicalId, `${stack.id}/${GROUP_TYPES[info.resource.Type]!.key}`);
      } else if (info.role === 'node') {
        let id = info.scope;
        for (let n = 2; taken.has(id); n++) {
          id = `${info.scope}#${n}`;
        }
        taken.add(id);
        nodeIdOf.set(info.logicalId, id);
      }
    }

    const representative = resolveRepresentatives(infos, nodeIdOf);
    representatives.set(stack.id, { representative, infos });

    // Nodes.
    const groups = new Map<string, ResourceInfo[]>();
    for (const info of infos.values()) {
      const id = nodeIdOf.get(info.logicalId);
      if (info.role === 'node' && id) {
        const label = id.startsWith(`${stack.id}/`) ? id.slice(stack.id.length + 1) : id;
        nodes.set(id, { id, lines: nodeLines(info, label), category: categoryOf(info.resource.Type), stack: stack.id });
        if (info.resource.Type === 'AWS::ApiGateway::Stage') {
          stages.push(id);
        } else if (info.resource.Type === 'AWS::WAFv2::WebACL') {
          webAcls.push(id);
        } else if (info.resource.Type === 'AWS::EC2::VPCEndpoint' && endpointService(info.resource.Properties).startsWith('bedrock')) {
          bedrockEndpoints.push(id);
        }
      } else if (info.role === 'group' && id) {
        groups.set(id, [...(groups.get(id) ?? []), info]);
      }
    }
    for (const [id, members] of groups) {
      nodes.set(id, { id, lines: groupLines(members), category: GROUP_TYPES[members[0]!.resource.Type]!.category, stack: stack.id });
    }

    // Edges: each reference, from its holder's representative to its target's.
    for (const info of infos.values()) {
      const from = representative.get(info.logicalId);
      if (!from) {
        continue;
      }
      for (const ref of withoutParentReferences(info.refs, infos)) {
        const to = representative.get(ref.target);
        if (!to || to === from) {
          continue;
        }
        const [a, b] = ref.reversed ? [to, from] : [from, to];
        const targetType = ref.reversed ? info.resource.Type : infos.get(ref.target)!.resource.Type;
        const kind: EdgeKind = targetType === 'AWS::KMS::Key' ? 'encryption' : targetType === 'AWS::Logs::LogGroup' ? 'logs' : 'uses';
        edges.set(`${a}\u0000${b}`, { from: a, to: b, kind });
      }
      for (const key of crossStackReferencesOf(info.resource.Properties)) {
        crossStack.push({ from, key });
      }
    }

    // Clusters: the stack, and inside it each VPC with every node that references it.
    clusters.push({ id: stack.id, label: stack.stackName, stack: stack.id });
    for (const info of infos.values()) {
      if (info.role !== 'node' || info.resource.Type !== 'AWS::EC2::VPC') {
        continue;
      }
      const vpc = nodeIdOf.get(info.logicalId)!;
      const subnets = [...infos.values()].filter((i) => i.resource.Type === 'AWS::EC2::Subnet' && representative.get(i.logicalId) === vpc).length;
      const internet = [...infos.values()].some((i) =>
        ['AWS::EC2::InternetGateway', 'AWS::EC2::NatGateway', 'AWS::EC2::EgressOnlyInternetGateway'].includes(i.resource.Type),
      );
      clusters.push({
        id: `${vpc}:cluster`,
        label: `${plural(subnets, 'subnet')}, ${internet ? 'internet gateway or NAT present' : 'no internet gateway, no NAT'}`,
        vpc,
        stack: stack.id,
      });
      for (const [key, edge] of edges) {
        if (edge.to === vpc && nodes.get(edge.from)?.stack === stack.id) {
          nodes.set(edge.from, { ...nodes.get(edge.from)!, vpc });
          edges.delete(key);
        }
      }
      nodes.set(vpc, { ...nodes.get(vpc)!, vpc });
    }
  }

  for (const { from, key } of crossStack) {
    const target = outputs.get(key);
    const other = target && representatives.get(target.stack);
    const to = target && other?.representative.get(target.logicalId);
    if (to && to !== from) {
      const targetType = other!.infos.get(target.logicalId)!.resource.Type;
      const kind: EdgeKind = targetType === 'AWS::KMS::Key' ? 'encryption' : targetType === 'AWS::Logs::LogGroup' ? 'logs' : 'uses';
      edges.set(`${from}\u0000${to}`, { from, to, kind });
    }
  }

  addExternalActors(nodes, edges, stages, webAcls, bedrockEndpoints);

  return {
    clusters: clusters.sort((a, b) => compare(a.id, b.id)),
    nodes: [...nodes.values()].sort((a, b) => compare(a.id, b.id)),
    edges: [...edges.values()].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to)),
  };
}

/** The label of a counting node, e.g. `5 log groups (KMS)` / `2 with data protection`. */
function groupLines(members: ResourceInfo[]): string[] {
  const group = GROUP_TYPES[members[0]!.resource.Type]!;
  const lines = [plural(members.length, group.noun)];
  if (group.key === 'log-groups') {
    const encrypted = members.filter((m) => m.resource.Properties?.KmsKeyId !== undefined).length;
    lines[0] += encrypted === members.length ? ' (KMS)' : ` (${encrypted} with KMS)`;
    const protectedCount = members.filter((m) => m.resource.Properties?.DataProtectionPolicy !== undefined).length;
    if (protectedCount > 0) {
      lines.push(`${protectedCount} with data protection`);
    }
  }
  return lines;
}

/**
 * A reference inside an ARN built from several resources (`…/restapis/${Api}/stages/${Stage}`)
 * names the parent only to qualify the child: keep the child alone.
 */
function withoutParentReferences(refs: readonly Reference[], infos: ReadonlyMap<string, ResourceInfo>): Reference[] {
  return refs.filter(
    (ref) =>
      !refs.some(
        (other) =>
          other !== ref &&
          other.expression === ref.expression &&
          other.target !== ref.target &&
          infos.get(other.target)!.refs.some((r) => r.target === ref.target),
      ),
  );
}

/**
 * The node id each resource is drawn as: nodes and groups themselves; plumbing as its owner, found
 * in order from (1) its "attached to" property, (2) the one resource that references it, (3) the
 * nearest enclosing construct that is a node, (4) the first of several referencing resources.
 * Plumbing with no owner (and omitted types) has no representative: it and its references vanish.
 */
function resolveRepresentatives(infos: ReadonlyMap<string, ResourceInfo>, nodeIdOf: ReadonlyMap<string, string>): Map<string, string> {
  const result = new Map<string, string | undefined>();
  const referrers = new Map<string, string[]>();
  for (const info of infos.values()) {
    // An attachment (policy, rule, alias…) references its owner; that does not make it the owner's owner.
    if (info.role === 'omitted' || (info.role === 'plumbing' && PLUMBING_TYPES[info.resource.Type])) {
      continue;
    }
    for (const target of new Set(info.refs.map((r) => r.target))) {
      referrers.set(target, [...(referrers.get(target) ?? []), info.logicalId]);
    }
  }
  const nodeScopes = [...infos.values()].filter((i) => i.role === 'node').sort((a, b) => b.scope.length - a.scope.length || compare(a.scope, b.scope));

  const resolve = (logicalId: string, visiting: Set<string>): string | undefined => {
    if (result.has(logicalId)) {
      return result.get(logicalId);
    }
    const info = infos.get(logicalId)!;
    if (info.role !== 'plumbing') {
      return nodeIdOf.get(logicalId);
    }
    if (visiting.has(logicalId)) {
      return undefined;
    }
    visiting.add(logicalId);
    const viaOthers = (ids: string[]): string[] =>
      [...new Set(ids.map((id) => resolve(id, visiting)).filter((id): id is string => id !== undefined))].sort(compare);

    let owner: string | undefined;
    const attachedTo = PLUMBING_TYPES[info.resource.Type];
    if (attachedTo) {
      owner = viaOthers(info.refs.filter((r) => r.property === attachedTo).map((r) => r.target))[0];
    } else {
      const byReferrer = viaOthers(referrers.get(logicalId) ?? []);
      const enclosing = nodeScopes.find((n) => info.scope.startsWith(`${n.scope}/`));
      owner = byReferrer.length === 1 ? byReferrer[0] : enclosing ? nodeIdOf.get(enclosing.logicalId) : byReferrer[0];
    }
    visiting.delete(logicalId);
    result.set(logicalId, owner);
    return owner;
  };

  const out = new Map<string, string>();
  for (const logicalId of infos.keys()) {
    const rep = resolve(logicalId, new Set());
    if (rep) {
      out.set(logicalId, rep);
    }
  }
  return out;
}

/** The client in front of every API stage, and Amazon Bedrock behind every Bedrock VPC endpoint. */
function addExternalActors(
  nodes: Map<string, DiagramNode>,
  edges: Map<string, DiagramEdge>,
  stages: string[],
  webAcls: string[],
  bedrockEndpoints: string[],
): void {
  if (stages.length > 0) {
    nodes.set(CLIENT_NODE_ID, { id: CLIENT_NODE_ID, lines: ['client', '(OpenAI SDK)'], category: 'external' });
    for (const stage of stages) {
      // Requests reach a stage through the web ACL associated with it, if there is one.
      const fronts = webAcls.filter((acl) => edges.has(`${acl}\u0000${stage}`));
      for (const to of fronts.length > 0 ? fronts : [stage]) {
        edges.set(`${CLIENT_NODE_ID}\u0000${to}`, { from: CLIENT_NODE_ID, to, kind: 'external', label: 'HTTPS' });
      }
    }
  }
  if (bedrockEndpoints.length > 0) {
    nodes.set(BEDROCK_NODE_ID, { id: BEDROCK_NODE_ID, lines: ['Amazon Bedrock'], category: 'external' });
    for (const endpoint of bedrockEndpoints) {
      edges.set(`${endpoint}\u0000${BEDROCK_NODE_ID}`, { from: endpoint, to: BEDROCK_NODE_ID, kind: 'external', label: 'PrivateLink' });
    }
  }
}
