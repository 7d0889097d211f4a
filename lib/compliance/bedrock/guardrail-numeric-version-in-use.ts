import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import {
  GUARDRAIL_CONDITION_KEY,
  IDENTITY_POLICY_TYPES,
  VPC_ENDPOINT_TYPE,
  conditionsOn,
  endpointPolicyDocuments,
  identityPolicyDocuments,
} from './policy';
import { TemplateResource, flatten, isObject, templateResource } from './template';

const LAMBDA_FUNCTION_TYPE = 'AWS::Lambda::Function';

/**
 * **What**: nothing in the stack points at a guardrail's `DRAFT`:
 * - Lambda functions (`AWS::Lambda::Function`): no environment variable is `DRAFT` or ends with `:DRAFT`;
 * - IAM policies (identity policies and VPC endpoint policies): no `bedrock:GuardrailIdentifier`
 *   condition value ends with `:DRAFT`;
 * - Bedrock resources (`AWS::Bedrock::*`, e.g. an agent's `GuardrailConfiguration` or the account-level
 *   `AWS::Bedrock::EnforcedGuardrailConfiguration`): no `GuardrailVersion` property is `DRAFT`.
 *
 * Values only known at deployment (references, parameters) pass: only literals can be checked.
 *
 * **Why**: OWASP LLM01 and LLM02: `DRAFT` is the working copy of a guardrail; anyone who may
 * update the guardrail changes what protects production at once, without a version to review,
 * pin in IAM or roll back to.
 *
 * **Fix**: publish a version (`AWS::Bedrock::GuardrailVersion`) and use its `Version` attribute
 * (`guardrail.guardrailVersion` of ModelGuardrail) in requests, environment and conditions.
 *
 * Findings: `Environment::<variable>`, `Condition::<value>` or `Property::<path>` per reference to DRAFT.
 */
export function GuardrailNumericVersionInUse(node: CfnResource): NagRuleResult {
  const type = node.cfnResourceType;
  const applies =
    type === LAMBDA_FUNCTION_TYPE || IDENTITY_POLICY_TYPES.includes(type) || type === VPC_ENDPOINT_TYPE || type.startsWith('AWS::Bedrock::');
  if (!applies) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  if (!resource) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings = new Set<string>();
  if (type === LAMBDA_FUNCTION_TYPE) {
    const variables = isObject(resource.properties.Environment) ? resource.properties.Environment.Variables : undefined;
    for (const [name, value] of Object.entries(isObject(variables) ? variables : {})) {
      if (isDraft(flatten(value))) {
        findings.add(`Environment::${name}`);
      }
    }
  } else if (type.startsWith('AWS::Bedrock::')) {
    draftVersionProperties(resource.properties, []).forEach((path) => findings.add(`Property::${path}`));
  } else {
    for (const document of policyDocuments(resource)) {
      for (const statement of document) {
        for (const condition of conditionsOn(statement, GUARDRAIL_CONDITION_KEY)) {
          condition.values.filter(isDraft).forEach((v) => findings.add(`Condition::${v}`));
        }
      }
    }
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

function policyDocuments(resource: TemplateResource): Array<ReturnType<typeof identityPolicyDocuments>[number]['statements']> {
  return [...identityPolicyDocuments(resource), ...endpointPolicyDocuments(resource)].map((d) => d.statements);
}

/** Whether a version or identifier names the draft: `DRAFT`, or `<guardrail>:DRAFT` (Bedrock spells it in capitals). */
function isDraft(value: string): boolean {
  return value === 'DRAFT' || value.endsWith(':DRAFT');
}

/** The dotted paths of every `GuardrailVersion` property set to `DRAFT`, at any depth. */
function draftVersionProperties(value: unknown, path: string[]): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => draftVersionProperties(v, [...path, String(i)]));
  }
  if (!isObject(value)) {
    return [];
  }
  return Object.entries(value).flatMap(([key, v]) =>
    key === 'GuardrailVersion' && typeof v === 'string' && isDraft(v) ? [[...path, key].join('.')] : draftVersionProperties(v, [...path, key]),
  );
}
