import { App, Aws, CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import {
  BedrockChecks,
  BedrockInvokeForcesGuardrail,
  BedrockInvokeNamedModels,
  BedrockNoServiceWildcard,
} from '../../../../lib/compliance/bedrock';

const MODEL = `arn:${Aws.PARTITION}:bedrock:${Aws.REGION}::foundation-model/amazon.nova-lite-v1:0`;
const GUARDRAIL = 'arn:aws:bedrock:us-east-1:111122223333:guardrail/abc123:3';
const INVOKE = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];

/** The pack's findings for one rule, as `<rule id>[<finding>] at <construct path>`. */
function findings(scope: IConstruct, rule: string): string[] {
  return new BedrockChecks()
    .validateScope(scope)
    .violations.filter((v) => v.ruleName.startsWith(`SecureLLM-${rule}`))
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
}

function newStack(): Stack {
  return new Stack(new App(), 'Test');
}

function allowWithGuardrail(props: Partial<iam.PolicyStatementProps> = {}): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'Invoke',
    actions: ['bedrock:InvokeModel'],
    resources: [MODEL],
    conditions: { StringEquals: { 'bedrock:GuardrailIdentifier': GUARDRAIL } },
    ...props,
  });
}

function denyWithoutGuardrail(props: Partial<iam.PolicyStatementProps> = {}): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyWithoutGuardrail',
    effect: iam.Effect.DENY,
    actions: INVOKE,
    resources: ['*'],
    conditions: { StringNotEquals: { 'bedrock:GuardrailIdentifier': GUARDRAIL } },
    ...props,
  });
}

describe('BedrockInvokeNamedModels', () => {
  test('passes named foundation models, inference profiles and other resources\' references', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const policy = new iam.ManagedPolicy(stack, 'Policy', {
      statements: [
        new iam.PolicyStatement({
          actions: INVOKE,
          resources: [
            MODEL,
            // A cross-region profile needs its model in every region it routes to.
            'arn:aws:bedrock:*::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
            `arn:aws:bedrock:us-east-1:${Aws.ACCOUNT_ID}:inference-profile/us.amazon.nova-lite-v1:0`,
          ],
        }),
        // Non-invoke actions may use "*".
        new iam.PolicyStatement({ actions: ['bedrock:ListFoundationModels'], resources: ['*'] }),
      ],
    });
    // THEN
    expect(BedrockInvokeNamedModels(policy.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.COMPLIANT);
    expect(findings(stack, 'BedrockInvokeNamedModels')).toEqual([]);
  });

  test('is not applicable to policies without invoke actions', () => {
    const stack = newStack();
    const policy = new iam.ManagedPolicy(stack, 'Policy', {
      statements: [new iam.PolicyStatement({ actions: ['bedrock:ApplyGuardrail', 's3:GetObject'], resources: ['*'] })],
    });
    expect(BedrockInvokeNamedModels(policy.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  });

  test('fails if an invoke action is allowed on "*", every model or every inference profile', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new iam.ManagedPolicy(stack, 'Policy', {
      statements: [
        new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: ['*'] }),
        new iam.PolicyStatement({
          actions: ['bedrock:Invoke*'],
          resources: [
            `arn:${Aws.PARTITION}:bedrock:${Aws.REGION}::foundation-model/*`,
            `arn:${Aws.PARTITION}:bedrock:${Aws.REGION}:${Aws.ACCOUNT_ID}:inference-profile/*`,
            'arn:aws:bedrock:us-east-1::foundation-model/anthropic.*',
            MODEL,
          ],
        }),
      ],
    });
    // THEN one finding per offending resource, in cdk-nag's flattened notation
    expect(findings(stack, 'BedrockInvokeNamedModels').sort()).toEqual(
      [
        'SecureLLM-BedrockInvokeNamedModels[Resource::*] at Test/Policy/Resource',
        'SecureLLM-BedrockInvokeNamedModels[Resource::arn:<AWS::Partition>:bedrock:<AWS::Region>::foundation-model/*] at Test/Policy/Resource',
        'SecureLLM-BedrockInvokeNamedModels[Resource::arn:<AWS::Partition>:bedrock:<AWS::Region>:<AWS::AccountId>:inference-profile/*] at Test/Policy/Resource',
        'SecureLLM-BedrockInvokeNamedModels[Resource::arn:aws:bedrock:us-east-1::foundation-model/anthropic.*] at Test/Policy/Resource',
      ].sort(),
    );
  });

  test('fails if a NotAction or NotResource statement grants invoke, in inline and raw L1 role policies', () => {
    // GIVEN
    const stack = newStack();
    // WHEN an L2 role with an inline policy, and a raw CfnResource role as custom-resource providers write them
    new iam.Role(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        Everything: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ notActions: ['iam:*'], resources: ['*'] })],
        }),
      },
    });
    new CfnResource(stack, 'RawRole', {
      type: 'AWS::IAM::Role',
      properties: {
        AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }] },
        Policies: [
          {
            PolicyName: 'Inline',
            PolicyDocument: { Statement: { Effect: 'Allow', Action: 'bedrock:InvokeModel', NotResource: 'arn:aws:bedrock:*::foundation-model/x' } },
          },
        ],
      },
    });
    // THEN
    expect(findings(stack, 'BedrockInvokeNamedModels').sort()).toEqual([
      'SecureLLM-BedrockInvokeNamedModels[NotResource::arn:aws:bedrock:*::foundation-model/x] at Test/RawRole',
      'SecureLLM-BedrockInvokeNamedModels[Resource::*] at Test/Role/Resource',
    ]);
  });

  test('fails if a VPC endpoint policy allows invoke on every model', () => {
    // GIVEN
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    // WHEN
    const endpoint = vpc.addInterfaceEndpoint('Runtime', { service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME });
    endpoint.addToPolicy(
      new iam.PolicyStatement({ principals: [new iam.AccountRootPrincipal()], actions: ['bedrock:InvokeModel'], resources: ['*'] }),
    );
    // THEN
    expect(findings(stack, 'BedrockInvokeNamedModels')).toEqual(['SecureLLM-BedrockInvokeNamedModels[Resource::*] at Test/Vpc/Runtime/Resource']);
  });
});

