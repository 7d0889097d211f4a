import { type GuardRule, guardRuleCatalogue, inapplicableRules, resourceTypesOf } from '../scoped-cfn-guard';

// The bundled rule files are read in one place, next to the validator that evaluates them.
export { type GuardRule, guardRuleCatalogue } from '../scoped-cfn-guard';

/**
 * The bundled rules `ScopedCfnGuardValidator` evaluates for these templates: those that name a
 * resource type present in them (the same test the validator applies).
 */
export function applicableGuardRules(templatePaths: readonly string[]): GuardRule[] {
  const skipped = new Set(inapplicableRules(resourceTypesOf([...templatePaths])));
  return guardRuleCatalogue().filter((rule) => !skipped.has(rule.file));
}
