/**
 * Prices an inventory of cost-bearing resources with the list prices of `prices.json` and the
 * per-request assumptions of `workload.json`.
 *
 * Pure: the price table and the workload are passed in, so tests can price hand-built inventories.
 * Two kinds of cost come out:
 * - fixed monthly cost: what the deployment costs with no traffic at all (endpoint-AZ hours, web ACL
 *   and rules, keys, alarm metrics, dashboards, the custom metrics the alarms read);
 * - per-request drivers: what one more chat request adds (guardrail text units, CloudTrail data
 *   events, invocation-log ingestion, API Gateway, WAF, Lambda, X-Ray, DynamoDB). Model tokens are
 *   left out: they depend on the model, and Amazon Bedrock's own page prices them.
 */
import type { CostInventory } from './inventory';
import pricesJson from './prices.json';
import workloadJson from './workload.json';

/** How a price was checked; see `statusLegend` in prices.json. */
export type PriceStatus = 'list-page' | 'secondary' | 'unverified';

/** One list price. */
export interface Price {
  readonly usd: number;
  readonly unit: string;
  /** The page the number was read on. */
  readonly source: string;
  readonly status: PriceStatus;
}

/** The price table: every price in one region, read on one date. */
export interface PriceTable {
  readonly region: string;
  readonly currency: string;
  readonly hoursPerMonth: number;
  /** ISO date the prices were read. */
  readonly readOn: string;
  readonly prices: Readonly<Record<string, Price>>;
}

/** An assumption about one request that the templates cannot tell. */
export interface Assumption<T> {
  readonly value: T;
  /** Why this value, in one sentence. */
  readonly why: string;
}

/** The example workload and the per-request assumptions. */
export interface Workload {
  readonly example: { readonly requests: number; readonly inputChars: number; readonly outputChars: number; readonly description: string };
  readonly assumptions: {
    readonly lambdaBilledSeconds: Assumption<number>;
    readonly quotaWriteUnitsPerRequest: Assumption<number>;
    readonly dataEventsPerRequest: Assumption<Readonly<Record<string, number>>>;
    readonly cloudTrailEventBytes: Assumption<number>;
    readonly invocationLogOverheadBytes: Assumption<number>;
    /** Size of each table an AWS Backup plan selects, GB. */
    readonly backedUpTableGb: Assumption<number>;
  };
}

/** The committed price table (lib/cost/prices.json). */
export const PRICES: PriceTable = pricesJson as PriceTable;
/** The committed example workload (lib/cost/workload.json). */
export const WORKLOAD: Workload = workloadJson as Workload;

/** Bytes in a GB as AWS bills it. */
const GB = 1024 ** 3;

/** The price `id` from `table`; an unknown id is a programming error. */
export function price(table: PriceTable, id: string): Price {
  const p = table.prices[id];
  if (!p) throw new Error(`no price "${id}" in the price table`);
  return p;
}

/** One line of the fixed monthly cost. */
export interface FixedLine {
  /** Stable key, used to line configurations up in one table. */
  readonly key: string;
  readonly item: string;
  readonly quantity: number;
  /** Price of one unit for a month. */
  readonly unitMonthlyUsd: number;
  readonly monthlyUsd: number;
  /** What was counted, e.g. `Baseline bedrock ×2 AZs`. */
  readonly detail: string;
  /** The price-table ids the line uses. */
  readonly priceIds: readonly string[];
}

function countBy<T>(items: readonly T[], key: (t: T) => string): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(key(i), (counts.get(key(i)) ?? 0) + 1);
  return [...counts].map(([k, n]) => (n > 1 ? `${n} × ${k}` : k)).join(', ');
}

