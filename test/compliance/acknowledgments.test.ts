import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  ACKNOWLEDGMENT_BASELINE,
  AcknowledgmentRecord,
  COMPLIANCE_REPORT_JSON,
  ComplianceReport,
  FoundAcknowledgment,
  PROJECT_ROOT,
  compareAcknowledgments,
  findAcknowledgments,
  formatAcknowledgmentChanges,
  readAcknowledgmentBaseline,
  serializeAcknowledgmentBaseline,
  synthWithReport,
  toRecords,
} from '../../lib/compliance/report';
import { newAcknowledgmentBaselineApp } from '../../lib/compliance/report/baseline-app';
import { newTestApp, readFindings } from '../helpers/compliance';

/**
 * The acknowledgments of the whole app, exactly as `npx cdk synth` builds it with the committed
 * cdk.json, held to the reviewed baseline. One synthesis for this file.
 */
let app: App;
let found: FoundAcknowledgment[];
let current: AcknowledgmentRecord[];
let baseline: AcknowledgmentRecord[];
let report: ComplianceReport;

beforeAll(() => {
  app = newAcknowledgmentBaselineApp(fs.mkdtempSync(path.join(os.tmpdir(), 'slb-ack-')));
  try {
    synthWithReport(app, { quiet: true });
  } catch {
    // Unacknowledged findings are test/lib/app-compliance.test.ts's concern; the acknowledgments
    // and the report are complete once synthesis reached validation.
  }
  found = findAcknowledgments(app);
  current = toRecords(found);
  baseline = readAcknowledgmentBaseline();
  report = JSON.parse(fs.readFileSync(path.join(app.outdir, COMPLIANCE_REPORT_JSON), 'utf8')) as ComplianceReport;
});

describe('acknowledgments', () => {
  test('match the reviewed baseline', () => {
    expect(formatAcknowledgmentChanges(compareAcknowledgments(baseline, current), ACKNOWLEDGMENT_BASELINE)).toBe('');
  });

  test('the baseline file is exactly what the update script writes (sorted, four fields each)', () => {
    expect(fs.readFileSync(path.join(PROJECT_ROOT, ACKNOWLEDGMENT_BASELINE), 'utf8')).toBe(serializeAcknowledgmentBaseline(baseline));
  });

  test('only the CloudFormation validator acknowledgments of Vpc and FlowLog come from aws-cdk-lib; every other one names its call site', () => {
    const fromLibrary = found.filter((a) => a.source === 'aws-cdk-lib');
    expect([...new Set(fromLibrary.map((a) => a.id))].sort()).toEqual([
      'CloudFormation-Validate::F3002',
      'CloudFormation-Validate::F3003',
      'CloudFormation-Validate::W3010',
    ]);
    for (const ack of found.filter((a) => a.source !== 'aws-cdk-lib')) {
      expect({ id: ack.id, path: ack.path, source: ack.source, location: /^(constructs|lib)\/.+\.ts:\d+$/.test(ack.location ?? '') }).toEqual({
        id: ack.id,
        path: ack.path,
        source: 'project',
        location: true,
      });
    }
  });
});

describe('the compliance report of the app', () => {
  test('lists every acknowledgment exactly once, under a registered check', () => {
    const listed = report.checks.flatMap((c) => c.acknowledgments.map(({ stack, path: p, id, reason }) => ({ stack, path: p, id, reason })));
    expect(toRecords(listed)).toEqual(current);
    expect(report.checks.map((c) => c.kind)).not.toContain('unregistered');
    expect(report.totals.acknowledgments).toBe(current.length);
  });

  test('has the findings of validation-report.json, and each project acknowledgment of a check that ran covers a finding', () => {
    expect(report.totals.findings).toBe(readFindings(app.outdir).length);
    const unused = report.checks
      .filter((c) => c.ran)
      .flatMap((c) => c.acknowledgments.filter((a) => a.source === 'project' && a.findingsCovered === 0).map((a) => `${a.path} ${a.id}`));
    expect(unused).toEqual([]);
  });
});

describe('the baseline comparison', () => {
  test('fails if an acknowledgment is added, naming it and how to update the baseline', () => {
    // GIVEN the app's acknowledgments plus one recorded on a construct of a fresh app
    const fresh = newTestApp();
    const rogue = new Construct(new Stack(fresh, 'Gateway'), 'Rogue');
    Validations.of(rogue).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'Rogue wildcard.' });
    const mutated = [...current, ...toRecords(findAcknowledgments(fresh))];
    // WHEN
    const changes = compareAcknowledgments(baseline, mutated);
    // THEN
    expect(changes).toEqual([
      { kind: 'added', stack: 'Gateway', path: 'Gateway/Rogue', id: 'Annotation::AwsSolutions-IAM5[Resource::*]', before: [], after: ['Rogue wildcard.'] },
    ]);
    const message = formatAcknowledgmentChanges(changes, ACKNOWLEDGMENT_BASELINE);
    expect(message).toContain('+ added    Gateway/Rogue Annotation::AwsSolutions-IAM5[Resource::*]');
    expect(message).toContain('+ reason: "Rogue wildcard."');
    expect(message).toContain('npm run compliance:baseline');
  });

  test('fails if an acknowledgment is removed', () => {
    const [first, ...rest] = current;
    const changes = compareAcknowledgments(baseline, rest);
    expect(changes).toEqual([expect.objectContaining({ kind: 'removed', path: first!.path, id: first!.id, after: [] })]);
    expect(formatAcknowledgmentChanges(changes, ACKNOWLEDGMENT_BASELINE)).toContain(`- removed  ${first!.path} ${first!.id}`);
  });

  test('fails if a reason changes, showing both', () => {
    const changed = current.map((a, i) => (i === 1 ? { ...a, reason: `${a.reason} Edited.` } : a));
    const changes = compareAcknowledgments(baseline, changed);
    expect(changes).toEqual([
      expect.objectContaining({ kind: 'changed', path: current[1]!.path, before: [current[1]!.reason], after: [`${current[1]!.reason} Edited.`] }),
    ]);
    const message = formatAcknowledgmentChanges(changes, ACKNOWLEDGMENT_BASELINE);
    expect(message).toContain(`- reason: ${JSON.stringify(current[1]!.reason)}`);
    expect(message).toContain(`+ reason: ${JSON.stringify(`${current[1]!.reason} Edited.`)}`);
  });

  test('ignores order', () => {
    expect(compareAcknowledgments(baseline, [...current].reverse())).toEqual([]);
  });
});
