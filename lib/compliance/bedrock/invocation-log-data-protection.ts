import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { stackIdentityPolicies, statementActions } from './policy';
import { TemplateResource, asArray, isObject, referencesLogicalId, stackResources, stackResourcesMatching, templateResource } from './template';

const LOG_GROUP_TYPE = 'AWS::Logs::LogGroup';

/**
 * The marker that puts a log group in scope of {@link InvocationLogDataProtection}: a tag with
 * this key and the value `true` on the log group, or a construct metadata entry of this type
 * with the data `true` on the log group's L1 or L2 construct.
 *
 * @example
 * Tags.of(payloadLogGroup).add(HOLDS_PROMPTS_MARKER, 'true');
 * // or, seen without synthesis (e.g. by validateScope in tests):
 * payloadLogGroup.node.addMetadata(HOLDS_PROMPTS_MARKER, true);
 */
export const HOLDS_PROMPTS_MARKER = 'secure-llm:holds-prompts';

/** Custom resources (any type) whose type or properties mention model-invocation logging. */
const INVOCATION_LOGGING = /ModelInvocationLogging/i;
const CUSTOM_RESOURCE_TYPES = /^(Custom::.+|AWS::CloudFormation::CustomResource)$/;

/**
 * **What**: every CloudWatch Logs log group that receives prompts or model responses carries a
 * `DataProtectionPolicy` with a de-identify (masking) statement. A log group is in scope when:
 *
 * 1. Bedrock model-invocation logging writes to it: a custom resource whose type or properties
 *    mention `ModelInvocationLogging` (e.g. `Custom::BedrockModelInvocationLogging`, or an
 *    `AwsCustomResource` calling `PutModelInvocationLoggingConfiguration`) refers to it; or a role
 *    that `bedrock.amazonaws.com` may assume is allowed `logs:PutLogEvents` on it (the delivery role
 *    invocation logging needs, however it is configured); or
 * 2. it is marked with {@link HOLDS_PROMPTS_MARKER} (`true`), for application log groups that
 *    hold payloads by design.
 *
 * A Lambda function that calls Bedrock does not put its log group in scope: whether it logs
 * prompts depends on its code, which this rule cannot read (the LLM gateway logs hashes, sizes
 * and decisions only). Mark such log groups when they do hold payloads.
 *
 * **Why**: OWASP LLM02 (sensitive information disclosure): prompts and responses carry personal
 * data and secrets users paste; a data-protection policy masks them for readers without
 * `logs:Unmask` and audits what was found.
 *
 * **Fix**: `new SecureLogGroup(this, 'Logs', { dataProtection: true })`, or `dataProtectionPolicy:
 * new logs.DataProtectionPolicy({ identifiers: [...] })` on a `logs.LogGroup`.
 */
export function InvocationLogDataProtection(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== LOG_GROUP_TYPE) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  if (!resource) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  if (hasMaskingPolicy(resource.properties.DataProtectionPolicy)) {
    return NagRuleCompliance.COMPLIANT;
  }
  const inScope = isMarked(resource) || isInvocationLoggingTarget(resource) || isWrittenByBedrock(resource);
  return inScope ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
}

/** Whether a data-protection policy has a statement whose operation de-identifies (masks) data. */
function hasMaskingPolicy(policy: unknown): boolean {
  if (!isObject(policy)) {
    return false;
  }
  return asArray(policy.Statement)
    .filter(isObject)
    .some((s) => isObject(s.Operation) && s.Operation.Deidentify !== undefined && asArray(s.DataIdentifier).length > 0);
}

/** Whether the log group carries {@link HOLDS_PROMPTS_MARKER} as a tag or as metadata. */
function isMarked(resource: TemplateResource): boolean {
  const tagged = asArray(resource.properties.Tags)
    .filter(isObject)
    .some((t) => t.Key === HOLDS_PROMPTS_MARKER && String(t.Value).toLowerCase() === 'true');
  const scopes: IConstruct[] = [resource.node, ...(resource.node.node.scope ? [resource.node.node.scope] : [])];
  const annotated = scopes.some((c) =>
    c.node.metadata.some((m) => m.type === HOLDS_PROMPTS_MARKER && (m.data === true || String(m.data).toLowerCase() === 'true')),
  );
  return tagged || annotated;
}

/** Whether a model-invocation-logging custom resource refers to the log group. */
function isInvocationLoggingTarget(logGroup: TemplateResource): boolean {
  return stackResourcesMatching(logGroup.node, CUSTOM_RESOURCE_TYPES).some(
    (custom) =>
      (INVOCATION_LOGGING.test(custom.type) || INVOCATION_LOGGING.test(JSON.stringify(custom.properties))) &&
      referencesLogicalId(custom.properties, logGroup.logicalId),
  );
}

/** Whether a role Bedrock may assume is allowed to put log events into the log group. */
function isWrittenByBedrock(logGroup: TemplateResource): boolean {
  const bedrockRoles = stackResources(logGroup.node, ['AWS::IAM::Role'])
    .filter((role) => trustsBedrock(role.properties.AssumeRolePolicyDocument))
    .map((role) => `Role:${role.logicalId}`);
  if (bedrockRoles.length === 0) {
    return false;
  }
  return stackIdentityPolicies(logGroup.node).some(
    ({ document, principals }) =>
      principals.some((p) => bedrockRoles.includes(p)) &&
      document.statements.some(
        (s) =>
          s.effect === 'Allow' &&
          statementActions(s, ['logs:PutLogEvents']).length > 0 &&
          s.resources.some((r) => referencesLogicalId(r, logGroup.logicalId)),
      ),
  );
}

/** Whether a trust policy lets the Bedrock service assume the role. */
function trustsBedrock(document: unknown): boolean {
  if (!isObject(document)) {
    return false;
  }
  return asArray(document.Statement)
    .filter(isObject)
    .some((s) => s.Effect === 'Allow' && isObject(s.Principal) && asArray(s.Principal.Service).includes('bedrock.amazonaws.com'));
}