describe('BedrockInvokeForcesGuardrail', () => {
  test('passes an Allow with a StringEquals guardrail condition and a StringNotEquals Deny in the same document', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const policy = new iam.ManagedPolicy(stack, 'Policy', { statements: [allowWithGuardrail(), denyWithoutGuardrail()] });
    // THEN
    expect(BedrockInvokeForcesGuardrail(policy.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.COMPLIANT);
    expect(findings(stack, 'BedrockInvokeForcesGuardrail')).toEqual([]);
  });

  test('passes when the Deny is in another policy attached to the same role', () => {
    // GIVEN
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN the Allow is in the role's default policy and the Deny in a managed policy of the role
    role.addToPolicy(allowWithGuardrail());
    role.addManagedPolicy(new iam.ManagedPolicy(stack, 'Guard', { statements: [denyWithoutGuardrail()] }));
    // THEN
    expect(findings(stack, 'BedrockInvokeForcesGuardrail')).toEqual([]);
    expect(BedrockInvokeForcesGuardrail(role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource)).toBe(
      NagRuleCompliance.COMPLIANT,
    );
  });

  test('fails if the Allow has no concrete guardrail condition', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new iam.ManagedPolicy(stack, 'Policy', {
      statements: [
        new iam.PolicyStatement({ sid: 'NoCondition', actions: ['bedrock:InvokeModel'], resources: [MODEL] }),
        allowWithGuardrail({ sid: 'IfExists', conditions: { StringEqualsIfExists: { 'bedrock:GuardrailIdentifier': GUARDRAIL } } }),
        allowWithGuardrail({ sid: 'AnyVersion', conditions: { StringLike: { 'bedrock:GuardrailIdentifier': `${GUARDRAIL.slice(0, -2)}:*` } } }),
        denyWithoutGuardrail(),
      ],
    });
    // THEN
    expect(findings(stack, 'BedrockInvokeForcesGuardrail').sort()).toEqual([
      'SecureLLM-BedrockInvokeForcesGuardrail[Condition::AnyVersion] at Test/Policy/Resource',
      'SecureLLM-BedrockInvokeForcesGuardrail[Condition::IfExists] at Test/Policy/Resource',
      'SecureLLM-BedrockInvokeForcesGuardrail[Condition::NoCondition] at Test/Policy/Resource',
    ]);
  });

  test('fails if no Deny backs the Allow', () => {
    const stack = newStack();
    new iam.ManagedPolicy(stack, 'Policy', { statements: [allowWithGuardrail()] });
    expect(findings(stack, 'BedrockInvokeForcesGuardrail')).toEqual(['SecureLLM-BedrockInvokeForcesGuardrail[Deny::Invoke] at Test/Policy/Resource']);
  });

  test.each([
    ['an extra condition narrows the Deny', { conditions: { StringNotEquals: { 'bedrock:GuardrailIdentifier': GUARDRAIL }, Bool: { 'aws:ViaAWSService': 'false' } } }],
    ['the Deny misses the streaming action', { actions: ['bedrock:InvokeModel'] }],
    ['the Deny tolerates another guardrail', { conditions: { StringNotEquals: { 'bedrock:GuardrailIdentifier': [GUARDRAIL, 'arn:aws:bedrock:us-east-1:111122223333:guardrail/other:1'] } } }],
    ['the Deny only covers another model', { resources: ['arn:aws:bedrock:*::foundation-model/other'] }],
    ['the Deny only denies calls without a guardrail', { conditions: { Null: { 'bedrock:GuardrailIdentifier': 'true' } } }],
  ])('fails if %s', (_why, denyProps) => {
    // GIVEN an Allow of every invoke action
    const stack = newStack();
    // WHEN
    new iam.ManagedPolicy(stack, 'Policy', {
      statements: [allowWithGuardrail({ actions: ['bedrock:InvokeModel*'] }), denyWithoutGuardrail(denyProps)],
    });
    // THEN
    expect(findings(stack, 'BedrockInvokeForcesGuardrail')).toEqual(['SecureLLM-BedrockInvokeForcesGuardrail[Deny::Invoke] at Test/Policy/Resource']);
  });

  test('fails if the Deny is attached to another role only', () => {
    // GIVEN
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN
    role.addToPolicy(allowWithGuardrail());
    other.addManagedPolicy(new iam.ManagedPolicy(stack, 'Guard', { statements: [denyWithoutGuardrail()] }));
    // THEN
    expect(findings(stack, 'BedrockInvokeForcesGuardrail')).toEqual([
      'SecureLLM-BedrockInvokeForcesGuardrail[Deny::Invoke] at Test/Role/DefaultPolicy/Resource',
    ]);
  });
});

