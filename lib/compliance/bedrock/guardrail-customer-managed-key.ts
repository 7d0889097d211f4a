import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { GUARDRAIL_TYPE } from './guardrail';
import { flatten, templateResource } from './template';

/**
 * **What**: every `AWS::Bedrock::Guardrail` sets `KmsKeyArn` to a customer-managed KMS key (an
 * AWS-managed `alias/aws/…` key does not count).
 *
 * **Why**: OWASP LLM02 (sensitive information disclosure) and LLM07 (system prompt leakage): a
 * guardrail's denied topics, word lists and regular expressions describe what the application
 * protects; with a customer-managed key, reading them needs `kms:Decrypt`, which key policies
 * and CloudTrail control and record, and the key can be disabled in an incident.
 *
 * **Fix**: set `kmsKeyArn` to a key with rotation enabled (e.g. `new SecureKey(...)`), and grant
 * the callers of the guardrail `kms:Decrypt` on it.
 */
export function GuardrailCustomerManagedKey(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== GUARDRAIL_TYPE) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  if (!resource) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const key = flatten(resource.properties.KmsKeyArn);
  if (key === '' || key.includes('alias/aws/')) {
    return NagRuleCompliance.NON_COMPLIANT;
  }
  return NagRuleCompliance.COMPLIANT;
}
