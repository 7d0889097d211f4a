import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { buildBlueprint } from '../../lib/blueprint';
import {
  ACKNOWLEDGMENT_BASELINE,
  type AcknowledgmentRecord,
  COMPLIANCE_REPORT_JSON,
  type ComplianceReport,
  COVERED_RESOURCE_TYPES,
  type FoundAcknowledgment,
  PROJECT_ROOT,
  compareAcknowledgments,
  findAcknowledgments,
  formatAcknowledgmentChanges,
  readAcknowledgmentBaseline,
  serializeAcknowledgmentBaseline,
  synthWithReport,
  toRecords,
} from '../../lib/compliance/report';
import { ComplianceResult, formatFindings, newTemplateApp, newTestApp, readFindings, synthWithCompliance } from '../helpers/compliance';
import { allEnvironmentCases, expectDeployableAsConfigured } from './environments/cases';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }>;

/**
 * The whole app, exactly as `npx cdk synth` builds it with the committed cdk.json (and as bin/app.ts
 * synthesizes it, with the compliance report), synthesized once with every compliance check for this file;
 * its acknowledgments are held to the reviewed baseline here too, from the same synthesis.
 */
let cdkJson: { context: Record<string, unknown> & { blueprint?: unknown } };
let app: App;
let result: ComplianceResult;
let report: ComplianceReport;
let templates: Array<{ name: string; resources: Resources; template: Template }>;
let found: FoundAcknowledgment[];
let current: AcknowledgmentRecord[];
let baseline: AcknowledgmentRecord[];

/**
 * Functions and roles aws-cdk-lib generates as raw CfnResources, which the cdk-nag packs cannot evaluate, each
 * with the change that removes it. An entry that no longer matches anything fails the test: delete it then.
 */
const NOT_YET_EVALUATED: ReadonlyArray<{ readonly path: RegExp; readonly removedBy: string }> = [];

beforeAll(() => {
  cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));
  app = newTestApp(cdkJson.context);
  buildBlueprint(app);
  try {
    const assembly = synthWithReport(app, { quiet: true });
    result = { assembly, findings: readFindings(assembly.directory) };
  } catch (e) {
    if (!/ValidationFailed|Validation failed/.test(String(e))) {
      throw e;
    }
    const findings = readFindings(app.outdir);
    result = {
      findings,
      get assembly(): never {
        throw new Error(`synthesis failed its compliance checks:\n${formatFindings(findings)}`);
      },
    };
  }
  report = JSON.parse(fs.readFileSync(path.join(app.outdir, COMPLIANCE_REPORT_JSON), 'utf8')) as ComplianceReport;
  templates = result.assembly.stacks.map((s) => ({
    name: s.stackName,
    resources: (s.template as { Resources: Resources }).Resources,
    template: Template.fromJSON(s.template),
  }));
  found = findAcknowledgments(app);
  current = toRecords(found);
  baseline = readAcknowledgmentBaseline();
});

function resourcesOfType(type: string): Array<[string, Resources[string]]> {
  return templates.flatMap((t) => Object.entries(t.resources).filter(([, r]) => r.Type === type));
}

