import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { flatten, templateResource } from './template';

/**
 * **What**: every `AWS::ApiGateway::Method` other than `OPTIONS` (CORS preflight) has an
 * `AuthorizationType` other than `NONE` (a missing `AuthorizationType` means `NONE`): IAM, a
 * Cognito user pool or a Lambda authorizer. cdk-nag's `AwsSolutions-APIG4` checks the same; this
 * rule keeps the LLM pack complete for stacks that do not run AwsSolutions.
 *
 * **Why**: OWASP LLM10 (unbounded consumption): an unauthenticated model endpoint lets anyone
 * spend the account's tokens and defeats per-user quotas and audit.
 *
 * **Fix**: `defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.COGNITO, authorizer }`
 * on the `RestApi`, or `authorizationType` on each method.
 */
export function ApiMethodAuthorizer(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::ApiGateway::Method') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  if (!resource) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  if (flatten(resource.properties.HttpMethod).toUpperCase() === 'OPTIONS') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const authorization = flatten(resource.properties.AuthorizationType).toUpperCase();
  return authorization === '' || authorization === 'NONE' ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
