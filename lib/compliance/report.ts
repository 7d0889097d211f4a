import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { findAcknowledgments } from './report/acknowledgments';
import { buildComplianceReport, ComplianceReport } from './report/build';
import { renderComplianceMarkdown } from './report/markdown';
import { CheckObserver } from './report/observer';
import { readTemplateResources } from './report/resources';
import { readValidationReport, VALIDATION_REPORT_FILE } from './report/validation-report';

export * from './report/acknowledgments';
export * from './report/baseline';
export * from './report/build';
export { renderComplianceMarkdown } from './report/markdown';
export { COVERED_RESOURCE_TYPES, readTemplateResources, type TemplateResource } from './report/resources';
export { readValidationReport, VALIDATION_REPORT_FILE } from './report/validation-report';

/** The Markdown report, written into the cloud assembly directory. */
export const COMPLIANCE_REPORT_MARKDOWN = 'compliance-report.md';
/** The same report as JSON ({@link ComplianceReport}), written into the cloud assembly directory. */
export const COMPLIANCE_REPORT_JSON = 'compliance-report.json';

const VALIDATE_AGAINST_DEFAULT_RULES = '@aws-cdk/core:validateAgainstDefaultRules';
const TOOL_PACKAGES = ['aws-cdk-lib', 'cdk-nag', '@cdklabs/cdk-validator-cfnguard'];

/** Options for {@link synthWithReport}. */
export interface SynthWithReportOptions {
  /**
   * Do not print where the report was written.
   * @default false
   */
  readonly quiet?: boolean;
}

function packageVersion(name: string): string {
  const file = require.resolve(`${name}/package.json`);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'synthesis failed';
}

/**
 * Builds the compliance report of a synthesis of `app` that has just run (or failed) with
 * `observer` attached, reading `validation-report.json` from `app.outdir`.
 */
function reportOf(app: App, observer: CheckObserver, generatedAt: Date, failure: unknown): ComplianceReport {
  const flag = app.node.tryGetContext(VALIDATE_AGAINST_DEFAULT_RULES) as unknown;
  const validator = observer.plugins.find((p) => p.kind === 'cloudformation-validate');
  return buildComplianceReport({
    observations: observer.plugins,
    validationReport: readValidationReport(app.outdir),
    acknowledgments: findAcknowledgments(app),
    stacks: app.node
      .findAll()
      .filter(Stack.isStack)
      .map((s) => ({ path: s.node.path, stackName: s.stackName })),
    tools: {
      ...Object.fromEntries(TOOL_PACKAGES.map((p) => [p, packageVersion(p)])),
      ...(validator?.version ? { '@aws/cloudformation-validate': validator.version } : {}),
    },
    generatedAt,
    validatorErrorsFail: flag === true || flag === 'true',
    failure: failure === undefined ? undefined : firstLine(failure),
    resources: readTemplateResources(app),
  });
}

/** Writes `compliance-report.md` and `compliance-report.json` into `dir`; returns their paths. */
export function writeComplianceReport(dir: string, report: ComplianceReport): { markdown: string; json: string } {
  const markdown = path.join(dir, COMPLIANCE_REPORT_MARKDOWN);
  const json = path.join(dir, COMPLIANCE_REPORT_JSON);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(markdown, renderComplianceMarkdown(report));
  fs.writeFileSync(json, `${JSON.stringify(report, undefined, 2)}\n`);
  return { markdown, json };
}

/**
 * Deletes the compliance report and `validation-report.json` an earlier synthesis left in `dir`,
 * so that a run that fails before writing its own leaves none that could pass for its.
 */
export function removeComplianceReport(dir: string): void {
  for (const file of [COMPLIANCE_REPORT_MARKDOWN, COMPLIANCE_REPORT_JSON, VALIDATION_REPORT_FILE]) {
    fs.rmSync(path.join(dir, file), { force: true });
  }
}

/**
 * Synthesizes `app` once and writes the compliance report (`compliance-report.md` and
 * `compliance-report.json`) into its assembly directory (`app.outdir`) — also when a compliance
 * check fails synthesis, in which case the error is rethrown afterwards, so `cdk synth` still
 * exits non-zero. The report covers every registered check (the cdk-nag packs, cfn-guard) and the
 * CDK's built-in CloudFormation validator: the rules each evaluated, its unacknowledged findings
 * (from `validation-report.json`), every acknowledgment with its reason, every Lambda function,
 * IAM role and log group of the templates with the checks that evaluated it, and the OWASP Top 10
 * for LLM Applications coverage.
 *
 * Create the app with `autoSynth: false` so that this is its only synthesis.
 */
export function synthWithReport(app: App, options: SynthWithReportOptions = {}): CloudAssembly {
  const generatedAt = new Date();
  removeComplianceReport(app.outdir);
  const observer = CheckObserver.attach(app);
  let failure: unknown;
  try {
    return app.synth();
  } catch (e) {
    failure = e;
    throw e;
  } finally {
    observer.detach();
    try {
      const written = writeComplianceReport(app.outdir, reportOf(app, observer, generatedAt, failure));
      if (!options.quiet) {
        console.error(`Compliance report: ${path.relative(process.cwd(), written.markdown)} (and ${COMPLIANCE_REPORT_JSON})`);
      }
    } catch (reportError) {
      if (failure === undefined) {
        // eslint-disable-next-line no-unsafe-finally
        throw reportError;
      }
      console.error(`The compliance report could not be written: ${firstLine(reportError)}`);
    }
  }
}