describe('the whole app', () => {
  test('passes all five cdk-nag packs, cfn-guard and the CloudFormation validator with zero unacknowledged findings', () => {
    expect(formatFindings(result.findings)).toBe('');
    expect(templates.map((t) => t.name)).toContain('SecureLlmBaseline');
  });

  test('as written (environment-agnostic), deploys with no lookup and no environment: the environment case the shards of test/lib/environments leave to this file', () => {
    // GIVEN the environment case of cdk.json as written, which is the configuration this file synthesized
    const c = allEnvironmentCases().find((e) => e.source === 'cdk.json' && e.mode === 'agnostic')!;
    expect(c.input).toEqual({ ...(cdkJson.context.blueprint as object), env: undefined });
    // THEN
    expectDeployableAsConfigured(c, result);
  });

  test('the compliance report lists every Lambda function, IAM role and log group of the templates as evaluated by the cdk-nag packs', () => {
    // GIVEN every function, role and log group in the templates, read from the templates themselves
    const types: readonly string[] = COVERED_RESOURCE_TYPES;
    const inTemplates = templates.flatMap((t) =>
      Object.entries(t.resources)
        .filter(([, r]) => types.includes(r.Type))
        .map(([id]) => `${t.name} ${id}`),
    );
    expect(inTemplates.length).toBeGreaterThanOrEqual(10);
    const listed = report.coverage.resources;
    // THEN the report lists each of them
    expect(listed.map((r) => `${r.stack} ${r.logicalId}`).sort()).toEqual(inTemplates.sort());
    // AND each was evaluated, apart from the named generated ones that are being removed
    const known = (r: (typeof listed)[number]) => NOT_YET_EVALUATED.some((k) => k.path.test(r.path ?? ''));
    const unevaluated = listed.filter((r) => !r.evaluatedByCdkNag);
    expect(unevaluated.filter((r) => !known(r)).map((r) => ({ path: r.path ?? r.logicalId, missedBy: r.missingCdkNagPacks, notes: r.notes }))).toEqual([]);
    for (const k of NOT_YET_EVALUATED) {
      expect({ entry: k.path.source, matches: unevaluated.some((r) => k.path.test(r.path ?? '')) }).toEqual({ entry: k.path.source, matches: true });
    }
    // AND none of ours logs to an implicit log group outside the templates
    expect(listed.filter((r) => !known(r) && r.notes.some((n) => /implicit/.test(n))).map((r) => r.path)).toEqual([]);
    // AND the functions and roles we write are evaluated by every general pack
    for (const r of listed.filter((x) => !known(x) && x.type !== 'AWS::Logs::LogGroup')) {
      expect({ path: r.path, packs: r.cdkNagPacks }).toEqual({
        path: r.path,
        packs: expect.arrayContaining(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']),
      });
    }
  });

  test('has no internet gateway, NAT gateway or route to the internet', () => {
    for (const type of ['AWS::EC2::InternetGateway', 'AWS::EC2::NatGateway', 'AWS::EC2::EgressOnlyInternetGateway', 'AWS::EC2::EIP']) {
      expect(resourcesOfType(type)).toEqual([]);
    }
    for (const [, route] of resourcesOfType('AWS::EC2::Route')) {
      expect(route.Properties?.DestinationCidrBlock).not.toBe('0.0.0.0/0');
    }
  });

  test('no security group sends traffic to an address range: egress goes to endpoint security groups and prefix lists only', () => {
    const rules = [
      ...resourcesOfType('AWS::EC2::SecurityGroup').flatMap(([id, sg]) =>
        ((sg.Properties?.SecurityGroupEgress ?? []) as Array<Record<string, unknown>>).map((rule) => ({ id, rule })),
      ),
      ...resourcesOfType('AWS::EC2::SecurityGroupEgress').map(([id, r]) => ({ id, rule: r.Properties as Record<string, unknown> })),
    ];
    expect(rules.length).toBeGreaterThanOrEqual(4);
    for (const { id, rule } of rules) {
      // CDK's "no egress" placeholder (icmp to 255.255.255.255/32) matches no packet.
      const placeholder = rule.CidrIp === '255.255.255.255/32' && rule.IpProtocol === 'icmp';
      const toEndpoint = rule.DestinationSecurityGroupId !== undefined || rule.DestinationPrefixListId !== undefined;
      expect({ id, rule, allowed: placeholder || toEndpoint }).toEqual({ id, rule, allowed: true });
    }
  });

  test('every function role allows network-interface actions on "*" only to Describe', () => {
    const statements = resourcesOfType('AWS::IAM::ManagedPolicy').flatMap(([id, p]) =>
      ((p.Properties?.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown; Effect: string }> }).Statement).map((s) => ({
        id,
        s,
      })),
    );
    const eniOnStar = statements
      .filter(({ s }) => s.Effect === 'Allow' && s.Resource === '*')
      .flatMap(({ id, s }) => [s.Action].flat().filter((a) => a.startsWith('ec2:') && !a.startsWith('ec2:Describe')).map((a) => `${id} ${a}`));
    expect(eniOnStar).toEqual([]);
    expect(statements.filter(({ s }) => [s.Action].flat().includes('ec2:CreateNetworkInterface')).length).toBeGreaterThanOrEqual(2);
  });

  test('every log group has a KMS key and a retention of at least a year, and is retained', () => {
    const groups = resourcesOfType('AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(3);
    for (const [id, group] of groups) {
      expect({ id, kms: group.Properties?.KmsKeyId !== undefined }).toEqual({ id, kms: true });
      expect(group.Properties?.RetentionInDays).toBeGreaterThanOrEqual(365);
      expect({ id, policy: group.DeletionPolicy }).toEqual({ id, policy: 'Retain' });
    }
  });

  test('every bucket is encrypted, versioned, public-access-blocked and TLS-only', () => {
    const buckets = resourcesOfType('AWS::S3::Bucket');
    expect(buckets.length).toBeGreaterThanOrEqual(2);
    const policies = resourcesOfType('AWS::S3::BucketPolicy');
    for (const [id, bucket] of buckets) {
      const props = bucket.Properties as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      expect({ id, versioning: props.VersioningConfiguration?.Status }).toEqual({ id, versioning: 'Enabled' });
      expect({ id, bpa: props.PublicAccessBlockConfiguration }).toEqual({
        id,
        bpa: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      });
      const sse = props.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault;
      expect({ id, sse: sse?.SSEAlgorithm !== undefined }).toEqual({ id, sse: true });
      const tlsOnly = policies.some(([, p]) => {
        const doc = JSON.stringify(p.Properties);
        return doc.includes(id) && doc.includes('"aws:SecureTransport":"false"');
      });
      expect({ id, tlsOnly }).toEqual({ id, tlsOnly: true });
    }
  });

  test('buckets that hold trail or invocation data use a customer-managed KMS key', () => {
    const kmsBuckets = resourcesOfType('AWS::S3::Bucket').filter(([, b]) =>
      JSON.stringify(b.Properties).includes('"SSEAlgorithm":"aws:kms"'),
    );
    // The trail bucket and the large-payload bucket; access-log buckets can only use SSE-S3.
    expect(kmsBuckets.length).toBeGreaterThanOrEqual(2);
  });

  test('every KMS encryption key rotates, and every key is retained', () => {
    const keys = resourcesOfType('AWS::KMS::Key');
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const [id, key] of keys) {
      // KMS rotates symmetric encryption keys only; the gateway API keys' HMAC_256 key cannot rotate (keys rotate does).
      const encryption = (key.Properties?.KeySpec ?? 'SYMMETRIC_DEFAULT') === 'SYMMETRIC_DEFAULT';
      expect({ id, rotation: encryption ? key.Properties?.EnableKeyRotation : key.Properties?.KeySpec, policy: key.DeletionPolicy }).toEqual({
        id,
        rotation: encryption ? true : 'HMAC_256',
        policy: 'Retain',
      });
    }
  });

  test('every SNS topic is KMS-encrypted and TLS-only', () => {
    const topics = resourcesOfType('AWS::SNS::Topic');
    expect(topics.length).toBeGreaterThanOrEqual(1);
    const policies = resourcesOfType('AWS::SNS::TopicPolicy');
    for (const [id, topic] of topics) {
      expect({ id, kms: topic.Properties?.KmsMasterKeyId !== undefined }).toEqual({ id, kms: true });
      const tlsOnly = policies.some(([, p]) => {
        const doc = JSON.stringify(p.Properties);
        return doc.includes(id) && doc.includes('"aws:SecureTransport":"false"');
      });
      expect({ id, tlsOnly }).toEqual({ id, tlsOnly: true });
    }
  });

  test('the trail and the detector carry the baseline properties', () => {
    const baseline = templates.find((t) => t.name === 'SecureLlmBaseline')!.template;
    baseline.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
    });
    const detector = resourcesOfType('AWS::GuardDuty::Detector');
    expect(detector).toHaveLength(1);
    expect(detector[0]![1].Properties?.DataSources).toBeUndefined();
  });
});

describe('the compliance gate', () => {
  test('fails if a stack adds a resource that breaks the packs', () => {
    // GIVEN the same app plus an unencrypted, unlogged bucket, without aws-cdk-lib's CloudFormation validator: what
    // this proves is the registered packs' findings, and beforeAll ran the validator on the same app
    const rogueApp = newTemplateApp(cdkJson.context);
    buildBlueprint(rogueApp);
    const rogue = new Stack(rogueApp, 'Rogue');
    new s3.Bucket(rogue, 'Unsafe', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
    // WHEN
    const { findings } = synthWithCompliance(rogueApp, { packsAlreadyAdded: true });
    // THEN every pack reports the bucket, and only the rogue stack is reported
    const plugins = new Set(findings.map((f) => f.plugin));
    expect([...plugins].sort()).toEqual(
      ['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321', 'cdk-validator-cfnguard'].sort(),
    );
    expect(findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
    expect(findings.every((f) => f.path.startsWith('Rogue/'))).toBe(true);
  });
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
