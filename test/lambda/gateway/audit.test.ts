import { Auditor, METRICS_NAMESPACE, newLogger, newMetrics, sha256Hex, summarizeAssessments } from '../../../lambda/gateway/audit';
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

  test('writes one audit line and EMF metrics with the Reason and Model dimensions', () => {
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
    const requests = lines.find((l) => l.Requests === 1)!;
    expect(requests.Latency).toBe(12);
    const blocked = lines.find((l) => l.Blocked === 1)!;
    expect(blocked.Reason).toBe('canary_leak');
    const aws = blocked._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> };
    expect(aws.CloudWatchMetrics[0]!.Namespace).toBe(METRICS_NAMESPACE);
    expect(aws.CloudWatchMetrics[0]!.Dimensions[0]).toEqual(expect.arrayContaining(['Reason']));
    expect(lines.find((l) => l.InputTokens === 11)!.Model).toBe('nova-lite');
    expect(lines.find((l) => l.OutputTokens === 4)!.Model).toBe('nova-lite');
  });

  test('never throws, even when the logger does', () => {
    const logger = newLogger();
    jest.spyOn(logger, 'info').mockImplementation(() => {
      throw new Error('disk full');
    });
    expect(() => new Auditor(logger, newMetrics()).emit({ requestId: 'r', method: 'GET', route: 'x', status: 200, decision: 'allowed' })).not.toThrow();
  });
});
