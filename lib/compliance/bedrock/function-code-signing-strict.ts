import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { flatten, referencedLogicalId, stackResources, templateResource } from './template';

/**
 * The template `Metadata` key that names the security profile a stack is deployed under. The blueprint's stacks set
 * it to `"strict"` under profile "strict" (config `profile`); any other stack may set it the same way
 * (`stack.templateOptions.metadata = { 'SecureLLM::Profile': 'strict' }`) to opt into the rules of that profile.
 * The profile is read from the template itself, not from app context, so the rule checks what deploys and an
 * auditor reading the template sees which profile applied.
 */
export const PROFILE_METADATA_KEY = 'SecureLLM::Profile';

/** Whether `node`'s stack declares the strict profile in its template Metadata. */
export function isStrictProfile(node: CfnResource): boolean {
  const metadata = Stack.of(node).templateOptions.metadata as Record<string, unknown> | undefined;
  return metadata?.[PROFILE_METADATA_KEY] === 'strict';
}

/**
 * **What**: in a stack under the strict profile (template Metadata `SecureLLM::Profile: strict`), every
 * `AWS::Lambda::Function` sets `CodeSigningConfigArn`, and when that is an `AWS::Lambda::CodeSigningConfig` of the same
 * stack, its policy is `UntrustedArtifactOnDeployment: Enforce` (Warn deploys unsigned code anyway).
 *
 * **Why**: OWASP LLM03 (supply chain), threat model section 5: the functions of an LLM gateway hold the guardrail
 * enforcement, the screening and the model permissions. Without enforced code signing, anyone who can update a
 * function's code (or swap an object in the asset bucket) replaces the controls with code nobody reviewed.
 *
 * **Fix**: configure `codeSigning` (the blueprint), or add a `LambdaCodeSigning` to the stack, and sign the code with
 * `secure-llm-sign`.
 */
export function FunctionCodeSigningStrict(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::Lambda::Function' || !isStrictProfile(node)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  if (!resource) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const arn = resource.properties.CodeSigningConfigArn;
  if (flatten(arn) === '') {
    return NagRuleCompliance.NON_COMPLIANT;
  }
  const configId = referencedLogicalId(arn);
  if (configId !== undefined) {
    const config = stackResources(node, ['AWS::Lambda::CodeSigningConfig']).find((r) => r.logicalId === configId);
    const policies = config?.properties.CodeSigningPolicies as { UntrustedArtifactOnDeployment?: unknown } | undefined;
    if (config !== undefined && flatten(policies?.UntrustedArtifactOnDeployment) !== 'Enforce') {
      return NagRuleCompliance.NON_COMPLIANT;
    }
  }
  return NagRuleCompliance.COMPLIANT;
}
