import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import {
  BEDROCK_INVOKE_ACTIONS,
  IDENTITY_POLICY_TYPES,
  VPC_ENDPOINT_TYPE,
  endpointPolicyDocuments,
  identityPolicyDocuments,
  statementActions,
} from './policy';
import { arnResourcePart, flatten, hasWildcard, templateResource } from './template';

/**
 * **What**: every `Allow` statement that grants a Bedrock invoke action (`bedrock:InvokeModel`,
 * `bedrock:InvokeModelWithResponseStream`, or a wildcard or `NotAction` that covers them; Converse
 * and ConverseStream are authorized by these two) names specific model or inference-profile
 * resources: no `*`, no `…:foundation-model/*`, no `…:inference-profile/*`, no wildcard anywhere
 * in the resource part of the ARN (after `arn:partition:service:region:account:`), and no
 * `NotResource`. Wildcards in the region or account part are allowed (a cross-region inference
 * profile needs its foundation model in several regions).
 *
 * Checked in identity policies (`AWS::IAM::Policy`, `ManagedPolicy`, `RolePolicy`/`UserPolicy`/`GroupPolicy`,
 * inline `Policies` of roles, users and groups) and in VPC endpoint policies.
 *
 * **Why**: OWASP LLM10 (unbounded consumption) and LLM06 (excessive agency): a principal that may
 * invoke any model can run the most expensive model, or a model the organization has not
 * approved, outside the allow-list the application enforces.
 *
 * **Fix**: list the ARNs of the approved models
 * (`arn:${Partition}:bedrock:${Region}::foundation-model/amazon.nova-lite-v1:0`) and inference profiles,
 * plus the foundation model in every region a cross-region profile routes to.
 *
 * Findings: `Resource::<resource>` or `NotResource::<resource>` per offending resource, in
 * cdk-nag's flattened notation (`<LogicalId.Attr>`, `<AWS::Region>`), e.g.
 * `SecureLLM-BedrockInvokeNamedModels[Resource::*]`.
 */
export function BedrockInvokeNamedModels(node: CfnResource): NagRuleResult {
  if (!IDENTITY_POLICY_TYPES.includes(node.cfnResourceType) && node.cfnResourceType !== VPC_ENDPOINT_TYPE) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  if (!resource) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const documents = [...identityPolicyDocuments(resource), ...endpointPolicyDocuments(resource)];
  const findings = new Set<string>();
  let grantsInvoke = false;
  for (const document of documents) {
    for (const statement of document.statements) {
      if (statement.effect !== 'Allow' || statementActions(statement, BEDROCK_INVOKE_ACTIONS).length === 0) {
        continue;
      }
      grantsInvoke = true;
      for (const r of statement.resources.map(flatten)) {
        if (!isNamedModelResource(r)) {
          findings.add(`Resource::${r}`);
        }
      }
      for (const r of (statement.notResources ?? []).map(flatten)) {
        findings.add(`NotResource::${r}`);
      }
    }
  }
  if (findings.size > 0) {
    return [...findings];
  }
  return grantsInvoke ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
}

/**
 * Whether a flattened resource names one resource: not `*`, and no wildcard in the part after
 * `arn:partition:service:region:account:` (model ids contain colons, so everything after the
 * fifth colon is the resource part). A reference to another resource (`<Profile.Arn>`) names one.
 */
function isNamedModelResource(resource: string): boolean {
  if (!resource.startsWith('arn:')) {
    // "*", or a reference such as <Profile.InferenceProfileArn> / <ModelArnParameter>.
    return !hasWildcard(resource);
  }
  const resourcePart = arnResourcePart(resource);
  return resourcePart !== undefined && resourcePart.length > 0 && !hasWildcard(resourcePart);
}
