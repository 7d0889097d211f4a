import { OWASP_LLM_TOP_10_2025, OwaspRisk } from '../owasp';
import type { FoundAcknowledgment } from './acknowledgments';
import { applicableGuardRules, guardRuleCatalogue } from './cfn-guard-rules';
import type { PluginObservation } from './observer';
import { COVERED_RESOURCE_TYPES, type TemplateResource } from './resources';
import type { PluginReportJson, ValidationReportJson } from './validation-report';

/** What kind of check a report section describes. */
export type CheckKind = 'cdk-nag' | 'cfn-guard' | 'cloudformation-validate' | 'construct-annotations' | 'plugin' | 'unregistered';

/** One rule of a check and what it did in this synthesis. */
export interface RuleSummary {
  /** The rule id, as the check names it. */
  readonly id: string;
  /** Whether the rule applied to at least one resource (cdk-nag) or was evaluated at all (cfn-guard). */
  readonly applicable: boolean;
  /** cdk-nag: the level the pack gives it. */
  readonly level?: string;
  /** cdk-nag: resources it was applied to. */
  readonly resources?: number;
  /** cdk-nag: resources it found compliant. */
  readonly compliant?: number;
  /** cdk-nag: resources it found non-compliant (acknowledged or not). */
  readonly nonCompliant?: number;
  /** cfn-guard: the Control Tower control. */
  readonly control?: string;
  /** cfn-guard: the guard rule name its findings carry. */
  readonly guardRule?: string;
  /** cfn-guard: the resource types the rule names. */
  readonly resourceTypes?: readonly string[];
  /** CloudFormation validator: the severity of the rule. */
  readonly severity?: string;
  /** CloudFormation validator: where the rule comes from (SCHEMA, CFN_LINT, ENGINE). */
  readonly origin?: string;
  /** CloudFormation validator: what the rule checks. */
  readonly description?: string;
}

/** The rules a check evaluated. */
export interface RuleCoverage {
  /** One or two sentences on what was evaluated and how that is known. */
  readonly description: string;
  /** Rules evaluated in this synthesis (for cfn-guard: after scoping to the templates' resource types). */
  readonly evaluated: number;
  /** Rules that applied to at least one resource (`undefined` when the check cannot tell). */
  readonly applicable?: number;
  /** The rules, when the check can list them. */
  readonly rules: readonly RuleSummary[];
}

/** An unacknowledged finding, from `validation-report.json`. */
export interface ReportFinding {
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
  readonly description?: string;
  readonly fix?: string;
}

/** An acknowledgment attributed to a check, with how many findings of this synthesis it covers. */
export interface ReportAcknowledgment extends FoundAcknowledgment {
  /** The acknowledged rule or finding id without its namespace (`AwsSolutions-IAM5[Resource::*]`). */
  readonly rule: string;
  /** Findings of this synthesis it suppressed (0: it matched nothing this time). */
  readonly findingsCovered: number;
}

/** Counts for one check, or for all of them. */
export interface CheckCounts {
  /** Unacknowledged findings (one per rule and construct). */
  readonly findings: number;
  /** Of those, errors (they fail synthesis). */
  readonly errors: number;
  /** Of those, warnings and other non-error severities. */
  readonly warnings: number;
  /** Acknowledgments attributed to the check. */
  readonly acknowledgments: number;
  /** Of those, made by aws-cdk-lib itself. */
  readonly acknowledgmentsByAwsCdkLib: number;
  /** Findings the acknowledgments suppressed in this synthesis. */
  readonly acknowledgedFindings: number;
  /** Acknowledgments that suppressed nothing in this synthesis. */
  readonly unusedAcknowledgments: number;
}

