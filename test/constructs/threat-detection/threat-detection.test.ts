import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AlertTopic } from '../../../constructs/alert-topic';
import { POSTURE_EVENT_NAMES, ThreatDetection } from '../../../constructs/threat-detection';
import { Finding, formatFindings, newConstructTestApp, synthWithCompliance } from '../../helpers/compliance';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

interface RuleProperties {
  EventPattern: { source: string[]; 'detail-type': string[]; detail: Record<string, unknown> };
  Targets: Array<{ Arn: unknown; DeadLetterConfig?: { Arn: unknown }; InputTransformer?: { InputTemplate: string } }>;
}

function ruleByLogicalId(template: Template, prefix: string): RuleProperties {
  const rules = Object.entries(template.findResources('AWS::Events::Rule')).filter(([id]) => id.startsWith(prefix));
  expect(rules).toHaveLength(1);
  return rules[0]![1].Properties as RuleProperties;
}

describe('ThreatDetection', () => {
  describe('defaults', () => {
    let template: Template;
    let findings: Finding[];

    beforeAll(() => {
      // GIVEN
      const app = newConstructTestApp();
      const stack = new Stack(app, 'Test');
      // WHEN
      new ThreatDetection(stack, 'ThreatDetection', { alertEmails: ['secops@example.com'] });
      // THEN (synthesized once for every test in this block)
      const result = synthWithCompliance(app);
      findings = result.findings;
      template = Template.fromJSON(result.assembly.getStackByName('Test').template);
    });

    test('passes every compliance check', () => {
      expect(formatFindings(findings)).toBe('');
    });

    test('enables Lambda network logs and S3 protection through Features, never DataSources', () => {
      template.hasResourceProperties('AWS::GuardDuty::Detector', {
        Enable: true,
        FindingPublishingFrequency: 'FIFTEEN_MINUTES',
        Features: [
          { Name: 'LAMBDA_NETWORK_LOGS', Status: 'ENABLED' },
          { Name: 'S3_DATA_EVENTS', Status: 'ENABLED' },
        ],
        DataSources: Match.absent(),
      });
    });

    test('forwards GuardDuty findings of severity 7 and above', () => {
      const rule = ruleByLogicalId(template, 'ThreatDetectionFindingsRule');
      expect(rule.EventPattern).toEqual({
        source: ['aws.guardduty'],
        'detail-type': ['GuardDuty Finding'],
        detail: { severity: [{ numeric: ['>=', 7] }] },
      });
    });

    test('matches CloudTrail API calls of the three services', () => {
      const rule = ruleByLogicalId(template, 'ThreatDetectionPostureRule');
      expect(rule.EventPattern.source).toEqual(['aws.bedrock', 'aws.cloudtrail', 'aws.guardduty']);
      expect(rule.EventPattern['detail-type']).toEqual(['AWS API Call via CloudTrail']);
      expect(rule.EventPattern.detail.eventSource).toEqual([
        'bedrock.amazonaws.com',
        'cloudtrail.amazonaws.com',
        'guardduty.amazonaws.com',
      ]);
    });

    test.each([
      'UpdateGuardrail',
      'DeleteGuardrail',
      'PutModelInvocationLoggingConfiguration',
      'DeleteModelInvocationLoggingConfiguration',
      'StopLogging',
      'DeleteTrail',
      'UpdateTrail',
      'PutEventSelectors',
      'DeleteDetector',
      'UpdateDetector',
      'DisassociateFromMasterAccount',
      'DisassociateFromAdministratorAccount',
    ])('alerts on %s', (eventName) => {
      const rule = ruleByLogicalId(template, 'ThreatDetectionPostureRule');
      expect(rule.EventPattern.detail.eventName).toContain(eventName);
    });

    test('the posture pattern holds exactly the listed event names', () => {
      const rule = ruleByLogicalId(template, 'ThreatDetectionPostureRule');
      expect(rule.EventPattern.detail.eventName).toEqual(Object.values(POSTURE_EVENT_NAMES).flat());
      expect(rule.EventPattern.detail.eventName).toHaveLength(12);
    });

    test.each(['ThreatDetectionFindingsRule', 'ThreatDetectionPostureRule'])(
      '%s targets the alert topic with a readable message and the dead-letter queue',
      (prefix) => {
        const rule = ruleByLogicalId(template, prefix);
        expect(rule.Targets).toHaveLength(1);
        const target = rule.Targets[0]!;
        expect(target.Arn).toEqual({ Ref: expect.stringMatching(/^ThreatDetectionAlertTopic[0-9A-F]{8}$/) });
        expect(target.DeadLetterConfig).toEqual({
          Arn: { 'Fn::GetAtt': [expect.stringMatching(/^ThreatDetectionAlertTopicDeadLetterQueue/), 'Arn'] },
        });
        expect(target.InputTransformer?.InputTemplate).toMatch(/^"(GuardDuty finding, severity <detail-severity>|Security posture change: <detail-eventName>)/);
      },
    );

    test('lets each rule send to the dead-letter queue, conditioned on its own ARN', () => {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith(
            ['ThreatDetectionFindingsRule', 'ThreatDetectionPostureRule'].map((rule) =>
              Match.objectLike({
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${rule}`), 'Arn'] } } },
              }),
            ),
          ),
        },
      });
    });

    test('adds no unconditioned EventBridge publish statement to the topic policy', () => {
      const policy = Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0]!;
      const statements = policy.Properties.PolicyDocument.Statement as Array<{ Effect: string; Principal: unknown; Condition?: unknown }>;
      const eventBridge = statements.filter((s) => JSON.stringify(s.Principal).includes('events.amazonaws.com'));
      expect(eventBridge).toEqual([
        expect.objectContaining({ Effect: 'Allow', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }),
      ]);
    });

    test('subscribes alertEmails to the topic it creates', () => {
      template.resourceCountIs('AWS::SNS::Topic', 1);
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'secops@example.com' });
    });
  });

  describe('detector', () => {
    test('createDetector: false creates no detector but keeps both rules', () => {
      // GIVEN
      const stack = new Stack();
      // WHEN
      const detection = new ThreatDetection(stack, 'ThreatDetection', { createDetector: false });
      // THEN
      expect(detection.detector).toBeUndefined();
      expect(detection.detectorId).toBeUndefined();
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::GuardDuty::Detector', 0);
      template.resourceCountIs('AWS::Events::Rule', 2);
    });

    test('exposes the detector and its ID', () => {
      const stack = new Stack();
      const detection = new ThreatDetection(stack, 'ThreatDetection');
      expect(detection.detector).toBeDefined();
      expect(stack.resolve(detection.detectorId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ThreatDetectionDetector/), 'Id'] });
    });

    test('minimumFindingSeverity sets the numeric threshold', () => {
      const stack = new Stack();
      new ThreatDetection(stack, 'ThreatDetection', { minimumFindingSeverity: 4 });
      Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { detail: { severity: [{ numeric: ['>=', 4] }] } },
      });
    });
  });

  describe('alert topic', () => {
    test('publishes to a given alert topic and creates no other', () => {
      // GIVEN
      const stack = new Stack();
      const alerts = new AlertTopic(stack, 'Shared');
      // WHEN
      const detection = new ThreatDetection(stack, 'ThreatDetection', { alertTopic: alerts });
      // THEN
      expect(detection.alertTopic).toBe(alerts);
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SNS::Topic', 1);
      template.resourcePropertiesCountIs(
        'AWS::Events::Rule',
        { Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^Shared') } })] },
        2,
      );
    });
  });

  describe('validation', () => {
    test('fails if both alertTopic and alertEmails are given', () => {
      const stack = new Stack();
      const alerts = new AlertTopic(stack, 'Shared');
      expect(() => new ThreatDetection(stack, 'ThreatDetection', { alertTopic: alerts, alertEmails: ['a@example.com'] })).toThrow(
        /alertEmails only applies to the topic this construct creates, got both alertTopic \(Default\/Shared\) and alertEmails \[a@example.com\]/,
      );
    });

    test('fails if an alert email is not an email address', () => {
      expect(() => new ThreatDetection(new Stack(), 'ThreatDetection', { alertEmails: ['not-an-email'] })).toThrow(
        /emailSubscriptions must contain email addresses .* got "not-an-email"/,
      );
    });

    test.each([0, 0.5, 10.1, Number.NaN])('fails if minimumFindingSeverity is %d', (severity) => {
      expect(() => new ThreatDetection(new Stack(), 'ThreatDetection', { minimumFindingSeverity: severity })).toThrow(
        new RegExp(`minimumFindingSeverity must be between 1 and 10 .* got ${severity}`),
      );
    });

    test.each([1, 8.9, 9, 10])('accepts minimumFindingSeverity %d', (severity) => {
      expect(() => new ThreatDetection(new Stack(), 'ThreatDetection', { minimumFindingSeverity: severity })).not.toThrow();
    });
  });
});
