import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnWaitConditionHandle, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib';
import { BaselineStack } from '../../../lib/baseline-stack';
import { guardRuleCatalogue, inapplicableRules, resourceTypesOf, ScopedCfnGuardValidator } from '../../../lib/compliance/scoped-cfn-guard';
import { parseConfig } from '../../../lib/config';
import { newTemplateApp, synthWithCompliance } from '../../helpers/compliance';

function summary(report: PolicyValidationPluginReportBeta1): string[] {
  return report.violations
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.templatePath.split(path.sep).pop()} ${r.resourceLogicalId}`))
    .sort();
}

describe('ScopedCfnGuardValidator', () => {
  let templatePaths: string[];
  let app: App;

  beforeAll(() => {
    // GIVEN two small templates with resources of the types the blueprint's cfn-guard findings and passes come from
    // (buckets, queues, tables, keys, log groups, topics, a function and its role, a GuardDuty detector): one
    // configured as the blueprint configures them, one that breaks Control Tower rules. The full rule set costs about
    // a tenth of a second of CPU per rule file and template of the blueprint's size, so the proof runs on these
    // instead of the BaselineStack (the gate test below and test/lib/app-compliance.test.ts run the scoped
    // validator on the blueprint's own templates).
    app = newTemplateApp();
    const secure = new Stack(app, 'Secure');
    const key = new kms.Key(secure, 'Key', { enableKeyRotation: true });
    const logBucket = new s3.Bucket(secure, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
    });
    new s3.Bucket(secure, 'Data', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectLockEnabled: true,
      serverAccessLogsBucket: logBucket,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
    });
    const dlq = new sqs.Queue(secure, 'DeadLetters', { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key, enforceSSL: true });
    new sqs.Queue(secure, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      deadLetterQueue: { queue: dlq, maxReceiveCount: 3 },
    });
    new dynamodb.Table(secure, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
    });
    new logs.LogGroup(secure, 'Logs', { encryptionKey: key, retention: logs.RetentionDays.ONE_YEAR });
    new sns.Topic(secure, 'Topic', { masterKey: key, enforceSSL: true });
    new lambda.Function(secure, 'Function', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
      reservedConcurrentExecutions: 1,
    });
    new guardduty.CfnDetector(secure, 'Detector', { enable: true });
    const rogue = new Stack(app, 'Rogue');
    new s3.Bucket(rogue, 'Bucket');
    new sqs.Queue(rogue, 'Queue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    new dynamodb.CfnTable(rogue, 'Table', {
      keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
      billingMode: 'PAY_PER_REQUEST',
    });
    // Templates only (no compliance plugins registered): the validators run on them below.
    const assembly = app.synth();
    templatePaths = assembly.stacks.map((s) => path.join(assembly.directory, s.templateFile));
  });

  test('reports exactly what the full Control Tower rule set reports', () => {
    // WHEN
    const full = new CfnGuardValidator({ maxBuffer: 64 * 1024 * 1024 }).validate({ templatePaths, appConstruct: app });
    const scoped = new ScopedCfnGuardValidator().validate({ templatePaths, appConstruct: app });
    // THEN
    expect(summary(full).length).toBeGreaterThan(5);
    expect(summary(scoped)).toEqual(summary(full));
    expect(scoped.success).toBe(full.success);
    // AND the templates are a real test: both stacks have findings, and of the rules that apply to them some
    // report findings and some pass
    expect(new Set(summary(full).map((f) => f.split(' ')[1]))).toEqual(new Set(['Secure.template.json', 'Rogue.template.json']));
    const skipped = new Set(inapplicableRules(resourceTypesOf(templatePaths)));
    const applicable = guardRuleCatalogue().filter((r) => !skipped.has(r.file) && r.guardRule !== undefined);
    const failing = new Set(full.violations.map((v) => v.ruleName));
    expect(applicable.filter((r) => failing.has(r.guardRule!)).length).toBeGreaterThanOrEqual(5);
    expect(applicable.filter((r) => !failing.has(r.guardRule!)).length).toBeGreaterThanOrEqual(20);
  });

  test('leaves out only rules whose resource types are all absent', () => {
    const types = resourceTypesOf(templatePaths);
    expect(types.has('AWS::S3::Bucket')).toBe(true);
    const skipped = inapplicableRules(types);
    expect(skipped).toContain('ct-rds-pr-1');
    // Bucket rules (CT.S3.PR.1 public access, CT.S3.PR.2 logging) and table rules stay in.
    expect(skipped).not.toContain('ct-s3-pr-1');
    expect(skipped).not.toContain('ct-s3-pr-2');
    expect(skipped).not.toContain('ct-dynamodb-pr-1');
    // Rules for access points, which these templates lack, are left out.
    expect(skipped).toContain('ct-s3-pr-12');
  });

  test('reports success without running cfn-guard when no rule applies', () => {
    // GIVEN a template whose only resource type no Control Tower rule names
    const lonely = newTemplateApp();
    new CfnWaitConditionHandle(new Stack(lonely, 'Lonely'), 'Handle');
    const assembly = lonely.synth();
    const paths = assembly.stacks.map((s) => path.join(assembly.directory, s.templateFile));
    // WHEN
    const report = new ScopedCfnGuardValidator().validate({ templatePaths: paths, appConstruct: lonely });
    // THEN
    expect(report).toEqual({ success: true, violations: [] });
  });

  test('keeps the plugin name that acknowledgments use', () => {
    expect(new ScopedCfnGuardValidator().name).toBe('cdk-validator-cfnguard');
  });
});

describe('the cfn-guard gate with acknowledgments elsewhere', () => {
  test('fails synthesis on a finding only cfn-guard reports, though other cfn-guard findings are acknowledged', () => {
    // GIVEN the blueprint (which acknowledges some cfn-guard findings) plus an alarm without
    // actions, a Control Tower finding (CT.CLOUDWATCH.PR.1) whose cdk-nag twins are acknowledged
    const app = newTemplateApp();
    new BaselineStack(app, 'Baseline', { config: parseConfig({}).baseline });
    const rogue = new Stack(app, 'Rogue');
    const alarm = new cloudwatch.Alarm(rogue, 'Silent', {
      metric: new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors' }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    for (const id of ['NIST.800.53.R5-CloudWatchAlarmAction', 'HIPAA.Security-CloudWatchAlarmAction', 'PCI.DSS.321-CloudWatchAlarmAction']) {
      Validations.of(alarm).acknowledge({ id, reason: 'test: leave only the cfn-guard finding' });
    }
    // WHEN
    const result = synthWithCompliance(app);
    const findings = result.findings;
    // THEN synthesis stopped, and only because of cfn-guard
    expect(() => result.assembly).toThrow(/synthesis failed its compliance checks/);
    expect(findings.length).toBeGreaterThan(0);
    expect(new Set(findings.map((f) => f.plugin))).toEqual(new Set(['cdk-validator-cfnguard']));
    expect(findings.every((f) => f.path.startsWith('Rogue/') && f.severity === 'error')).toBe(true);
  });
});
