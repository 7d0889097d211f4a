import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { IDENTITY_POLICY_TYPES, coversWholeService, identityPolicyDocuments, statementLabel } from './policy';
import { templateResource } from './template';

/**
 * **What**: no identity-policy `Allow` statement grants every Bedrock action: no `*`,
 * `bedrock:*` or other pattern that matches the whole `bedrock` service (`bedrock*`, `*:*`), and
 * no `NotAction` statement unless one of its `NotAction` patterns excludes the whole service
 * (an `Allow` with `NotAction: ['iam:*']` grants `bedrock:*` and every future Bedrock action).
 * Resource and conditions do not matter: `bedrock:*` also grants control-plane actions such as
 * `DeleteGuardrail`, `PutModelInvocationLoggingConfiguration` or `CreateModelCustomizationJob`.
 *
 * Checked in `AWS::IAM::Policy`, `ManagedPolicy`, `RolePolicy`/`UserPolicy`/`GroupPolicy` and the
 * inline `Policies` of roles, users and groups.
 *
 * **Why**: OWASP LLM06 (excessive agency) and LLM02 (sensitive information disclosure): a service
 * wildcard lets the principal switch off guardrails and invocation logging, read invocation
 * logs' configuration or fine-tune on its own data — the controls the rest of this pack checks.
 *
 * **Fix**: list the Bedrock actions the principal calls (e.g. `bedrock:InvokeModel`,
 * `bedrock:ApplyGuardrail`).
 *
 * Findings: `Action::<pattern>` per service-wide pattern, `NotAction::<statement label>` per
 * `NotAction` statement that does not exclude Bedrock (label: `Sid`, else `#<index>`).
 */
export function BedrockNoServiceWildcard(node: CfnResource): NagRuleResult {
  if (!IDENTITY_POLICY_TYPES.includes(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  if (!resource) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings = new Set<string>();
  for (const document of identityPolicyDocuments(resource)) {
    for (const statement of document.statements) {
      if (statement.effect !== 'Allow') {
        continue;
      }
      if (statement.notActions !== undefined) {
        if (!statement.notActions.some((p) => coversWholeService(p, 'bedrock'))) {
          findings.add(`NotAction::${statementLabel(document, statement)}`);
        }
        continue;
      }
      for (const pattern of statement.actions.filter((p) => coversWholeService(p, 'bedrock'))) {
        findings.add(`Action::${pattern}`);
      }
    }
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}
