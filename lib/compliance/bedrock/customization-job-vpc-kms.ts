import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { flatten, isObject, JsonObject, templateResource } from './template';

/** The Step Functions integrations that start a Bedrock model-customization job (optimized, with or without `.sync`, or AWS SDK). */
const CREATE_CUSTOMIZATION_JOB = /:states:::(aws-sdk:)?bedrock:createModelCustomizationJob(\.sync)?$/;

/** Every state of a definition, nested ones (Parallel branches, Map processors) included, with its name. */
function statesOf(definition: JsonObject): Array<[string, JsonObject]> {
  const found: Array<[string, JsonObject]> = [];
  const visit = (machine: unknown) => {
    if (!isObject(machine) || !isObject(machine.States)) {
      return;
    }
    for (const [name, state] of Object.entries(machine.States)) {
      if (!isObject(state)) {
        continue;
      }
      found.push([name, state]);
      for (const branch of Array.isArray(state.Branches) ? state.Branches : []) {
        visit(branch);
      }
      visit(state.Iterator);
      visit(state.ItemProcessor);
    }
  };
  visit(definition);
  return found;
}

/** The value of a task parameter given literally (`Key`) or from the input (`Key.$`, JSONPath). */
function parameter(parameters: JsonObject, key: string): unknown {
  return parameters[key] ?? parameters[`${key}.$`];
}

/** Whether the state passes a VPC configuration with subnets and security groups, and a KMS key for the model. */
function passesVpcAndKms(state: JsonObject): boolean {
  // JSONPath states use Parameters, JSONata states Arguments.
  const parameters = isObject(state.Parameters) ? state.Parameters : isObject(state.Arguments) ? state.Arguments : {};
  const vpc = parameter(parameters, 'VpcConfig');
  const key = parameter(parameters, 'CustomModelKmsKeyId');
  const vpcOk =
    typeof vpc === 'string' || // from the input (JSONPath or JSONata expression): the workflow's input schema decides
    (isObject(vpc) && nonEmpty(parameter(vpc, 'SubnetIds')) && nonEmpty(parameter(vpc, 'SecurityGroupIds')));
  return vpcOk && typeof key === 'string' && key !== '';
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' ? value !== '' : Array.isArray(value) && value.length > 0;
}

/**
 * **What**: every `AWS::StepFunctions::StateMachine` whose definition (`DefinitionString`, a string or an `Fn::Join` of
 * one, or `Definition`) has a task calling `bedrock:createModelCustomizationJob` passes a `VpcConfig` (subnets and
 * security groups) and a `CustomModelKmsKeyId`. A definition that mentions the call but cannot be parsed is a finding:
 * what cannot be checked is not assumed safe. Finding ids name the state (`State::<name>`).
 *
 * **Why**: OWASP LLM04 (data and model poisoning) and LLM03 (supply chain), threat model section 4.2: a customization
 * job without a VPC reads the training data and writes the model over Bedrock's network instead of the account's
 * private network and its endpoint policies; without a customer-managed key the custom model's weights are encrypted
 * with a key the account neither controls nor audits, and cannot be made unusable in an incident.
 *
 * **Fix**: pass `VpcConfig: { SubnetIds, SecurityGroupIds }` (private subnets, a security group that reaches only the
 * S3 endpoint) and `CustomModelKmsKeyId` (a key with rotation) in the task's parameters.
 */
export function CustomizationJobVpcKms(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::StepFunctions::StateMachine') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  if (!resource) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const text = isObject(resource.properties.Definition) ? JSON.stringify(resource.properties.Definition) : flatten(resource.properties.DefinitionString);
  if (!text.includes('createModelCustomizationJob')) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch {
    return ['Definition::unparsable'];
  }
  if (!isObject(definition)) {
    return ['Definition::unparsable'];
  }
  const jobs = statesOf(definition).filter(([, state]) => typeof state.Resource === 'string' && CREATE_CUSTOMIZATION_JOB.test(state.Resource));
  if (jobs.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const failing = jobs.filter(([, state]) => !passesVpcAndKms(state)).map(([name]) => `State::${name}`);
  return failing.length > 0 ? failing : NagRuleCompliance.COMPLIANT;
}
