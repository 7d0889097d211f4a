import { Annotations, CfnParameter, Stack } from 'aws-cdk-lib';
import type { AlertTopic } from '../constructs';

/** The CloudFormation parameter a stack asks for when its configuration names no alert recipient. */
export const ALERT_EMAIL_PARAMETER = 'AlertEmail';

/**
 * Makes sure a blueprint alert topic reaches someone. Configured addresses are subscribed; with none, the
 * stack gets a CloudFormation parameter `AlertEmail` with no default, so `cdk deploy` cannot succeed without
 * naming a recipient (`--parameters AlertEmail=secops@example.com`) while an environment-agnostic
 * `cdk synth` still works. (A pinned account never gets here without a choice: the configuration check fails
 * first.) `reachNobody` is the explicit opt-out: no subscription, and a synth warning that says so.
 *
 * @param configKey the configuration prefix the choice belongs to, named in the warning
 */
export function ensureAlertDestination(topic: AlertTopic, emails: readonly string[], reachNobody: boolean, configKey: string): void {
  if (emails.length > 0) {
    for (const address of emails) {
      topic.addEmail(address);
    }
    return;
  }
  if (reachNobody) {
    Annotations.of(topic).addWarningV2(
      'secure-llm-blueprint:alerts-reach-nobody',
      `${configKey}.alertsReachNobody is true: ${topic.node.path} has no subscriber, so its security alerts reach nobody. ` +
        `Set ${configKey}.alertEmails, or subscribe your own endpoint to the topic.`,
    );
    return;
  }
  const parameter = new CfnParameter(Stack.of(topic), ALERT_EMAIL_PARAMETER, {
    type: 'String',
    description:
      `Email address that receives this stack's security alerts (${configKey}.alertEmails is not set). ` +
      'Required: the stack never deploys without an alert destination. The recipient confirms the SNS subscription.',
    allowedPattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
    constraintDescription: 'must be an email address such as secops@example.com',
  });
  topic.addEmail(parameter.valueAsString);
}
