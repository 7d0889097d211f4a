import * as fc from 'fast-check';
import { classifyIntervention, interventionBlocks } from '../../../lambda/gateway/intervention';

const G = 'arn:aws:bedrock:us-east-1:123456789012:guardrail/g1';
const filter = (action: string) => ({ contentPolicy: { filters: [{ type: 'VIOLENCE', confidence: 'HIGH', action }] } });
const pii = { sensitiveInformationPolicy: { piiEntities: [{ type: 'EMAIL', match: 'x@example.org', action: 'ANONYMIZED' }] } };
const metrics = { invocationMetrics: { guardrailProcessingLatency: 10 } };

describe('classifyIntervention', () => {
  test('an acting input assessment → input, whatever the usage', () => {
    const out = { trace: { guardrail: { inputAssessment: { [G]: filter('BLOCKED') } } }, usage: { outputTokens: 0 } };
    expect(classifyIntervention(out)).toEqual({ side: 'input', maskedOnly: false, assessments: { [G]: filter('BLOCKED') } });
  });

  test('an acting output assessment beside an input assessment with metrics only → output', () => {
    const out = { trace: { guardrail: { inputAssessment: { [G]: metrics }, outputAssessments: { [G]: [filter('BLOCKED')] } } }, usage: { outputTokens: 9 } };
    expect(classifyIntervention(out)).toMatchObject({ side: 'output', maskedOnly: false });
  });

  test('output masking only, with an answer → output, masked only', () => {
    const out = { trace: { guardrail: { outputAssessments: { [G]: [pii] } } }, usage: { outputTokens: 9 } };
    expect(classifyIntervention(out)).toMatchObject({ side: 'output', maskedOnly: true });
  });

  test('input masking only, with an answer → input, masked only; without an answer → unknown', () => {
    const trace = { guardrail: { inputAssessment: { [G]: pii } } };
    expect(classifyIntervention({ trace, usage: { outputTokens: 9 } })).toMatchObject({ side: 'input', maskedOnly: true });
    expect(classifyIntervention({ trace, usage: { outputTokens: 0 } })).toMatchObject({ side: 'unknown', maskedOnly: false });
  });

  test('no acting assessment but output tokens → output (an input block stops before the model runs)', () => {
    for (const trace of [undefined, { guardrail: {} }, { guardrail: { inputAssessment: { [G]: metrics }, outputAssessments: { [G]: [metrics] } } }]) {
      expect(classifyIntervention({ trace, usage: { outputTokens: 3 } })).toMatchObject({ side: 'output', maskedOnly: false });
    }
  });

  test('no acting assessment and no output tokens → unknown', () => {
    for (const trace of [undefined, { guardrail: {} }, { guardrail: { inputAssessment: { [G]: metrics } } }]) {
      expect(classifyIntervention({ trace, usage: { outputTokens: 0 } })).toEqual({ side: 'unknown', maskedOnly: false, assessments: undefined });
      expect(classifyIntervention({ trace })).toMatchObject({ side: 'unknown' });
    }
  });

  test('fails if anything but pure masking with an answer is let through (property)', () => {
    const action = fc.constantFrom('NONE', 'BLOCKED', 'ANONYMIZED', 'INTERVENED', 'SOMETHING_NEW');
    const assessment = fc.option(fc.array(action, { maxLength: 3 }).map((as) => ({ [G]: [{ contentPolicy: { filters: as.map((a) => ({ type: 'T', action: a })) } }] })), { nil: undefined });
    fc.assert(
      fc.property(assessment, assessment, fc.nat(20), (input, output, outputTokens) => {
        const result = classifyIntervention({ trace: { guardrail: { inputAssessment: input, outputAssessments: output } }, usage: { outputTokens } });
        if (result.maskedOnly) {
          // THEN only when the model answered and the side's assessments hold masking and nothing that blocks
          expect(outputTokens).toBeGreaterThan(0);
          expect(interventionBlocks(result.assessments)).toBe(false);
        }
        if (result.side === 'unknown') expect(result.maskedOnly).toBe(false);
      }),
    );
  });
});

describe('interventionBlocks', () => {
  test('masking alone does not block; any other action, or no action at all, does', () => {
    expect(interventionBlocks([pii])).toBe(false);
    expect(interventionBlocks([pii, filter('BLOCKED')])).toBe(true);
    expect(interventionBlocks([filter('NONE')])).toBe(true);
    expect(interventionBlocks(undefined)).toBe(true);
  });
});