describe('BedrockInvokeForcesGuardrail with embedding models', () => {
  const EMBED = `arn:${Aws.PARTITION}:bedrock:${Aws.REGION}::foundation-model/amazon.titan-embed-text-v2:0`;
  const allowEmbedding = (resources: string[], sid = 'Embed') => new iam.PolicyStatement({ sid, actions: ['bedrock:InvokeModel'], resources });
  const denyAllBut = (notResources: string[]) => new iam.PolicyStatement({
    sid: 'DenyWithoutGuardrail',
    effect: iam.Effect.DENY,
    actions: INVOKE,
    notResources,
    conditions: { StringNotEquals: { 'bedrock:GuardrailIdentifier': GUARDRAIL } },
  });

  test('passes an embedding model allowed without a guardrail, behind a Deny that excludes only embedding models', () => {
    // GIVEN
    const stack = newStack();
    // WHEN the gateway's shape: text models with the guardrail, the embedding model without, the Deny on all but it
    const policy = new iam.ManagedPolicy(stack, 'Policy', { statements: [allowWithGuardrail(), allowEmbedding([EMBED]), denyAllBut([EMBED])] });
    // THEN
    expect(BedrockInvokeForcesGuardrail(policy.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.COMPLIANT);
    expect(findings(stack, 'BedrockInvokeForcesGuardrail')).toEqual([]);
  });

  // A text-generation model can never be invoked without the guardrail: whatever is written as the exception, every
  // ARN that is not one concrete embedding model stays behind a condition and the Deny.
  const TEXT_MODELS = [
    MODEL,
    'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0',
    'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1',
    'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.titan-embed-text-v2:0',
    'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0/../amazon.nova-pro-v1:0',
    'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-*',
    'arn:aws:bedrock:us-east-1::foundation-model/*',
    '*',
  ];

  test.each(TEXT_MODELS)('fails if %s is allowed without a guardrail, alone or beside an embedding model', (text) => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new iam.ManagedPolicy(stack, 'Policy', {
      statements: [allowEmbedding([text], 'Alone'), allowEmbedding([EMBED, text], 'Beside'), denyAllBut([EMBED])],
    });
    // THEN
    expect(findings(stack, 'BedrockInvokeForcesGuardrail').sort()).toEqual([
      'SecureLLM-BedrockInvokeForcesGuardrail[Condition::Alone] at Test/Policy/Resource',
      'SecureLLM-BedrockInvokeForcesGuardrail[Condition::Beside] at Test/Policy/Resource',
    ]);
  });

  test.each(TEXT_MODELS.filter((m) => m !== MODEL))('fails if the Deny also excludes %s', (text) => {
    // GIVEN
    const stack = newStack();
    // WHEN the Deny lets a non-embedding ARN escape
    new iam.ManagedPolicy(stack, 'Policy', { statements: [allowWithGuardrail(), denyAllBut([EMBED, text])] });
    // THEN
    expect(findings(stack, 'BedrockInvokeForcesGuardrail')).toEqual(['SecureLLM-BedrockInvokeForcesGuardrail[Deny::Invoke] at Test/Policy/Resource']);
  });

  test('fails if the Deny excludes the guarded text model itself', () => {
    const stack = newStack();
    new iam.ManagedPolicy(stack, 'Policy', { statements: [allowWithGuardrail({ resources: [MODEL] }), denyAllBut([MODEL])] });
    expect(findings(stack, 'BedrockInvokeForcesGuardrail')).toEqual(['SecureLLM-BedrockInvokeForcesGuardrail[Deny::Invoke] at Test/Policy/Resource']);
  });
});

