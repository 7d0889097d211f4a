import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { AuditRecord, Auditor, METRICS_NAMESPACE, newLogger, newMetrics, promptSha256, sha256Hex, summarizeAssessments } from '../../../lambda/gateway/audit';
import { BUDGET_ALERT_METRIC, SPEND_METRIC, TEAM_DIMENSION } from '../../../lambda/shared/gateway-contract';
import { MICRO_USD_PER_USD } from '../../../lambda/shared/money';
import { StdoutCapture } from './gateway-fixtures';

describe('summarizeAssessments', () => {
  test('lists policy:type:action without matched text', () => {
    // GIVEN a Converse guardrail trace with content, PII and topic findings
    const trace = {
      inputAssessment: {
        gr1: {
          contentPolicy: { filters: [{ type: 'PROMPT_ATTACK', confidence: 'HIGH', action: 'BLOCKED' }, { type: 'HATE', action: 'NONE' }] },
          sensitiveInformationPolicy: { piiEntities: [{ type: 'EMAIL', match: 'alice@example.com', action: 'ANONYMIZED' }] },
          topicPolicy: { topics: [{ name: 'Investment advice', type: 'DENY', action: 'BLOCKED' }] },
          invocationMetrics: { usage: { contentPolicyUnits: 1 } },
        },
      },
      modelOutput: ['{"content":"secret model text"}'],
    };
    // WHEN
    const out = summarizeAssessments(trace);
    // THEN
    expect(out.sort()).toEqual([
      'contentPolicy:PROMPT_ATTACK:BLOCKED',
      'sensitiveInformationPolicy:EMAIL:ANONYMIZED',
      'topicPolicy:Investment advice:BLOCKED',
    ]);
    expect(JSON.stringify(out)).not.toMatch(/alice@example\.com|secret model text/);
  });

  test('tolerates anything', () => {
    for (const v of [null, 1, 'x', [], [[[]]], { action: 'BLOCKED' }]) expect(Array.isArray(summarizeAssessments(v))).toBe(true);
  });
});

