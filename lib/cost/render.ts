/**
 * Renders the README's cost section from priced inventories, one column per configuration.
 */
import type { CostInventory } from './inventory';
import { DriverLine, FixedLine, PRICES, PriceTable, WORKLOAD, Workload, fixedMonthly, perRequest, price, usd, usdExact } from './estimate';

/** The markers around the generated section in README.md. */
export const COST_START = '<!-- cost:start -->';
export const COST_END = '<!-- cost:end -->';

/** One configuration's inventory, named as the README shows it. */
export interface PricedConfiguration {
  /** e.g. `default (cdk.json)` or `config/org-managed.json`. */
  readonly name: string;
  readonly inventory: CostInventory;
}

function money(x: number): string {
  return x > 0 && x < 0.0001 ? '< $0.0001' : usd(x);
}

function count(x: number): string {
  return Number.isInteger(x) ? x.toLocaleString('en-US') : Number(x.toPrecision(3)).toString();
}

function unitPrice(table: PriceTable, id: string): string {
  const p = price(table, id);
  const mark = p.status === 'list-page' ? '' : p.status === 'secondary' ? '¹' : '²';
  return `${usdExact(p.usd)}${mark} per ${p.unit}`;
}

/** Rows keyed by `key` in first-seen order over all configurations. */
function rowKeys<T extends { key: string }>(columns: readonly (readonly T[])[]): string[] {
  const keys: string[] = [];
  for (const col of columns) for (const line of col) if (!keys.includes(line.key)) keys.push(line.key);
  return keys;
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function fixedSection(configs: readonly PricedConfiguration[], prices: PriceTable, workload: Workload): string[] {
  const columns = configs.map((c) => fixedMonthly(c.inventory, prices, workload));
  const first = (key: string): FixedLine => columns.flat().find((l) => l.key === key)!;
  const rows = rowKeys(columns).map((key) => {
    const line = first(key);
    return [
      line.item,
      line.priceIds.length === 1 && line.key === 'endpoint-azs'
        ? `${usd(line.unitMonthlyUsd)} (${unitPrice(prices, line.priceIds[0]!)} × ${prices.hoursPerMonth} h)`
        : unitPrice(prices, line.priceIds[0]!),
      ...columns.map((col) => {
        const l = col.find((x) => x.key === key);
        return l ? `${count(l.quantity)} → ${usd(l.monthlyUsd)}` : '—';
      }),
    ];
  });
  rows.push(['**Total per month**', '', ...columns.map((col) => `**${usd(col.reduce((s, l) => s + l.monthlyUsd, 0))}**`)]);
  const details = configs.map((c, i) => {
    const text = columns[i]!.filter((l) => l.detail).map((l) => `${l.item.split(' (')[0]!.toLowerCase()}: ${l.detail}`).join('; ');
    const same = configs.findIndex((_, j) => j < i && columns[j]!.filter((l) => l.detail).map((l) => `${l.key}=${l.detail}`).join() === columns[i]!.filter((l) => l.detail).map((l) => `${l.key}=${l.detail}`).join());
    return same >= 0 ? `- ${c.name}: as ${configs[same]!.name}.` : `- ${c.name}: ${text}.`;
  });
  const backup = workload.assumptions.backedUpTableGb;
  const backupNote = columns.some((col) => col.some((l) => l.key === 'backup-storage'))
    ? ['', `AWS Backup storage assumes ${backup.value} GB per backed-up table: ${backup.why}.`]
    : [];
  return [...table(['', 'unit price', ...configs.map((c) => c.name)], rows), '', 'Counted:', '', ...details, ...backupNote];
}

function usageSection(configs: readonly PricedConfiguration[], prices: PriceTable): string[] {
  const p = (id: string) => unitPrice(prices, id);
  const tiers = [...new Set(configs.flatMap((c) => c.inventory.userPools.map((u) => u.tier)))].sort();
  const tierPrice = { LITE: 'cognito.liteMau', ESSENTIALS: 'cognito.essentialsMau', PLUS: 'cognito.plusMau' } as const;
  const n = (x: number, one: string, many: string) => (x ? `${x} ${x === 1 ? one : many}` : '');
  const rows: [string, string, (inv: CostInventory) => string][] = [
    [
      'Cognito user pools',
      tiers.map((t) => p(tierPrice[t])).join('; '),
      (inv) => inv.userPools.map((u) => `${u.tier} plan`).join(', '),
    ],
    [
      'GuardDuty detectors',
      `${p('guardduty.cloudTrailMillionEvents')}; ${p('guardduty.flowDnsGb')}; ${p('guardduty.lambdaNetworkGb')}; ${p('guardduty.s3MillionDataEvents')}`,
      (inv) => inv.detectors.map((d) => `1 with ${d.features.join(', ') || 'no features'}`).join('; '),
    ],
    [
      'CloudTrail trails with data events',
      p('cloudtrail.dataEvents100k'),
      (inv) => inv.trails.filter((t) => t.dataEventTypes.length > 0).map((t) => t.dataEventTypes.join(', ')).join('; '),
    ],
    [
      'Log groups',
      `${p('logs.ingestGb')}; ${p('logs.storageGbMonth')}; ${p('logs.dataProtectionGb')}`,
      (inv) => (inv.logGroups ? `${inv.logGroups} (${inv.logGroupsWithDataProtection} with data protection)` : ''),
    ],
    ['VPC flow logs to CloudWatch Logs', p('logs.vendedGb'), (inv) => n(inv.flowLogs, 'flow log', 'flow logs')],
    ['S3 buckets', p('s3.standardGbMonth'), (inv) => n(inv.buckets, 'bucket', 'buckets')],
    ['Interface endpoint traffic', p('vpc.interfaceEndpointGb'), (inv) => n(inv.interfaceEndpoints.length, 'endpoint', 'endpoints')],
    ['KMS requests', p('kms.tenThousandRequests'), (inv) => n(inv.kmsKeys.length, 'key', 'keys')],
  ];
  return [
    ...table(
      ['', 'unit price', ...configs.map((c) => c.name)],
      rows.map(([item, unit, cell]) => [item, unit, ...configs.map((c) => cell(c.inventory) || '—')]),
    ),
    '',
    'A part marked "managed externally" (trail, detector) is not in the templates and not counted here, but still billed: on the',
    'account or organization that runs it.',
  ];
}

function requestSection(configs: readonly PricedConfiguration[], prices: PriceTable, workload: Workload): string[] {
  const columns = configs.map((c) => perRequest(c.inventory, workload.example, prices, workload.assumptions));
  const first = (key: string): DriverLine => columns.flat().find((l) => l.key === key)!;
  const rows = rowKeys(columns).map((key) => {
    const line = first(key);
    return [
      line.note ? `${line.item} (${line.note})` : line.item,
      unitPrice(prices, line.priceIds[0]!),
      ...columns.map((col) => {
        const l = col.find((x) => x.key === key);
        return l ? `${count(l.quantity)} ${l.unit} → ${money(l.usd)}` : '—';
      }),
    ];
  });
  rows.push([`**Total per ${workload.example.requests.toLocaleString('en-US')} requests**`, '', ...columns.map((col) => `**${money(col.reduce((s, l) => s + l.usd, 0))}**`)]);
  const a = workload.assumptions;
  return [
    `Worked example: ${workload.example.description}. Model tokens are **not** included: they depend on`,
    'the model and are priced on the Amazon Bedrock pricing page.',
    '',
    ...table(['driver', 'unit price', ...configs.map((c) => c.name)], rows),
    '',
    'Assumptions the templates cannot tell (`lib/cost/workload.json`):',
    '',
    `- Lambda billed duration ${a.lambdaBilledSeconds.value} s: ${a.lambdaBilledSeconds.why}.`,
    `- DynamoDB ${a.quotaWriteUnitsPerRequest.value} write units per request: ${a.quotaWriteUnitsPerRequest.why}.`,
    `- CloudTrail data events per request by selector (${Object.entries(a.dataEventsPerRequest.value).map(([t, n]) => `${t}: ${n}`).join(', ')}): ${a.dataEventsPerRequest.why}.`,
    `- ${a.cloudTrailEventBytes.value} bytes per CloudTrail event in CloudWatch Logs: ${a.cloudTrailEventBytes.why}.`,
    `- ${a.invocationLogOverheadBytes.value} bytes of invocation-log overhead: ${a.invocationLogOverheadBytes.why}.`,
    '- Guardrail contextual grounding is billed only for requests that carry a grounding source; the gateway sends none, so it adds nothing here. Word filters and regular expressions are free.',
    '',
    'Not counted per request: the function\'s, access and WAF log lines (size depends on your log level and headers), interface-endpoint',
    'traffic (a few KB per request), KMS requests (the services cache data keys), GuardDuty analysis of flow and Lambda network logs, storage.',
  ];
}

/** The README section (between and including the markers) for `configs`. */
export function renderCostSection(
  configs: readonly PricedConfiguration[],
  prices: PriceTable = PRICES,
  workload: Workload = WORKLOAD,
): string {
  return [
    COST_START,
    '<!-- Generated by `npm run cost` from the synthesized templates, lib/cost/prices.json and lib/cost/workload.json; do not edit by hand. -->',
    '## Cost',
    '',
    `Generated from the synthesized templates of each configuration (\`npm run cost\`; a test fails when this`,
    `section no longer matches the app). List prices for ${prices.region} in ${prices.currency}, read ${prices.readOn}, before free tiers,`,
    `discounts and tax; ${prices.hoursPerMonth} hours a month. \`lib/cost/prices.json\` names the page each price was read on. Unmarked prices were`,
    'read on an AWS page; ¹ only on a third-party page quoting AWS; ² could not be checked and are the rate we last knew.',
    'Other regions differ.',
    '',
    '### Fixed monthly cost (no traffic)',
    '',
    ...fixedSection(configs, prices, workload),
    '',
    '### Billed only with use',
    '',
    ...usageSection(configs, prices),
    '',
    '### Per request',
    '',
    ...requestSection(configs, prices, workload),
    COST_END,
  ].join('\n');
}

/** `readme` with the text between the cost markers replaced by `section`. */
export function replaceCostSection(readme: string, section: string): string {
  const start = readme.indexOf(COST_START);
  const end = readme.indexOf(COST_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${COST_START} … ${COST_END} section`);
  return readme.slice(0, start) + section + readme.slice(end + COST_END.length);
}

/** The cost section currently in `readme`, markers included, or undefined. */
export function currentCostSection(readme: string): string | undefined {
  const start = readme.indexOf(COST_START);
  const end = readme.indexOf(COST_END);
  return start < 0 || end < start ? undefined : readme.slice(start, end + COST_END.length);
}
