import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StackTemplate, TemplateResource } from '../../lib/diagram';
import {
  COST_END,
  COST_START,
  PRICES,
  costConfigurations,
  currentCostSection,
  fixedMonthly,
  inventory,
  perRequest,
  priceConfigurations,
  renderCostSection,
  replaceCostSection,
  synthesizeConfiguration,
  usd,
  WORKLOAD,
} from '../../lib/cost';

const README = path.join(__dirname, '..', '..', 'README.md');

// The app of lib/diagram's synthesizeBlueprint turns @aws-cdk/core:validateAgainstDefaultRules off (it reads templates,
// it does not check them), so aws-cdk-lib's CloudFormation validator could only warn there; CDK_VALIDATION=false leaves
// it out, since loading it costs about ten seconds of CPU per test file. (jest gives each test file its own
// process.env.) The checks run on these configurations in test/lib/environments and test/lib/app-compliance.test.ts.
process.env.CDK_VALIDATION = 'false';

/** One hand-written stack `T`. */
function stacks(resources: Record<string, TemplateResource>): StackTemplate[] {
  return [{ id: 'T', stackName: 'T', template: { Resources: resources } }];
}

function endpoint(type: 'Interface' | 'Gateway', subnets: unknown, service = 'bedrock-runtime'): TemplateResource {
  return {
    Type: 'AWS::EC2::VPCEndpoint',
    Properties: {
      VpcEndpointType: type,
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${service}`]] },
      ...(type === 'Interface' ? { SubnetIds: subnets } : { RouteTableIds: subnets }),
    },
  };
}

function metricStat(id: string, name: string, period = 300): Record<string, unknown> {
  return { Id: id, MetricStat: { Metric: { Namespace: 'App', MetricName: name, Dimensions: [{ Name: 'service', Value: 'x' }] }, Period: period, Stat: 'Sum' }, ReturnData: false };
}

const SUBNETS = [{ Ref: 'A' }, { Ref: 'B' }, { Ref: 'C' }];

describe('cost', () => {
  describe('the committed README section', () => {
    const configs = costConfigurations();
    let section: string;
    beforeAll(() => {
      // GIVEN every configuration exactly as `cdk synth` builds it, one synthesis each
      // WHEN
      section = renderCostSection(priceConfigurations(configs.map((config) => ({ config, stacks: synthesizeConfiguration(config) }))));
    });

    test('README.md cost section matches the synthesized app', () => {
      // THEN
      const committed = currentCostSection(fs.readFileSync(README, 'utf8')) ?? '';
      if (committed !== section) {
        const a = committed.split('\n');
        const b = section.split('\n');
        const line = b.findIndex((l, i) => l !== a[i]);
        throw new Error(
          'The cost section of README.md no longer matches the synthesized app: run `npm run cost` and commit README.md.\n' +
            `first difference at line ${line + 1} of the section:\n  committed: ${a[line] ?? '(end)'}\n  generated: ${b[line] ?? '(end)'}`,
        );
      }
    });

    test('prices the default configuration and every file in config/', () => {
      const files = fs.readdirSync(path.join(__dirname, '..', '..', 'config')).filter((f) => f.endsWith('.json'));
      expect(configs.map((c) => c.name)).toEqual(['default (cdk.json)', ...files.sort().map((f) => `config/${f}`)]);
      for (const c of configs) expect(section).toContain(`| ${c.name} |`);
    });

    test('the default configuration has the gateway\'s fixed costs: endpoint-AZs, web ACL, keys, alarms', () => {
      expect(section).toMatch(/\| Interface endpoint-AZs \| .* \| \d+ → \$\d/);
      expect(section).toMatch(/\| WAF web ACLs \| .* \| 1 → \$5\.00/);
      expect(section).toMatch(/\| KMS customer-managed keys \| .* \| \d+ → \$\d/);
      expect(section).toMatch(/\| CloudWatch alarm metrics, standard \| .* \| \d+ → \$\d/);
    });
  });

  describe('interface endpoints', () => {
    test('2 interface endpoints in 3 subnets are 6 endpoint-AZs; a gateway endpoint is free', () => {
      // GIVEN
      const inv = inventory(
        stacks({
          Runtime: endpoint('Interface', SUBNETS),
          Control: endpoint('Interface', SUBNETS, 'bedrock'),
          S3: endpoint('Gateway', [{ Ref: 'RouteTable' }], 's3'),
        }),
      );
      // WHEN
      const line = fixedMonthly(inv).find((l) => l.key === 'endpoint-azs')!;
      // THEN
      expect(line.quantity).toBe(6);
      expect(line.monthlyUsd).toBeCloseTo(6 * 0.01 * 730, 6);
      expect(line.detail).toBe('T bedrock ×3 AZ, T bedrock-runtime ×3 AZ');
    });

    test('fails if an interface endpoint\'s subnets are not a literal list', () => {
      expect(() => inventory(stacks({ E: endpoint('Interface', { 'Fn::Split': [',', { Ref: 'Subnets' }] }) }))).toThrow(
        /T\/E: interface endpoint SubnetIds is not a literal list/,
      );
    });
  });

  describe('alarms', () => {
    test('a standard alarm is 1 metric, a metric-math alarm each metric it reads, an anomaly-detection alarm 3 per metric', () => {
      // GIVEN
      const inv = inventory(
        stacks({
          Plain: { Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Period: 300 } },
          Math: {
            Type: 'AWS::CloudWatch::Alarm',
            Properties: { Metrics: [{ Id: 'e', Expression: 'a + b', ReturnData: true }, metricStat('a', 'A'), metricStat('b', 'B')] },
          },
          Anomaly: {
            Type: 'AWS::CloudWatch::Alarm',
            Properties: {
              ThresholdMetricId: 'band',
              Metrics: [{ Id: 'band', Expression: 'ANOMALY_DETECTION_BAND(m, 2)' }, metricStat('m', 'A')],
            },
          },
          Fast: { Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Period: 10 } },
        }),
      );
      // WHEN
      const lines = fixedMonthly(inv);
      // THEN
      expect(inv.alarms.map((a) => [a.logicalId, a.kind, a.billedMetrics])).toEqual([
        ['Anomaly', 'anomaly-detection', 3],
        ['Fast', 'high-resolution', 1],
        ['Math', 'standard', 2],
        ['Plain', 'standard', 1],
      ]);
      expect(lines.find((l) => l.key === 'alarm-metrics')!.monthlyUsd).toBeCloseTo(0.3, 6);
      expect(lines.find((l) => l.key === 'alarm-metrics-anomaly')!.monthlyUsd).toBeCloseTo(0.3, 6);
      expect(lines.find((l) => l.key === 'alarm-metrics-high-resolution')!.monthlyUsd).toBeCloseTo(0.3, 6);
      // custom metrics App/A and App/B (the anomaly alarm reads A again); AWS/ metrics are not custom
      expect(inv.customMetricsRead).toBe(2);
    });
  });

  describe('backup', () => {
    const plan = (days: number[]): TemplateResource => ({
      Type: 'AWS::Backup::BackupPlan',
      Properties: { BackupPlan: { BackupPlanRule: days.map((d) => ({ Lifecycle: { DeleteAfterDays: d } })) } },
    });
    const selection = (resources: unknown): TemplateResource => ({
      Type: 'AWS::Backup::BackupSelection',
      Properties: { BackupPlanId: { 'Fn::GetAtt': ['Plan', 'BackupPlanId'] }, BackupSelection: { Resources: resources } },
    });

    test('2 tables kept 35 days are 70 full copies of the assumed table size', () => {
      // GIVEN
      const inv = inventory(stacks({ Plan: plan([35]), Selection: selection([{ 'Fn::GetAtt': ['A', 'Arn'] }, { 'Fn::GetAtt': ['B', 'Arn'] }]) }));
      const workload = { ...WORKLOAD, assumptions: { ...WORKLOAD.assumptions, backedUpTableGb: { value: 2, why: 'test' } } };
      // WHEN
      const line = fixedMonthly(inv, PRICES, workload).find((l) => l.key === 'backup-storage')!;
      // THEN
      expect(line.quantity).toBe(140);
      expect(line.monthlyUsd).toBeCloseTo(140 * 0.1, 6);
      expect(line.detail).toBe('T 2 tables × 35 daily copies × 2 GB');
    });

    test('fails if the selection\'s resources are not a literal list or its plan keeps no literal number of days', () => {
      expect(() => inventory(stacks({ Plan: plan([35]), Selection: selection({ Ref: 'Tables' }) }))).toThrow(/T\/Selection: a backup selection needs a literal list/);
      expect(() => inventory(stacks({ Selection: selection([]) }))).toThrow(/T\/Selection: a backup selection needs/);
    });
  });

  describe('edge and identity', () => {
    test('a web ACL costs its ACL fee and one fee per rule; a managed rule group is one rule', () => {
      const inv = inventory(
        stacks({
          Acl: {
            Type: 'AWS::WAFv2::WebACL',
            Properties: {
              Rules: [{ Name: 'Managed', Statement: { ManagedRuleGroupStatement: { Name: 'AWSManagedRulesCommonRuleSet' } } }, { Name: 'Rate' }],
              AssociationConfig: { RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_32' } } },
            },
          },
        }),
      );
      expect(inv.webAcls).toEqual([{ stack: 'T', logicalId: 'Acl', rules: 2, bodyInspectionKb: 32 }]);
      expect(fixedMonthly(inv).reduce((s, l) => s + l.monthlyUsd, 0)).toBeCloseTo(5 + 2 * 1, 6);
    });

    test('the user pool\'s feature plan is read from UserPoolTier, Essentials when the template leaves it out', () => {
      const inv = inventory(stacks({ A: { Type: 'AWS::Cognito::UserPool', Properties: { UserPoolTier: 'PLUS' } }, B: { Type: 'AWS::Cognito::UserPool' } }));
      expect(inv.userPools.map((u) => u.tier)).toEqual(['PLUS', 'ESSENTIALS']);
    });

    test('fails if UserPoolTier is not a known plan', () => {
      expect(() => inventory(stacks({ A: { Type: 'AWS::Cognito::UserPool', Properties: { UserPoolTier: 'GOLD' } } }))).toThrow(/UserPoolTier "GOLD"/);
    });

    test('only enabled GuardDuty features are listed', () => {
      const inv = inventory(
        stacks({
          D: {
            Type: 'AWS::GuardDuty::Detector',
            Properties: { Features: [{ Name: 'S3_DATA_EVENTS', Status: 'ENABLED' }, { Name: 'EKS_AUDIT_LOGS', Status: 'DISABLED' }, { Name: 'LAMBDA_NETWORK_LOGS', Status: 'ENABLED' }] },
          },
        }),
      );
      expect(inv.detectors).toEqual([{ stack: 'T', logicalId: 'D', features: ['LAMBDA_NETWORK_LOGS', 'S3_DATA_EVENTS'] }]);
    });
  });

  describe('per request', () => {
    const gateway = stacks({
      Trail: {
        Type: 'AWS::CloudTrail::Trail',
        Properties: {
          CloudWatchLogsLogGroupArn: 'arn',
          AdvancedEventSelectors: [
            { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
            { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::Lambda::Function'] }] },
          ],
        },
      },
      Guardrail: {
        Type: 'AWS::Bedrock::Guardrail',
        Properties: {
          ContentPolicyConfig: { FiltersConfig: [{ Type: 'HATE', InputStrength: 'HIGH', OutputStrength: 'NONE' }] },
          SensitiveInformationPolicyConfig: { PiiEntitiesConfig: [{ Type: 'EMAIL', Action: 'ANONYMIZE' }] },
          WordPolicyConfig: { ManagedWordListsConfig: [{ Type: 'PROFANITY' }] },
        },
      },
      Api: { Type: 'AWS::ApiGateway::RestApi' },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 512, Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } } },
      Invoke: { Type: 'AWS::Lambda::Permission', Properties: { Principal: 'apigateway.amazonaws.com', FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] } } },
    });

    test('guardrail text units: one per started 1,000 characters, on input only when only input filters are on', () => {
      // GIVEN 10 requests of 2,001 input and 500 output characters
      const lines = perRequest(inventory(gateway), { requests: 10, inputChars: 2001, outputChars: 500 });
      // THEN content filters see 3 units in (no output filter); PII sees 3 in + 1 out
      expect(lines.find((l) => l.key === 'guardrail-content')!.quantity).toBe(30);
      expect(lines.find((l) => l.key === 'guardrail-content')!.usd).toBeCloseTo((30 / 1000) * 0.15, 9);
      expect(lines.find((l) => l.key === 'guardrail-pii')!.quantity).toBe(40);
      expect(lines.find((l) => l.key === 'guardrail-topics')).toBeUndefined();
    });

    test('data events count the selectors the trail has; Lambda is priced by memory and architecture', () => {
      const lines = perRequest(inventory(gateway), { requests: 1000, inputChars: 2000, outputChars: 500 });
      expect(lines.find((l) => l.key === 'trail-data-events')).toMatchObject({ quantity: 1000, usd: expect.closeTo(0.001, 9) });
      expect(lines.find((l) => l.key === 'lambda-duration')).toMatchObject({ quantity: 1000 * 0.5 * 2, usd: expect.closeTo(1000 * 0.5 * 2 * 0.0000133334, 9) });
      expect(lines.map((l) => l.key)).toEqual(
        expect.arrayContaining(['trail-logs', 'api-requests', 'lambda-requests', 'xray']),
      );
    });

    test('a deployment without a trail, invocation logging, WAF or table has none of their drivers', () => {
      const lines = perRequest(inventory(stacks({ Api: { Type: 'AWS::ApiGateway::RestApi' } })));
      expect(lines.map((l) => l.key)).toEqual(['api-requests']);
    });
  });

  describe('price table', () => {
    test('every price has a unit, a source page and a known status; the prices are us-east-1 with a read date', () => {
      expect(PRICES.region).toBe('us-east-1');
      expect(PRICES.readOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      for (const [id, p] of Object.entries(PRICES.prices)) {
        expect([id, typeof p.usd, p.unit.length > 0, p.source.length > 0, ['list-page', 'secondary', 'unverified'].includes(p.status)]).toEqual([
          id,
          'number',
          true,
          true,
          true,
        ]);
      }
    });

    test('amounts print as dollars with cents, and small amounts with three significant digits', () => {
      expect([usd(48.6), usd(1234.5), usd(0.1), usd(0.0267), usd(0.00125), usd(0)]).toEqual(['$48.60', '$1,234.50', '$0.10', '$0.0267', '$0.00125', '$0']);
    });
  });

  describe('README markers', () => {
    test('replaces only the text between the markers', () => {
      const readme = `a\n${COST_START}\nold\n${COST_END}\nb`;
      expect(replaceCostSection(readme, `${COST_START}\nnew\n${COST_END}`)).toBe(`a\n${COST_START}\nnew\n${COST_END}\nb`);
    });

    test('fails if the README has no cost markers', () => {
      expect(() => replaceCostSection('# readme', 'x')).toThrow(/README.md has no <!-- cost:start -->/);
    });
  });
});
