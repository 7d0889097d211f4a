import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnResource, CloudFormationValidatePlugin, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SecureKey } from '../../../constructs';
import { OWASP_LLM_TOP_10_2025 } from '../../../lib/compliance/owasp';
import { addCompliancePacks } from '../../../lib/compliance/packs';
import {
  COMPLIANCE_REPORT_JSON,
  COMPLIANCE_REPORT_MARKDOWN,
  ComplianceReport,
  PROJECT_ROOT,
  readValidationReport,
  synthWithReport,
} from '../../../lib/compliance/report';
import { readFindings, newTestApp } from '../../helpers/compliance';
import { missingTests } from '../../helpers/test-names';

function readReport(dir: string): ComplianceReport {
  return JSON.parse(fs.readFileSync(path.join(dir, COMPLIANCE_REPORT_JSON), 'utf8')) as ComplianceReport;
}

/** A plugin that counts how often it is asked to validate. */
class CountingPlugin implements IPolicyValidationPlugin {
  public readonly name = 'Counting';
  public calls = 0;
  public validate(_context: IPolicyValidationContext): PolicyValidationPluginReport {
    this.calls++;
    return { success: true, violations: [] };
  }
}

describe('compliance report', () => {
  describe('a synthesis that fails its checks', () => {
    // One app with an unacknowledged finding, acknowledged findings of cdk-nag and cfn-guard, and
    // an acknowledgment that matches nothing; synthesized once for this block.
    let app: App;
    let error: unknown;
    let report: ComplianceReport;

    beforeAll(() => {
      app = newTestApp();
      const stack = new Stack(app, 'Test');
      const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true });
      Validations.of(queue).acknowledge(
        { id: 'AwsSolutions-SQS3', reason: 'Fixture: the queue is a dead-letter queue.' },
        { id: 'cdk-validator-cfnguard::sqs_dlq_check', reason: 'Fixture: the queue is a dead-letter queue (guard).' },
      );
      Validations.of(stack).acknowledge({ id: 'AwsSolutions-S1', reason: 'Fixture: there is no bucket.' });
      addCompliancePacks(app);
      try {
        synthWithReport(app, { quiet: true });
      } catch (e) {
        error = e;
      }
      report = readReport(app.outdir);
    });

    test('rethrows the validation failure after writing both report files', () => {
      expect(String(error)).toMatch(/ValidationFailed|Validation failed/);
      expect(fs.existsSync(path.join(app.outdir, COMPLIANCE_REPORT_MARKDOWN))).toBe(true);
      expect(report.outcome).toBe('failed');
      expect(report.failure).toBeDefined();
    });

    test('lists the same unacknowledged findings per check as validation-report.json', () => {
      const findings = readFindings(app.outdir);
      expect(findings.length).toBeGreaterThan(0);
      const fromReport = report.checks.flatMap((c) => c.findings.map((f) => ({ plugin: c.name, rule: f.rule, severity: f.severity, path: f.path })));
      const key = (f: { plugin: string; rule: string; path: string }): string => `${f.plugin} ${f.rule} ${f.path}`;
      expect(fromReport.map(key).sort()).toEqual(findings.map(key).sort());
      expect(report.totals.findings).toBe(findings.length);
      expect(report.totals.errors).toBe(findings.filter((f) => f.severity === 'error').length);
      for (const check of report.checks) {
        expect({ check: check.name, findings: check.counts.findings }).toEqual({
          check: check.name,
          findings: findings.filter((f) => f.plugin === check.name).length,
        });
      }
    });

    test('counts the findings CDK lists as suppressed for cfn-guard, and attributes them to the acknowledgment', () => {
      const guardSection = readValidationReport(app.outdir)!.pluginReports.find((p) => p.pluginName === 'cdk-validator-cfnguard')!;
      const suppressed = (guardSection.suppressedViolations ?? []).flatMap((v) => v.violatingConstructs);
      expect(suppressed.map((c) => c.constructPath)).toEqual(['Test/Queue/Resource']);
      const guard = report.checks.find((c) => c.name === 'cdk-validator-cfnguard')!;
      expect(guard.counts.acknowledgedFindings).toBe(suppressed.length);
      expect(guard.acknowledgments).toEqual([
        expect.objectContaining({ path: 'Test/Queue', rule: 'sqs_dlq_check', findingsCovered: 1, source: 'project' }),
      ]);
    });

    test('a check with unacknowledged errors is failed, and says so where validation-report.json concludes success', () => {
      // cfn-guard leaves severity out; once one of its findings is acknowledged, aws-cdk-lib 2.276.0
      // re-judges it by literal "error" severities and concludes success (synthesis is not stopped).
      const section = readValidationReport(app.outdir)!.pluginReports.find((p) => p.pluginName === 'cdk-validator-cfnguard')!;
      const guard = report.checks.find((c) => c.name === 'cdk-validator-cfnguard')!;
      expect(guard.counts.errors).toBeGreaterThan(0);
      expect(guard.conclusion).toBe('failed');
      expect(guard.notes.length > 0).toBe(section.conclusion === 'success');
    });

    test('counts the findings cdk-nag dropped for an acknowledgment, which never reach validation-report.json', () => {
      const aws = report.checks.find((c) => c.name === 'AwsSolutions')!;
      expect(readFindings(app.outdir).filter((f) => f.rule === 'AwsSolutions-SQS3')).toEqual([]);
      expect(aws.rules.rules).toContainEqual(expect.objectContaining({ id: 'AwsSolutions-SQS3', nonCompliant: 1 }));
      expect(aws.acknowledgments).toEqual([
        expect.objectContaining({
          stack: 'Test',
          path: 'Test',
          id: 'Annotation::AwsSolutions-S1',
          findingsCovered: 0,
          location: expect.stringMatching(/^test\/lib\/compliance\/report\.test\.ts:\d+$/),
        }),
        expect.objectContaining({ path: 'Test/Queue', id: 'Annotation::AwsSolutions-SQS3', reason: 'Fixture: the queue is a dead-letter queue.', findingsCovered: 1 }),
      ]);
      expect(aws.counts).toEqual(expect.objectContaining({ acknowledgments: 2, acknowledgedFindings: 1, unusedAcknowledgments: 1 }));
    });

    test('the non-compliant results cdk-nag observed are exactly the reported plus the acknowledged findings', () => {
      for (const check of report.checks.filter((c) => c.kind === 'cdk-nag')) {
        const nonCompliant = check.rules.rules.reduce((n, r) => n + (r.nonCompliant ?? 0), 0);
        expect({ check: check.name, nonCompliant }).toEqual({
          check: check.name,
          nonCompliant: check.counts.findings + check.counts.acknowledgedFindings,
        });
      }
    });

    test('lists the rules each check evaluated', () => {
      const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
      expect(Object.keys(byName)).toEqual(expect.arrayContaining(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'Serverless', 'cdk-validator-cfnguard', 'CloudFormation Validate']));
      expect(byName.AwsSolutions!.rules.rules).toContainEqual(expect.objectContaining({ id: 'AwsSolutions-SQS4', applicable: true, compliant: 1 }));
      expect(byName.AwsSolutions!.rules.rules).toContainEqual(expect.objectContaining({ id: 'AwsSolutions-S1', applicable: false }));
      const guard = byName['cdk-validator-cfnguard']!;
      expect(guard.rules.rules).toHaveLength(237);
      expect(guard.rules.rules.filter((r) => r.applicable).map((r) => r.guardRule)).toContain('sqs_dlq_check');
      expect(guard.rules.rules.find((r) => r.guardRule === 'lambda_inside_vpc_check')?.applicable).toBe(false);
      const validator = byName['CloudFormation Validate']!;
      expect(validator.ran).toBe(true);
      expect(validator.rules.description).toMatch(/^Schema/);
    });

    test('renders every check, the failure and each acknowledgment reason in the Markdown', () => {
      const markdown = fs.readFileSync(path.join(app.outdir, COMPLIANCE_REPORT_MARKDOWN), 'utf8');
      expect(markdown).toContain('Outcome: **FAILED**');
      for (const check of report.checks) {
        expect(markdown).toContain(`### ${check.name}`);
      }
      expect(markdown).toContain('Fixture: the queue is a dead-letter queue (guard).');
      expect(markdown).toContain('## OWASP Top 10 for LLM Applications (2025)');
      expect(report.owasp).toEqual(OWASP_LLM_TOP_10_2025);
    });
  });

  describe('functions, roles and log groups', () => {
    // One app with a typed L1 function, role and log group next to a raw CfnResource function and role (as
    // aws-cdk-lib's generated custom-resource providers write them); synthesized once for this block.
    let app: App;
    let report: ComplianceReport;

    beforeAll(() => {
      app = newTestApp();
      const stack = new Stack(app, 'Test');
      const trust = { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }], Version: '2012-10-17' };
      const role = new iam.CfnRole(stack, 'TypedRole', { assumeRolePolicyDocument: trust });
      const logGroup = new logs.CfnLogGroup(stack, 'TypedLogGroup', { retentionInDays: 365 });
      new lambda.CfnFunction(stack, 'TypedFunction', {
        code: { zipFile: 'exports.handler = async () => {};' },
        handler: 'index.handler',
        runtime: 'nodejs22.x',
        role: role.attrArn,
        loggingConfig: { logGroup: logGroup.ref },
      });
      const rawRole = new CfnResource(stack, 'RawRole', { type: 'AWS::IAM::Role', properties: { AssumeRolePolicyDocument: trust } });
      new CfnResource(stack, 'RawFunction', {
        type: 'AWS::Lambda::Function',
        properties: {
          Code: { ZipFile: 'exports.handler = async () => {};' },
          Handler: 'index.handler',
          Runtime: 'nodejs22.x',
          Role: rawRole.getAtt('Arn'),
        },
      });
      addCompliancePacks(app);
      try {
        synthWithReport(app, { quiet: true });
      } catch {
        // The typed resources have findings of their own; the report is written either way.
      }
      report = readReport(app.outdir);
    });

    function resource(logicalIdPrefix: string) {
      const found = report.coverage.resources.filter((r) => r.logicalId.startsWith(logicalIdPrefix));
      expect(found).toHaveLength(1);
      return found[0]!;
    }

    test('lists every function, role and log group of the templates, and only those', () => {
      expect(report.coverage.resources.map((r) => `${r.type} ${r.path}`).sort()).toEqual(
        [
          'AWS::IAM::Role Test/RawRole',
          'AWS::IAM::Role Test/TypedRole',
          'AWS::Lambda::Function Test/RawFunction',
          'AWS::Lambda::Function Test/TypedFunction',
          'AWS::Logs::LogGroup Test/TypedLogGroup',
        ].sort(),
      );
    });

    test('says which cdk-nag packs evaluated a typed L1, and cfn-guard the rules that read its type', () => {
      const fn = resource('TypedFunction');
      expect(fn).toEqual(expect.objectContaining({ constructClass: 'CfnFunction', evaluatedByCdkNag: true, notes: [] }));
      expect(fn.cdkNagPacks).toEqual(expect.arrayContaining(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'Serverless']));
      expect(fn.cfnGuardRules).toContain('lambdapr3');
      expect(resource('TypedRole').cdkNagPacks).toContain('AwsSolutions');
      expect(resource('TypedLogGroup').evaluatedByCdkNag).toBe(true);
    });

    test('marks a raw CfnResource function or role as not evaluated, naming the packs that missed it, and says why', () => {
      const fn = resource('RawFunction');
      expect(fn).toEqual(expect.objectContaining({ constructClass: 'CfnResource', evaluatedByCdkNag: false }));
      // Only our own pack, whose rules read the type name, evaluated it; every general pack missed it.
      expect(fn.cdkNagPacks).toEqual(['SecureLLM']);
      expect(fn.missingCdkNagPacks).toEqual(expect.arrayContaining(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'Serverless']));
      expect(fn.notes.join(' ')).toMatch(/raw CfnResource of type AWS::Lambda::Function: .*"not applicable"/);
      expect(fn.notes.join(' ')).toMatch(/implicit \/aws\/lambda\/<name> log group/);
      // cfn-guard reads the template, so it does see it.
      expect(fn.cfnGuardRules).toContain('lambdapr3');
      const rawRole = resource('RawRole');
      expect(rawRole.evaluatedByCdkNag).toBe(false);
      expect(rawRole.missingCdkNagPacks).toContain('AwsSolutions');
      expect(report.coverage.notEvaluatedByCdkNag).toBe(2);
    });

    test('puts the unevaluated resources in the Markdown summary and marks each one', () => {
      const markdown = fs.readFileSync(path.join(app.outdir, COMPLIANCE_REPORT_MARKDOWN), 'utf8');
      expect(markdown).toContain('**2 of the 5 Lambda functions, IAM roles and log groups in the templates were not evaluated by the cdk-nag packs**');
      expect(markdown).toContain('## Functions, roles and log groups');
      expect(markdown.split('\n').filter((l) => l.includes('**NOT EVALUATED**'))).toEqual([
        expect.stringMatching(/`Test\/RawRole`.*\*\*NOT EVALUATED\*\* by AwsSolutions/),
        expect.stringMatching(/`Test\/RawFunction`.*\*\*NOT EVALUATED\*\* by AwsSolutions.*\(only SecureLLM\)/),
      ]);
    });
  });

  describe('a synthesis that passes', () => {
    test('synthesizes once, writes a passing report and leaves no plugin instrumented', () => {
      // GIVEN
      const app = newTestApp();
      new SecureKey(new Stack(app, 'Test'), 'Key');
      addCompliancePacks(app);
      const counting = new CountingPlugin();
      Validations.of(app).addPlugins(counting);
      const validate = CloudFormationValidatePlugin.prototype.validate;
      // WHEN
      const assembly = synthWithReport(app, { quiet: true });
      // THEN
      expect(counting.calls).toBe(1);
      expect(assembly.getStackByName('Test')).toBeDefined();
      const report = readReport(assembly.directory);
      expect(report.outcome).toBe('passed');
      expect(report.totals.findings).toBe(readFindings(assembly.directory).length);
      expect(report.checks.find((c) => c.name === 'Counting')).toEqual(expect.objectContaining({ kind: 'plugin', ran: true, conclusion: 'passed' }));
      expect(CloudFormationValidatePlugin.prototype.validate).toBe(validate);
      expect(Object.prototype.hasOwnProperty.call(counting, 'validate')).toBe(false);
    });
  });

  describe('OWASP Top 10 for LLM Applications (2025)', () => {
    test('lists the ten 2025 risks once, in order', () => {
      expect(OWASP_LLM_TOP_10_2025.map((r) => r.id)).toEqual(
        Array.from({ length: 10 }, (_, i) => `LLM${String(i + 1).padStart(2, '0')}:2025`),
      );
      expect(OWASP_LLM_TOP_10_2025.map((r) => r.title)).toEqual([
        'Prompt Injection',
        'Sensitive Information Disclosure',
        'Supply Chain',
        'Data and Model Poisoning',
        'Improper Output Handling',
        'Excessive Agency',
        'System Prompt Leakage',
        'Vector and Embedding Weaknesses',
        'Misinformation',
        'Unbounded Consumption',
      ]);
    });

    test('every risk it does not call "not applicable" has controls, each implemented and proved by a test', () => {
      for (const risk of OWASP_LLM_TOP_10_2025) {
        expect({ risk: risk.id, controls: risk.coverage === 'not applicable' || risk.controls.length > 0 }).toEqual({ risk: risk.id, controls: true });
        for (const control of risk.controls) {
          expect({ control: control.control, tests: control.provedBy.length > 0, files: control.implementedIn.length > 0 }).toEqual({
            control: control.control,
            tests: true,
            files: true,
          });
        }
      }
    });

    test('every implementation file it names exists', () => {
      const files = OWASP_LLM_TOP_10_2025.flatMap((r) => r.controls.flatMap((c) => c.implementedIn));
      expect(files.filter((f) => !fs.existsSync(path.join(PROJECT_ROOT, f)))).toEqual([]);
    });

    test('every test it names exists in the file it names', () => {
      const refs = OWASP_LLM_TOP_10_2025.flatMap((r) => r.controls.flatMap((c) => c.provedBy));
      expect(refs.length).toBeGreaterThan(20);
      expect(missingTests(refs)).toEqual([]);
    });

    test('fails if a test name or file does not exist', () => {
      const real = OWASP_LLM_TOP_10_2025[0]!.controls[0]!.provedBy[0]!;
      expect(
        missingTests([
          real,
          { file: real.file, name: `${real.name} (renamed)` },
          { file: real.file, name: real.name.split(' ').slice(1).join(' ') },
          { file: 'test/does-not-exist.test.ts', name: real.name },
        ]),
      ).toEqual([
        `${real.file} › ${real.name} (renamed)`,
        `${real.file} › ${real.name.split(' ').slice(1).join(' ')}`,
        `test/does-not-exist.test.ts › ${real.name}`,
      ]);
    });
  });
});
