import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type { IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib';

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

/** Every Control Tower rule bundled with `@cdklabs/cdk-validator-cfnguard`, sorted by rule id. Read once. */
export function guardRuleCatalogue(): readonly GuardRule[] {
  catalogue ??= readRules(RULES_DIR).sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
  return catalogue;
}

/**
 * The names of the bundled rules that cannot apply to a set of templates: every resource type
 * the rule file names is absent from all of them. A rule file that names no resource type is
 * always kept.
 */
export function inapplicableRules(resourceTypes: ReadonlySet<string>): string[] {
  return guardRuleCatalogue()
    .filter((rule) => rule.resourceTypes.length > 0 && !rule.resourceTypes.some((t) => resourceTypes.has(t)))
    .map((rule) => rule.file);
}

/** Every resource type in the given CloudFormation templates. */
export function resourceTypesOf(templatePaths: string[]): Set<string> {
  const types = new Set<string>();
  for (const file of templatePaths) {
    const template = JSON.parse(fs.readFileSync(file, 'utf8')) as { Resources?: Record<string, { Type?: string }> };
    for (const resource of Object.values(template.Resources ?? {})) {
      if (resource.Type) {
        types.add(resource.Type);
      }
    }
  }
  return types;
}

/**
 * cfn-guard with the AWS Control Tower proactive rules, as `CfnGuardValidator` runs it, but
 * evaluating against each synthesized template only the rule files that name a resource type
 * present in that template.
 *
 * Each bundled Control Tower rule selects resources by literal type (`Resources.*[ Type == ... ]`)
 * and skips when there are none, so leaving out the rules whose types are all absent cannot change
 * the findings (a test compares both); it cuts cfn-guard's time about fivefold, because cfn-guard
 * evaluates every rule file against every template, at a cost that grows with the template's size.
 * cfn-guard reports each template on its own, so one run per template (in the order of the
 * templates) gives the same violations in the same order as one run over all of them, with fewer
 * rule files per template (about a tenth less CPU for the blueprint's two stacks). The plugin name
 * and rule ids are those of `CfnGuardValidator`, so acknowledgments
 * (`cdk-validator-cfnguard::<rule>`) are unchanged.
 */
export class ScopedCfnGuardValidator implements IPolicyValidationPluginBeta1 {
  /** The plugin name, shared with `CfnGuardValidator`. */
  public readonly name: string;
  /** The plugin version. */
  public readonly version?: string;
  /** Every rule id the full rule set can report. */
  public readonly ruleIds?: string[];

  constructor() {
    const full = new CfnGuardValidator();
    this.name = full.name;
    this.version = full.version;
    this.ruleIds = full.ruleIds;
  }

  /** Runs cfn-guard over each template of this synthesis with the rules that apply to it. */
  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const reports = context.templatePaths.map((templatePath) => validateTemplate(context, templatePath));
    // cfn-guard reports no severity. Once any cfn-guard finding is acknowledged, aws-cdk-lib
    // re-judges the plugin by the findings left whose severity is "error" — so without one, a new
    // cfn-guard finding would no longer stop synthesis. Every Control Tower rule is an error here.
    return {
      success: reports.every((r) => r.success),
      violations: reports.flatMap((r) => r.violations).map((v) => ({ ...v, severity: v.severity ?? 'error' })),
    };
  }
}

function validateTemplate(context: IPolicyValidationContextBeta1, templatePath: string): PolicyValidationPluginReportBeta1 {
  const disabledRules = inapplicableRules(resourceTypesOf([templatePath]));
  if (disabledRules.length === guardRuleCatalogue().length) {
    // No rule names a resource type of this template: nothing can be reported, and cfn-guard
    // refuses to run without a rule file.
    return { success: true, violations: [] };
  }
  return new CfnGuardValidator({ disabledRules, maxBuffer: 64 * 1024 * 1024 }).validate({ ...context, templatePaths: [templatePath] });
}
