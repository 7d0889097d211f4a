import { App, Duration, Tags } from 'aws-cdk-lib';
import { BaselineStack } from './baseline-stack';
import { CodeSigningStack } from './code-signing-stack';
import { addCompliancePacks } from './compliance/packs';
import { BlueprintConfig, loadConfig } from './config';
import { GatewayStack } from './gateway-stack';
import { serviceControlPolicyOf } from './organization/service-control-policy';

/** The stacks of the blueprint. */
export interface Blueprint {
  /** The validated configuration the stacks were built from. */
  readonly config: BlueprintConfig;
  /** The account security baseline. */
  readonly baseline: BaselineStack;
  /** The LLM gateway. */
  readonly gateway: GatewayStack;
  /** The Signer profile's stack, with codeSigning configured and no existing profile named. */
  readonly codeSigning?: CodeSigningStack;
}

/**
 * Builds every stack of the blueprint into `app` from its configuration (cdk.json context
 * `blueprint`, or the file named with `-c config=<file>` instead), tags them, and registers every compliance gate.
 * `bin/app.ts` and the tests share this, so the tests check exactly what `cdk synth` produces.
 *
 * @param config use this configuration instead of loading it from the app's context
 * @param options `compliance: false` leaves the compliance gates out, for tools that only need the
 *   templates (the architecture diagram); checks never change a template. `requireSignedCode: false` lets such tools
 *   synthesize a configuration with codeSigning before its code is signed (the templates could not deploy)
 */
export function buildBlueprint(app: App, config?: BlueprintConfig, options: { compliance?: boolean; requireSignedCode?: boolean } = {}): Blueprint {
  const resolved = config ?? loadConfig((key) => app.node.tryGetContext(key));
  const { availabilityZones, ...env } = resolved.env ?? {};
  const strictProfile = resolved.profile === 'strict';

  // The profile is deployed (or exists) before the stacks whose functions only accept its signatures.
  const signing = resolved.codeSigning;
  const codeSigning =
    signing !== undefined && signing.signingProfileVersionArn === undefined
      ? new CodeSigningStack(app, 'CodeSigning', {
          stackName: signing.stackName,
          env,
          strictProfile,
          signatureValidity: Duration.days(signing.signatureValidityDays),
          description: 'secure-llm-blueprint code signing: the AWS Signer profile that signs every Lambda function of the blueprint',
        })
      : undefined;
  const signingProfileVersionArn = signing?.signingProfileVersionArn ?? codeSigning?.signingProfile.signingProfileVersionArn;
  const signingProps = signing && { signingProfileVersionArn, signedArtifactsFile: signing.signedArtifactsFile, requireSignedCode: options.requireSignedCode };

  const baseline = new BaselineStack(app, 'Baseline', {
    stackName: resolved.baseline.stackName,
    env,
    availabilityZones,
    strictProfile,
    ...signingProps,
    config: resolved.baseline,
    keyAdministratorRoleArns: resolved.keyAdministratorRoleArns,
    serviceControlPolicy: serviceControlPolicyOf(resolved),
    description:
      'secure-llm-blueprint account security baseline: CloudTrail, GuardDuty, alerting, Bedrock model-invocation logging',
  });

  // One alert destination per account: the gateway's alarms go to the baseline's topic (one subscription to
  // confirm, no second topic and queue), unless gateway.monitoring names a destination of its own.
  const monitoring = resolved.gateway.monitoring;
  const gatewayOwnsAlerts = monitoring.alertEmails.length > 0 || monitoring.alertTopicArn !== undefined || monitoring.alertsReachNobody;
  const gateway = new GatewayStack(app, 'Gateway', {
    stackName: resolved.gateway.stackName,
    env,
    availabilityZones,
    strictProfile,
    ...signingProps,
    config: resolved.gateway,
    alertTopic: gatewayOwnsAlerts ? undefined : baseline.alertTopic,
    keyAdministratorRoleArns: resolved.keyAdministratorRoleArns,
    customization: resolved.customization,
    description:
      'secure-llm-blueprint LLM gateway: WAF, Cognito-authorized API, guardrail-forced Bedrock access from a private network, token quotas',
  });

  for (const [key, value] of Object.entries(resolved.tags)) {
    Tags.of(app).add(key, value);
  }

  // Every compliance gate, registered once for the whole app: synthesis fails on any
  // unacknowledged error.
  if (options.compliance !== false) {
    addCompliancePacks(app);
  }

  return { config: resolved, baseline, gateway, codeSigning };
}
