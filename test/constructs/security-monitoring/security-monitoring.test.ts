import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  AlertTopic,
  InferenceGateway,
  ModelGuardrail,
  PrivateNetwork,
  SecurityMonitoring,
  SecurityMonitoringProps,
} from '../../../constructs';
import { SERVICE_NAME } from '../../../lambda/gateway/audit';
import { formatFindings, newConstructTestApp, synthWithCompliance } from '../../helpers/compliance';

type Resource = { Type: string; Properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The construct id of every alarm created by default, and the metric it must read. */
const DEFAULT_ALARMS: Record<string, { namespace: string; metricName: string; dimensions?: Record<string, unknown> }> = {
  GuardrailInterventionRate: { namespace: 'AWS/Bedrock/Guardrails', metricName: 'InvocationsIntervened' },
  GuardrailInterventionSpike: { namespace: 'AWS/Bedrock/Guardrails', metricName: 'InvocationsIntervened' },
  CanaryLeak: { namespace: 'SecureLlmGateway', metricName: 'Blocked', dimensions: { service: SERVICE_NAME, Reason: 'canary_leak' } },
  InputScreenBlocks: { namespace: 'SecureLlmGateway', metricName: 'Blocked', dimensions: { service: SERVICE_NAME, Reason: 'input_screen' } },
  GuardrailBlocks: { namespace: 'SecureLlmGateway', metricName: 'Blocked', dimensions: { service: SERVICE_NAME, Reason: 'guardrail_input' } },
  OutputScreenBlocks: { namespace: 'SecureLlmGateway', metricName: 'Blocked', dimensions: { service: SERVICE_NAME, Reason: 'output_screen' } },
  ToolCallBlocks: { namespace: 'SecureLlmGateway', metricName: 'Blocked', dimensions: { service: SERVICE_NAME, Reason: 'tool_call' } },
  QuotaRejections: { namespace: 'SecureLlmGateway', metricName: 'Blocked', dimensions: { service: SERVICE_NAME, Reason: 'quota' } },
  BudgetAlerts: { namespace: 'SecureLlmGateway', metricName: 'BudgetAlert', dimensions: { service: SERVICE_NAME } },
  Api5xx: { namespace: 'AWS/ApiGateway', metricName: '5XXError' },
  FunctionErrors: { namespace: 'AWS/Lambda', metricName: 'Errors' },
  FunctionThrottles: { namespace: 'AWS/Lambda', metricName: 'Throttles' },
  WafBlockedRequests: { namespace: 'AWS/WAFV2', metricName: 'BlockedRequests', dimensions: { Rule: 'ALL' } },
  BedrockThrottles: { namespace: 'AWS/Bedrock', metricName: 'InvocationThrottles' },
  DailyTokenBudget: { namespace: 'SecureLlmGateway', metricName: 'InputTokens', dimensions: { service: SERVICE_NAME } },
};

interface Built {
  readonly stack: Stack;
  readonly monitoring: SecurityMonitoring;
}

/** A gateway with its guardrail and network in a fixed environment; bundling is skipped (the template is what matters). */
function build(props: Partial<SecurityMonitoringProps> = {}, app: App = newConstructTestApp({ 'aws:cdk:bundling-stacks': [] })): Built {
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
  const network = new PrivateNetwork(stack, 'Network');
  const guardrail = new ModelGuardrail(stack, 'Guardrail');
  const gateway = new InferenceGateway(stack, 'Gateway', {
    network,
    guardrail,
    models: [{ alias: 'nova-lite', modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 4096 }],
    groups: [{ name: 'users', models: ['nova-lite'], dailyTokenQuota: 200_000, maxOutputTokens: 2048 }],
    systemPrompt: 'You are a helpful assistant.',
  });
  const monitoring = new SecurityMonitoring(stack, 'Monitoring', { gateway, guardrail, ...props });
  return { stack, monitoring };
}

/** The alarms of the construct, by construct id. */
function alarmsById(template: Template): Record<string, Resource> {
  const out: Record<string, Resource> = {};
  for (const [logicalId, resource] of Object.entries(template.findResources('AWS::CloudWatch::Alarm'))) {
    const id = Object.keys(DEFAULT_ALARMS).concat('GuardrailInterventionAnomaly').find((k) => logicalId.startsWith(`Monitoring${k}`));
    if (id !== undefined) out[id] = resource as Resource;
  }
  return out;
}

/** Every metric an alarm reads: its own, or each MetricStat of its metric math. */
function metricsOf(alarm: Resource): Array<{ Namespace: string; MetricName: string; Dimensions?: Array<{ Name: string; Value: unknown }> }> {
  const p = alarm.Properties;
  if (p.MetricName) return [{ Namespace: p.Namespace, MetricName: p.MetricName, Dimensions: p.Dimensions }];
  return (p.Metrics as Array<{ MetricStat?: { Metric: any } }>) // eslint-disable-line @typescript-eslint/no-explicit-any
    .filter((m) => m.MetricStat)
    .map((m) => m.MetricStat!.Metric);
}

function dimensionsOf(metric: { Dimensions?: Array<{ Name: string; Value: unknown }> }): Record<string, unknown> {
  return Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
}

/** Joins an Fn::Join of literal strings and references into one string, references as `<ref>`. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  return join ? join[1].map((p) => (typeof p === 'string' ? p : '<ref>')).join(join[0]) : '<ref>';
}

describe('SecurityMonitoring', () => {
  describe('defaults', () => {
    let template: Template;
    let findings: string;
    let monitoring: SecurityMonitoring;
    beforeAll(() => {
      // GIVEN a gateway, its guardrail and the default monitoring, synthesized once with every compliance check
      const app = newConstructTestApp({ 'aws:cdk:bundling-stacks': [] });
      const built = build({}, app);
      monitoring = built.monitoring;
      // WHEN
      const result = synthWithCompliance(app);
      // THEN
      findings = formatFindings(result.findings.filter((f) => f.path.startsWith('Test/Monitoring')));
      template = Template.fromJSON(result.assembly.getStackByName('Test').template);
    });

    test('passes all five cdk-nag packs, cfn-guard and the CloudFormation validator with zero unacknowledged findings', () => {
      expect(findings).toBe('');
    });

    test('creates one alarm per signal, and no anomaly alarm unless asked', () => {
      expect(Object.keys(alarmsById(template)).sort()).toEqual(Object.keys(DEFAULT_ALARMS).sort());
      expect(monitoring.alarms.guardrailInterventionAnomaly).toBeUndefined();
      expect(Object.values(monitoring.alarms).filter((a) => a !== undefined)).toHaveLength(Object.keys(DEFAULT_ALARMS).length);
    });

    test('every alarm notifies the alert topic on ALARM and OK, with actions enabled, and ignores periods without data', () => {
      const topicRef = { Ref: Match.stringLikeRegexp('^MonitoringAlertTopic') };
      for (const [id, alarm] of Object.entries(alarmsById(template))) {
        expect({ id, actions: alarm.Properties.AlarmActions }).toEqual({ id, actions: [expect.objectContaining({ Ref: expect.stringMatching(/^MonitoringAlertTopic/) })] });
        expect({ id, ok: alarm.Properties.OKActions }).toEqual({ id, ok: alarm.Properties.AlarmActions });
        expect({ id, enabled: alarm.Properties.ActionsEnabled }).toEqual({ id, enabled: undefined });
        expect({ id, missing: alarm.Properties.TreatMissingData }).toEqual({ id, missing: 'notBreaching' });
      }
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [topicRef] });
      template.resourceCountIs('AWS::SNS::Topic', 1);
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    });

    test('every alarm has a runbook description under 1024 characters that says what to do first', () => {
      for (const [id, alarm] of Object.entries(alarmsById(template))) {
        const text = flatten(alarm.Properties.AlarmDescription);
        expect({ id, length: text.length <= 1024 }).toEqual({ id, length: true });
        expect({ id, firstStep: /First: \S/.test(text) }).toEqual({ id, firstStep: true });
        expect({ id, long: text.length > 150 }).toEqual({ id, long: true });
      }
    });

    test('each alarm reads the metric its signal comes from, with the dimensions the gateway and AWS publish', () => {
      const alarms = alarmsById(template);
      // BedrockThrottles reads a Metrics Insights query by default (see below).
      for (const [id, expected] of Object.entries(DEFAULT_ALARMS).filter(([k]) => k !== 'BedrockThrottles')) {
        const metrics = metricsOf(alarms[id]!);
        const match = metrics.find((m) => m.Namespace === expected.namespace && m.MetricName === expected.metricName);
        expect({ id, found: match !== undefined }).toEqual({ id, found: true });
        if (expected.dimensions) {
          expect({ id, dims: dimensionsOf(match!) }).toEqual({ id, dims: expect.objectContaining(expected.dimensions) });
        }
      }
      // Guardrail metrics are scoped to the published version the gateway calls.
      expect(dimensionsOf(metricsOf(alarms.GuardrailInterventionSpike!)[0]!)).toEqual({
        GuardrailArn: { 'Fn::GetAtt': [expect.stringMatching(/^Guardrail/), 'GuardrailArn'] },
        GuardrailVersion: { 'Fn::GetAtt': [expect.stringMatching(/^GuardrailVersion/), 'Version'] },
      });
      // The web ACL's metrics carry its name and region.
      expect(dimensionsOf(metricsOf(alarms.WafBlockedRequests!)[0]!)).toEqual({ WebACL: expect.any(String), Region: 'us-east-1', Rule: 'ALL' });
      // The gateway's own metric set [service, Reason]: exactly these two dimensions, or CloudWatch finds nothing.
      expect(Object.keys(dimensionsOf(metricsOf(alarms.CanaryLeak!)[0]!)).sort()).toEqual(['Reason', 'service']);
      // Guardrail refusals add up the prompt and response reasons.
      expect(metricsOf(alarms.GuardrailBlocks!).map((m) => dimensionsOf(m).Reason).sort()).toEqual(['guardrail_input', 'guardrail_output']);
    });

    test('a canary leak alarms on the first occurrence in 5 minutes', () => {
      const p = alarmsById(template).CanaryLeak!.Properties;
      expect(p).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1 });
      expect(p.Metrics[0].MetricStat).toMatchObject({ Period: 300, Stat: 'Sum' });
    });

    test('the intervention rate ignores quiet periods and must hold for 15 minutes', () => {
      const p = alarmsById(template).GuardrailInterventionRate!.Properties;
      expect(p).toMatchObject({ Threshold: 25, EvaluationPeriods: 3 });
      const expression = (p.Metrics as Array<{ Expression?: string }>).find((m) => m.Expression)!.Expression;
      expect(expression).toBe('IF(FILL(invocations, 0) >= 20, 100 * FILL(interventions, 0) / invocations, 0)');
    });

    test('the daily token budget sums input and output tokens over one day', () => {
      const p = alarmsById(template).DailyTokenBudget!.Properties;
      expect(p.Threshold).toBe(5_000_000);
      const metrics = p.Metrics as Array<{ Expression?: string; MetricStat?: { Metric: { MetricName: string }; Period: number; Stat: string } }>;
      expect(metrics.find((m) => m.Expression)!.Expression).toBe('FILL(inputTokens, 0) + FILL(outputTokens, 0)');
      expect(metrics.filter((m) => m.MetricStat).map((m) => [m.MetricStat!.Metric.MetricName, m.MetricStat!.Period, m.MetricStat!.Stat])).toEqual([
        ['InputTokens', 86_400, 'Sum'],
        ['OutputTokens', 86_400, 'Sum'],
      ]);
    });

    test('without model ids, Bedrock throttling is watched across the account with a Metrics Insights query', () => {
      const p = alarmsById(template).BedrockThrottles!.Properties;
      expect(p.Metrics).toEqual([
        expect.objectContaining({ Expression: 'SELECT SUM(InvocationThrottles) FROM SCHEMA("AWS/Bedrock", ModelId)', Period: 300, ReturnData: true }),
      ]);
    });

    test('a dashboard shows the alarms and the key signals', () => {
      const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
      expect(dashboards).toHaveLength(1);
      const body = flatten(dashboards[0]!.Properties.DashboardBody);
      for (const title of ['Security alarms', 'Requests and blocked requests by reason', 'Guardrail interventions', 'Tokens per hour', 'API responses']) {
        expect(body).toContain(title);
      }
      expect(body).toContain('canary_leak');
    });

    test('a budget crossing its alert fraction alarms on the first alert, read on the service dimension alone', () => {
      const alarm = alarmsById(template).BudgetAlerts!;
      expect(alarm.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(alarm.Properties.Metrics).toEqual([expect.objectContaining({ MetricStat: expect.objectContaining({ Stat: 'Sum', Period: 300 }) })]);
      expect(Object.keys(dimensionsOf(metricsOf(alarm)[0]!))).toEqual(['service']);
    });

    test('the dashboard shows spend by team with a search over the Team dimension, never a user', () => {
      const body = flatten(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
      expect(body).toContain('Spend per day by team');
      expect(body).toContain(`SEARCH('{\\"SecureLlmGateway\\",Team,service} MetricName=\\"SpendUsd\\"', 'Sum', 86400)`);
      expect(body).not.toMatch(/callerSub|Subject|User[,}]/);
    });
  });

  describe('thresholds', () => {
    test('threshold props replace the defaults', () => {
      // GIVEN / WHEN
      const { stack } = build({
        guardrailInterventionRatePercent: 40,
        guardrailInterventionRateMinInvocations: 50,
        guardrailInterventionsPer5Min: 7,
        inputScreenBlocksPer5Min: 11,
        guardrailBlocksPer5Min: 12,
        outputScreenBlocksPer5Min: 13,
        toolCallBlocksPer5Min: 14,
        quotaRejectionsPer5Min: 15,
        api5xxPer5Min: 16,
        functionErrorsPer5Min: 17,
        functionThrottlesPer5Min: 18,
        wafBlockedRequestsPer5Min: 19,
        bedrockThrottlesPer5Min: 21,
        dailyTokenBudget: 123_456,
      });
      // THEN
      const alarms = alarmsById(Template.fromStack(stack));
      const thresholds = Object.fromEntries(Object.entries(alarms).map(([id, a]) => [id, a.Properties.Threshold]));
      expect(thresholds).toEqual({
        GuardrailInterventionRate: 40,
        GuardrailInterventionSpike: 7,
        CanaryLeak: 1,
        InputScreenBlocks: 11,
        GuardrailBlocks: 12,
        OutputScreenBlocks: 13,
        ToolCallBlocks: 14,
        QuotaRejections: 15,
        BudgetAlerts: 1,
        Api5xx: 16,
        FunctionErrors: 17,
        FunctionThrottles: 18,
        WafBlockedRequests: 19,
        BedrockThrottles: 21,
        DailyTokenBudget: 123_456,
      });
      const rate = (alarms.GuardrailInterventionRate!.Properties.Metrics as Array<{ Expression?: string }>).find((m) => m.Expression)!;
      expect(rate.Expression).toContain('>= 50,');
      expect(flatten(alarms.DailyTokenBudget!.Properties.AlarmDescription)).toContain('at least 123456 input and output tokens');
    });

    test('an anomaly-detection band on interventions alarms above its upper bound only', () => {
      const { stack, monitoring } = build({ guardrailInterventionAnomalyStdDevs: 3 });
      expect(monitoring.alarms.guardrailInterventionAnomaly).toBeDefined();
      Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
        ComparisonOperator: 'GreaterThanUpperThreshold',
        ThresholdMetricId: Match.anyValue(),
        Metrics: Match.arrayWith([Match.objectLike({ Expression: Match.stringLikeRegexp('ANOMALY_DETECTION_BAND\\(m\\w*, 3\\)') })]),
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^MonitoringAlertTopic') }],
        OKActions: [{ Ref: Match.stringLikeRegexp('^MonitoringAlertTopic') }],
      });
    });

    test('Bedrock throttling of the given models is summed per ModelId', () => {
      const { stack } = build({ bedrockModelIds: ['amazon.nova-lite-v1:0', 'us.anthropic.claude-3-5-haiku-20241022-v1:0'] });
      const p = alarmsById(Template.fromStack(stack)).BedrockThrottles!.Properties;
      expect(metricsOf({ Type: '', Properties: p }).map((m) => [m.Namespace, m.MetricName, dimensionsOf(m)])).toEqual([
        ['AWS/Bedrock', 'InvocationThrottles', { ModelId: 'amazon.nova-lite-v1:0' }],
        ['AWS/Bedrock', 'InvocationThrottles', { ModelId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0' }],
      ]);
      expect((p.Metrics as Array<{ Expression?: string }>).find((m) => m.Expression)!.Expression).toBe('FILL(model0, 0) + FILL(model1, 0)');
    });

    test('a given alert topic receives the actions and no topic is created', () => {
      // GIVEN
      const app = newConstructTestApp({ 'aws:cdk:bundling-stacks': [] });
      const other = new Stack(app, 'Alerts', { env: { account: '123456789012', region: 'us-east-1' } });
      const alertTopic = new AlertTopic(other, 'Topic');
      // WHEN
      const { stack, monitoring } = build({ alertTopic }, app);
      // THEN
      expect(monitoring.alertTopic).toBe(alertTopic);
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SNS::Topic', 0);
      for (const alarm of Object.values(alarmsById(template))) {
        expect(alarm.Properties.AlarmActions).toHaveLength(1);
      }
    });

    test('alert emails are subscribed to the topic it creates', () => {
      const { stack } = build({ alertEmails: ['secops@example.com'] });
      Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'secops@example.com' });
    });

    test('a dashboard name is passed through', () => {
      const { stack } = build({ dashboardName: 'llm-gateway-security' });
      Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'llm-gateway-security' });
    });
  });

  describe('validation', () => {
    test.each([
      [{ guardrailInterventionRatePercent: 0 }, /guardrailInterventionRatePercent must be greater than 0 and at most 100, got 0/],
      [{ guardrailInterventionRatePercent: 150 }, /guardrailInterventionRatePercent must be greater than 0 and at most 100, got 150/],
      [{ guardrailInterventionRatePercent: -5 }, /guardrailInterventionRatePercent .* got -5/],
      [{ guardrailInterventionsPer5Min: -1 }, /guardrailInterventionsPer5Min must be a whole number of at least 1, got -1/],
      [{ inputScreenBlocksPer5Min: 0 }, /inputScreenBlocksPer5Min must be a whole number of at least 1, got 0/],
      [{ guardrailBlocksPer5Min: 2.5 }, /guardrailBlocksPer5Min must be a whole number of at least 1, got 2.5/],
      [{ outputScreenBlocksPer5Min: -3 }, /outputScreenBlocksPer5Min .* got -3/],
      [{ toolCallBlocksPer5Min: 0 }, /toolCallBlocksPer5Min .* got 0/],
      [{ quotaRejectionsPer5Min: -1 }, /quotaRejectionsPer5Min .* got -1/],
      [{ api5xxPer5Min: 0 }, /api5xxPer5Min .* got 0/],
      [{ functionErrorsPer5Min: -2 }, /functionErrorsPer5Min .* got -2/],
      [{ functionThrottlesPer5Min: 0 }, /functionThrottlesPer5Min .* got 0/],
      [{ wafBlockedRequestsPer5Min: -10 }, /wafBlockedRequestsPer5Min .* got -10/],
      [{ bedrockThrottlesPer5Min: 0 }, /bedrockThrottlesPer5Min .* got 0/],
      [{ dailyTokenBudget: -1 }, /dailyTokenBudget must be a whole number of at least 1, got -1/],
      [{ guardrailInterventionRateMinInvocations: 0 }, /guardrailInterventionRateMinInvocations .* got 0/],
      [{ guardrailInterventionAnomalyStdDevs: 0 }, /guardrailInterventionAnomalyStdDevs must be greater than 0 and at most 10, got 0/],
      [{ bedrockModelIds: [] }, /bedrockModelIds must hold 1 to 10 model ids .* got 0/],
      [{ bedrockModelIds: Array.from({ length: 11 }, (_, i) => `amazon.model-${i}`) }, /bedrockModelIds must hold 1 to 10 .* got 11/],
      [{ bedrockModelIds: ['amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0'] }, /bedrockModelIds must not repeat a model id, got "amazon.nova-lite-v1:0"/],
      [{ bedrockModelIds: [''] }, /bedrockModelIds must hold model ids of 1-255 characters .* got ""/],
      [{ alertEmails: ['not-an-email'] }, /emailSubscriptions must contain email addresses .* got "not-an-email"/],
    ] as Array<[Partial<SecurityMonitoringProps>, RegExp]>)('fails if %j', (props, message) => {
      expect(() => build(props)).toThrow(message);
    });

    test('fails if alertEmails are given with an alertTopic', () => {
      const app = newConstructTestApp({ 'aws:cdk:bundling-stacks': [] });
      const alertTopic = new AlertTopic(new Stack(app, 'Alerts'), 'Topic');
      expect(() => build({ alertTopic, alertEmails: ['secops@example.com'] }, app)).toThrow(
        /alertEmails only applies to the topic this construct creates, got 1 addresses and an alertTopic; subscribe them with alertTopic.addEmail\(\)/,
      );
    });
  });
});
