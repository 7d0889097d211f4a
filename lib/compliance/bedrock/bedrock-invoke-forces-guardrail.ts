import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import {
  BEDROCK_INVOKE_ACTIONS,
  GUARDRAIL_CONDITION_KEY,
  IDENTITY_POLICY_TYPES,
  PolicyStatement,
  attachedPrincipals,
  conditionEntries,
  conditionsOn,
  identityPolicyDocuments,
  isEmbeddingModelArn,
  stackIdentityPolicies,
  statementActions,
  statementLabel,
} from './policy';
import { flatten, hasWildcard, templateResource, wildcardMatch } from './template';

/** Operators that, on an Allow, admit only requests carrying one of the listed guardrails. */
const REQUIRING_OPERATORS = new Set(['stringequals', 'stringlike']);
/**
 * Operators that, on a Deny, also match requests without the key: a negated operator is true
 * for a missing key, and `…IfExists` evaluates to true when the key is missing.
 */
const NEGATED_OPERATORS = new Set(['stringnotequals', 'stringnotequalsifexists', 'stringnotlike', 'stringnotlikeifexists']);

/**
 * **What**: a principal may only run Bedrock inference through a guardrail, enforced by IAM.
 * Every identity-policy `Allow` that grants a Bedrock invoke action (`bedrock:InvokeModel`,
 * `bedrock:InvokeModelWithResponseStream`, or a wildcard / `NotAction` covering them):
 *
 * 1. carries a `StringEquals` or `StringLike` condition on `bedrock:GuardrailIdentifier` whose
 *    values are concrete (no `*` or `?`; `…IfExists` is not accepted, since it admits calls
 *    without a guardrail); and
 * 2. is paired with a matching **Deny** — in the same policy document, or in a policy of the same
 *    stack attached to every principal (role, user, group) the Allow's policy is attached to — that:
 *    covers every invoke action the Allow grants (by `Action` pattern or `NotAction`), covers
 *    the Allow's resources (`*`, or patterns matching each of them), and has exactly one condition:
 *    `StringNotEquals` / `StringNotEqualsIfExists` / `StringNotLike` / `StringNotLikeIfExists` on
 *    `bedrock:GuardrailIdentifier`, whose concrete values are all among the Allow's values.
 *
 * Embedding models are the one exception (Bedrock applies no guardrail to them, so their calls carry none): an Allow
 * whose every resource is a concrete embedding foundation-model ARN ({@link isEmbeddingModelArn}) needs no condition,
 * and a Deny may exclude such ARNs, and only such ARNs, with `NotResource`. Every other model — every text-generation
 * model, named or not — stays behind the Deny.
 *
 * The Deny is what makes the guardrail mandatory: a negated operator is also true when the
 * request carries no guardrail, so the Deny blocks calls without one even if another policy
 * (an AWS managed policy, a later grant) allows invoke. A second condition on the Deny would
 * narrow it (conditions are ANDed), so it is not accepted.
 *
 * **Why**: OWASP LLM01 (prompt injection) and LLM02 (sensitive information disclosure): a
 * guardrail only protects the calls that carry it; application code can forget it, and a
 * compromised function can drop it.
 *
 * **Fix**: add `Condition: { StringEquals: { 'bedrock:GuardrailIdentifier': '<guardrail ARN>:<version>' } }`
 * to the Allow, and a statement `Effect: Deny, Action: [bedrock:InvokeModel, bedrock:InvokeModelWithResponseStream],
 * Resource: *, Condition: { StringNotEquals: { 'bedrock:GuardrailIdentifier': '<same value>' } }`.
 *
 * Findings per Allow statement (labelled by `Sid`, else `#<index>`, prefixed with the inline
 * policy name for inline policies): `Condition::<label>` (no concrete guardrail condition) or
 * `Deny::<label>` (no matching Deny).
 */
