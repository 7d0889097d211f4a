import { runSimulation } from '@cloud-copilot/iam-simulate';
import { parseConfig } from '../../../lib/config';
import { SCP_MAX_CHARACTERS, serviceControlPolicy, serviceControlPolicyOf } from '../../../lib/organization/service-control-policy';

const MEMBER = '222222222222';
const GUARDRAIL_ARN = 'arn:aws:bedrock:us-east-1:111111111111:guardrail/abc123def456';
const GUARDRAIL = `${GUARDRAIL_ARN}:3`;
const NOVA = 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0';
const EMBED = 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0';
const APP_ROLE = `arn:aws:iam::${MEMBER}:role/AppRole`;
const BREAK_GLASS = `arn:aws:iam::${MEMBER}:role/BreakGlass`;
const DEPLOY_ROLE = `arn:aws:iam::${MEMBER}:role/cdk-hnb659fds-cfn-exec-role-${MEMBER}-us-east-1`;
const LOGGING_HANDLER = `arn:aws:iam::${MEMBER}:role/SecureLlmBaseline-InvocationLoggingHandlerRoleA1B2C3-9XYZ`;

/** The example configuration an organization administrator would generate the policy from. */
const CONFIG = {
  baseline: {
    alertEmails: ['secops@example.com'],
    enforcedGuardrail: { guardrailIdentifier: GUARDRAIL_ARN, guardrailVersion: '3' },
    organizationPolicy: { enabled: true, exemptRoleArnPatterns: ['arn:aws:iam::*:role/BreakGlass'] },
  },
  gateway: {
    models: {
      'nova-lite': { modelId: 'amazon.nova-lite-v1:0' },
      'claude-sonnet': {
        modelId: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
        inferenceProfile: { id: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', regions: ['us-east-1', 'us-west-2'] },
      },
      embed: { modelId: 'amazon.titan-embed-text-v2:0', kind: 'embedding' },
    },
    groups: { users: { models: ['nova-lite', 'claude-sonnet'], dailyTokenQuota: 100000 } },
  },
};
const SCP = serviceControlPolicyOf(parseConfig(CONFIG))!;
const FULL_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/**
 * What the organization's policies decide for one request by an administrator of the member account (identity
 * policy `*:*`): "Allowed" or "ExplicitlyDenied". FullAWSAccess stays attached at the root, as Organizations attaches
 * it by default; the generated policy is attached to the account.
 */
async function scpDecision(principal: string, action: string, resource: string, context: Record<string, string> = {}): Promise<string> {
  const result = await runSimulation(
    {
      // IAM sets aws:PrincipalArn on every request (a role session's is the role's ARN); the simulator takes it as given.
      request: { principal, action, resource: { resource, accountId: MEMBER }, contextVariables: { 'aws:PrincipalArn': principal, ...context } },
      identityPolicies: [{ name: 'admin', policy: FULL_ACCESS }],
      serviceControlPolicies: [
        { orgIdentifier: 'r-abcd', policies: [{ name: 'FullAWSAccess', policy: FULL_ACCESS }] },
        { orgIdentifier: MEMBER, policies: [{ name: 'FullAWSAccess', policy: FULL_ACCESS }, { name: 'secure-llm-blueprint', policy: SCP }] },
      ],
      resourceControlPolicies: [],
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType !== 'single') throw new Error(`simulation failed: ${JSON.stringify(result)}`);
  return result.result.analysis!.scpAnalysis!.result;
}

describe('service control policy', () => {
  describe('evaluated as IAM evaluates it', () => {
    test('fails if a model is called without the guardrail: denied', async () => {
      expect(await scpDecision(APP_ROLE, 'bedrock:InvokeModel', NOVA)).toBe('ExplicitlyDenied');
      expect(await scpDecision(APP_ROLE, 'bedrock:InvokeModelWithResponseStream', NOVA)).toBe('ExplicitlyDenied');
    });

    test('fails if a model is called with another guardrail or the DRAFT of ours: denied', async () => {
      expect(await scpDecision(APP_ROLE, 'bedrock:InvokeModel', NOVA, { 'bedrock:GuardrailIdentifier': `${GUARDRAIL_ARN}:DRAFT` })).toBe('ExplicitlyDenied');
      expect(await scpDecision(APP_ROLE, 'bedrock:InvokeModel', NOVA, { 'bedrock:GuardrailIdentifier': 'arn:aws:bedrock:us-east-1:222222222222:guardrail/other:1' })).toBe('ExplicitlyDenied');
    });

    test('an allow-listed model with the guardrail is not denied (foundation model, inference profile, routed region)', async () => {
      const withGuardrail = { 'bedrock:GuardrailIdentifier': GUARDRAIL };
      expect(await scpDecision(APP_ROLE, 'bedrock:InvokeModel', NOVA, withGuardrail)).toBe('Allowed');
      expect(await scpDecision(APP_ROLE, 'bedrock:InvokeModel', `arn:aws:bedrock:us-east-1:${MEMBER}:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0`, withGuardrail)).toBe('Allowed');
      expect(await scpDecision(APP_ROLE, 'bedrock:InvokeModelWithResponseStream', 'arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0', withGuardrail)).toBe('Allowed');
    });

    test('the allow-listed embedding model is not denied without a guardrail (Bedrock applies none to it)', async () => {
      expect(await scpDecision(APP_ROLE, 'bedrock:InvokeModel', EMBED)).toBe('Allowed');
    });

    test('fails if an unlisted model is called, even with the guardrail: denied', async () => {
      const withGuardrail = { 'bedrock:GuardrailIdentifier': GUARDRAIL };
      expect(await scpDecision(APP_ROLE, 'bedrock:InvokeModel', 'arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-70b-instruct-v1:0', withGuardrail)).toBe('ExplicitlyDenied');
      expect(await scpDecision(APP_ROLE, 'bedrock:InvokeModel', 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-image-v1', withGuardrail)).toBe('ExplicitlyDenied');
    });

    test('fails if a Bedrock API key is used (CallWithBearerToken): denied', async () => {
      expect(await scpDecision(APP_ROLE, 'bedrock:CallWithBearerToken', '*')).toBe('ExplicitlyDenied');
      expect(await scpDecision(`arn:aws:iam::${MEMBER}:user/BedrockAPIKey-abc`, 'bedrock:CallWithBearerToken', '*')).toBe('ExplicitlyDenied');
    });

    test('fails if anyone but the deploy and logging roles stops or changes the trail or invocation logging: denied', async () => {
      const trail = `arn:aws:cloudtrail:us-east-1:${MEMBER}:trail/SecureLlmBaseline-Trail`;
      for (const action of ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors']) {
        expect(await scpDecision(APP_ROLE, action, trail)).toBe('ExplicitlyDenied');
      }
      for (const action of ['bedrock:DeleteModelInvocationLoggingConfiguration', 'bedrock:PutModelInvocationLoggingConfiguration']) {
        expect(await scpDecision(APP_ROLE, action, '*')).toBe('ExplicitlyDenied');
      }
      // The baseline's own deployment keeps working.
      expect(await scpDecision(DEPLOY_ROLE, 'cloudtrail:UpdateTrail', trail)).toBe('Allowed');
      expect(await scpDecision(LOGGING_HANDLER, 'bedrock:PutModelInvocationLoggingConfiguration', '*')).toBe('Allowed');
      // but the deploy role gets no exemption for model calls
      expect(await scpDecision(DEPLOY_ROLE, 'bedrock:InvokeModel', NOVA)).toBe('ExplicitlyDenied');
    });

    test('the break-glass role is exempt from every statement', async () => {
      expect(await scpDecision(BREAK_GLASS, 'bedrock:InvokeModel', NOVA)).toBe('Allowed');
      expect(await scpDecision(BREAK_GLASS, 'bedrock:InvokeModel', 'arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-70b-instruct-v1:0')).toBe('Allowed');
      expect(await scpDecision(BREAK_GLASS, 'bedrock:CallWithBearerToken', '*')).toBe('Allowed');
      expect(await scpDecision(BREAK_GLASS, 'cloudtrail:StopLogging', `arn:aws:cloudtrail:us-east-1:${MEMBER}:trail/t`)).toBe('Allowed');
    });

    test('leaves other services alone', async () => {
      expect(await scpDecision(APP_ROLE, 's3:GetObject', 'arn:aws:s3:::bucket/key')).toBe('Allowed');
      expect(await scpDecision(APP_ROLE, 'bedrock:ApplyGuardrail', GUARDRAIL_ARN)).toBe('Allowed');
    });
  });

  describe('size', () => {
    test(`the example configuration's policy fits the ${SCP_MAX_CHARACTERS}-character limit as written`, () => {
      expect(JSON.stringify(SCP).length).toBeLessThanOrEqual(SCP_MAX_CHARACTERS);
    });

    test('fails if too many models make the policy exceed the limit, with the keys to change', () => {
      const input = {
        partition: 'aws',
        guardrailArn: GUARDRAIL_ARN,
        guardrailVersion: '3',
        chatModelIds: Array.from({ length: 80 }, (_, i) => `amazon.some-model-${i}-v1:0`),
        inferenceProfileIds: [],
        embeddingModelIds: [],
        exemptRoleArnPatterns: [],
        deployRoleArnPatterns: [],
      };
      expect(() => serviceControlPolicy(input)).toThrow(/characters, more than the 5120 AWS Organizations accepts: allow fewer models \(gateway\.models\)/);
    });
  });

  describe('defaults', () => {
    test('none without organizationPolicy.enabled', () => {
      expect(serviceControlPolicyOf(parseConfig({ baseline: { alertEmails: ['secops@example.com'] } }))).toBeUndefined();
    });

    test('exempts the CDK CloudFormation execution role and the baseline\'s invocation-logging handler from the logging and trail statements only', () => {
      const byId = Object.fromEntries(SCP.Statement.map((s) => [s.Sid, s]));
      expect(Object.keys(byId)).toEqual(['DenyModelsOutsideAllowList', 'DenyInvokeWithoutGuardrail', 'DenyBedrockApiKeys', 'ProtectInvocationLogging', 'ProtectTrail']);
      expect(JSON.stringify(byId.ProtectTrail)).toContain('cdk-hnb659fds-cfn-exec-role-*');
      expect(JSON.stringify(byId.ProtectInvocationLogging)).toContain('SecureLlmBaseline-InvocationLoggingHandl*');
      expect(JSON.stringify(byId.DenyInvokeWithoutGuardrail)).not.toContain('cfn-exec-role');
    });
  });

  describe('custom-model deployments', () => {
    const PROMOTED = `arn:aws:bedrock:us-east-1:${MEMBER}:custom-model-deployment/a1b2c3d4e5f6`;
    const UNLISTED = `arn:aws:bedrock:us-east-1:${MEMBER}:custom-model-deployment/zz9988776655`;
    const BASE = 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0:128k';
    const EVALUATOR = `arn:aws:iam::${MEMBER}:role/secure-llm-safety-gate/SecureLlmGateway-CustomizationEvaluateRole-AB12CD34`;
    const withGuardrail = { 'bedrock:GuardrailIdentifier': GUARDRAIL };
    const CUSTOM = serviceControlPolicyOf(
      parseConfig({
        ...CONFIG,
        gateway: { ...CONFIG.gateway, models: { ...CONFIG.gateway.models, 'nova-tuned': { modelId: 'amazon.nova-micro-v1:0', customModelDeploymentArn: PROMOTED } } },
        customization: { baseModelId: 'amazon.nova-micro-v1:0:128k' },
      }),
    )!;
    const decide = async (principal: string, resource: string, context: Record<string, string> = {}) => {
      const result = await runSimulation(
        {
          request: { principal, action: 'bedrock:InvokeModel', resource: { resource, accountId: MEMBER }, contextVariables: { 'aws:PrincipalArn': principal, ...context } },
          identityPolicies: [{ name: 'admin', policy: FULL_ACCESS }],
          serviceControlPolicies: [{ orgIdentifier: MEMBER, policies: [{ name: 'FullAWSAccess', policy: FULL_ACCESS }, { name: 'secure-llm-blueprint', policy: CUSTOM }] }],
          resourceControlPolicies: [],
        },
        { simulationMode: 'Strict' },
      );
      if (result.resultType !== 'single') throw new Error(`simulation failed: ${JSON.stringify(result)}`);
      return result.result.analysis!.scpAnalysis!.result;
    };

    test('a deployment an alias names is not denied with the guardrail', async () => {
      expect(await decide(APP_ROLE, PROMOTED, withGuardrail)).toBe('Allowed');
    });

    test('fails if the named deployment is called without the guardrail: denied', async () => {
      expect(await decide(APP_ROLE, PROMOTED)).toBe('ExplicitlyDenied');
      expect(await decide(APP_ROLE, PROMOTED, { 'bedrock:GuardrailIdentifier': `${GUARDRAIL_ARN}:DRAFT` })).toBe('ExplicitlyDenied');
    });

    test('fails if a deployment no alias names is called, even with the guardrail: denied', async () => {
      expect(await decide(APP_ROLE, UNLISTED, withGuardrail)).toBe('ExplicitlyDenied');
      expect(await decide(APP_ROLE, BASE, withGuardrail)).toBe('ExplicitlyDenied');
    });

    test('the alias allows its deployment, not the base model it was tuned from', () => {
      const notResource = CUSTOM.Statement.find((st) => st.Sid === 'DenyCandidatesButToTheSafetyGate')!.NotResource as string[];
      expect(notResource).toContain(PROMOTED);
      expect(notResource).not.toContain('arn:aws:bedrock:*::foundation-model/amazon.nova-micro-v1:0');
    });

    test('the safety gate\'s role may evaluate an unlisted candidate and the base model, only with the guardrail', async () => {
      expect(await decide(EVALUATOR, UNLISTED, withGuardrail)).toBe('Allowed');
      expect(await decide(EVALUATOR, BASE, withGuardrail)).toBe('Allowed');
      expect(await decide(EVALUATOR, UNLISTED)).toBe('ExplicitlyDenied');
    });

    test('fails if the safety gate\'s role calls an unlisted foundation model: denied', async () => {
      expect(await decide(EVALUATOR, 'arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-70b-instruct-v1:0', withGuardrail)).toBe('ExplicitlyDenied');
    });

    test(`still fits the ${SCP_MAX_CHARACTERS}-character limit`, () => {
      expect(JSON.stringify(CUSTOM).length).toBeLessThanOrEqual(SCP_MAX_CHARACTERS);
    });
  });
});
