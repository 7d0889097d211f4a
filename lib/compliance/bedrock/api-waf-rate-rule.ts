import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { JsonObject, asArray, isObject, referencedLogicalId, referencesLogicalId, stackResources, templateResource } from './template';

/**
 * **What**: every `AWS::ApiGateway::Stage` is the `ResourceArn` of an `AWS::WAFv2::WebACLAssociation`
 * (the ARN refers to the stage's logical id) whose `WebACLArn` refers to an `AWS::WAFv2::WebACL`
 * of the same stack with at least one rule whose statement is a `RateBasedStatement` and whose
 * action blocks (`Block`, `Captcha` or `Challenge`; a `Count` rule only measures). A web ACL
 * outside the stack cannot be inspected and does not count.
 *
 * **Why**: OWASP LLM10 (unbounded consumption): every request to an LLM endpoint costs tokens and
 * concurrency; a per-client rate limit at the edge stops floods before they reach the function,
 * quota table or model.
 *
 * **Fix**: associate a web ACL with the stage (`new wafv2.CfnWebACLAssociation(this, 'Assoc', {
 * resourceArn: stage.stageArn, webAclArn: acl.attrArn })`) with a rule such as
 * `{ statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: 1000 } }, action: { block: {} } }`.
 */
export function ApiWafRateRule(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::ApiGateway::Stage') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const stage = templateResource(node);
  if (!stage) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const aclIds = stackResources(node, ['AWS::WAFv2::WebACLAssociation'])
    .filter((a) => referencesLogicalId(a.properties.ResourceArn, stage.logicalId))
    .map((a) => referencedLogicalId(a.properties.WebACLArn))
    .filter((id): id is string => id !== undefined);
  if (aclIds.length === 0) {
    return NagRuleCompliance.NON_COMPLIANT;
  }
  const limited = stackResources(node, ['AWS::WAFv2::WebACL']).some(
    (acl) => aclIds.includes(acl.logicalId) && asArray(acl.properties.Rules).filter(isObject).some(isBlockingRateRule),
  );
  return limited ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

function isBlockingRateRule(rule: JsonObject): boolean {
  const action = isObject(rule.Action) ? rule.Action : {};
  return (
    isObject(rule.Statement) &&
    isObject(rule.Statement.RateBasedStatement) &&
    (action.Block !== undefined || action.Captcha !== undefined || action.Challenge !== undefined)
  );
}
