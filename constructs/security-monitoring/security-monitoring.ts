import { Duration, Token, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Construct } from 'constructs';
import { BUDGET_ALERT_METRIC, SERVICE_NAME, SPEND_METRIC, TEAM_DIMENSION, type BlockReason } from '../../lambda/shared/gateway-contract';
import { AlertTopic } from '../alert-topic';
import { InferenceGateway } from '../inference-gateway';
import { ModelGuardrail } from '../model-guardrail';

/** The window every count threshold of {@link SecurityMonitoring} is measured over. */
const FIVE_MINUTES = Duration.minutes(5);
/** Metric math alarms may read at most 10 metrics (a hard CloudWatch limit). */
const MAX_ALARM_METRICS = 10;

/** What each `Blocked` reason of the gateway means, as graph labels. The record forces every reason to be listed. */
const BLOCK_REASON_LABELS: Readonly<Record<BlockReason, string>> = {
  input_screen: 'Input pre-screen',
  guardrail_input: 'Guardrail (prompt)',
  guardrail_output: 'Guardrail (response)',
  output_screen: 'Output screen',
  canary_leak: 'Canary leak',
  quota: 'Token quota',
  tool_call: 'Tool call',
};

/** Properties for {@link SecurityMonitoring}. */
export interface SecurityMonitoringProps {
  /** The gateway whose API, function, web ACL and own metrics are watched. */
  readonly gateway: InferenceGateway;

  /** The guardrail the gateway's model calls carry. */
  readonly guardrail: ModelGuardrail;

  /**
   * Where every alarm sends its ALARM and OK notifications.
   * @default - a new {@link AlertTopic} (its own customer-managed key) with `alertEmails` subscribed
   */
  readonly alertTopic?: AlertTopic;

  /**
   * Addresses subscribed to the alert topic this construct creates. Only valid without `alertTopic`
   * (subscribe to a topic you pass with `AlertTopic.addEmail`).
   * @default - no subscriptions
   */
  readonly alertEmails?: string[];

  /**
   * The Bedrock model ids (or inference-profile ids) the gateway invokes, as they appear in the
   * `ModelId` dimension of `AWS/Bedrock` metrics; at most 10.
   * @default - a Metrics Insights query over every `ModelId` of the account and region
   */
  readonly bedrockModelIds?: string[];

  /**
   * Alarm when the guardrail intervenes in at least this percentage of its evaluations for three
   * consecutive 5-minute periods (0 < value <= 100).
   * @default 25
   */
  readonly guardrailInterventionRatePercent?: number;

  /**
   * Evaluations a 5-minute period needs before its intervention rate counts; quieter periods read
   * as 0 %, so a single refusal at night does not page anyone.
   * @default 20
   */
  readonly guardrailInterventionRateMinInvocations?: number;

  /**
   * Alarm when the guardrail intervenes at least this many times in 5 minutes (a spike).
   * @default 50
   */
  readonly guardrailInterventionsPer5Min?: number;

  /**
   * Width, in standard deviations, of an anomaly-detection band on guardrail interventions;
   * when set, an extra alarm fires when interventions stay above the band for 15 minutes.
   * CloudWatch needs about two weeks of data to train the model.
   * @default - no anomaly-detection alarm
   */
  readonly guardrailInterventionAnomalyStdDevs?: number;

  /**
   * Alarm when the gateway's deterministic input pre-screen blocks at least this many prompts in 5 minutes.
   * @default 20
   */
  readonly inputScreenBlocksPer5Min?: number;

  /**
   * Alarm when the gateway reports at least this many guardrail refusals (prompt and response) in 5 minutes.
   * @default 20
   */
  readonly guardrailBlocksPer5Min?: number;

  /**
   * Alarm when the output screen (exfiltration links, secrets, HTML) replaces at least this many responses in 5 minutes.
   * @default 5
   */
  readonly outputScreenBlocksPer5Min?: number;

  /**
   * Alarm when at least this many model tool calls are refused (tool not allowed, arguments invalid or intervened) in 5 minutes.
   * @default 10
   */
  readonly toolCallBlocksPer5Min?: number;

