import { App, Duration, Tags } from 'aws-cdk-lib';
import { BaselineStack } from './baseline-stack';
import { CodeSigningStack } from './code-signing-stack';
import { addCompliancePacks } from './compliance/packs';
import { BlueprintConfig, ConfigError, loadConfig } from './config';
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
  const codeSigning = signing !== undefined && signing.signingProfileVersionArn === undefined ? codeSigningStack(app, resolved) : undefined;
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

  tagAndCheck(app, resolved, options.compliance);
  return { config: resolved, baseline, gateway, codeSigning };
}

/**
 * Builds only the Signer profile's stack (construct id `CodeSigning`), tagged and under every compliance gate: the
 * first step of a code-signing set-up (`-c codeSigningProfileOnly=true` in `bin/app.ts`). The whole blueprint cannot
 * synthesize before its code is signed, and its code cannot be signed before this profile exists.
 *
 * @throws ConfigError when the configuration has no `codeSigning`, or names an existing profile (nothing to deploy)
 */
export function buildCodeSigningProfile(app: App, config?: BlueprintConfig, options: { compliance?: boolean } = {}): CodeSigningStack {
  const resolved = config ?? loadConfig((key) => app.node.tryGetContext(key));
  if (resolved.codeSigning === undefined) {
    throw new ConfigError('Invalid context "codeSigningProfileOnly": the configuration has no codeSigning, so there is no signing profile to deploy; set codeSigning.signedArtifactsFile (see config/strict.json) or drop -c codeSigningProfileOnly=true');
  }
  if (resolved.codeSigning.signingProfileVersionArn !== undefined) {
    throw new ConfigError(`Invalid context "codeSigningProfileOnly": codeSigning.signingProfileVersionArn names an existing profile (${resolved.codeSigning.signingProfileVersionArn}), so no profile stack is deployed; drop -c codeSigningProfileOnly=true and sign the code with that profile`);
  }
  const stack = codeSigningStack(app, resolved);
  tagAndCheck(app, resolved, options.compliance);
  return stack;
}

function codeSigningStack(app: App, resolved: BlueprintConfig): CodeSigningStack {
  const signing = resolved.codeSigning!;
  const { availabilityZones: _zones, ...env } = resolved.env ?? {};
  return new CodeSigningStack(app, 'CodeSigning', {
    stackName: signing.stackName,
    env,
    strictProfile: resolved.profile === 'strict',
    signatureValidity: Duration.days(signing.signatureValidityDays),
    description: 'secure-llm-blueprint code signing: the AWS Signer profile that signs every Lambda function of the blueprint',
  });
}

function tagAndCheck(app: App, resolved: BlueprintConfig, compliance: boolean | undefined): void {
  for (const [key, value] of Object.entries(resolved.tags)) {
    Tags.of(app).add(key, value);
  }
  // Every compliance gate, registered once for the whole app: synthesis fails on any unacknowledged error.
  if (compliance !== false) {
    addCompliancePacks(app);
  }
}