/** One compliance check in the report. */
export interface CheckReport {
  /** The check's name, as `validation-report.json` names its plugin. */
  readonly name: string;
  readonly kind: CheckKind;
  readonly version?: string;
  /** Whether the check ran in this synthesis. */
  readonly ran: boolean;
  /** Time the check took, when observed. */
  readonly durationMs?: number;
  /** `failed` when it reported an unacknowledged error (whatever `validation-report.json` concludes). */
  readonly conclusion: 'passed' | 'failed' | 'not run';
  /** Discrepancies a reader must know about, such as errors CDK did not stop synthesis for. */
  readonly notes: readonly string[];
  readonly rules: RuleCoverage;
  readonly findings: readonly ReportFinding[];
  readonly acknowledgments: readonly ReportAcknowledgment[];
  readonly counts: CheckCounts;
}

/** Which checks evaluated one resource of the templates. */
export interface ResourceEvaluation {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  /** The construct path; undefined when no construct wrote the resource. */
  readonly path?: string;
  /** The class of the construct that wrote it (`CfnFunction`; `CfnResource` for a raw one). */
  readonly constructClass?: string;
  /** cdk-nag packs with at least one rule that evaluated it (answered anything but "not applicable"). */
  readonly cdkNagPacks: readonly string[];
  /** cdk-nag packs that evaluated other resources of its type in this synthesis but not this one. */
  readonly missingCdkNagPacks: readonly string[];
  /** cfn-guard rules that name its type and ran on the templates. */
  readonly cfnGuardRules: readonly string[];
  /**
   * Whether at least one of the packs cdk-nag ships (AwsSolutions, NIST 800-53, HIPAA, PCI DSS,
   * Serverless) evaluated it. Our own pack does not count: its rules read type names and look only
   * at Bedrock-related settings, so they "see" a raw `CfnResource` the general rules cannot.
   */
  readonly evaluatedByCdkNag: boolean;
  /** Why a check could not see it, or what it leaves outside the template. */
  readonly notes: readonly string[];
}

/** Every function, role and log group of the templates and the checks that evaluated each. */
export interface ResourceCoverage {
  readonly description: string;
  readonly resourceTypes: readonly string[];
  readonly resources: readonly ResourceEvaluation[];
  /** Resources the cdk-nag packs did not evaluate as they evaluate their kind (see {@link ResourceEvaluation.evaluatedByCdkNag}). */
  readonly notEvaluatedByCdkNag: number;
}

/** The compliance report of one synthesis (`compliance-report.json`). */
export interface ComplianceReport {
  readonly title: string;
  /** ISO time of the synthesis. */
  readonly generatedAt: string;
  /** `failed` when synthesis failed or a check reported an unacknowledged error. */
  readonly outcome: 'passed' | 'failed';
  /** Why synthesis failed, when it did (first line of the error). */
  readonly failure?: string;
  /** The stacks synthesized: construct path and stack name. */
  readonly stacks: ReadonlyArray<{ readonly path: string; readonly stackName: string }>;
  /** Versions of the checking tools. */
  readonly tools: Readonly<Record<string, string>>;
  readonly checks: readonly CheckReport[];
  /** Sums over every check. */
  readonly totals: CheckCounts;
  /** Every Lambda function, IAM role and log group of the templates, with the checks that evaluated it. */
  readonly coverage: ResourceCoverage;
  /** OWASP Top 10 for LLM Applications (2025): controls of this deployment and the tests that prove them. */
  readonly owasp: readonly OwaspRisk[];
}

/** Everything a report is built from. */
export interface ReportInput {
  readonly observations: readonly PluginObservation[];
  readonly validationReport?: ValidationReportJson;
  readonly acknowledgments: readonly FoundAcknowledgment[];
  readonly stacks: ReadonlyArray<{ readonly path: string; readonly stackName: string }>;
  readonly tools: Readonly<Record<string, string>>;
  readonly generatedAt: Date;
  /** Whether `@aws-cdk/core:validateAgainstDefaultRules` makes CloudFormation validator errors fail synthesis. */
  readonly validatorErrorsFail: boolean;
  readonly failure?: string;
  /** The resources of the synthesized templates (see `readTemplateResources`). */
  readonly resources?: readonly TemplateResource[];
}

const ANNOTATION_PREFIX = /^annotation::/i;
/** The name CDK reports construct warnings and errors under (`@aws-cdk/core:annotationsInValidationReport`). */
export const ANNOTATIONS_CHECK = 'Construct Annotations';

