/**
 * Counts the cost-bearing resources of synthesized CloudFormation templates.
 *
 * Pure: no I/O, no CDK, no prices. Everything is read from the templates, so a cost derived from the
 * inventory cannot drift from what `cdk synth` produces. A property whose value is a token the count
 * depends on (a subnet list that is not a literal array) fails loudly instead of being guessed.
 */
import type { StackTemplate, TemplateResource } from '../diagram/graph';

/** One interface VPC endpoint: billed per AZ (subnet) per hour. */
export interface InterfaceEndpoint {
  readonly stack: string;
  readonly logicalId: string;
  /** The service's short name, e.g. `bedrock-runtime`. */
  readonly service: string;
  /** Subnets = availability zones the endpoint has a network interface in. */
  readonly azs: number;
}

/** One web ACL and its rules; a managed rule group is one rule. */
export interface WebAcl {
  readonly stack: string;
  readonly logicalId: string;
  readonly rules: number;
  /** API Gateway body inspection limit above the default 16 KB, in KB; 16 when not raised. */
  readonly bodyInspectionKb: number;
}

/** A Cognito user pool and its feature plan. */
export interface UserPool {
  readonly stack: string;
  readonly logicalId: string;
  /** `LITE`, `ESSENTIALS` or `PLUS`; `ESSENTIALS` (the service default) when the template leaves it out. */
  readonly tier: 'LITE' | 'ESSENTIALS' | 'PLUS';
}

/** How a CloudWatch alarm is billed. */
export interface AlarmCount {
  readonly stack: string;
  readonly logicalId: string;
  readonly kind: 'standard' | 'high-resolution' | 'anomaly-detection';
  /** Alarm metrics billed: 1 per metric read; 3 per metric for anomaly detection. */
  readonly billedMetrics: number;
}

/** A trail and the resource types it records data events for. */
export interface Trail {
  readonly stack: string;
  readonly logicalId: string;
  readonly dataEventTypes: readonly string[];
  /** Whether the trail also delivers to a CloudWatch Logs group (then every event is ingested there too). */
  readonly cloudWatchLogs: boolean;
}

/** A Bedrock guardrail and which of its policies are billed per text unit. */
export interface Guardrail {
  readonly stack: string;
  readonly logicalId: string;
  /** Content filters with any strength other than NONE, on input and on output. */
  readonly contentFilters: { readonly input: boolean; readonly output: boolean };
  readonly deniedTopics: boolean;
  /** Managed PII entities (regular expressions are free). */
  readonly piiEntities: boolean;
  readonly contextualGrounding: boolean;
}

/** A Lambda function API Gateway invokes. */
export interface ApiFunction {
  readonly stack: string;
  readonly logicalId: string;
  readonly memoryMb: number;
  readonly architecture: 'arm64' | 'x86_64';
  readonly tracing: boolean;
}

/** The cost-bearing resources of a set of stacks. */
export interface CostInventory {
  readonly interfaceEndpoints: readonly InterfaceEndpoint[];
  readonly webAcls: readonly WebAcl[];
  readonly userPools: readonly UserPool[];
  /** GuardDuty detectors, each with its enabled features (`LAMBDA_NETWORK_LOGS`, `S3_DATA_EVENTS`…). */
  readonly detectors: readonly { readonly stack: string; readonly logicalId: string; readonly features: readonly string[] }[];
  readonly kmsKeys: readonly { readonly stack: string; readonly logicalId: string; readonly rotation: boolean }[];
  readonly alarms: readonly AlarmCount[];
  readonly compositeAlarms: number;
  readonly dashboards: number;
  /** Distinct custom metrics (namespace not `AWS/…`) the alarms read: a lower bound of what is published. */
  readonly customMetricsRead: number;
  readonly trails: readonly Trail[];
  readonly logGroups: number;
  readonly logGroupsWithDataProtection: number;
  /** The log group Bedrock model-invocation logging writes to, if this app configures it. */
  readonly invocationLogging?: { readonly stack: string; readonly dataProtection: boolean };
  readonly guardrails: readonly Guardrail[];
  readonly restApis: number;
  readonly apiFunctions: readonly ApiFunction[];
  readonly onDemandTables: number;
  /** AWS Backup selections: how many resources each names and how long its plan keeps a recovery point. */
  readonly backups: readonly { readonly stack: string; readonly logicalId: string; readonly tables: number; readonly retentionDays: number }[];
  readonly buckets: number;
  readonly flowLogs: number;
}

type Resources = Record<string, TemplateResource>;

