/**
 * The service control policy the blueprint generates for organization administrators (issue 12, account-wide
 * guardrails): what no principal of a member account may do, whatever its own IAM policies allow.
 *
 * - **DenyModelsOutsideAllowList**: `bedrock:InvokeModel*` (Converse and ConverseStream are authorized through them)
 *   on anything but the gateway's models: their foundation models in any region, their inference profiles in any
 *   account and region, the custom-model deployments aliases name (exact ARNs), and the embedding models.
 * - **DenyCandidatesButToTheSafetyGate** (with customization): the safety gate's evaluation role (IAM path
 *   `SAFETY_GATE_ROLE_PATH`) must call each candidate's fresh deployment, and the base model, before any alias names
 *   them. DenyModelsOutsideAllowList then also leaves out every custom-model deployment and the base model, and this
 *   statement denies them (anything outside the allow-list) to every principal but that role. The guardrail statement
 *   binds the role as it binds everyone.
 * - **DenyInvokeWithoutGuardrail**: the same actions unless `bedrock:GuardrailIdentifier` is the guardrail's ARN and
 *   numeric version; the key is absent from a call without a guardrail, and `StringNotEquals` is then true, so such a
 *   call is denied too. Embedding models are left out (Bedrock applies no guardrail to them).
 * - **DenyBedrockApiKeys**: `bedrock:CallWithBearerToken`, so Bedrock API keys (long- and short-term) cannot call
 *   Bedrock around the organization's identities.
 * - **ProtectInvocationLogging** / **ProtectTrail**: turning off or changing model-invocation logging and CloudTrail
 *   (`StopLogging`, `DeleteTrail`, `UpdateTrail`, `PutEventSelectors`), except by the roles that deploy the baseline.
 *
 * Every statement exempts the configured break-glass role patterns (`aws:PrincipalArn`, `ArnNotLike`). The policy is
 * written with literal ARNs (an SCP holds no CloudFormation tokens) and minified; Organizations accepts at most
 * {@link SCP_MAX_CHARACTERS} characters.
 *
 * @module
 */
import { SAFETY_GATE_ROLE_PATH } from '../../constructs/model-customization/model-customization';
import type { BlueprintConfig } from '../config';

/** The largest service control policy AWS Organizations accepts, in characters. */
export const SCP_MAX_CHARACTERS = 5120;

/** The model-call actions the policy governs (Converse and ConverseStream are authorized through these two). */
export const MODEL_INVOKE_ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'] as const;

/** What the policy is made from: literal values only. */
export interface ServiceControlPolicyInput {
  /** The AWS partition, e.g. "aws". */
  readonly partition: string;
  /** The guardrail every model call must carry: its ARN, without version. */
  readonly guardrailArn: string;
  /** Its published numeric version. */
  readonly guardrailVersion: string;
  /** Foundation-model ids of the chat models (called directly or through a profile). */
  readonly chatModelIds: readonly string[];
  /** Inference-profile ids the chat models are called through. */
  readonly inferenceProfileIds: readonly string[];
  /** Foundation-model ids of the embedding models. */
  readonly embeddingModelIds: readonly string[];
  /**
   * ARNs of the custom-model deployments chat aliases call (allowed exactly, guardrail required).
   * @default - none
   */
  readonly customModelDeploymentArns?: readonly string[];
  /**
   * Role ARN patterns that may call any custom-model deployment and the {@link candidateBaseModelIds} (never without
   * the guardrail): the safety gate's evaluation role, which calls candidates before they are promoted.
   * @default - none
   */
  readonly candidateEvaluatorRoleArnPatterns?: readonly string[];
  /**
   * Foundation-model ids the evaluator compares candidates with (the customization's base model).
   * @default - none
   */
  readonly candidateBaseModelIds?: readonly string[];
  /** Role ARN patterns exempt from every statement (break-glass). */
  readonly exemptRoleArnPatterns: readonly string[];
  /** Role ARN patterns that deploy the baseline: exempt from the logging and trail statements. */
  readonly deployRoleArnPatterns: readonly string[];
}

/** An IAM policy document as JSON. */
export interface PolicyDocumentJson {
  readonly Version: '2012-10-17';
  readonly Statement: readonly Record<string, unknown>[];
}

const unique = (values: readonly string[]): string[] => [...new Set(values)].sort();