  /**
   * Alarm when at least this many requests are refused for an exhausted daily token quota in 5 minutes.
   * @default 20
   */
  readonly quotaRejectionsPer5Min?: number;

  /**
   * Alarm when the API returns at least this many 5XX responses in 5 minutes.
   * @default 5
   */
  readonly api5xxPer5Min?: number;

  /**
   * Alarm when the gateway function fails (unhandled errors, timeouts) at least this many times in 5 minutes.
   * @default 3
   */
  readonly functionErrorsPer5Min?: number;

  /**
   * Alarm when Lambda throttles at least this many invocations of the gateway function (reserved
   * concurrency exhausted) in 5 minutes.
   * @default 5
   */
  readonly functionThrottlesPer5Min?: number;

  /**
   * Alarm when the web ACL blocks at least this many requests in 5 minutes.
   * @default 200
   */
  readonly wafBlockedRequestsPer5Min?: number;

  /**
   * Alarm when Amazon Bedrock throttles at least this many of the gateway's model calls in 5
   * minutes (each retry attempt counts).
   * @default 10
   */
  readonly bedrockThrottlesPer5Min?: number;

  /**
   * Alarm when the gateway's input and output tokens of the last 24 hours reach this many.
   * @default 5000000
   */
  readonly dailyTokenBudget?: number;

  /**
   * Name of the CloudWatch dashboard.
   * @default - a name generated by CloudFormation
   */
  readonly dashboardName?: string;
}

/** The alarms of {@link SecurityMonitoring}, by signal. */
export interface SecurityMonitoringAlarms {
  /** Guardrail intervention rate (`AWS/Bedrock/Guardrails`) at or above the threshold for 15 minutes. */
  readonly guardrailInterventionRate: cloudwatch.Alarm;
  /** Guardrail interventions in 5 minutes at or above the spike threshold. */
  readonly guardrailInterventionSpike: cloudwatch.Alarm;
  /** Guardrail interventions above their anomaly-detection band; only with `guardrailInterventionAnomalyStdDevs`. */
  readonly guardrailInterventionAnomaly?: cloudwatch.AnomalyDetectionAlarm;
  /** Any response that contained the system-prompt canary. */
  readonly canaryLeak: cloudwatch.Alarm;
  /** Prompts blocked by the input pre-screen. */
  readonly inputScreenBlocks: cloudwatch.Alarm;
  /** Guardrail refusals reported by the gateway (prompt and response). */
  readonly guardrailBlocks: cloudwatch.Alarm;
  /** Responses replaced by the output screen. */
  readonly outputScreenBlocks: cloudwatch.Alarm;
  /** Refused model tool calls. */
  readonly toolCallBlocks: cloudwatch.Alarm;
  /** Requests refused for an exhausted token quota or spend budget. */
  readonly quotaRejections: cloudwatch.Alarm;
  /** A spend budget (key, user or team; day or month) crossed its alert fraction: once per budget and period. */
  readonly budgetAlerts: cloudwatch.Alarm;
  /** API 5XX responses. */
  readonly api5xx: cloudwatch.Alarm;
  /** Gateway function errors. */
  readonly functionErrors: cloudwatch.Alarm;
  /** Gateway function throttles. */
  readonly functionThrottles: cloudwatch.Alarm;
  /** Requests blocked by the web ACL. */
  readonly wafBlockedRequests: cloudwatch.Alarm;
  /** Bedrock throttling of the gateway's models. */
  readonly bedrockThrottles: cloudwatch.Alarm;
  /** Tokens of the last 24 hours at or above the daily budget. */
  readonly dailyTokenBudget: cloudwatch.Alarm;
}

