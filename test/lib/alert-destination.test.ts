import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ALERT_EMAIL_PARAMETER } from '../../lib/alert-destination';
import { buildBlueprint } from '../../lib/blueprint';
import { BlueprintConfigInput, parseConfig } from '../../lib/config';
import { newTemplateApp } from '../helpers/compliance';

/** Both stacks built from `input` (no compliance checks or schema validation: the environment tests run those on every committed configuration), as templates. */
function build(input: BlueprintConfigInput) {
  const app = newTemplateApp();
  const { baseline, gateway } = buildBlueprint(app, parseConfig(input), { compliance: false });
  return { baseline, gateway, templates: [Template.fromStack(baseline), Template.fromStack(gateway)] };
}

describe('alert destination', () => {
  describe('defaults', () => {
    test('with no recipient configured, the baseline asks for one at deploy time and the gateway\'s alarms go to its topic', () => {
      // GIVEN cdk.json's situation: environment-agnostic, no alertEmails
      const { templates } = build({});
      const [baseline, gateway] = templates as [Template, Template];
      // THEN CloudFormation refuses to create the baseline without an address
      const parameter = baseline.toJSON().Parameters[ALERT_EMAIL_PARAMETER];
      expect(parameter).toMatchObject({ Type: 'String', AllowedPattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' });
      expect(parameter.Default).toBeUndefined();
      baseline.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: { Ref: ALERT_EMAIL_PARAMETER } });
      // AND the gateway has no topic, queue or parameter of its own: one destination per account, one subscription to confirm
      expect(gateway.toJSON().Parameters?.[ALERT_EMAIL_PARAMETER]).toBeUndefined();
      for (const type of ['AWS::SNS::Topic', 'AWS::SNS::Subscription']) {
        gateway.resourceCountIs(type, 0);
      }
      // (the one queue is the network guard's own dead-letter queue, not an alert queue)
      expect(Object.keys(gateway.findResources('AWS::SQS::Queue'))).toEqual([expect.stringMatching(/^NetworkGuardDeadLetterQueue/)]);
      const alarms = Object.values(gateway.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms.length).toBeGreaterThan(0);
      for (const alarm of alarms) {
        // A reference to the baseline stack's output of its alert topic's ARN
        expect(alarm.Properties.AlarmActions).toEqual([
          { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'SecureLlmBaseline', OutputName: expect.stringMatching(/^PublishOutputRefAlerts/) }) },
        ]);
      }
    });

    test('named recipients are subscribed and no parameter is asked for', () => {
      const { templates } = build({
        baseline: { alertEmails: ['secops@example.com', 'cloud@example.com'] },
        gateway: { monitoring: { alertEmails: ['llm-oncall@example.com'] } },
      });
      const [baseline, gateway] = templates as [Template, Template];
      for (const template of templates) {
        expect(template.toJSON().Parameters?.[ALERT_EMAIL_PARAMETER]).toBeUndefined();
      }
      baseline.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 2);
      gateway.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'llm-oncall@example.com' });
    });
  });

  describe('existing topic', () => {
    const BASELINE_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:org-security-alerts';
    const GATEWAY_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:llm-oncall';

    test('alertTopicArn sends each stack\'s alerts to that topic: no topic, subscription or parameter of its own', () => {
      // GIVEN existing topics for both stacks, with the account pinned (no other destination is needed)
      const { baseline, gateway, templates } = build({
        env: { account: '123456789012', region: 'eu-west-1' },
        baseline: { alertTopicArn: BASELINE_TOPIC },
        gateway: { monitoring: { alertTopicArn: GATEWAY_TOPIC } },
      });
      const [baselineTemplate, gatewayTemplate] = templates as [Template, Template];
      for (const template of templates) {
        template.resourceCountIs('AWS::SNS::Topic', 0);
        template.resourceCountIs('AWS::SNS::Subscription', 0);
        expect(template.toJSON().Parameters?.[ALERT_EMAIL_PARAMETER]).toBeUndefined();
      }
      // THEN the GuardDuty and posture rules target the baseline's topic, with a dead-letter queue of the stack's own
      baselineTemplate.hasResourceProperties('AWS::Events::Rule', {
        Targets: [Match.objectLike({ Arn: BASELINE_TOPIC, DeadLetterConfig: Match.anyValue() })],
      });
      expect(Object.keys(baselineTemplate.findResources('AWS::SQS::Queue')).filter((id) => id.startsWith('AlertsDeadLetterQueue'))).toHaveLength(1);
      // AND the alarms notify the gateway's topic; nothing there needs a dead-letter queue
      for (const alarm of Object.values(gatewayTemplate.findResources('AWS::CloudWatch::Alarm'))) {
        expect(alarm.Properties.AlarmActions).toEqual([GATEWAY_TOPIC]);
      }
      expect(Object.keys(gatewayTemplate.findResources('AWS::SQS::Queue'))).toEqual([expect.stringMatching(/^NetworkGuardDeadLetterQueue/)]);
      // AND synth says which policies the existing topics must already have
      for (const stack of [baseline, gateway]) {
        Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('must already let events.amazonaws.com and cloudwatch.amazonaws.com publish'));
      }
    });

    test('fails if alertTopicArn is not an SNS topic ARN, naming the key, the value and the form expected', () => {
      expect(() => parseConfig({ baseline: { alertTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:alerts' } })).toThrow(
        /baseline\.alertTopicArn: must be an SNS topic ARN such as "arn:aws:sns:eu-west-1:123456789012:security-alerts", got "arn:aws:sqs:eu-west-1:123456789012:alerts"/,
      );
      expect(() => parseConfig({ gateway: { monitoring: { alertTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts.fifo' } } })).toThrow(
        /gateway\.monitoring\.alertTopicArn: must be a standard topic: CloudWatch alarms and EventBridge rules do not publish to FIFO topics/,
      );
    });

    test('fails if alertTopicArn is combined with another destination', () => {
      expect(() => parseConfig({ baseline: { alertEmails: ['secops@example.com'], alertTopicArn: BASELINE_TOPIC } })).toThrow(
        /baseline\.alertTopicArn: contradicts baseline\.alertEmails: name one alert destination/,
      );
    });
  });

  describe('validation', () => {
    test('alertsReachNobody deploys no subscription and no parameter, and says so loudly at synth', () => {
      // GIVEN the explicit opt-out for the gateway only
      const { gateway, templates } = build({ baseline: { alertEmails: ['secops@example.com'] }, gateway: { monitoring: { alertsReachNobody: true } } });
      const gatewayTemplate = templates[1]!;
      // THEN
      gatewayTemplate.resourceCountIs('AWS::SNS::Subscription', 0);
      expect(gatewayTemplate.toJSON().Parameters?.[ALERT_EMAIL_PARAMETER]).toBeUndefined();
      Annotations.fromStack(gateway).hasWarning('*', Match.stringLikeRegexp('gateway.monitoring.alertsReachNobody is true: .* security alerts reach nobody'));
    });
  });
});
