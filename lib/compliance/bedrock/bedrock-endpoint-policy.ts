import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { VPC_ENDPOINT_TYPE, coversWholeService, endpointPolicyDocuments, isAnyPrincipal } from './policy';
import { flatten, templateResource } from './template';

/**
 * The Bedrock endpoint services: `bedrock` (control plane), `bedrock-runtime`, `bedrock-agent`,
 * `bedrock-agent-runtime`, and their `-fips` variants, at the end of a service name such as
 * `com.amazonaws.<region>.bedrock-runtime`.
 */
const BEDROCK_SERVICE = /\.bedrock(-agent)?(-runtime)?(-fips)?$/;

/**
 * **What**: every `AWS::EC2::VPCEndpoint` for a Bedrock service (`ServiceName` ending with
 * `.bedrock`, `.bedrock-runtime`, `.bedrock-agent` or `.bedrock-agent-runtime`, also as an
 * `Fn::Join` of the region) has a `PolicyDocument`, and it is not the default full-access policy:
 * no `Allow` statement grants every Bedrock action (`*`, `bedrock:*`, or a `NotAction` that does
 * not exclude Bedrock) on `*` (or with `NotResource`) to any principal (`*`) without a condition.
 *
 * **Why**: OWASP LLM10 (unbounded consumption) and LLM02: an endpoint is a path from the VPC to
 * Bedrock; without a policy, any credentials present in the VPC — including another account's,
 * for exfiltration — may use every model and control-plane action through it. A scoped policy
 * limits it to the application's principals, actions and models.
 *
 * **Fix**: add a policy statement naming the principals, actions and resources the VPC needs
 * (`endpoint.addToPolicy(new iam.PolicyStatement({ principals: [role], actions: ['bedrock:InvokeModel'], resources: modelArns }))`).
 */
export function BedrockEndpointPolicy(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== VPC_ENDPOINT_TYPE) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  if (!resource || !BEDROCK_SERVICE.test(flatten(resource.properties.ServiceName))) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const documents = endpointPolicyDocuments(resource);
  if (documents.length === 0) {
    return NagRuleCompliance.NON_COMPLIANT;
  }
  const fullAccess = documents[0]!.statements.some(
    (s) =>
      s.effect === 'Allow' &&
      isAnyPrincipal(s.principal) &&
      Object.keys(s.condition).length === 0 &&
      (s.notResources !== undefined || s.resources.map(flatten).includes('*')) &&
      (s.notActions !== undefined
        ? !s.notActions.some((p) => coversWholeService(p, 'bedrock'))
        : s.actions.some((p) => coversWholeService(p, 'bedrock'))),
  );
  return fullAccess ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
