import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { addCompliancePacks } from '../../lib/compliance/packs';

const CDK_JSON = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

/** One unacknowledged finding from one compliance check. */
export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

/** A new App with the project's feature flags (as `cdk synth` would see them) and a temporary outdir. */
export function newTestApp(context: Record<string, unknown> = {}): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slb-test-'));
  return new App({ outdir, context: { ...CDK_JSON.context, ...context } });
}

/** The outcome of {@link synthWithCompliance}. */
export interface ComplianceResult {
  /** Every unacknowledged finding (empty when synthesis passed every check). */
  readonly findings: Finding[];
  /** The cloud assembly; throws when synthesis was stopped by findings. */
  readonly assembly: CloudAssembly;
}

/**
 * Registers every compliance gate on the app, synthesizes it once and returns the assembly and
 * every unacknowledged finding from the validation report. Synthesis stops («ValidationFailed»)
 * when a check reports an error; the findings are then read from the report it left behind.
 */
export function synthWithCompliance(app: App, options: { packsAlreadyAdded?: boolean } = {}): ComplianceResult {
  if (!options.packsAlreadyAdded) {
    addCompliancePacks(app);
  }
  try {
    const assembly = app.synth();
    return { assembly, findings: readFindings(assembly.directory) };
  } catch (e) {
    if (!/ValidationFailed|Validation failed/.test(String(e))) {
      throw e;
    }
    const findings = readFindings(app.outdir);
    return {
      findings,
      get assembly(): CloudAssembly {
        throw new Error(`synthesis failed its compliance checks:\n${formatFindings(findings)}`);
      },
    };
  }
}

/** Reads the unacknowledged findings from a cloud assembly's validation report. */
export function readFindings(dir: string): Finding[] {
  const file = path.join(dir, 'validation-report.json');
  if (!fs.existsSync(file)) {
    return [];
  }
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    pluginReports: Array<{
      pluginName: string;
      violations: Array<{ ruleName: string; severity?: string; violatingConstructs: Array<{ constructPath: string }> }>;
    }>;
  };
  return report.pluginReports.flatMap((p) =>
    p.violations.flatMap((v) =>
      v.violatingConstructs.map((c) => ({
        plugin: p.pluginName,
        rule: v.ruleName,
        severity: v.severity ?? 'error',
        path: c.constructPath,
      })),
    ),
  );
}

/** Formats findings one a line, for readable assertion failures. */
export function formatFindings(findings: Finding[]): string {
  return findings.map((f) => `${f.severity} ${f.plugin} ${f.rule} at ${f.path}`).join('\n');
}