/** The fixed monthly cost of `inv`: what the deployment costs with no traffic. */
export function fixedMonthly(inv: CostInventory, table: PriceTable = PRICES, workload: Workload = WORKLOAD): FixedLine[] {
  const lines: FixedLine[] = [];
  const add = (key: string, item: string, quantity: number, unitMonthlyUsd: number, detail: string, priceIds: string[]) => {
    if (quantity > 0) lines.push({ key, item, quantity, unitMonthlyUsd, monthlyUsd: quantity * unitMonthlyUsd, detail, priceIds });
  };

  const endpointAzs = inv.interfaceEndpoints.reduce((n, e) => n + e.azs, 0);
  add(
    'endpoint-azs',
    'Interface endpoint-AZs',
    endpointAzs,
    price(table, 'vpc.interfaceEndpointAzHour').usd * table.hoursPerMonth,
    inv.interfaceEndpoints.map((e) => `${e.stack} ${e.service} ×${e.azs} AZ`).join(', '),
    ['vpc.interfaceEndpointAzHour'],
  );
  add('web-acls', 'WAF web ACLs', inv.webAcls.length, price(table, 'waf.webAclMonth').usd, countBy(inv.webAcls, (w) => w.stack), ['waf.webAclMonth']);
  add(
    'waf-rules',
    'WAF rules (a managed rule group is one)',
    inv.webAcls.reduce((n, w) => n + w.rules, 0),
    price(table, 'waf.ruleMonth').usd,
    inv.webAcls.map((w) => `${w.stack}: ${w.rules}`).join(', '),
    ['waf.ruleMonth'],
  );
  add(
    'kms-keys',
    'KMS customer-managed keys',
    inv.kmsKeys.length,
    price(table, 'kms.keyMonth').usd,
    `${countBy(inv.kmsKeys, (k) => k.stack)}${inv.kmsKeys.some((k) => k.rotation) ? `; a rotated key adds ${usd(price(table, 'kms.rotationMonth').usd)}/month after each of its first two rotations` : ''}`,
    ['kms.keyMonth', 'kms.rotationMonth'],
  );
  // Steady state: each selected table has one full daily copy per day of retention in the vault.
  const tableGb = workload.assumptions.backedUpTableGb.value;
  add(
    'backup-storage',
    'AWS Backup DynamoDB warm storage, GB-months (a lower bound)',
    inv.backups.reduce((n, b) => n + b.tables * b.retentionDays * tableGb, 0),
    price(table, 'backup.dynamoDbWarmGbMonth').usd,
    inv.backups.map((b) => `${b.stack} ${b.tables} tables × ${b.retentionDays} daily copies × ${tableGb} GB`).join(', '),
    ['backup.dynamoDbWarmGbMonth'],
  );
  const metrics = (kind: string) => inv.alarms.filter((a) => a.kind === kind).reduce((n, a) => n + a.billedMetrics, 0);
  const alarmsOf = (kind: string) => inv.alarms.filter((a) => a.kind === kind).length;
  add(
    'alarm-metrics',
    'CloudWatch alarm metrics, standard',
    metrics('standard'),
    price(table, 'cloudwatch.alarmMetricMonth').usd,
    `${alarmsOf('standard')} alarms`,
    ['cloudwatch.alarmMetricMonth'],
  );
  add(
    'alarm-metrics-high-resolution',
    'CloudWatch alarm metrics, high resolution',
    metrics('high-resolution'),
    price(table, 'cloudwatch.highResolutionAlarmMetricMonth').usd,
    `${alarmsOf('high-resolution')} alarms`,
    ['cloudwatch.highResolutionAlarmMetricMonth'],
  );
  add(
    'alarm-metrics-anomaly',
    'CloudWatch alarm metrics, anomaly detection',
    metrics('anomaly-detection'),
    price(table, 'cloudwatch.anomalyAlarmMetrics').usd,
    `${alarmsOf('anomaly-detection')} alarms, 3 metrics each per metric read`,
    ['cloudwatch.anomalyAlarmMetrics'],
  );
  add('composite-alarms', 'CloudWatch composite alarms', inv.compositeAlarms, price(table, 'cloudwatch.compositeAlarmMonth').usd, '', ['cloudwatch.compositeAlarmMonth']);
  add('dashboards', 'CloudWatch dashboards', inv.dashboards, price(table, 'cloudwatch.dashboardMonth').usd, '', [
    'cloudwatch.dashboardMonth',
  ]);
  add(
    'custom-metrics',
    'Custom metrics the alarms read (a lower bound: billed once published, and the function publishes more)',
    inv.customMetricsRead,
    price(table, 'cloudwatch.customMetricMonth').usd,
    '',
    ['cloudwatch.customMetricMonth'],
  );
  return lines;
}