export function BedrockInvokeForcesGuardrail(node: CfnResource): NagRuleResult {
  if (!IDENTITY_POLICY_TYPES.includes(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  if (!resource) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings: string[] = [];
  let grantsInvoke = false;
  // Policies attached to the same principals, resolved only when a document lacks its own Deny.
  let attached: ReturnType<typeof stackIdentityPolicies> | undefined;
  for (const document of identityPolicyDocuments(resource)) {
    for (const allow of document.statements) {
      const invokes = allow.effect === 'Allow' ? statementActions(allow, BEDROCK_INVOKE_ACTIONS) : [];
      if (invokes.length === 0) {
        continue;
      }
      grantsInvoke = true;
      const label = statementLabel(document, allow);
      if (allow.notResources === undefined && allow.resources.length > 0 && allow.resources.map(flatten).every(isEmbeddingModelArn)) {
        continue;
      }
      const required = requiredGuardrails(allow);
      if (required === undefined) {
        findings.push(`Condition::${label}`);
        continue;
      }
      const matches = (s: PolicyStatement): boolean => isMatchingDeny(s, allow, invokes, required);
      if (document.statements.some(matches)) {
        continue;
      }
      const principals = attachedPrincipals(resource);
      attached ??= principals.length > 0 ? stackIdentityPolicies(node) : [];
      const covered =
        principals.length > 0 &&
        principals.every((p) => attached!.some((a) => a.principals.includes(p) && a.document.statements.some(matches)));
      if (!covered) {
        findings.push(`Deny::${label}`);
      }
    }
  }
  if (findings.length > 0) {
    return findings;
  }
  return grantsInvoke ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
}

/**
 * The guardrail identifiers an Allow admits (flattened), or `undefined` when it admits calls
 * without a concrete guardrail. Several requiring conditions are ANDed: their values intersect.
 */
function requiredGuardrails(allow: PolicyStatement): string[] | undefined {
  const requiring = conditionsOn(allow, GUARDRAIL_CONDITION_KEY).filter(
    (c) => REQUIRING_OPERATORS.has(c.operator.toLowerCase()) && c.values.length > 0 && !c.values.some(hasWildcard),
  );
  if (requiring.length === 0) {
    return undefined;
  }
  const values = requiring.map((c) => c.values).reduce((a, b) => a.filter((v) => b.includes(v)));
  return values.length > 0 ? values : undefined;
}

/** Whether `deny` blocks every call `allow` grants that does not carry one of `required`'s guardrails. */
function isMatchingDeny(deny: PolicyStatement, allow: PolicyStatement, invokes: string[], required: string[]): boolean {
  if (deny.effect !== 'Deny') {
    return false;
  }
  if (statementActions(deny, invokes).length !== invokes.length) {
    return false;
  }
  if (deny.notResources !== undefined) {
    // Everything but the excluded ARNs is denied: only embedding models may be excluded, and none of the Allow's.
    const excluded = deny.notResources.map(flatten);
    if (!excluded.every(isEmbeddingModelArn) || allow.notResources !== undefined) {
      return false;
    }
    if (allow.resources.map(flatten).some((r) => excluded.some((e) => wildcardMatch(e, r) || wildcardMatch(r, e)))) {
      return false;
    }
  }
  const denied = deny.resources.map(flatten);
  const allResources = deny.notResources !== undefined || denied.includes('*');
  if (!allResources) {
    if (allow.notResources !== undefined) {
      return false;
    }
    const allowed = allow.resources.map(flatten);
    if (!allowed.every((r) => denied.some((d) => wildcardMatch(d, r)))) {
      return false;
    }
  }
  const conditions = conditionEntries(deny);
  if (conditions.length !== 1) {
    return false;
  }
  const [condition] = conditions as [(typeof conditions)[number]];
  return (
    condition.key.toLowerCase() === GUARDRAIL_CONDITION_KEY.toLowerCase() &&
    NEGATED_OPERATORS.has(condition.operator.toLowerCase()) &&
    condition.values.length > 0 &&
    !condition.values.some(hasWildcard) &&
    condition.values.every((v) => required.includes(v))
  );
}
