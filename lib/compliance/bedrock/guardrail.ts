import { JsonObject, asArray, isObject } from './template';

/** The CloudFormation type of a guardrail. */
export const GUARDRAIL_TYPE = 'AWS::Bedrock::Guardrail';

/** The CloudFormation type of a published guardrail version. */
export const GUARDRAIL_VERSION_TYPE = 'AWS::Bedrock::GuardrailVersion';

/** The objects of a list under a path of nested properties (`['ContentPolicyConfig', 'FiltersConfig']`). */
export function listAt(properties: JsonObject, path: readonly string[]): JsonObject[] {
  let current: unknown = properties;
  for (const key of path) {
    current = isObject(current) ? current[key] : undefined;
  }
  return asArray(current).filter(isObject);
}

/**
 * Whether a guardrail policy entry acts in one direction (`Input` or `Output`) with `action`:
 * the direction is not disabled (`<Direction>Enabled: false`) and its action override
 * (`<Direction>Action`), when set, is `action`.
 */
export function actsOn(entry: JsonObject, direction: 'Input' | 'Output', action: string): boolean {
  const enabled = entry[`${direction}Enabled`];
  const override = entry[`${direction}Action`];
  return enabled !== false && enabled !== 'false' && (override === undefined || override === action);
}