/** What one or more requests add for one driver. */
export interface DriverLine {
  readonly key: string;
  readonly item: string;
  /** Quantity for the example's requests, in `unit`. */
  readonly quantity: number;
  readonly unit: string;
  readonly usd: number;
  readonly priceIds: readonly string[];
  /** Why the quantity is what it is, when it is not obvious. */
  readonly note?: string;
}

/** The text units a text of `chars` characters bills: one per started 1,000 characters. */
export function textUnits(chars: number): number {
  return Math.ceil(chars / 1000);
}

/**
 * The per-request cost of `requests` chat requests of `inputChars` and `outputChars` characters on
 * the deployment `inv` describes. Lines are left out when the deployment has no such resource.
 */
export function perRequest(
  inv: CostInventory,
  example: { readonly requests: number; readonly inputChars: number; readonly outputChars: number } = WORKLOAD.example,
  table: PriceTable = PRICES,
  assumptions: Workload['assumptions'] = WORKLOAD.assumptions,
): DriverLine[] {
  const n = example.requests;
  const lines: DriverLine[] = [];
  const add = (line: DriverLine) => {
    if (line.quantity > 0) lines.push(line);
  };
  const per = (id: string, quantity: number, per: number) => (quantity / per) * price(table, id).usd;

  const unitsIn = textUnits(example.inputChars);
  const unitsOut = textUnits(example.outputChars);
  for (const g of inv.guardrails) {
    const both = n * (unitsIn + unitsOut);
    const content = n * ((g.contentFilters.input ? unitsIn : 0) + (g.contentFilters.output ? unitsOut : 0));
    add({ key: 'guardrail-content', item: 'Guardrail content filters', quantity: content, unit: 'text units', usd: per('bedrock.guardrailContentFilter1kUnits', content, 1000), priceIds: ['bedrock.guardrailContentFilter1kUnits'], note: `${unitsIn} in + ${unitsOut} out per request` });
    add({ key: 'guardrail-topics', item: 'Guardrail denied topics', quantity: g.deniedTopics ? both : 0, unit: 'text units', usd: g.deniedTopics ? per('bedrock.guardrailDeniedTopics1kUnits', both, 1000) : 0, priceIds: ['bedrock.guardrailDeniedTopics1kUnits'] });
    add({ key: 'guardrail-pii', item: 'Guardrail sensitive information (PII)', quantity: g.piiEntities ? both : 0, unit: 'text units', usd: g.piiEntities ? per('bedrock.guardrailPii1kUnits', both, 1000) : 0, priceIds: ['bedrock.guardrailPii1kUnits'] });
  }
  for (const t of inv.trails) {
    const events = n * t.dataEventTypes.reduce((sum, type) => sum + (assumptions.dataEventsPerRequest.value[type] ?? 0), 0);
    add({ key: 'trail-data-events', item: 'CloudTrail data events', quantity: events, unit: 'events', usd: per('cloudtrail.dataEvents100k', events, 100_000), priceIds: ['cloudtrail.dataEvents100k'], note: `selectors: ${t.dataEventTypes.join(', ')}` });
    if (t.cloudWatchLogs) {
      const bytes = events * assumptions.cloudTrailEventBytes.value;
      add({ key: 'trail-logs', item: 'CloudTrail events ingested into CloudWatch Logs', quantity: bytes / GB, unit: 'GB', usd: per('logs.ingestGb', bytes, GB), priceIds: ['logs.ingestGb'], note: `${assumptions.cloudTrailEventBytes.value} bytes per event (assumed)` });
    }
  }
  if (inv.invocationLogging) {
    const bytes = n * (example.inputChars + example.outputChars + assumptions.invocationLogOverheadBytes.value);
    add({ key: 'invocation-logs', item: 'Model-invocation log ingestion', quantity: bytes / GB, unit: 'GB', usd: per('logs.ingestGb', bytes, GB), priceIds: ['logs.ingestGb'], note: `input + output characters + ${assumptions.invocationLogOverheadBytes.value} bytes per record (assumed)` });
    if (inv.invocationLogging.dataProtection) {
      add({ key: 'invocation-logs-protection', item: 'Model-invocation log data protection', quantity: bytes / GB, unit: 'GB', usd: per('logs.dataProtectionGb', bytes, GB), priceIds: ['logs.dataProtectionGb'] });
    }
  }
  const apiRequests = inv.restApis > 0 ? n : 0;
  add({ key: 'api-requests', item: 'API Gateway REST requests', quantity: apiRequests, unit: 'requests', usd: per('apigateway.restMillionRequests', apiRequests, 1e6), priceIds: ['apigateway.restMillionRequests'] });
  const wafRequests = n * inv.webAcls.length;
  add({ key: 'waf-requests', item: 'WAF requests inspected', quantity: wafRequests, unit: 'requests', usd: per('waf.millionRequests', wafRequests, 1e6), priceIds: ['waf.millionRequests'] });
  for (const f of inv.apiFunctions) {
    const gbSeconds = n * (f.memoryMb / 1024) * assumptions.lambdaBilledSeconds.value;
    const rate = f.architecture === 'arm64' ? 'lambda.armGbSecond' : 'lambda.x86GbSecond';
    add({ key: 'lambda-duration', item: `Lambda duration (${f.memoryMb} MB, ${f.architecture})`, quantity: gbSeconds, unit: 'GB-s', usd: per(rate, gbSeconds, 1), priceIds: [rate], note: `${assumptions.lambdaBilledSeconds.value} s billed per request (assumed)` });
    add({ key: 'lambda-requests', item: 'Lambda invocations', quantity: n, unit: 'invocations', usd: per('lambda.millionRequests', n, 1e6), priceIds: ['lambda.millionRequests'] });
    if (f.tracing) add({ key: 'xray', item: 'X-Ray traces', quantity: n, unit: 'traces', usd: per('xray.millionTraces', n, 1e6), priceIds: ['xray.millionTraces'] });
  }
  if (inv.onDemandTables > 0) {
    const wru = n * assumptions.quotaWriteUnitsPerRequest.value;
    add({ key: 'dynamodb-writes', item: 'DynamoDB on-demand writes (token quota)', quantity: wru, unit: 'write units', usd: per('dynamodb.millionWriteRequestUnits', wru, 1e6), priceIds: ['dynamodb.millionWriteRequestUnits'] });
  }
  return lines;
}

/** `$1,234.50`; under a dollar three significant digits, at least two decimals (`$0.10`, `$0.0267`). */
export function usd(x: number): string {
  if (x === 0) return '$0';
  if (x >= 1) return `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  // three significant digits: the first is at decimal place 1 - floor(log10(x))
  const decimals = Math.max(2, 2 - Math.floor(Math.log10(x)));
  return `$${x.toFixed(decimals).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
}

/** A list price exactly as the table holds it, at least two decimals (`$0.10`, `$0.0000133334`). */
export function usdExact(x: number): string {
  const decimals = x.toString().split('.')[1]?.length ?? 0;
  return `$${x.toFixed(Math.max(2, decimals))}`;
}
