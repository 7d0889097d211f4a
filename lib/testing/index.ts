/**
 * `secure-llm-blueprint/testing`: what a consumer's CI needs to hold its own CDK app to the same
 * compliance gate as this blueprint, with any test runner.
 *
 * ```ts
 * import { App } from 'aws-cdk-lib';
 * import { acknowledgmentSnapshot, assertNoUnacknowledgedFindings, newTestApp, removeTestOutdirs, scrubAssetHashes, synthWithCompliance } from 'secure-llm-blueprint/testing';
 *
 * afterAll(removeTestOutdirs);
 *
 * test('passes every compliance check', () => {
 *   const app = newTestApp();                 // your cdk.json feature flags, a temporary outdir
 *   new MyLlmStack(app, 'MyLlmStack');
 *   const result = synthWithCompliance(app);  // five cdk-nag packs + SecureLLM + cfn-guard
 *   assertNoUnacknowledgedFindings(result);   // throws, listing every finding
 *   expect(acknowledgmentSnapshot(app)).toMatchSnapshot(); // every acknowledged finding, its resource and reason
 *   expect(scrubAssetHashes(result.assembly.getStackByName('MyLlmStack').template)).toMatchSnapshot();
 * });
 * ```
 *
 * @module
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { addCompliancePacks } from '../compliance/packs';
import { type AcknowledgmentRecord, findAcknowledgments, toRecords } from '../compliance/report/acknowledgments';

/** One unacknowledged finding from one compliance check. */
export interface Finding {
  /** The check that reported it (`AwsSolutions`, `SecureLLM`, `cdk-validator-cfnguard`, …). */
  readonly plugin: string;
  /** The rule id within the check. */
  readonly rule: string;
  /** `error` fails synthesis; `warning` does not. */
  readonly severity: string;
  /** The construct path of the violating resource. */
  readonly path: string;
}

/** Options for {@link newTestApp}. */
export interface NewTestAppOptions {
  /**
   * The `cdk.json` whose `context` (feature flags) the app gets, as `cdk synth` would see them.
   * @default - `cdk.json` in the current directory, if there is one
   */
  readonly cdkJson?: string;
}

const outdirs = new Set<string>();

/**
 * A new App with the feature flags of your `cdk.json`, `context` on top, and a fresh temporary
 * output directory. Remove the directories with {@link removeTestOutdirs} (e.g. in `afterAll`).
 */
export function newTestApp(context: Record<string, unknown> = {}, options: NewTestAppOptions = {}): App {
  const cdkJson = options.cdkJson ?? path.join(process.cwd(), 'cdk.json');
  let flags: Record<string, unknown> = {};
  if (options.cdkJson !== undefined || fs.existsSync(cdkJson)) {
    flags = (JSON.parse(fs.readFileSync(cdkJson, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slb-test-'));
  outdirs.add(outdir);
  return new App({ outdir, context: { ...flags, ...context } });
}

/** Removes every output directory {@link newTestApp} created in this process. */
export function removeTestOutdirs(): void {
  for (const dir of outdirs) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  outdirs.clear();
}

/** The outcome of {@link synthWithCompliance}. */
export interface ComplianceResult {
  /** Every unacknowledged finding (empty when synthesis passed every check). */
  readonly findings: Finding[];
  /** The cloud assembly; throws, listing the findings, when synthesis was stopped by them. */
  readonly assembly: CloudAssembly;
}

/** Options for {@link synthWithCompliance}. */
export interface SynthWithComplianceOptions {
  /**
   * The app already has the packs (for example through `buildBlueprint` or your own call of
   * `addCompliancePacks`); do not register them again.
   * @default false
   */
  readonly packsAlreadyAdded?: boolean;
}

/**
 * Registers every compliance gate on the app (the five cdk-nag packs, the SecureLLM pack and
 * cfn-guard with the AWS Control Tower rules), synthesizes it once and returns the assembly and
 * every unacknowledged finding from the validation report. Synthesis stops («Validation failed»)
 * when a check reports an error; the findings are then read from the report it left behind.
 */
export function synthWithCompliance(app: App, options: SynthWithComplianceOptions = {}): ComplianceResult {
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

/** Reads the unacknowledged findings from a cloud assembly's `validation-report.json`. */
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

/** Formats findings one a line (`error AwsSolutions AwsSolutions-IAM5 at Stack/Role/Resource`). */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.severity} ${f.plugin} ${f.rule} at ${f.path}`).join('\n');
}

/**
 * Throws when there is any unacknowledged finding, listing each with its check, rule and construct
 * path; use it with any test runner.
 */
export function assertNoUnacknowledgedFindings(result: ComplianceResult | readonly Finding[]): void {
  const findings = 'findings' in result ? result.findings : result;
  if (findings.length > 0) {
    throw new Error(`${findings.length} unacknowledged compliance finding(s):\n${formatFindings(findings)}`);
  }
}

/**
 * Replaces the content hashes of assets (64 hex digits, with `.zip`/`.json` kept) so a template
 * snapshot changes only when the template does, not when a bundle or this package's version does.
 */
export function scrubAssetHashes<T>(template: T): T {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}(\.zip|\.json)?/g, '[ASSET HASH]$1')) as T;
}

/**
 * The compliance snapshot of an app: every acknowledgment made by code (yours or this package's
 * constructs), as stack, construct path, finding id and reason, sorted. Snapshot it so that adding,
 * removing or rewording an acknowledgment shows up in review. Acknowledgments aws-cdk-lib records by
 * itself are left out: they change with aws-cdk-lib releases, not with your code.
 */
export function acknowledgmentSnapshot(app: App): AcknowledgmentRecord[] {
  return toRecords(findAcknowledgments(app).filter((a) => a.source !== 'aws-cdk-lib'));
}
