import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ALERT_EMAIL_PARAMETER } from '../../lib/alert-destination';
import { buildBlueprint } from '../../lib/blueprint';
import { BlueprintConfigInput, parseConfig } from '../../lib/config';
import { newTestApp } from '../helpers/compliance';

/** Both stacks built from `input` (no compliance checks: the environment tests run those), as templates. */
function build(input: BlueprintConfigInput) {
  const app = newTestApp();
  const { baseline, gateway } = buildBlueprint(app, parseConfig(input), { compliance: false });
  return { baseline, gateway, templates: [Template.fromStack(baseline), Template.fromStack(gateway)] };
}

describe('alert destination', () => {
  describe('defaults', () => {
    test('with no recipient configured, each stack asks for one at deploy time: a parameter with no default, subscribed', () => {
      // GIVEN cdk.json's situation: environment-agnostic, no alertEmails
      const { templates } = build({});
      for (const template of templates) {
        // THEN CloudFormation refuses to create the stack without an address
        const parameter = template.toJSON().Parameters[ALERT_EMAIL_PARAMETER];
        expect(parameter).toMatchObject({ Type: 'String', AllowedPattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' });
        expect(parameter.Default).toBeUndefined();
        template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: { Ref: ALERT_EMAIL_PARAMETER } });
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
