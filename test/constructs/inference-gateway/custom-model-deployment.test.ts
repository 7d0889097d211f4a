import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GatewayModel, InferenceGateway, ModelGuardrail, ModelKind, PrivateNetwork } from '../../../constructs';
import { GATEWAY_CONFIG_FILE_NAME, staticConfigSchema } from '../../../lambda/shared/gateway-contract';
import { formatFindings, newConstructTestApp, synthWithCompliance } from '../../helpers/compliance';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const DEPLOYMENT = `arn:aws:bedrock:${REGION}:${ACCOUNT}:custom-model-deployment/a1b2c3d4e5f6`;
const UNNAMED_DEPLOYMENT = `arn:aws:bedrock:${REGION}:${ACCOUNT}:custom-model-deployment/zz9988776655`;
const NOVA = `arn:aws:bedrock:${REGION}::foundation-model/amazon.nova-lite-v1:0`;
/** The literal the guardrail's `<ARN>:<version>` token stands for in the simulation. */
const GUARDRAIL = `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/abcdef123456:1`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/GatewayFunctionRole`;

const MODELS: GatewayModel[] = [
  { alias: 'nova-lite', modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 4096 },
  { alias: 'nova-tuned', modelId: 'amazon.nova-lite-v1:0', customModelDeploymentArn: DEPLOYMENT, maxOutputTokens: 2048 },
];

function newStack(app: App = newConstructTestApp({ 'aws:cdk:bundling-stacks': [] })): Stack {
  return new Stack(app, 'Test', { env: { account: ACCOUNT, region: REGION } });
}

function build(models: GatewayModel[], stack: Stack = newStack()): { stack: Stack; gateway: InferenceGateway; guardrail: ModelGuardrail } {
  const network = new PrivateNetwork(stack, 'Network');
  const guardrail = new ModelGuardrail(stack, 'Guardrail');
  const gateway = new InferenceGateway(stack, 'Gateway', {
    network,
    guardrail,
    models,
    groups: [{ name: 'users', models: models.map((m) => m.alias), dailyTokenQuota: 100_000, maxOutputTokens: 2048 }],
    systemPrompt: 'You are a helpful assistant.',
  });
  return { stack, gateway, guardrail };
}

// One synthesis for the file, with every compliance pack.
const { stack, gateway, guardrail } = build(MODELS, newStack(newConstructTestApp()));
const app = stack.node.root as App;
const { findings } = synthWithCompliance(app);
const template = Template.fromStack(stack);
const guardrailToken = JSON.stringify(stack.resolve(guardrail.versionedArnForCondition));

/** A policy document of the template with the guardrail's `<ARN>:<version>` token replaced by {@link GUARDRAIL}. */
function literal(document: unknown): unknown {
  const text = JSON.stringify(document).split(guardrailToken).join(JSON.stringify(GUARDRAIL));
  if (text.includes('Fn::') || text.includes('"Ref"')) throw new Error(`unresolved token left in ${text}`);
  return JSON.parse(text);
}

/** The model-call statements of the gateway function's managed policy, as IAM reads them. */
function functionPolicy(): unknown {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter((p) =>
    String(p.Properties.Description).startsWith('LLM gateway function'),
  );
  expect(policies).toHaveLength(1);
  const statements = (policies[0]!.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).filter((st) =>
    [st.Action].flat().some((a) => a.startsWith('bedrock:InvokeModel')),
  );
  return literal({ Version: '2012-10-17', Statement: statements });
}

/** What IAM decides for the gateway function's role calling `resource`: "Allowed", "ImplicitlyDenied" or "ExplicitlyDenied". */
async function decision(action: string, resource: string, context: Record<string, string>): Promise<string> {
  const result = await runSimulation(
    {
      request: { principal: ROLE, action, resource: { resource, accountId: ACCOUNT }, contextVariables: { 'aws:PrincipalArn': ROLE, ...context } },
      identityPolicies: [{ name: 'gateway', policy: functionPolicy() }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType !== 'single') throw new Error(`simulation failed: ${JSON.stringify(result)}`);
  return result.result.analysis!.result;
}

const withGuardrail = { 'bedrock:GuardrailIdentifier': GUARDRAIL };
const promoted = { 'aws:ResourceTag/secure-llm:gate': 'passed' };

describe('InferenceGateway with a custom-model deployment', () => {
  describe('grants, evaluated as IAM evaluates them', () => {
    test('the named, promoted deployment is allowed with the guardrail (Converse authorizes as InvokeModel)', async () => {
      expect(await decision('bedrock:InvokeModel', DEPLOYMENT, { ...withGuardrail, ...promoted })).toBe('Allowed');
    });

    test('fails if the deployment is called without the guardrail: explicitly denied', async () => {
      expect(await decision('bedrock:InvokeModel', DEPLOYMENT, promoted)).toBe('ExplicitlyDenied');
      expect(await decision('bedrock:InvokeModel', DEPLOYMENT, { ...promoted, 'bedrock:GuardrailIdentifier': GUARDRAIL.replace(/:1$/, ':DRAFT') })).toBe('ExplicitlyDenied');
      expect(await decision('bedrock:InvokeModelWithResponseStream', DEPLOYMENT, promoted)).toBe('ExplicitlyDenied');
    });

    test('fails if a deployment no alias names is called, even promoted and with the guardrail: denied', async () => {
      expect(await decision('bedrock:InvokeModel', UNNAMED_DEPLOYMENT, { ...withGuardrail, ...promoted })).toBe('ImplicitlyDenied');
    });

    test('fails if the named deployment does not carry the safety gate\'s passed tag: denied', async () => {
      expect(await decision('bedrock:InvokeModel', DEPLOYMENT, withGuardrail)).toBe('ImplicitlyDenied');
      expect(await decision('bedrock:InvokeModel', DEPLOYMENT, { ...withGuardrail, 'aws:ResourceTag/secure-llm:gate': 'pending' })).toBe('ImplicitlyDenied');
      expect(await decision('bedrock:InvokeModel', DEPLOYMENT, { ...withGuardrail, 'aws:ResourceTag/secure-llm:gate': 'failed' })).toBe('ImplicitlyDenied');
    });

    test('foundation models keep their rule: allowed with the guardrail, denied without, no tag needed', async () => {
      expect(await decision('bedrock:InvokeModel', NOVA, withGuardrail)).toBe('Allowed');
      expect(await decision('bedrock:InvokeModel', NOVA, {})).toBe('ExplicitlyDenied');
    });
  });

  describe('defaults', () => {
    test('the function calls the deployment ARN as the alias\'s modelId', () => {
      const code = stack.resolve((gateway.function.node.defaultChild as unknown as { code: { s3Key: string } }).code.s3Key) as string;
      const assetDir = path.join(app.outdir, `asset.${code.replace(/\.zip$/, '')}`);
      const config = staticConfigSchema().parse(JSON.parse(fs.readFileSync(path.join(assetDir, GATEWAY_CONFIG_FILE_NAME), 'utf8')));
      expect(config.models['nova-tuned']!.modelId).toBe(DEPLOYMENT);
      expect(config.models['nova-lite']!.modelId).toBe('amazon.nova-lite-v1:0');
    });

    test('the Bedrock Runtime endpoint policy names the deployment', () => {
      const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).filter((e) => JSON.stringify(e.Properties.ServiceName).includes('bedrock-runtime'));
      expect(endpoints).toHaveLength(1);
      expect(JSON.stringify(endpoints[0]!.Properties.PolicyDocument)).toContain(DEPLOYMENT);
    });

    test('a custom-model deployment has no default price', () => {
      const budgeted = newStack();
      const network = new PrivateNetwork(budgeted, 'Network');
      expect(
        () =>
          new InferenceGateway(budgeted, 'Gateway', {
            network,
            guardrail: new ModelGuardrail(budgeted, 'Guardrail'),
            models: MODELS,
            groups: [{ name: 'users', models: ['nova-tuned'], dailyTokenQuota: 100_000, maxOutputTokens: 2048, dailyBudgetUsd: 5 }],
            systemPrompt: 'x',
          }),
      ).toThrow(/models\[1\] \("nova-tuned", arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment\/a1b2c3d4e5f6\) has no price.*custom-model deployment has no default price/);
    });
  });

  describe('validation', () => {
    const attempt = (model: Partial<GatewayModel>) => () => build([{ alias: 'tuned', modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 1024, ...model }]);

    test('fails if the ARN is not a custom-model deployment ARN, naming the key, the value and the form', () => {
      expect(attempt({ customModelDeploymentArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:custom-model/amazon.nova-lite-v1:0/abc` })).toThrow(
        /models\[0\]\.customModelDeploymentArn must be a custom-model deployment ARN such as "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment\/a1b2c3d4e5f6".*got "arn:aws:bedrock:us-east-1:123456789012:custom-model\/amazon/,
      );
    });

    test('fails if the deployment is in another account or region of a pinned stack', () => {
      expect(attempt({ customModelDeploymentArn: `arn:aws:bedrock:${REGION}:210987654321:custom-model-deployment/a1b2c3d4e5f6` })).toThrow(
        /customModelDeploymentArn must be a deployment in the stack's account 123456789012, got ".*210987654321.*"/,
      );
      expect(attempt({ customModelDeploymentArn: `arn:aws:bedrock:eu-west-1:${ACCOUNT}:custom-model-deployment/a1b2c3d4e5f6` })).toThrow(
        /customModelDeploymentArn must be a deployment in the stack's region us-east-1, got ".*eu-west-1.*"/,
      );
    });

    test('fails if the deployment is combined with an inference profile or an embedding alias', () => {
      expect(
        attempt({ customModelDeploymentArn: DEPLOYMENT, inferenceProfileId: 'us.amazon.nova-lite-v1:0', inferenceProfileRegions: ['us-east-1'] }),
      ).toThrow(/customModelDeploymentArn is called in its own region, got it with inferenceProfileId "us.amazon.nova-lite-v1:0"; drop the inference profile/);
      expect(attempt({ modelId: 'amazon.titan-embed-text-v2:0', kind: ModelKind.EMBEDDING, customModelDeploymentArn: DEPLOYMENT })).toThrow(
        /customModelDeploymentArn names a deployment for embedding alias "tuned"/,
      );
    });
  });

  describe('compliance', () => {
    test('has no unacknowledged finding: the deployment statement satisfies the SecureLLM model rules as it stands', () => {
      expect(formatFindings(findings)).toBe('');
    });
  });
});