/**
 * Security monitoring for an {@link InferenceGateway}: CloudWatch alarms on the signals of attack,
 * abuse and failure, each notifying an encrypted SNS topic on ALARM and on OK, and a dashboard.
 *
 * Signals: the guardrail's intervention rate, spikes (and optionally anomalies) from
 * `AWS/Bedrock/Guardrails`; the gateway's own `Blocked` metric by reason (a canary leak alarms on
 * the first occurrence; input screen, guardrail, output screen, tool calls, quota); API 5XX;
 * function errors and throttles; requests the web ACL blocked; Bedrock throttling of the
 * gateway's models; and the tokens of the last 24 hours against a daily budget.
 *
 * Every alarm's description says what it means and what to look at first. Periods without data
 * (no traffic, nothing blocked) are treated as not breaching.
 *
 * @example
 * const monitoring = new SecurityMonitoring(this, 'Monitoring', {
 *   gateway, guardrail,
 *   alertEmails: ['secops@example.com'],
 *   bedrockModelIds: ['amazon.nova-lite-v1:0'],
 *   dailyTokenBudget: 20_000_000,
 * });
 * monitoring.alarms.canaryLeak.addAlarmAction(new cw_actions.SnsAction(pagerTopic));
 */
export class SecurityMonitoring extends Construct {
  /** The topic every alarm notifies. */
  public readonly alertTopic: AlertTopic;
  /** The alarms, by signal. */
  public readonly alarms: SecurityMonitoringAlarms;
  /** The CloudWatch dashboard of the gateway's security signals. */
  public readonly dashboard: cloudwatch.Dashboard;

  private readonly namespace: string;