/** The policy document. @throws when it would exceed {@link SCP_MAX_CHARACTERS} or names no model */
export function serviceControlPolicy(input: ServiceControlPolicyInput): PolicyDocumentJson {
  const foundationModel = (id: string) => `arn:${input.partition}:bedrock:*::foundation-model/${id}`;
  const embeddingArns = unique(input.embeddingModelIds).map(foundationModel);
  const allowed = [
    ...unique(input.chatModelIds).map(foundationModel),
    ...unique(input.inferenceProfileIds).map((id) => `arn:${input.partition}:bedrock:*:*:inference-profile/${id}`),
    ...unique(input.customModelDeploymentArns ?? []),
    ...embeddingArns,
  ];
  if (allowed.length === 0) throw new Error('The service control policy needs at least one model (gateway.models) to allow');
  const exempt = unique(input.exemptRoleArnPatterns);
  const exemptWith = (extra: readonly string[]) => {
    const patterns = unique([...exempt, ...extra]);
    return patterns.length === 0 ? {} : { ArnNotLike: { 'aws:PrincipalArn': patterns } };
  };
  const evaluators = unique(input.candidateEvaluatorRoleArnPatterns ?? []);
  const candidates =
    evaluators.length === 0
      ? []
      : [`arn:${input.partition}:bedrock:*:*:custom-model-deployment/*`, ...unique(input.candidateBaseModelIds ?? []).map(foundationModel)].filter((arn) => !allowed.includes(arn));
  const statements: Record<string, unknown>[] = [
    {
      Sid: 'DenyModelsOutsideAllowList',
      Effect: 'Deny',
      Action: [...MODEL_INVOKE_ACTIONS],
      NotResource: [...allowed, ...candidates],
      ...conditionOf(exemptWith([])),
    },
    ...(candidates.length === 0
      ? []
      : [{ Sid: 'DenyCandidatesButToTheSafetyGate', Effect: 'Deny', Action: [...MODEL_INVOKE_ACTIONS], NotResource: allowed, ...conditionOf(exemptWith(evaluators)) }]),
    {
      Sid: 'DenyInvokeWithoutGuardrail',
      Effect: 'Deny',
      Action: [...MODEL_INVOKE_ACTIONS],
      ...(embeddingArns.length > 0 ? { NotResource: embeddingArns } : { Resource: '*' }),
      Condition: { StringNotEquals: { 'bedrock:GuardrailIdentifier': `${input.guardrailArn}:${input.guardrailVersion}` }, ...exemptWith([]) },
    },
    { Sid: 'DenyBedrockApiKeys', Effect: 'Deny', Action: 'bedrock:CallWithBearerToken', Resource: '*', ...conditionOf(exemptWith([])) },
    {
      Sid: 'ProtectInvocationLogging',
      Effect: 'Deny',
      Action: ['bedrock:DeleteModelInvocationLoggingConfiguration', 'bedrock:PutModelInvocationLoggingConfiguration'],
      Resource: '*',
      ...conditionOf(exemptWith(input.deployRoleArnPatterns)),
    },
    {
      Sid: 'ProtectTrail',
      Effect: 'Deny',
      Action: ['cloudtrail:DeleteTrail', 'cloudtrail:PutEventSelectors', 'cloudtrail:StopLogging', 'cloudtrail:UpdateTrail'],
      Resource: '*',
      ...conditionOf(exemptWith(input.deployRoleArnPatterns)),
    },
  ];
  const policy: PolicyDocumentJson = { Version: '2012-10-17', Statement: statements };
  const size = JSON.stringify(policy).length;
  if (size > SCP_MAX_CHARACTERS) {
    throw new Error(
      `The service control policy has ${size} characters, more than the ${SCP_MAX_CHARACTERS} AWS Organizations accepts: ` +
        'allow fewer models (gateway.models) or fewer role patterns (baseline.organizationPolicy.exemptRoleArnPatterns, deployRoleArnPatterns)',
    );
  }
  return policy;
}

function conditionOf(condition: Record<string, unknown>): { Condition?: Record<string, unknown> } {
  return Object.keys(condition).length === 0 ? {} : { Condition: condition };
}

/**
 * The policy for a validated configuration: its enforced guardrail, the gateway's models, and the organization
 * policy's role patterns (plus the baseline's own invocation-logging handler, which turns logging on and off).
 * @returns undefined when `baseline.organizationPolicy.enabled` is false (the configuration then needs no guardrail ARN)
 */
export function serviceControlPolicyOf(config: BlueprintConfig): PolicyDocumentJson | undefined {
  const { enforcedGuardrail, organizationPolicy, stackName } = config.baseline;
  if (!organizationPolicy.enabled || enforcedGuardrail === undefined) return undefined;
  // The configuration admits the policy only with a guardrail ARN: its partition is the policy's.
  const partition = enforcedGuardrail.guardrailIdentifier.split(':')[1] ?? 'aws';
  const models = Object.values(config.gateway.models);
  return serviceControlPolicy({
    partition,
    guardrailArn: enforcedGuardrail.guardrailIdentifier,
    guardrailVersion: enforcedGuardrail.guardrailVersion,
    // An alias that calls a custom-model deployment allows that deployment, not its base model.
    chatModelIds: models.filter((m) => m.kind === 'chat' && m.customModelDeploymentArn === undefined).map((m) => m.modelId),
    customModelDeploymentArns: models.flatMap((m) => (m.customModelDeploymentArn === undefined ? [] : [m.customModelDeploymentArn])),
    candidateEvaluatorRoleArnPatterns: config.customization === undefined ? [] : [`arn:${partition}:iam::*:role${SAFETY_GATE_ROLE_PATH}*`],
    candidateBaseModelIds: config.customization === undefined ? [] : [config.customization.baseModelId],
    inferenceProfileIds: models.flatMap((m) => (m.inferenceProfile ? [m.inferenceProfile.id] : [])),
    embeddingModelIds: models.filter((m) => m.kind === 'embedding').map((m) => m.modelId),
    exemptRoleArnPatterns: organizationPolicy.exemptRoleArnPatterns,
    deployRoleArnPatterns: [
      ...organizationPolicy.deployRoleArnPatterns,
      // CloudFormation names the handler's role "<stack name>-InvocationLoggingHandlerRole…-<suffix>".
      ...(config.baseline.invocationLogging.managedExternally ? [] : [`arn:${partition}:iam::*:role/${stackName}-InvocationLoggingHandl*`]),
    ],
  });
}
