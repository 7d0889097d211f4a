/**
 * Reading a guardrail intervention: which side (the prompt or the answer) the guardrail acted on, and whether it only
 * masked. Pure functions over the Converse / ApplyGuardrail output, so they can be tested without I/O.
 *
 * Converse reports every intervention the same way, `stopReason: 'guardrail_intervened'` with the guardrail's
 * blocked-messaging text as the answer; only the trace (`trace.guardrail.inputAssessment` /
 * `outputAssessments`, returned because the gateway always sends `trace: 'enabled'`) and the token usage say which
 * side acted. The rule, in order (first match wins):
 *
 * 1. an input assessment holds an action other than `NONE` and `ANONYMIZED` → **input** (the prompt was refused);
 * 2. an output assessment holds an action other than `NONE` → **output** (masking only, `ANONYMIZED`, when that is the
 *    only action and the model answered);
 * 3. the input assessment only masked and the model answered → **input**, masking only;
 * 4. no assessment acted but the model produced output tokens → **output**: an input intervention stops the request
 *    before the model runs, so output tokens prove the prompt passed;
 * 5. anything else (no trace, an empty trace, assessments without actions, no output tokens) → **unknown**.
 *
 * The handler answers input with a 400 `content_filter` (the blocked-input message), and output AND unknown with a
 * 200 `finish_reason: content_filter` and the blocked-output message: never the returned text, which went through no
 * screening the gateway can vouch for (fail closed), and never a claim that the prompt was refused when nothing says
 * so. Unknown is audited as `INTERVENED_UNKNOWN`.
 *
 * @module
 */

/** Which side of the model call a guardrail intervention acted on. */
export type InterventionSide = 'input' | 'output' | 'unknown';

/** What {@link classifyIntervention} found. */
export interface Intervention {
  /** The side that acted, or `unknown` when neither the trace nor the usage tells. */
  readonly side: InterventionSide;
  /** The guardrail only masked (PII `ANONYMIZED`) and the model answered: the masked answer may go on. */
  readonly maskedOnly: boolean;
  /** The assessments of the side that acted (for the audit's policy summary), `undefined` when unknown. */
  readonly assessments: unknown;
}

/** The parts of a Converse output the classification reads. */
export interface InterventionEvidence {
  readonly trace?: { readonly guardrail?: { readonly inputAssessment?: unknown; readonly outputAssessments?: unknown } };
  readonly usage?: { readonly outputTokens?: number };
}

const MASKED = 'ANONYMIZED';
const MAX_DEPTH = 10;

/** Every `action` string anywhere in an assessment tree (depth-bounded), except `NONE`. */
export function assessmentActions(assessments: unknown): Set<string> {
  const actions = new Set<string>();
  const visit = (node: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, depth + 1);
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'action' && typeof value === 'string') actions.add(value);
      else visit(value, depth + 1);
    }
  };
  visit(assessments, 0);
  actions.delete('NONE');
  return actions;
}

/**
 * The intervention blocks: some assessment acted with anything but masking, or no action is found at all (an
 * unknown shape fails closed). Masking alone does not block.
 */
export function interventionBlocks(assessments: unknown): boolean {
  const actions = assessmentActions(assessments);
  return actions.size === 0 || [...actions].some((a) => a !== MASKED);
}

/** Classifies a Converse `guardrail_intervened` output by the rule in this module's description. */
export function classifyIntervention(out: InterventionEvidence): Intervention {
  const trace = out.trace?.guardrail;
  const input = assessmentActions(trace?.inputAssessment);
  const output = assessmentActions(trace?.outputAssessments);
  const answered = (out.usage?.outputTokens ?? 0) > 0;
  const onlyMasked = (actions: Set<string>) => [...actions].every((a) => a === MASKED);

  if (input.size > 0 && !onlyMasked(input)) return { side: 'input', maskedOnly: false, assessments: trace?.inputAssessment };
  if (output.size > 0) return { side: 'output', maskedOnly: answered && onlyMasked(output), assessments: trace?.outputAssessments };
  if (input.size > 0 && answered) return { side: 'input', maskedOnly: true, assessments: trace?.inputAssessment };
  if (answered) return { side: 'output', maskedOnly: false, assessments: trace?.outputAssessments };
  return { side: 'unknown', maskedOnly: false, assessments: undefined };
}
