import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { GUARDRAIL_TYPE, actsOn, listAt } from './guardrail';
import { templateResource } from './template';

/** The credential entity types a guardrail must block. */
export const CREDENTIAL_PII_TYPES: readonly string[] = ['AWS_ACCESS_KEY', 'AWS_SECRET_KEY', 'PASSWORD'];

/**
 * **What**: every `AWS::Bedrock::Guardrail` blocks credentials: its sensitive-information policy
 * (`SensitiveInformationPolicyConfig.PiiEntitiesConfig[]`) has `AWS_ACCESS_KEY`, `AWS_SECRET_KEY`
 * and `PASSWORD` entries with `Action: BLOCK`, neither direction disabled (`InputEnabled` /
 * `OutputEnabled` not false) and no direction overridden to another action (`InputAction` /
 * `OutputAction`, when set, are `BLOCK`).
 *
 * **Why**: OWASP LLM02 (sensitive information disclosure): credentials pasted into prompts end up
 * in model-invocation logs and in the model provider's context; credentials in responses leak
 * whatever the model saw. Anonymizing them is not enough: the request must not proceed.
 *
 * **Fix**: add `{ type: 'AWS_ACCESS_KEY', action: 'BLOCK' }` (and the same for `AWS_SECRET_KEY` and
 * `PASSWORD`) to `sensitiveInformationPolicyConfig.piiEntitiesConfig` (ModelGuardrail does this by default).
 *
 * Findings: one per entity type that is not blocked, e.g. `SecureLLM-GuardrailBlocksCredentials[PASSWORD]`.
 */
export function GuardrailBlocksCredentials(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== GUARDRAIL_TYPE) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  if (!resource) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const entities = listAt(resource.properties, ['SensitiveInformationPolicyConfig', 'PiiEntitiesConfig']);
  const missing = CREDENTIAL_PII_TYPES.filter(
    (type) => !entities.some((e) => e.Type === type && e.Action === 'BLOCK' && actsOn(e, 'Input', 'BLOCK') && actsOn(e, 'Output', 'BLOCK')),
  );
  return missing.length > 0 ? missing : NagRuleCompliance.COMPLIANT;
}
