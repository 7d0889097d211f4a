import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { GUARDRAIL_TYPE, GUARDRAIL_VERSION_TYPE } from './guardrail';
import { referencesLogicalId, stackResources, templateResource } from './template';

/**
 * **What**: every `AWS::Bedrock::Guardrail` has at least one `AWS::Bedrock::GuardrailVersion` in
 * the same stack whose `GuardrailIdentifier` refers to it (`Ref`, `Fn::GetAtt` of `GuardrailId` or
 * `GuardrailArn`).
 *
 * **Why**: OWASP LLM01 and LLM02: without a published version, callers can only use the mutable
 * `DRAFT`, which any later edit changes without review or rollback, and which IAM cannot pin in
 * `bedrock:GuardrailIdentifier`. (This rule cannot tell whether the version follows configuration
 * changes: name it after a hash of the configuration, as ModelGuardrail does, so every change
 * publishes a new one.)
 *
 * **Fix**: add `new bedrock.CfnGuardrailVersion(this, 'Version<hash>', { guardrailIdentifier: guardrail.attrGuardrailId })`
 * and use its `attrVersion` in requests and IAM conditions.
 */
export function GuardrailVersionPublished(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== GUARDRAIL_TYPE) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  if (!resource) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const published = stackResources(node, [GUARDRAIL_VERSION_TYPE]).some((v) =>
    referencesLogicalId(v.properties.GuardrailIdentifier, resource.logicalId),
  );
  return published ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