/** The acknowledgment namespace CDK derives from a plugin name. */
export function namespaceOf(pluginName: string): string {
  return pluginName === ANNOTATIONS_CHECK ? 'Annotation' : pluginName.replace(/ /g, '-');
}

function normalizeId(id: string): string {
  return id.replace(ANNOTATION_PREFIX, 'Annotation::');
}

function splitId(id: string): { namespace: string; rule: string } {
  const i = id.indexOf('::');
  return i < 0 ? { namespace: 'Annotation', rule: id } : { namespace: id.slice(0, i), rule: id.slice(i + 2) };
}

function kindOf(o: PluginObservation): CheckKind {
  if (o.kind === 'cdk-nag' || o.kind === 'cloudformation-validate') {
    return o.kind;
  }
  return o.name === 'cdk-validator-cfnguard' ? 'cfn-guard' : 'plugin';
}

function isError(severity: string): boolean {
  return severity === 'error' || severity === 'fatal';
}

function covers(ackPath: string, path: string): boolean {
  return ackPath === '' || path === ackPath || path.startsWith(`${ackPath}/`);
}

interface MutableCheck {
  readonly name: string;
  readonly kind: CheckKind;
  readonly observation?: PluginObservation;
  readonly section?: PluginReportJson;
  readonly acknowledgments: FoundAcknowledgment[];
}

