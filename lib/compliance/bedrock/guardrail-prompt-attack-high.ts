import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { GUARDRAIL_TYPE, actsOn, listAt } from './guardrail';
import { templateResource } from './template';

/**
 * **What**: every `AWS::Bedrock::Guardrail` has a content filter of type `PROMPT_ATTACK`
 * (`ContentPolicyConfig.FiltersConfig[]`) with `InputStrength: HIGH`, input evaluation not disabled
 * (`InputEnabled` not false) and no input action other than `BLOCK` (`InputAction: NONE` only detects).
 * The output strength is not checked: Bedrock requires `NONE` for prompt attacks on output.
 *
 * **Why**: OWASP LLM01 (prompt injection): the prompt-attack filter detects jailbreaks and
 * instruction overrides in user input; below HIGH it lets low- and medium-confidence attacks through.
 *
 * **Fix**: add `{ type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE' }` to
 * `contentPolicyConfig.filtersConfig` (ModelGuardrail does this by default).
 */
export function GuardrailPromptAttackHigh(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== GUARDRAIL_TYPE) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  if (!resource) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const filters = listAt(resource.properties, ['ContentPolicyConfig', 'FiltersConfig']);
  const ok = filters.some((f) => f.Type === 'PROMPT_ATTACK' && f.InputStrength === 'HIGH' && actsOn(f, 'Input', 'BLOCK'));
  return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