  constructor(scope: Construct, id: string, props: SecurityMonitoringProps) {
    super(scope, id);

    // --- validation ------------------------------------------------------------------------
    const t = {
      interventionRatePercent: props.guardrailInterventionRatePercent ?? 25,
      interventionRateMinInvocations: props.guardrailInterventionRateMinInvocations ?? 20,
      interventions: props.guardrailInterventionsPer5Min ?? 50,
      inputScreen: props.inputScreenBlocksPer5Min ?? 20,
      guardrailBlocks: props.guardrailBlocksPer5Min ?? 20,
      outputScreen: props.outputScreenBlocksPer5Min ?? 5,
      toolCalls: props.toolCallBlocksPer5Min ?? 10,
      quota: props.quotaRejectionsPer5Min ?? 20,
      api5xx: props.api5xxPer5Min ?? 5,
      functionErrors: props.functionErrorsPer5Min ?? 3,
      functionThrottles: props.functionThrottlesPer5Min ?? 5,
      waf: props.wafBlockedRequestsPer5Min ?? 200,
      bedrockThrottles: props.bedrockThrottlesPer5Min ?? 10,
      dailyTokens: props.dailyTokenBudget ?? 5_000_000,
    };
    const rate = t.interventionRatePercent;
    if (!Token.isUnresolved(rate) && (!Number.isFinite(rate) || rate <= 0 || rate > 100)) {
      throw new Error(`guardrailInterventionRatePercent must be greater than 0 and at most 100, got ${rate}; pass a percentage such as 25`);
    }
    checkCount('guardrailInterventionRateMinInvocations', t.interventionRateMinInvocations);
    checkCount('guardrailInterventionsPer5Min', t.interventions);
    checkCount('inputScreenBlocksPer5Min', t.inputScreen);
    checkCount('guardrailBlocksPer5Min', t.guardrailBlocks);
    checkCount('outputScreenBlocksPer5Min', t.outputScreen);
    checkCount('toolCallBlocksPer5Min', t.toolCalls);
    checkCount('quotaRejectionsPer5Min', t.quota);
    checkCount('api5xxPer5Min', t.api5xx);
    checkCount('functionErrorsPer5Min', t.functionErrors);
    checkCount('functionThrottlesPer5Min', t.functionThrottles);
    checkCount('wafBlockedRequestsPer5Min', t.waf);
    checkCount('bedrockThrottlesPer5Min', t.bedrockThrottles);
    checkCount('dailyTokenBudget', t.dailyTokens);
    const stdDevs = props.guardrailInterventionAnomalyStdDevs;
    if (stdDevs !== undefined && !Token.isUnresolved(stdDevs) && (!Number.isFinite(stdDevs) || stdDevs <= 0 || stdDevs > 10)) {
      throw new Error(`guardrailInterventionAnomalyStdDevs must be greater than 0 and at most 10, got ${stdDevs}; 2 or 3 is usual`);
    }
    const modelIds = props.bedrockModelIds;
    if (modelIds !== undefined) {
      if (modelIds.length === 0 || modelIds.length > MAX_ALARM_METRICS) {
        throw new Error(
          `bedrockModelIds must hold 1 to ${MAX_ALARM_METRICS} model ids (a CloudWatch alarm reads at most ${MAX_ALARM_METRICS} metrics), ` +
            `got ${modelIds.length}; leave it out to watch every model of the account with a Metrics Insights query`,
        );
      }
      const bad = modelIds.find((m) => !Token.isUnresolved(m) && (m.length === 0 || m.length > 255));
      if (bad !== undefined) {
        throw new Error(`bedrockModelIds must hold model ids of 1-255 characters such as "amazon.nova-lite-v1:0", got "${bad}"`);
      }
      const duplicate = modelIds.find((m, i) => modelIds.indexOf(m) !== i);
      if (duplicate !== undefined) {
        throw new Error(`bedrockModelIds must not repeat a model id, got "${duplicate}" twice; remove the duplicate`);
      }
    }
    if (props.alertTopic && props.alertEmails && props.alertEmails.length > 0) {
      throw new Error(
        `alertEmails only applies to the topic this construct creates, got ${props.alertEmails.length} addresses and an alertTopic; ` +
          'subscribe them with alertTopic.addEmail() instead',
      );
    }

    this.namespace = props.gateway.metricsNamespace;
    this.alertTopic = props.alertTopic ?? new AlertTopic(this, 'AlertTopic', { emailSubscriptions: props.alertEmails });
    const action = new cw_actions.SnsAction(this.alertTopic.topic);
    const gateway = props.gateway;
    const guardrail = props.guardrail;
    const logs = `the gateway function's log group (${gateway.function.logGroup.logGroupName})`;

    // Every alarm notifies the topic when it fires and when it recovers (CT.CLOUDWATCH.PR.1, PR.4).
    const alarm = <T extends cloudwatch.AlarmBase>(created: T): T => {
      created.addAlarmAction(action);
      created.addOkAction(action);
      return created;
    };
    const countAlarm = (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string): cloudwatch.Alarm =>
      alarm(
        new cloudwatch.Alarm(this, alarmId, {
          metric,
          threshold,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          alarmDescription: description,
        }),
      );
    const blockedAlarm = (alarmId: string, reason: BlockReason, threshold: number, what: string, first: string): cloudwatch.Alarm =>
      countAlarm(
        alarmId,
        this.metricBlocked(reason, { label: BLOCK_REASON_LABELS[reason] }),
        threshold,
        `${what} at least ${txt(threshold)} times in 5 minutes (${this.namespace} Blocked, Reason=${reason}). ` +
          `First: in ${logs} run Logs Insights "filter audit.blockReason = '${reason}' | stats count() by audit.callerSub, audit.alias" ` +
          `to see who is affected. ${first}`,
      );

    // --- guardrail ---------------------------------------------------------------------------
    const interventionRate = new cloudwatch.MathExpression({
      expression:
        `IF(FILL(invocations, 0) >= ${Tokenization.stringifyNumber(t.interventionRateMinInvocations)}, ` +
        '100 * FILL(interventions, 0) / invocations, 0)',
      usingMetrics: { interventions: guardrail.metricInterventions(), invocations: guardrail.metricInvocations() },
      label: 'Guardrail intervention rate (%)',
      period: FIVE_MINUTES,
    });
    const guardrailInterventionRate = alarm(
      new cloudwatch.Alarm(this, 'GuardrailInterventionRate', {
        metric: interventionRate,
        threshold: t.interventionRatePercent,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription:
          `The guardrail intervened in at least ${txt(t.interventionRatePercent)}% of its evaluations for 15 minutes ` +
          `(AWS/Bedrock/Guardrails InvocationsIntervened / Invocations, periods with fewer than ${txt(t.interventionRateMinInvocations)} evaluations count as 0). ` +
          'Either an attack campaign (prompt injection, jailbreaks, data extraction) or a filter that has become too strict. ' +
          `First: in ${logs} run "filter ispresent(audit.guardrailPolicies.0) | stats count() by audit.guardrailPolicies.0, audit.callerSub" ` +
          'to see which policy acts and for whom; one caller means abuse (disable the user in Cognito), every caller means a configuration problem.',
      }),
    );
    const guardrailInterventionSpike = countAlarm(
      'GuardrailInterventionSpike',
      guardrail.metricInterventions(),
      t.interventions,
      `The guardrail intervened at least ${txt(t.interventions)} times in 5 minutes (AWS/Bedrock/Guardrails InvocationsIntervened). ` +
        'A burst of refusals usually is one caller or script probing the model. ' +
        `First: in ${logs} run "filter ispresent(audit.guardrailPolicies.0) | stats count() by audit.callerSub, audit.guardrailPolicies.0" ` +
        'and check the web ACL\'s sampled requests for the source IPs; disable abusive users in Cognito.',
    );
    let guardrailInterventionAnomaly: cloudwatch.AnomalyDetectionAlarm | undefined;
    if (stdDevs !== undefined) {
      const description =
        `Guardrail interventions stayed above their anomaly-detection band (${txt(stdDevs)} standard deviations) for 15 minutes. ` +
        'Usage has changed in a way the static thresholds do not catch: a slow probing campaign, a new client, or a changed guardrail. ' +
        `First: compare with the intervention-rate graph on the dashboard, then in ${logs} run ` +
        '"filter ispresent(audit.guardrailPolicies.0) | stats count() by audit.callerSub, audit.guardrailPolicies.0".';
      guardrailInterventionAnomaly = alarm(
        new cloudwatch.AnomalyDetectionAlarm(this, 'GuardrailInterventionAnomaly', {
          metric: guardrail.metricInterventions(),
          stdDevs,
          evaluationPeriods: 3,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          alarmDescription: description,
        }),
      );
    }

    // --- gateway controls (the function's own Blocked metric) ---------------------------------
    const canaryLeak = countAlarm(
      'CanaryLeak',
      this.metricBlocked('canary_leak', { label: BLOCK_REASON_LABELS.canary_leak }),
      1,
      `A model response contained the request's system-prompt canary (${this.namespace} Blocked, Reason=canary_leak): ` +
        'someone made the model reveal its system prompt (OWASP LLM07). The gateway blocked that response, but the caller may retry with variations. ' +
        `First: in ${logs} run "filter audit.blockReason = 'canary_leak' | fields @timestamp, audit.callerSub, audit.alias, audit.promptSha256", ` +
        'disable the caller in Cognito if it was deliberate, and confirm the system prompt holds no secrets.',
    );
    const inputScreenBlocks = blockedAlarm(
      'InputScreenBlocks',
      'input_screen',
      t.inputScreen,
      'The input pre-screen blocked prompts as suspected prompt injection',
      'One caller means probing (disable the user); many callers after a release or a new client means false positives: switch prescreenMode to flag while you tune it.',
    );
    const guardrailBlocks = countAlarm(
      'GuardrailBlocks',
      new cloudwatch.MathExpression({
        expression: 'FILL(guardrailInput, 0) + FILL(guardrailOutput, 0)',
        usingMetrics: {
          guardrailInput: this.metricBlocked('guardrail_input'),
          guardrailOutput: this.metricBlocked('guardrail_output'),
        },
        label: 'Guardrail refusals',
        period: FIVE_MINUTES,
      }),
      t.guardrailBlocks,
      `The gateway refused at least ${txt(t.guardrailBlocks)} prompts or responses on the guardrail's verdict in 5 minutes ` +
        `(${this.namespace} Blocked, Reason=guardrail_input + guardrail_output). ` +
        `First: in ${logs} run "filter audit.blockReason like /guardrail/ | stats count() by audit.callerSub, audit.guardrailPolicies.0" ` +
        'to tell one abusive caller (disable the user in Cognito) from a policy that blocks legitimate use (tune the guardrail).',
    );
    const outputScreenBlocks = blockedAlarm(
      'OutputScreenBlocks',
      'output_screen',
      t.outputScreen,
      'The output screen replaced model responses that carried exfiltration links, secrets or HTML',
      'Look at audit.outputScreen for the reasons; links to unknown hosts point at indirect prompt injection through documents or tool results the caller supplied.',
    );
    const toolCallBlocks = blockedAlarm(
      'ToolCallBlocks',
      'tool_call',
      t.toolCalls,
      'The gateway refused model tool calls (tool not allowed, arguments invalid or flagged by the guardrail)',
      'Repeated refusals mean a client sends tool specs or results that steer the model (OWASP LLM06); check audit.applyGuardrailActions and the caller\'s tool definitions.',
    );
    const quotaRejections = blockedAlarm(
      'QuotaRejections',
      'quota',
      t.quota,
      'Callers hit their daily token quota or a spend budget',
      'A single user means a runaway script or a leaked token (revoke the user\'s sessions in Cognito); many users means the group quota is too low for normal use.',
    );
    const budgetAlerts = countAlarm(
      'BudgetAlerts',
      this.metric(BUDGET_ALERT_METRIC, { label: 'Budget alerts' }),
      1,
      `A spend budget in USD (of a gateway key, a user or a team; per day or per month) crossed its alert fraction (${this.namespace} ${BUDGET_ALERT_METRIC}). ` +
        'Each budget alerts once per period, so every alarm is a new budget nearing its limit. ' +
        `First: in ${logs} run "filter ispresent(audit.budgetAlerts) | fields @timestamp, audit.budgetAlerts.0, audit.team, audit.callerKind, audit.callerSub" ` +
        'to see whose budget it is; then raise the budget or find out why spend grew (a runaway script or a leaked key: revoke it).',
    );

    // --- platform ------------------------------------------------------------------------------
    const api5xx = countAlarm(
      'Api5xx',
      gateway.metric5xx(),
      t.api5xx,
      `The gateway API returned at least ${txt(t.api5xx)} 5XX responses in 5 minutes (AWS/ApiGateway 5XXError). ` +
        'The gateway fails closed, so screening or Bedrock errors show up here as 502/503/504. ' +
        `First: in ${logs} run "filter audit.status >= 500 | stats count() by audit.reason" and check the FunctionErrors and BedrockThrottles alarms.`,
    );
    const functionErrors = countAlarm(
      'FunctionErrors',
      gateway.metricFunctionErrors(),
      t.functionErrors,
      `The gateway function failed at least ${txt(t.functionErrors)} times in 5 minutes (AWS/Lambda Errors): unhandled errors or timeouts. ` +
        `First: in ${logs} run "filter level = 'ERROR' or @message like /Task timed out/ | sort @timestamp desc", ` +
        'and roll back the last deployment if the errors started with it.',
    );
    const functionThrottles = countAlarm(
      'FunctionThrottles',
      gateway.metricFunctionThrottles(),
      t.functionThrottles,
      `Lambda throttled the gateway function at least ${txt(t.functionThrottles)} times in 5 minutes (AWS/Lambda Throttles): ` +
        'its reserved concurrency is exhausted and callers get 5XX. Either a traffic flood or slow Bedrock calls holding executions. ' +
        'First: compare the API request count and WAF blocks on the dashboard with the handler latency; raise reservedConcurrency only once abuse is ruled out.',
    );
    const wafBlockedRequests = countAlarm(
      'WafBlockedRequests',
      gateway.metricWafBlockedRequests(),
      t.waf,
      `The web ACL blocked at least ${txt(t.waf)} requests in 5 minutes (AWS/WAFV2 BlockedRequests, Rule=ALL). ` +
        'First: open the web ACL\'s sampled requests or query its aws-waf-logs-* log group ' +
        '("stats count() by terminatingRuleId, httpRequest.clientIp") to find the rule and source; ' +
        'a rate-limit or IP-reputation burst from few addresses is an attack, a body-size or core-rule burst from many callers may be a client change.',
    );
    const bedrockThrottlesMetric = this.metricBedrockThrottles(modelIds);
    const bedrockThrottles = countAlarm(
      'BedrockThrottles',
      bedrockThrottlesMetric,
      t.bedrockThrottles,
      `Amazon Bedrock throttled at least ${txt(t.bedrockThrottles)} model calls in 5 minutes (AWS/Bedrock InvocationThrottles` +
        `${modelIds ? ' of the gateway\'s models' : ' across the account\'s models'}). Callers get 429 once the gateway's retries are exhausted. ` +
        'First: check the QuotaRejections and token graphs for one heavy user; otherwise compare usage with the account\'s ' +
        'Bedrock tokens-per-minute and requests-per-minute quotas in Service Quotas, or move the alias to a cross-region inference profile.',
    );

    // --- consumption -------------------------------------------------------------------------
    const dailyTokens = this.metricTokensUsed({ period: Duration.days(1), label: 'Tokens, last 24 hours' });
    const dailyTokenBudget = countAlarm(
      'DailyTokenBudget',
      dailyTokens,
      t.dailyTokens,
      `The gateway's callers used at least ${txt(t.dailyTokens)} input and output tokens in the last 24 hours ` +
        `(${this.namespace} InputTokens + OutputTokens). Cost is running above the budget. ` +
        `First: in ${logs} run "stats sum(audit.inputTokens + audit.outputTokens) as tokens by audit.callerSub | sort tokens desc | limit 10"; ` +
        'a single user far ahead of the rest points at a leaked credential or a runaway script (revoke their sessions); otherwise lower group quotas.',
    );

    this.alarms = {
      guardrailInterventionRate,
      guardrailInterventionSpike,
      guardrailInterventionAnomaly,
      canaryLeak,
      inputScreenBlocks,
      guardrailBlocks,
      outputScreenBlocks,
      toolCallBlocks,
      quotaRejections,
      budgetAlerts,
      api5xx,
      functionErrors,
      functionThrottles,
      wafBlockedRequests,
      bedrockThrottles,
      dailyTokenBudget,
    };

    // --- dashboard -----------------------------------------------------------------------------
    const allAlarms = Object.values(this.alarms).filter((a): a is cloudwatch.AlarmBase => a !== undefined);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Security alarms', alarms: allAlarms, width: 24, height: 4 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Requests and blocked requests by reason',
        left: [this.metric('Requests', { label: 'Requests' })],
        right: (Object.keys(BLOCK_REASON_LABELS) as BlockReason[]).map((r) =>
          this.metricBlocked(r, { label: BLOCK_REASON_LABELS[r] }),
        ),
        rightYAxis: { label: 'Blocked', min: 0, showUnits: false },
        leftYAxis: { label: 'Requests', min: 0, showUnits: false },
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Guardrail interventions',
        left: [guardrail.metricInvocations({ label: 'Evaluations' }), guardrail.metricInterventions({ label: 'Interventions' })],
        right: [interventionRate],
        rightYAxis: { label: '%', min: 0, max: 100, showUnits: false },
        leftAnnotations: [{ value: t.interventions, label: 'Spike threshold' }],
        rightAnnotations: [{ value: t.interventionRatePercent, label: 'Rate threshold' }],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API responses',
        left: [gateway.metric4xx({ label: '4XX' }), gateway.metric5xx({ label: '5XX' })],
        right: [gateway.metricLatency({ label: 'Latency p99' })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Gateway function',
        left: [gateway.metricFunctionErrors({ label: 'Errors' }), gateway.metricFunctionThrottles({ label: 'Throttles' })],
        right: [this.metric('Latency', { statistic: cloudwatch.Stats.p(99), label: 'Handler latency p99' })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Web ACL and Bedrock throttling',
        left: [gateway.metricWafBlockedRequests(undefined, { label: 'WAF blocked' })],
        right: [bedrockThrottlesMetric],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Tokens per hour',
        left: [
          this.metric('InputTokens', { period: Duration.hours(1), label: 'Input tokens' }),
          this.metric('OutputTokens', { period: Duration.hours(1), label: 'Output tokens' }),
        ],
        stacked: true,
        width: 9,
      }),
      new cloudwatch.GraphWidget({
        title: 'Tokens per hour by model alias',
        left: [
          new cloudwatch.SearchExpression({
            expression: `SEARCH('{"${this.namespace}",Model,service} MetricName="OutputTokens" OR MetricName="InputTokens"', 'Sum', 3600)`,
            period: Duration.hours(1),
          }),
        ],
        width: 9,
      }),
      new cloudwatch.SingleValueWidget({
        title: `Tokens, last 24 hours (budget ${txt(t.dailyTokens)})`,
        metrics: [dailyTokens],
        fullPrecision: true,
        width: 6,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Spend per day by team (USD, at the configured prices)',
        left: [this.metricSpendByTeam()],
        leftYAxis: { label: 'USD', min: 0, showUnits: false },
        stacked: true,
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Tokens per hour by team',
        left: [
          new cloudwatch.SearchExpression({
            expression: `SEARCH('{"${this.namespace}",${TEAM_DIMENSION},service} MetricName="OutputTokens" OR MetricName="InputTokens"', 'Sum', 3600)`,
            period: Duration.hours(1),
            // One series per team and metric, labelled by both (a dynamic label).
            label: `\${PROP('Dim.${TEAM_DIMENSION}')} \${PROP('MetricName')}`,
          }),
        ],
        width: 12,
      }),
    );
  }

  /**
   * Spend in USD per team (one time series per value of the `Team` dimension, `none` for callers without a team),
   * summed per day (or `period`): a CloudWatch search expression, so a new team appears without a deployment.
   */
  public metricSpendByTeam(props?: { readonly period?: Duration }): cloudwatch.SearchExpression {
    const period = props?.period ?? Duration.days(1);
    return new cloudwatch.SearchExpression({
      expression: `SEARCH('{"${this.namespace}",${TEAM_DIMENSION},service} MetricName="${SPEND_METRIC}"', 'Sum', ${period.toSeconds()})`,
      period,
      label: `\${PROP('Dim.${TEAM_DIMENSION}')}`,
    });
  }

  /**
   * A metric the gateway function publishes (EMF, Powertools) under its `service` dimension alone,
   * summed over 5 minutes.
   * @param metricName `Requests`, `Latency`, `Blocked`, `InputTokens` or `OutputTokens`
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName,
      statistic: cloudwatch.Stats.SUM,
      period: FIVE_MINUTES,
      ...props,
      dimensionsMap: { service: SERVICE_NAME, ...props?.dimensionsMap },
    });
  }

  /**
   * Requests a gateway control refused for one reason, summed over 5 minutes.
   * @param reason `input_screen`, `guardrail_input`, `guardrail_output`, `output_screen`, `canary_leak`, `quota` or `tool_call`
   */
  public metricBlocked(reason: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Blocked', { ...props, dimensionsMap: { Reason: reason } });
  }

  /** Input plus output tokens of every model call through the gateway, summed over 5 minutes (or `period`). */
  public metricTokensUsed(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    const period = props?.period ?? FIVE_MINUTES;
    return new cloudwatch.MathExpression({
      expression: 'FILL(inputTokens, 0) + FILL(outputTokens, 0)',
      usingMetrics: {
        inputTokens: this.metric('InputTokens', { period }),
        outputTokens: this.metric('OutputTokens', { period }),
      },
      label: 'Tokens',
      ...props,
      period,
    });
  }

  /** `AWS/Bedrock` `InvocationThrottles` of the given models (or of every model), summed over 5 minutes. */
  private metricBedrockThrottles(modelIds: string[] | undefined): cloudwatch.IMetric {
    if (modelIds === undefined) {
      return new cloudwatch.MathExpression({
        expression: 'SELECT SUM(InvocationThrottles) FROM SCHEMA("AWS/Bedrock", ModelId)',
        label: 'Bedrock throttles (all models)',
        period: FIVE_MINUTES,
      });
    }
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    modelIds.forEach((modelId, i) => {
      usingMetrics[`model${i}`] = new cloudwatch.Metric({
        namespace: 'AWS/Bedrock',
        metricName: 'InvocationThrottles',
        dimensionsMap: { ModelId: modelId },
        statistic: cloudwatch.Stats.SUM,
        period: FIVE_MINUTES,
      });
    });
    return new cloudwatch.MathExpression({
      expression: Object.keys(usingMetrics)
        .map((k) => `FILL(${k}, 0)`)
        .join(' + '),
      usingMetrics,
      label: 'Bedrock throttles',
      period: FIVE_MINUTES,
    });
  }
}

/** A number as text, also when it is a token. */
function txt(n: number): string {
  return Tokenization.stringifyNumber(n);
}

function checkCount(prop: string, value: number): void {
  if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < 1)) {
    throw new Error(`${prop} must be a whole number of at least 1, got ${value}`);
  }
}