describe('BedrockNoServiceWildcard', () => {
  test('passes named Bedrock actions and NotAction statements that exclude Bedrock', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const policy = new iam.ManagedPolicy(stack, 'Policy', {
      statements: [
        new iam.PolicyStatement({ actions: ['bedrock:InvokeModel', 'bedrock:Get*'], resources: [MODEL] }),
        new iam.PolicyStatement({ notActions: ['bedrock:*', 'iam:*'], resources: ['arn:aws:s3:::bucket/*'] }),
      ],
    });
    // THEN
    expect(BedrockNoServiceWildcard(policy.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.COMPLIANT);
    expect(findings(stack, 'BedrockNoServiceWildcard')).toEqual([]);
  });

  test('fails if a statement grants "*", "bedrock:*" or a NotAction that leaves Bedrock in', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new iam.ManagedPolicy(stack, 'Policy', {
      statements: [
        new iam.PolicyStatement({ actions: ['bedrock:*'], resources: [MODEL] }),
        new iam.PolicyStatement({ actions: ['*'], resources: ['*'] }),
        new iam.PolicyStatement({ sid: 'AllButIam', notActions: ['iam:*', 'bedrock:Delete*'], resources: ['*'] }),
        // A Deny with a wildcard is fine.
        new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['bedrock:*'], resources: ['*'] }),
      ],
    });
    // THEN
    expect(findings(stack, 'BedrockNoServiceWildcard').sort()).toEqual([
      'SecureLLM-BedrockNoServiceWildcard[Action::*] at Test/Policy/Resource',
      'SecureLLM-BedrockNoServiceWildcard[Action::bedrock:*] at Test/Policy/Resource',
      'SecureLLM-BedrockNoServiceWildcard[NotAction::AllButIam] at Test/Policy/Resource',
    ]);
  });
});