function props(r: TemplateResource): Record<string, unknown> {
  return r.Properties ?? {};
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The logical id a `{Ref}` or `{Fn::GetAtt}` names, if `v` is one. */
function referencedId(v: unknown): string | undefined {
  if (!isObject(v)) return undefined;
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

/** `bedrock-runtime` from `com.amazonaws.<region>.bedrock-runtime`, literal or `Fn::Join`ed. */
function serviceShortName(serviceName: unknown): string {
  let text = '';
  if (typeof serviceName === 'string') text = serviceName;
  else if (isObject(serviceName) && Array.isArray(serviceName['Fn::Join'])) {
    const parts = (serviceName['Fn::Join'] as unknown[])[1];
    if (Array.isArray(parts)) text = parts.map((p) => (typeof p === 'string' ? p : '${}')).join('');
  }
  const last = text.split('.').pop();
  return last && last !== '${}' ? last : 'unknown';
}

function interfaceEndpoint(stack: string, id: string, r: TemplateResource): InterfaceEndpoint | undefined {
  const p = props(r);
  if (p.VpcEndpointType !== 'Interface') return undefined;
  const subnets = p.SubnetIds;
  if (!Array.isArray(subnets)) {
    throw new Error(
      `${stack}/${id}: interface endpoint SubnetIds is not a literal list (${JSON.stringify(subnets)}); ` +
        'the number of AZs it is billed for cannot be read from the template',
    );
  }
  return { stack, logicalId: id, service: serviceShortName(p.ServiceName), azs: subnets.length };
}

function bodyInspectionKb(p: Record<string, unknown>): number {
  const requestBody = isObject(p.AssociationConfig) ? p.AssociationConfig.RequestBody : undefined;
  let kb = 16;
  if (isObject(requestBody)) {
    for (const setting of Object.values(requestBody)) {
      const limit = isObject(setting) ? setting.DefaultSizeInspectionLimit : undefined;
      const m = typeof limit === 'string' ? /^KB_(\d+)$/.exec(limit) : null;
      if (m) kb = Math.max(kb, Number(m[1]));
    }
  }
  return kb;
}

function userPoolTier(p: Record<string, unknown>): UserPool['tier'] {
  const tier = p.UserPoolTier;
  if (tier === undefined) return 'ESSENTIALS';
  if (tier === 'LITE' || tier === 'ESSENTIALS' || tier === 'PLUS') return tier;
  throw new Error(`UserPoolTier ${JSON.stringify(tier)} is not LITE, ESSENTIALS or PLUS`);
}

interface MetricRef {
  readonly namespace: unknown;
  readonly name: unknown;
  readonly dimensions: unknown;
  readonly period: unknown;
}

/** The metrics an alarm reads (its own, or every `MetricStat` of its `Metrics`), and whether it uses an anomaly band. */
function alarmMetrics(p: Record<string, unknown>): { metrics: MetricRef[]; anomaly: boolean } {
  if (!Array.isArray(p.Metrics)) {
    return { metrics: [{ namespace: p.Namespace, name: p.MetricName, dimensions: p.Dimensions, period: p.Period }], anomaly: false };
  }
  const metrics: MetricRef[] = [];
  let anomaly = p.ThresholdMetricId !== undefined;
  for (const q of p.Metrics as unknown[]) {
    if (!isObject(q)) continue;
    if (typeof q.Expression === 'string' && q.Expression.includes('ANOMALY_DETECTION_BAND')) anomaly = true;
    const stat = q.MetricStat;
    if (isObject(stat) && isObject(stat.Metric)) {
      metrics.push({ namespace: stat.Metric.Namespace, name: stat.Metric.MetricName, dimensions: stat.Metric.Dimensions, period: stat.Period });
    }
  }
  return { metrics, anomaly };
}

function countAlarm(stack: string, id: string, r: TemplateResource, customMetrics: Set<string>): AlarmCount {
  const p = props(r);
  const { metrics, anomaly } = alarmMetrics(p);
  for (const m of metrics) {
    if (typeof m.namespace === 'string' && !m.namespace.startsWith('AWS/')) {
      const dims = Array.isArray(m.dimensions) ? [...(m.dimensions as unknown[])].map((d) => JSON.stringify(d)).sort() : [];
      customMetrics.add(JSON.stringify([m.namespace, m.name, dims]));
    }
  }
  const highResolution = metrics.some((m) => typeof m.period === 'number' && m.period < 60);
  if (anomaly) return { stack, logicalId: id, kind: 'anomaly-detection', billedMetrics: 3 * metrics.length };
  return { stack, logicalId: id, kind: highResolution ? 'high-resolution' : 'standard', billedMetrics: metrics.length };
}

/** The resource types a trail records data events for, from advanced or basic event selectors. */
function dataEventTypes(p: Record<string, unknown>): string[] {
  const types = new Set<string>();
  for (const selector of Array.isArray(p.AdvancedEventSelectors) ? (p.AdvancedEventSelectors as unknown[]) : []) {
    const fields = isObject(selector) && Array.isArray(selector.FieldSelectors) ? (selector.FieldSelectors as unknown[]).filter(isObject) : [];
    const category = fields.find((f) => f.Field === 'eventCategory');
    if (!category || !Array.isArray(category.Equals) || !category.Equals.includes('Data')) continue;
    const type = fields.find((f) => f.Field === 'resources.type');
    for (const t of type && Array.isArray(type.Equals) ? type.Equals : ['(all types)']) types.add(String(t));
  }
  for (const selector of Array.isArray(p.EventSelectors) ? (p.EventSelectors as unknown[]) : []) {
    const resources = isObject(selector) && Array.isArray(selector.DataResources) ? (selector.DataResources as unknown[]) : [];
    for (const dr of resources) if (isObject(dr) && typeof dr.Type === 'string') types.add(dr.Type);
  }
  return [...types].sort();
}

function guardrail(stack: string, id: string, r: TemplateResource): Guardrail {
  const p = props(r);
  const filters = isObject(p.ContentPolicyConfig) && Array.isArray(p.ContentPolicyConfig.FiltersConfig)
    ? (p.ContentPolicyConfig.FiltersConfig as unknown[]).filter(isObject)
    : [];
  const on = (key: string) => filters.some((f) => f[key] !== undefined && f[key] !== 'NONE');
  const listed = (policy: unknown, key: string) => isObject(policy) && Array.isArray(policy[key]) && (policy[key] as unknown[]).length > 0;
  return {
    stack,
    logicalId: id,
    contentFilters: { input: on('InputStrength'), output: on('OutputStrength') },
    deniedTopics: listed(p.TopicPolicyConfig, 'TopicsConfig'),
    piiEntities: listed(p.SensitiveInformationPolicyConfig, 'PiiEntitiesConfig'),
    contextualGrounding: listed(p.ContextualGroundingPolicyConfig, 'FiltersConfig'),
  };
}

function apiFunction(stack: string, id: string, r: TemplateResource): ApiFunction {
  const p = props(r);
  const arch = Array.isArray(p.Architectures) ? p.Architectures[0] : 'x86_64';
  return {
    stack,
    logicalId: id,
    memoryMb: typeof p.MemorySize === 'number' ? p.MemorySize : 128,
    architecture: arch === 'arm64' ? 'arm64' : 'x86_64',
    tracing: isObject(p.TracingConfig) && p.TracingConfig.Mode === 'Active',
  };
}

/** A backup selection: the resources it names, and the longest retention of its plan's rules. */
function backupSelection(stack: string, id: string, r: TemplateResource, resources: Resources): CostInventory['backups'][number] {
  const selection = props(r).BackupSelection;
  const named = isObject(selection) ? selection.Resources : undefined;
  const planId = referencedId(props(r).BackupPlanId);
  const plan = planId ? resources[planId] : undefined;
  const rules = plan && isObject(props(plan).BackupPlan) ? (props(plan).BackupPlan as Record<string, unknown>).BackupPlanRule : undefined;
  const days = Array.isArray(rules) ? rules.filter(isObject).map((rule) => (isObject(rule.Lifecycle) ? rule.Lifecycle.DeleteAfterDays : undefined)) : [];
  if (!Array.isArray(named) || days.length === 0 || days.some((d) => typeof d !== 'number')) {
    throw new Error(
      `${stack}/${id}: a backup selection needs a literal list of resources and a plan in this template whose rules all set a literal ` +
        'Lifecycle.DeleteAfterDays; the storage it is billed for cannot be read otherwise',
    );
  }
  return { stack, logicalId: id, tables: named.length, retentionDays: Math.max(...(days as number[])) };
}

/** Counts the cost-bearing resources of `stacks`. */
export function inventory(stacks: readonly StackTemplate[]): CostInventory {
  const inv = {
    interfaceEndpoints: [] as InterfaceEndpoint[],
    webAcls: [] as WebAcl[],
    userPools: [] as UserPool[],
    detectors: [] as CostInventory['detectors'][number][],
    kmsKeys: [] as CostInventory['kmsKeys'][number][],
    alarms: [] as AlarmCount[],
    compositeAlarms: 0,
    dashboards: 0,
    customMetricsRead: 0,
    trails: [] as Trail[],
    logGroups: 0,
    logGroupsWithDataProtection: 0,
    invocationLogging: undefined as CostInventory['invocationLogging'],
    guardrails: [] as Guardrail[],
    restApis: 0,
    apiFunctions: [] as ApiFunction[],
    onDemandTables: 0,
    backups: [] as CostInventory['backups'][number][],
    buckets: 0,
    flowLogs: 0,
  };
  const customMetrics = new Set<string>();

  for (const { id: stack, template } of stacks) {
    const resources: Resources = template.Resources ?? {};
    const apiFunctionIds = new Set<string>();
    for (const [id, r] of Object.entries(resources).sort(([a], [b]) => a.localeCompare(b))) {
      const p = props(r);
      switch (r.Type) {
        case 'AWS::EC2::VPCEndpoint': {
          const endpoint = interfaceEndpoint(stack, id, r);
          if (endpoint) inv.interfaceEndpoints.push(endpoint);
          break;
        }
        case 'AWS::WAFv2::WebACL':
          inv.webAcls.push({ stack, logicalId: id, rules: Array.isArray(p.Rules) ? p.Rules.length : 0, bodyInspectionKb: bodyInspectionKb(p) });
          break;
        case 'AWS::Cognito::UserPool':
          inv.userPools.push({ stack, logicalId: id, tier: userPoolTier(p) });
          break;
        case 'AWS::GuardDuty::Detector': {
          const features = Array.isArray(p.Features)
            ? (p.Features as unknown[]).filter(isObject).filter((f) => f.Status === 'ENABLED').map((f) => String(f.Name))
            : [];
          inv.detectors.push({ stack, logicalId: id, features: features.sort() });
          break;
        }
        case 'AWS::KMS::Key':
          inv.kmsKeys.push({ stack, logicalId: id, rotation: p.EnableKeyRotation === true });
          break;
        case 'AWS::CloudWatch::Alarm':
          inv.alarms.push(countAlarm(stack, id, r, customMetrics));
          break;
        case 'AWS::CloudWatch::CompositeAlarm':
          inv.compositeAlarms += 1;
          break;
        case 'AWS::CloudWatch::Dashboard':
          inv.dashboards += 1;
          break;
        case 'AWS::CloudTrail::Trail':
          inv.trails.push({ stack, logicalId: id, dataEventTypes: dataEventTypes(p), cloudWatchLogs: p.CloudWatchLogsLogGroupArn !== undefined });
          break;
        case 'AWS::Logs::LogGroup':
          inv.logGroups += 1;
          if (p.DataProtectionPolicy !== undefined) inv.logGroupsWithDataProtection += 1;
          break;
        case 'AWS::Bedrock::Guardrail':
          inv.guardrails.push(guardrail(stack, id, r));
          break;
        case 'AWS::ApiGateway::RestApi':
          inv.restApis += 1;
          break;
        case 'AWS::Lambda::Permission': {
          const fn = referencedId(p.FunctionName);
          // The request authorizer is invoked once per credential per cache TTL, not once per request: not counted here.
          const forAuthorizer = JSON.stringify(p.SourceArn ?? '').includes('/authorizers/');
          if (p.Principal === 'apigateway.amazonaws.com' && fn && !forAuthorizer) apiFunctionIds.add(fn);
          break;
        }
        case 'AWS::DynamoDB::Table':
          if (p.BillingMode === 'PAY_PER_REQUEST') inv.onDemandTables += 1;
          break;
        case 'AWS::S3::Bucket':
          inv.buckets += 1;
          break;
        case 'AWS::Backup::BackupSelection':
          inv.backups.push(backupSelection(stack, id, r, resources));
          break;
        case 'AWS::EC2::FlowLog':
          inv.flowLogs += 1;
          break;
        default:
          if (r.Type === 'Custom::BedrockModelInvocationLogging') {
            const group = referencedId(p.LogGroupName);
            const groupResource = group ? resources[group] : undefined;
            inv.invocationLogging = { stack, dataProtection: groupResource ? props(groupResource).DataProtectionPolicy !== undefined : false };
          }
      }
    }
    for (const fn of [...apiFunctionIds].sort()) {
      const r = resources[fn];
      if (r?.Type === 'AWS::Lambda::Function') inv.apiFunctions.push(apiFunction(stack, fn, r));
    }
  }
  inv.customMetricsRead = customMetrics.size;
  return inv;
}
