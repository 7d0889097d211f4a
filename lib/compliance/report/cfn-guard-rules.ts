import * as fs from 'node:fs';
import * as path from 'node:path';
import { inapplicableRules, resourceTypesOf } from '../scoped-cfn-guard';

const RULES_DIR = path.join(
  path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'rules',
  'control-tower',
  'cfn-guard',
);
const RESOURCE_TYPE = /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g;
const CONTROL = /\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]/;
const GUARD_RULE = /^rule (\w+) when is_cfn_template/m;

/** One bundled AWS Control Tower proactive control, as cfn-guard evaluates it. */
export interface GuardRule {
  /** The id `CfnGuardValidator.ruleIds` lists (`lambdapr3`). */
  readonly ruleId: string;
  /** The rule file name, which `disabledRules` takes (`ct-lambda-pr-3`). */
  readonly file: string;
  /** The Control Tower control (`CT.LAMBDA.PR.3`). */
  readonly control?: string;
  /** The guard rule name findings and acknowledgments use (`lambda_inside_vpc_check`). */
  readonly guardRule?: string;
  /** The resource types the rule file names. */
  readonly resourceTypes: readonly string[];
}

let catalogue: GuardRule[] | undefined;

function readRules(dir: string): GuardRule[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return readRules(file);
    }
    if (!entry.name.endsWith('.guard')) {
      return [];
    }
    const text = fs.readFileSync(file, 'utf8');
    const name = path.parse(file).name;
    return [
      {
        ruleId: name.replace('ct-', '').replace(/-/g, ''),
        file: name,
        control: CONTROL.exec(text)?.[1],
        guardRule: GUARD_RULE.exec(text)?.[1],
        resourceTypes: [...new Set(text.match(RESOURCE_TYPE) ?? [])].sort(),
      },
    ];
  });
}

/** Every Control Tower rule bundled with `@cdklabs/cdk-validator-cfnguard`, sorted by rule id. */
export function guardRuleCatalogue(): readonly GuardRule[] {
  catalogue ??= readRules(RULES_DIR).sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
  return catalogue;
}

/**
 * The bundled rules `ScopedCfnGuardValidator` evaluates for these templates: those that name a
 * resource type present in them (the same test the validator applies).
 */
export function applicableGuardRules(templatePaths: readonly string[]): GuardRule[] {
  const skipped = new Set(inapplicableRules(resourceTypesOf([...templatePaths])));
  return guardRuleCatalogue().filter((rule) => !skipped.has(rule.file));
}