describe('Auditor', () => {
  const stdout = new StdoutCapture();
  beforeEach(() => {
    stdout.lines.length = 0;
    stdout.start();
  });
  afterEach(() => stdout.stop());

  test('writes one audit line and one EMF document with total, per-Model and per-Reason dimension sets', () => {
    // GIVEN
    const auditor = new Auditor(newLogger(), newMetrics());
    // WHEN
    auditor.emit({
      requestId: 'r-1', method: 'POST', route: 'chat.completions', status: 200, decision: 'blocked', blockReason: 'canary_leak',
      alias: 'nova-lite', inputTokens: 11, outputTokens: 4, latencyMs: 12, promptSha256: sha256Hex('x'),
    });
    // THEN
    const lines = stdout.json();
    expect(lines.filter((l) => l.message === 'audit')).toHaveLength(1);
    const emf = lines.filter((l) => l._aws !== undefined);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ Requests: 1, Latency: 12, Blocked: 1, InputTokens: 11, OutputTokens: 4, Reason: 'canary_leak', Model: 'nova-lite', service: 'llm-gateway' });
    const def = (emf[0]!._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> }).CloudWatchMetrics[0]!;
    expect(def.Namespace).toBe(METRICS_NAMESPACE);
    expect(def.Dimensions).toEqual([['service'], ['service', 'Reason'], ['service', 'Model']]);
    expect(def.Metrics.map((m) => m.Name).sort()).toEqual(['Blocked', 'InputTokens', 'Latency', 'OutputTokens', 'Requests']);
  });

  test('the audit line carries the record exactly, nested fields included', () => {
    // GIVEN a record with arrays and nested objects
    const auditor = new Auditor(newLogger(), newMetrics());
    const record = {
      requestId: 'r-9', method: 'POST', route: 'chat.completions', status: 400, decision: 'blocked' as const, blockReason: 'input_screen' as const,
      callerSub: 'u-1', callerGroups: ['users', 'power'], alias: 'nova-lite',
      prescreen: [{ message: 0, verdict: 'block', score: 0.91, signals: ['override', 'exfiltration'] }],
      normalizationRemovals: { zeroWidth: 2, tags: 5 }, outputScreen: [], latencyMs: 3,
    };
    // WHEN
    auditor.emit(record);
    // THEN
    const line = stdout.json().find((l) => l.message === 'audit');
    expect(line).toMatchObject({ level: 'INFO', service: 'llm-gateway' });
    expect(line!.audit).toEqual(record);
  });

  test('a request without a model or a block has only the service dimension set, and nothing carries over', () => {
    // GIVEN
    const auditor = new Auditor(newLogger(), newMetrics());
    // WHEN
    auditor.emit({ requestId: 'r-1', method: 'POST', route: 'x', status: 400, decision: 'blocked', blockReason: 'quota', alias: 'nova-lite', latencyMs: 1 });
    auditor.emit({ requestId: 'r-2', method: 'GET', route: 'unknown', status: 404, decision: 'rejected', latencyMs: 2 });
    // THEN
    const emf = stdout.json().filter((l) => l._aws !== undefined);
    expect(emf).toHaveLength(2);
    expect(emf[1]).toEqual(expect.objectContaining({ Requests: 1, Latency: 2 }));
    expect(emf[1]).not.toHaveProperty('Reason');
    expect(emf[1]).not.toHaveProperty('Blocked');
    expect((emf[1]!._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][] }> }).CloudWatchMetrics[0]!.Dimensions).toEqual([['service']]);
  });

  test('metrics go to the namespace the construct configures, so its alarms see them', () => {
    // GIVEN a function deployed with a non-default metrics namespace
    const auditor = new Auditor(newLogger(), newMetrics({ POWERTOOLS_METRICS_NAMESPACE: 'TeamA/LlmGateway' }));
    // WHEN
    auditor.emit({ requestId: 'r-3', method: 'GET', route: 'models', status: 200, decision: 'allowed', latencyMs: 1 });
    // THEN
    const emf = stdout.json().filter((l) => l._aws !== undefined);
    expect((emf[0]!._aws as { CloudWatchMetrics: Array<{ Namespace: string }> }).CloudWatchMetrics[0]!.Namespace).toBe('TeamA/LlmGateway');
  });

  /** The document Powertools Metrics prints for a record, through its own calls (how the Auditor used to build it). */
  function powertoolsDocument(metrics: Metrics, record: AuditRecord): Record<string, unknown> {
    metrics.addDimensions({});
    metrics.addMetric('Requests', MetricUnit.Count, 1);
    if (record.latencyMs !== undefined) metrics.addMetric('Latency', MetricUnit.Milliseconds, record.latencyMs);
    if (record.blockReason !== undefined) {
      metrics.addMetric('Blocked', MetricUnit.Count, 1);
      metrics.addDimensions({ Reason: record.blockReason });
    }
    if (record.alias !== undefined) {
      metrics.addDimensions({ Model: record.alias });
      if (record.inputTokens !== undefined) metrics.addMetric('InputTokens', MetricUnit.Count, record.inputTokens);
      if (record.outputTokens !== undefined) metrics.addMetric('OutputTokens', MetricUnit.Count, record.outputTokens);
    }
    if (record.team !== undefined) metrics.addDimensions({ [TEAM_DIMENSION]: record.team });
    if (record.spendMicroUsd !== undefined) metrics.addMetric(SPEND_METRIC, MetricUnit.NoUnit, record.spendMicroUsd / MICRO_USD_PER_USD);
    if (record.budgetAlerts !== undefined && record.budgetAlerts.length > 0) metrics.addMetric(BUDGET_ALERT_METRIC, MetricUnit.Count, record.budgetAlerts.length);
    const doc = metrics.serializeMetrics() as unknown as Record<string, unknown>;
    metrics.clearMetrics();
    metrics.clearDimensions();
    return doc;
  }

  test('the EMF document is the one Powertools Metrics prints for the same metrics, byte for byte', () => {
    // GIVEN records that exercise every metric and dimension set, and a custom namespace
    const base = { requestId: 'r', method: 'POST', route: 'chat.completions', status: 200, decision: 'allowed' as const };
    const records: AuditRecord[] = [
      base,
      { ...base, latencyMs: 7 },
      { ...base, latencyMs: 7, alias: 'nova-lite', team: 'none' },
      { ...base, latencyMs: 9, alias: 'nova-lite', inputTokens: 2100, outputTokens: 7, team: 'payments', spendMicroUsd: 1234 },
      { ...base, status: 400, decision: 'blocked', blockReason: 'input_screen', alias: 'nova-lite', latencyMs: 1, team: 'none' },
      { ...base, status: 429, decision: 'blocked', blockReason: 'quota', budgetExceeded: true, latencyMs: 2 },
      { ...base, latencyMs: 3, alias: 'claude', inputTokens: 1, outputTokens: 0, spendMicroUsd: 0, budgetAlerts: ['team:month', 'key:day'], team: 'ml' },
      { ...base, latencyMs: 3, budgetAlerts: [] },
      // Powertools drops a dimension with an empty value (keeping its set as the service-only set).
      { ...base, latencyMs: 3, alias: 'nova-lite', team: '' },
    ];
    for (const env of [{}, { POWERTOOLS_METRICS_NAMESPACE: 'TeamA/LlmGateway' }]) {
      const auditor = new Auditor(newLogger(), newMetrics(env));
      const reference = newMetrics(env);
      for (const record of records) {
        // WHEN
        const ours = auditor.emfLine(record, 1_700_000_000_000);
        const theirs = powertoolsDocument(reference, record);
        (theirs._aws as { Timestamp: number }).Timestamp = 1_700_000_000_000;
        // THEN
        expect(ours).toBe(JSON.stringify(theirs));
      }
    }
  });

  test('writes no EMF document when Powertools metrics are disabled', () => {
    // GIVEN metrics created with POWERTOOLS_METRICS_DISABLED set
    const saved = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    let auditor: Auditor;
    try {
      auditor = new Auditor(newLogger(), newMetrics());
    } finally {
      if (saved === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = saved;
    }
    // WHEN
    auditor.emit({ requestId: 'r-4', method: 'GET', route: 'models', status: 200, decision: 'allowed', latencyMs: 1 });
    // THEN the audit line is still written, the metrics are not
    const lines = stdout.json();
    expect(lines.filter((l) => l.message === 'audit')).toHaveLength(1);
    expect(lines.filter((l) => l._aws !== undefined)).toHaveLength(0);
  });

  test('never throws, even when the logger does', () => {
    const logger = newLogger();
    jest.spyOn(logger, 'info').mockImplementation(() => {
      throw new Error('disk full');
    });
    expect(() => new Auditor(logger, newMetrics()).emit({ requestId: 'r', method: 'GET', route: 'x', status: 200, decision: 'allowed' })).not.toThrow();
  });
});

describe('promptSha256', () => {
  test('hashes role and text of every message, unambiguously', () => {
    // GIVEN
    const a = promptSha256([{ role: 'user', text: 'ab' }, { role: 'user', text: 'c' }]);
    const b = promptSha256([{ role: 'user', text: 'a' }, { role: 'user', text: 'bc' }]);
    // THEN
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    expect(promptSha256([{ role: 'user', text: 'x' }])).toBe(sha256Hex('user\0x\0'));
    expect(promptSha256([{ role: 'user', text: 'x' }])).not.toBe(promptSha256([{ role: 'system', text: 'x' }]));
  });
});
