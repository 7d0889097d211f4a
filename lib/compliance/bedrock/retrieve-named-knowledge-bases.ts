import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { IDENTITY_POLICY_TYPES, VPC_ENDPOINT_TYPE, endpointPolicyDocuments, identityPolicyDocuments, statementActions } from './policy';
import { arnResourcePart, flatten, hasWildcard, templateResource } from './template';

/** The actions that read a knowledge base's chunks. */
export const BEDROCK_RETRIEVE_ACTIONS: readonly string[] = ['bedrock:Retrieve', 'bedrock:RetrieveAndGenerate'];

/**
 * **What**: every `Allow` statement that grants `bedrock:Retrieve` or `bedrock:RetrieveAndGenerate` (or a wildcard or
 * `NotAction` that covers them) names knowledge-base resources: no `*`, no `…:knowledge-base/*`, no wildcard in the
 * resource part of the ARN, and no `NotResource`. References to a knowledge base of the stack
 * (`<KnowledgeBase.KnowledgeBaseArn>`) name one. Checked in identity policies and VPC endpoint policies.
 *
 * **Why**: OWASP LLM08 (vector and embedding weaknesses) and LLM02: a principal that may retrieve from every knowledge
 * base of the account reads corpora meant for other applications or tenants, bypassing the per-tenant filter its own
 * knowledge base enforces.
 *
 * **Fix**: grant retrieval with `SecureKnowledgeBase.grantRetrieve(grantee)`, or list the knowledge-base ARNs.
 *
 * Findings: `Resource::<resource>` or `NotResource::<resource>` in cdk-nag's flattened notation.
 */
export function RetrieveNamedKnowledgeBases(node: CfnResource): NagRuleResult {
  if (!IDENTITY_POLICY_TYPES.includes(node.cfnResourceType) && node.cfnResourceType !== VPC_ENDPOINT_TYPE) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  if (!resource) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings = new Set<string>();
  let grants = false;
  for (const document of [...identityPolicyDocuments(resource), ...endpointPolicyDocuments(resource)]) {
    for (const statement of document.statements) {
      if (statement.effect !== 'Allow' || statementActions(statement, BEDROCK_RETRIEVE_ACTIONS).length === 0) {
        continue;
      }
      grants = true;
      for (const r of statement.resources.map(flatten)) {
        if (!namesOneResource(r)) findings.add(`Resource::${r}`);
      }
      for (const r of (statement.notResources ?? []).map(flatten)) {
        findings.add(`NotResource::${r}`);
      }
    }
  }
  if (findings.size > 0) {
    return [...findings];
  }
  return grants ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
}

/** Whether a flattened resource names one resource: a reference, or an ARN without a wildcard in its resource part. */
function namesOneResource(resource: string): boolean {
  if (!resource.startsWith('arn:')) {
    return !hasWildcard(resource);
  }
  const part = arnResourcePart(resource);
  return part !== undefined && part.length > 0 && !hasWildcard(part);
}
