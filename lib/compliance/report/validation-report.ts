import * as fs from 'node:fs';
import * as path from 'node:path';

/** The file CDK writes into the cloud assembly when validation plugins ran. */
export const VALIDATION_REPORT_FILE = 'validation-report.json';

/** One construct a violation was reported on. */
export interface ViolatingConstructJson {
  readonly constructPath: string;
  readonly cloudFormationResource?: { readonly templatePath: string; readonly logicalId: string };
}

/** One rule violation, as `validation-report.json` records it. */
export interface ViolationJson {
  readonly ruleName: string;
  readonly description?: string;
  readonly suggestedFix?: string;
  readonly severity?: string;
  readonly customSeverity?: string;
  readonly violatingConstructs: readonly ViolatingConstructJson[];
}

/** A violation an acknowledgment suppressed (CDK core lists those for non-cdk-nag plugins). */
export interface SuppressedViolationJson extends ViolationJson {
  readonly acknowledgedId: string;
  readonly reason?: string;
}

/** One plugin's section of `validation-report.json`. */
export interface PluginReportJson {
  readonly pluginName: string;
  readonly pluginVersion?: string;
  readonly conclusion: 'success' | 'failure';
  readonly metadata?: Record<string, string>;
  readonly violations: readonly ViolationJson[];
  readonly suppressedViolations?: readonly SuppressedViolationJson[];
}

/**
 * `validation-report.json`. CDK lists a plugin only when it reported something (a violation, a
 * suppressed violation, or a failure); a plugin that passed cleanly has no section.
 */
export interface ValidationReportJson {
  readonly version?: string;
  readonly title?: string;
  readonly pluginReports: readonly PluginReportJson[];
}

/** Reads `validation-report.json` from an assembly directory; `undefined` when CDK wrote none. */
export function readValidationReport(dir: string): ValidationReportJson | undefined {
  const file = path.join(dir, VALIDATION_REPORT_FILE);
  if (!fs.existsSync(file)) {
    return undefined;
  }
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as ValidationReportJson;
  if (!Array.isArray(report.pluginReports)) {
    throw new Error(`${file} has no pluginReports array; the compliance report does not know this format`);
  }
  return report;
}