function nagRules(o: PluginObservation): RuleCoverage {
  const rules = [...o.nagRules.values()]
    .map<RuleSummary>((r) => ({
      id: r.id,
      applicable: r.resources > r.notApplicable,
      level: r.level,
      resources: r.resources,
      compliant: r.compliant,
      nonCompliant: r.nonCompliant.length,
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const resources = Math.max(0, ...rules.map((r) => r.resources ?? 0));
  const applicable = rules.filter((r) => r.applicable).length;
  return {
    description: o.ran
      ? `${rules.length} rules applied (observed at cdk-nag's applyRule) over ${resources} resources; ${applicable} applied to at least one resource` +
        (applicable < rules.length ? ', the others returned "not applicable" for every resource.' : '.')
      : 'The pack did not run in this synthesis.',
    evaluated: rules.length,
    applicable,
    rules,
  };
}

function guardRules(o: PluginObservation): RuleCoverage {
  const catalogue = guardRuleCatalogue();
  const applicable = new Set(o.ran ? applicableGuardRules(o.templatePaths).map((r) => r.ruleId) : []);
  const rules = catalogue.map<RuleSummary>((r) => ({
    id: r.ruleId,
    applicable: applicable.has(r.ruleId),
    control: r.control,
    guardRule: r.guardRule,
    resourceTypes: r.resourceTypes,
  }));
  return {
    description: o.ran
      ? `${catalogue.length} AWS Control Tower proactive rules are bundled; ${applicable.size} name a resource type present in the ${o.templatePaths.length} templates and were evaluated. The others select no resource in these templates and are skipped (ScopedCfnGuardValidator).`
      : 'cfn-guard did not run in this synthesis.',
    evaluated: applicable.size,
    applicable: applicable.size,
    rules,
  };
}

function validatorRules(o: PluginObservation, errorsFail: boolean): RuleCoverage {
  if (!o.ran) {
    return { description: 'The CloudFormation validator did not run (disabled with --no-validation or CDK_VALIDATION=false).', evaluated: 0, rules: [] };
  }
  const mode = errorsFail
    ? 'Errors fail synthesis (@aws-cdk/core:validateAgainstDefaultRules).'
    : 'Errors are reported as warnings (@aws-cdk/core:validateAgainstDefaultRules is off).';
  if (!o.engineRules) {
    return { description: `Schema validation of every template by the CDK's built-in CloudFormation validator. ${mode}`, evaluated: 0, rules: [] };
  }
  // aws-cdk-lib runs the engine at severity WARN and above and excludes a few rule ids of its own choosing.
  const rules = o.engineRules
    .filter((r) => r.severity !== 'INFO')
    .map<RuleSummary>((r) => ({ id: r.id, applicable: true, severity: r.severity, origin: r.origin, description: r.description }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byOrigin = new Map<string, number>();
  for (const r of rules) {
    byOrigin.set(r.origin!, (byOrigin.get(r.origin!) ?? 0) + 1);
  }
  const origins = [...byOrigin].map(([origin, n]) => `${n} ${origin}`).join(', ');
  return {
    description:
      `Schema and lint validation of the ${o.templatePaths.length} templates by @aws/cloudformation-validate ${o.version ?? ''}: ` +
      `${rules.length} rules at severity WARN and above (${origins}); INFO rules are not evaluated, and aws-cdk-lib excludes a few rule ids it does not list. ${mode}`,
    evaluated: rules.length,
    rules,
  };
}

function rulesOf(check: MutableCheck, errorsFail: boolean): RuleCoverage {
  const o = check.observation;
  switch (check.kind) {
    case 'cdk-nag':
      return nagRules(o!);
    case 'cfn-guard':
      return guardRules(o!);
    case 'cloudformation-validate':
      return validatorRules(o!, errorsFail);
    case 'construct-annotations':
      return {
        description: 'Warnings and errors that constructs add with Annotations, in the report because of @aws-cdk/core:annotationsInValidationReport.',
        evaluated: 0,
        rules: [],
      };
    case 'unregistered':
      return { description: 'Acknowledgments whose namespace matches no check registered on the app.', evaluated: 0, rules: [] };
    default: {
      const ids = o?.declaredRuleIds ?? [];
      return {
        description: ids.length > 0 ? `${ids.length} rule ids declared by the plugin.` : 'The plugin declares no rule ids.',
        evaluated: ids.length,
        rules: ids.map((id) => ({ id, applicable: true })),
      };
    }
  }
}

function resourceNotes(r: TemplateResource): string[] {
  const notes: string[] = [];
  if (r.path === undefined) {
    notes.push('No construct wrote it (a raw template override), so no cdk-nag pack could see it.');
  } else if (r.constructClass === 'CfnResource') {
    notes.push(
      `A raw CfnResource of type ${r.type}: the cdk-nag rules that test the L1 class (instanceof) answer "not applicable" for it; only rules that read the type name evaluate it.`,
    );
  }
  if (r.type === 'AWS::Lambda::Function') {
    const logging = r.properties.LoggingConfig as { LogGroup?: unknown } | undefined;
    if (logging?.LogGroup === undefined) {
      notes.push('Logs to an implicit /aws/lambda/<name> log group that is not in any template: no key, no retention, no check sees it.');
    }
  }
  return notes;
}

function resourceCoverage(input: ReportInput): ResourceCoverage {
  const nagPacks = input.observations.filter((o) => o.kind === 'cdk-nag' && o.ran);
  const guard = input.observations.find((o) => kindOf(o) === 'cfn-guard' && o.ran);
  const guardRulesRun = guard ? applicableGuardRules(guard.templatePaths) : [];
  const types: readonly string[] = COVERED_RESOURCE_TYPES;
  const shipped = new Set(nagPacks.filter((o) => o.shippedByCdkNag).map((o) => o.name));
  const covered = (input.resources ?? []).filter((r) => types.includes(r.type));
  const packsOf = (r: TemplateResource): string[] =>
    r.path === undefined ? [] : nagPacks.filter((o) => (o.nagResources.get(r.path!)?.evaluated ?? 0) > 0).map((o) => o.name);
  // The packs that evaluate a type: those that evaluated at least one resource of it in this synthesis.
  const packsByType = new Map<string, Set<string>>();
  for (const r of covered) {
    const set = packsByType.get(r.type) ?? new Set<string>();
    packsOf(r).forEach((p) => set.add(p));
    packsByType.set(r.type, set);
  }
  const resources = covered.map<ResourceEvaluation>((r) => {
    const cdkNagPacks = packsOf(r);
    const missingCdkNagPacks = [...(packsByType.get(r.type) ?? [])].filter((p) => !cdkNagPacks.includes(p));
    return {
      stack: r.stack,
      logicalId: r.logicalId,
      type: r.type,
      path: r.path,
      constructClass: r.constructClass,
      cdkNagPacks,
      missingCdkNagPacks,
      cfnGuardRules: guardRulesRun.filter((g) => g.resourceTypes.includes(r.type)).map((g) => g.ruleId),
      evaluatedByCdkNag: cdkNagPacks.some((p) => shipped.has(p)),
      notes: resourceNotes(r),
    };
  });
  return {
    description:
      `Every ${types.join(', ')} of the templates, read from the synthesized templates themselves (generated resources included). ` +
      'A cdk-nag pack evaluated a resource when at least one of its rules answered anything but "not applicable" for it (observed at cdk-nag\'s applyRule). ' +
      'A resource counts as evaluated when at least one of the packs cdk-nag ships did (our own pack\'s rules read type names and only look at Bedrock settings, so they do not count); ' +
      'cfn-guard reads the templates, so its rules evaluate every resource of the types they name.',
    resourceTypes: types,
    resources,
    notEvaluatedByCdkNag: resources.filter((r) => !r.evaluatedByCdkNag).length,
  };
}

/**
 * Builds the compliance report from what the checks did (observations), what CDK reported
 * (`validation-report.json`) and the acknowledgments in the construct tree.
 */
export function buildComplianceReport(input: ReportInput): ComplianceReport {
  const checks: MutableCheck[] = input.observations.map((o) => ({ name: o.name, kind: kindOf(o), observation: o, acknowledgments: [] }));
  const sections = input.validationReport?.pluginReports ?? [];
  const checkNamed = (name: string, kind: CheckKind): MutableCheck => {
    let check = checks.find((c) => c.name === name);
    if (!check) {
      check = { name, kind, acknowledgments: [] };
      checks.push(check);
    }
    return check;
  };
  for (const section of sections) {
    const check = checkNamed(section.pluginName, section.pluginName === ANNOTATIONS_CHECK ? 'construct-annotations' : 'plugin');
    checks[checks.indexOf(check)] = { ...check, section };
  }

  // Attribute each acknowledgment to the check its namespace (or, for cdk-nag, its rule prefix) names.
  const nagPrefixes = checks
    .filter((c) => c.kind === 'cdk-nag' && c.observation?.packName)
    .map((c) => ({ prefix: `${c.observation!.packName}-`, check: c }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  for (const ack of input.acknowledgments) {
    const { namespace, rule } = splitId(normalizeId(ack.id));
    let check: MutableCheck | undefined;
    if (namespace === 'Annotation') {
      check = nagPrefixes.find((p) => rule.startsWith(p.prefix))?.check ?? checkNamed(ANNOTATIONS_CHECK, 'construct-annotations');
    } else {
      check = checks.find((c) => c.kind !== 'construct-annotations' && namespaceOf(c.name) === namespace) ?? checkNamed('Unregistered checks', 'unregistered');
    }
    check.acknowledgments.push(ack);
  }

  // Count the findings each acknowledgment suppressed: the nearest acknowledgment with the
  // finding's id on the construct or one of its scopes, as cdk-nag and CDK core look them up.
  const covered = new Map<FoundAcknowledgment, number>();
  const byId = new Map<string, FoundAcknowledgment[]>();
  for (const ack of input.acknowledgments) {
    const id = normalizeId(ack.id);
    byId.set(id, [...(byId.get(id) ?? []), ack]);
  }
  const attribute = (id: string, path: string): boolean => {
    const nearest = (byId.get(normalizeId(id)) ?? [])
      .filter((a) => covers(a.path, path))
      .sort((a, b) => b.path.length - a.path.length)[0];
    if (nearest) {
      covered.set(nearest, (covered.get(nearest) ?? 0) + 1);
    }
    return nearest !== undefined;
  };
  const acknowledgedByCheck = new Map<MutableCheck, number>();
  for (const check of checks) {
    let acknowledged = 0;
    for (const v of check.section?.suppressedViolations ?? []) {
      for (const c of v.violatingConstructs) {
        attribute(v.acknowledgedId, c.constructPath);
        acknowledged++;
      }
    }
    if (check.kind === 'cdk-nag' && check.observation) {
      // cdk-nag drops acknowledged findings itself: those are the non-compliant results it did not report.
      const reported = new Set<string>();
      for (const v of [...(check.section?.violations ?? []), ...(check.section?.suppressedViolations ?? [])]) {
        for (const c of v.violatingConstructs) {
          reported.add(`${v.ruleName}\u0000${c.constructPath}`);
        }
      }
      for (const rule of check.observation.nagRules.values()) {
        for (const { path, findingIds } of rule.nonCompliant) {
          for (const findingId of findingIds) {
            if (!reported.has(`${findingId}\u0000${path}`)) {
              attribute(`Annotation::${findingId}`, path);
              acknowledged++;
            }
          }
        }
      }
    }
    acknowledgedByCheck.set(check, acknowledged);
  }

  const reports: CheckReport[] = checks.map((check) => {
    const findings: ReportFinding[] = (check.section?.violations ?? []).flatMap((v) =>
      v.violatingConstructs.map((c) => ({
        rule: v.ruleName,
        severity: v.severity ?? 'error',
        path: c.constructPath,
        description: v.description,
        fix: v.suggestedFix,
      })),
    );
    const acknowledgments: ReportAcknowledgment[] = check.acknowledgments.map((a) => ({
      ...a,
      rule: splitId(normalizeId(a.id)).rule,
      findingsCovered: covered.get(a) ?? 0,
    }));
    const ran = check.observation ? check.observation.ran : check.section !== undefined;
    const errors = findings.filter((f) => isError(f.severity)).length;
    const notes: string[] = [];
    if (errors > 0 && check.section?.conclusion === 'success') {
      // CDK core re-judges a plugin after applying acknowledgments and counts only violations whose
      // severity is literally "error" or "fatal"; cfn-guard leaves severity out (shown as "error").
      notes.push(
        `validation-report.json concludes "success" for this check although it lists ${errors} unacknowledged error finding(s): ` +
          'CDK did not stop synthesis for them. They are counted as errors here.',
      );
    }
    return {
      name: check.name,
      kind: check.kind,
      version: check.observation?.version ?? check.section?.pluginVersion,
      ran,
      durationMs: check.observation?.ran ? Math.round(check.observation.durationMs) : undefined,
      conclusion: !ran ? 'not run' : errors > 0 || check.section?.conclusion === 'failure' ? 'failed' : 'passed',
      notes,
      rules: rulesOf(check, input.validatorErrorsFail),
      findings,
      acknowledgments,
      counts: {
        findings: findings.length,
        errors,
        warnings: findings.length - errors,
        acknowledgments: acknowledgments.length,
        acknowledgmentsByAwsCdkLib: acknowledgments.filter((a) => a.source === 'aws-cdk-lib').length,
        acknowledgedFindings: acknowledgedByCheck.get(check) ?? 0,
        unusedAcknowledgments: acknowledgments.filter((a) => a.findingsCovered === 0).length,
      },
    };
  });

  const sum = (key: keyof CheckCounts): number => reports.reduce((n, c) => n + c.counts[key], 0);
  const failedCheck = reports.some((c) => c.conclusion === 'failed');
  return {
    title: 'secure-llm-blueprint compliance report',
    generatedAt: input.generatedAt.toISOString(),
    outcome: input.failure !== undefined || failedCheck ? 'failed' : 'passed',
    failure: input.failure,
    stacks: input.stacks,
    tools: input.tools,
    checks: reports,
    totals: {
      findings: sum('findings'),
      errors: sum('errors'),
      warnings: sum('warnings'),
      acknowledgments: sum('acknowledgments'),
      acknowledgmentsByAwsCdkLib: sum('acknowledgmentsByAwsCdkLib'),
      acknowledgedFindings: sum('acknowledgedFindings'),
      unusedAcknowledgments: sum('unusedAcknowledgments'),
    },
    coverage: resourceCoverage(input),
    owasp: OWASP_LLM_TOP_10_2025,
  };
}
