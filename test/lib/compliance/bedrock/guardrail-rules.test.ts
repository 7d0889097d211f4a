import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ModelGuardrail } from '../../../../constructs/model-guardrail';
import {
  BedrockChecks,
  CREDENTIAL_PII_TYPES,
  GuardrailBlocksCredentials,
  GuardrailCustomerManagedKey,
  GuardrailNumericVersionInUse,
  GuardrailPromptAttackHigh,
  GuardrailVersionPublished,
} from '../../../../lib/compliance/bedrock';

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const GUARDRAIL_ARN = 'arn:aws:bedrock:us-east-1:111122223333:guardrail/abc123';

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

/** A guardrail that passes every guardrail rule, with `overrides` applied. */
function guardrail(stack: Stack, overrides: Partial<bedrock.CfnGuardrailProps> = {}, id = 'Guardrail'): bedrock.CfnGuardrail {
  const g = new bedrock.CfnGuardrail(stack, id, {
    name: id,
    blockedInputMessaging: 'No.',
    blockedOutputsMessaging: 'No.',
    kmsKeyArn: KEY_ARN,
    contentPolicyConfig: { filtersConfig: [{ type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE' }] },
    sensitiveInformationPolicyConfig: { piiEntitiesConfig: CREDENTIAL_PII_TYPES.map((type) => ({ type, action: 'BLOCK' })) },
    ...overrides,
  });
  return g;
}

describe('guardrail rules', () => {
  test('ModelGuardrail passes every guardrail rule', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const g = new ModelGuardrail(stack, 'Guardrail');
    // THEN every rule evaluated the guardrail and found it compliant
    for (const rule of [GuardrailCustomerManagedKey, GuardrailPromptAttackHigh, GuardrailBlocksCredentials, GuardrailVersionPublished]) {
      expect({ rule: rule.name, result: rule(g.guardrail) }).toEqual({ rule: rule.name, result: NagRuleCompliance.COMPLIANT });
    }
    expect(findings(stack, 'Guardrail')).toEqual([]);
  });
});

describe('GuardrailCustomerManagedKey', () => {
  test('passes a guardrail with a customer-managed key', () => {
    const stack = newStack();
    expect(GuardrailCustomerManagedKey(guardrail(stack))).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('fails if the guardrail has no key or an AWS-managed key', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    guardrail(stack, { kmsKeyArn: undefined }, 'NoKey');
    guardrail(stack, { kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:alias/aws/bedrock' }, 'AwsKey');
    // THEN
    expect(findings(stack, 'GuardrailCustomerManagedKey').sort()).toEqual([
      'SecureLLM-GuardrailCustomerManagedKey at Test/AwsKey',
      'SecureLLM-GuardrailCustomerManagedKey at Test/NoKey',
    ]);
  });
});

describe('GuardrailPromptAttackHigh', () => {
  test('passes PROMPT_ATTACK at HIGH on input', () => {
    const stack = newStack();
    expect(GuardrailPromptAttackHigh(guardrail(stack))).toBe(NagRuleCompliance.COMPLIANT);
  });

  test.each([
    ['the filter is missing', { filtersConfig: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH' }] }],
    ['the strength is MEDIUM', { filtersConfig: [{ type: 'PROMPT_ATTACK', inputStrength: 'MEDIUM', outputStrength: 'NONE' }] }],
    ['the input action only detects', { filtersConfig: [{ type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE', inputAction: 'NONE' }] }],
    ['input evaluation is off', { filtersConfig: [{ type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE', inputEnabled: false }] }],
  ])('fails if %s', (_why, contentPolicyConfig) => {
    // GIVEN
    const stack = newStack();
    // WHEN
    guardrail(stack, { contentPolicyConfig });
    // THEN
    expect(findings(stack, 'GuardrailPromptAttackHigh')).toEqual(['SecureLLM-GuardrailPromptAttackHigh at Test/Guardrail']);
  });
});

describe('GuardrailBlocksCredentials', () => {
  test('passes a guardrail that blocks the three credential types', () => {
    const stack = newStack();
    expect(GuardrailBlocksCredentials(guardrail(stack))).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('fails per credential type that is missing, anonymized or not blocked in one direction', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    guardrail(stack, {
      sensitiveInformationPolicyConfig: {
        piiEntitiesConfig: [
          { type: 'AWS_ACCESS_KEY', action: 'BLOCK', outputAction: 'NONE' },
          { type: 'PASSWORD', action: 'ANONYMIZE' },
          { type: 'EMAIL', action: 'BLOCK' },
        ],
      },
    });
    // THEN
    expect(findings(stack, 'GuardrailBlocksCredentials').sort()).toEqual([
      'SecureLLM-GuardrailBlocksCredentials[AWS_ACCESS_KEY] at Test/Guardrail',
      'SecureLLM-GuardrailBlocksCredentials[AWS_SECRET_KEY] at Test/Guardrail',
      'SecureLLM-GuardrailBlocksCredentials[PASSWORD] at Test/Guardrail',
    ]);
  });
});

describe('GuardrailVersionPublished', () => {
  test('passes a guardrail with a version that refers to it by id or by ARN', () => {
    // GIVEN
    const stack = newStack();
    const byId = guardrail(stack, {}, 'ById');
    const byArn = guardrail(stack, {}, 'ByArn');
    // WHEN
    new bedrock.CfnGuardrailVersion(stack, 'VersionById', { guardrailIdentifier: byId.attrGuardrailId });
    new bedrock.CfnGuardrailVersion(stack, 'VersionByArn', { guardrailIdentifier: byArn.attrGuardrailArn });
    // THEN
    expect(GuardrailVersionPublished(byId)).toBe(NagRuleCompliance.COMPLIANT);
    expect(GuardrailVersionPublished(byArn)).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('fails if no version refers to the guardrail', () => {
    // GIVEN
    const stack = newStack();
    guardrail(stack, {}, 'Unpublished');
    const other = guardrail(stack, {}, 'Other');
    // WHEN only the other guardrail is published
    new bedrock.CfnGuardrailVersion(stack, 'Version', { guardrailIdentifier: other.attrGuardrailId });
    // THEN
    expect(findings(stack, 'GuardrailVersionPublished')).toEqual(['SecureLLM-GuardrailVersionPublished at Test/Unpublished']);
  });
});

describe('GuardrailNumericVersionInUse', () => {
  function fn(stack: Stack, id: string, variables: Record<string, string>): lambda.CfnFunction {
    return new lambda.CfnFunction(stack, id, {
      code: { zipFile: 'exports.handler = async () => {};' },
      role: 'arn:aws:iam::111122223333:role/fn',
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      environment: { variables },
    });
  }

  test('passes numeric versions in functions, conditions and agents', () => {
    // GIVEN
    const stack = newStack();
    const g = guardrail(stack);
    const version = new bedrock.CfnGuardrailVersion(stack, 'Version', { guardrailIdentifier: g.attrGuardrailId });
    // WHEN
    const f = fn(stack, 'Fn', { GUARDRAIL_ID: g.attrGuardrailId, GUARDRAIL_VERSION: version.attrVersion, MODE: 'draft-free' });
    const policy = new iam.ManagedPolicy(stack, 'Policy', {
      statements: [
        new iam.PolicyStatement({
          actions: ['bedrock:InvokeModel'],
          resources: ['arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0'],
          conditions: { StringEquals: { 'bedrock:GuardrailIdentifier': `${g.attrGuardrailArn}:${version.attrVersion}` } },
        }),
      ],
    });
    const agent = new bedrock.CfnAgent(stack, 'Agent', {
      agentName: 'agent',
      guardrailConfiguration: { guardrailIdentifier: g.attrGuardrailId, guardrailVersion: '3' },
    });
    // THEN
    for (const node of [f, policy.node.defaultChild as CfnResource, agent]) {
      expect(GuardrailNumericVersionInUse(node)).toBe(NagRuleCompliance.COMPLIANT);
    }
  });

  test('fails if a function, a condition or an agent uses DRAFT', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    fn(stack, 'Fn', { GUARDRAIL_VERSION: 'DRAFT', GUARDRAIL: `${GUARDRAIL_ARN}:DRAFT`, OTHER: 'x' });
    new iam.ManagedPolicy(stack, 'Policy', {
      statements: [
        new iam.PolicyStatement({
          actions: ['bedrock:InvokeModel'],
          resources: ['arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0'],
          conditions: { StringEquals: { 'bedrock:GuardrailIdentifier': `${GUARDRAIL_ARN}:DRAFT` } },
        }),
      ],
    });
    new bedrock.CfnAgent(stack, 'Agent', {
      agentName: 'agent',
      guardrailConfiguration: { guardrailIdentifier: GUARDRAIL_ARN, guardrailVersion: 'DRAFT' },
    });
    // THEN
    expect(findings(stack, 'GuardrailNumericVersionInUse').sort()).toEqual([
      'SecureLLM-GuardrailNumericVersionInUse[Condition::arn:aws:bedrock:us-east-1:111122223333:guardrail/abc123:DRAFT] at Test/Policy/Resource',
      'SecureLLM-GuardrailNumericVersionInUse[Environment::GUARDRAIL] at Test/Fn',
      'SecureLLM-GuardrailNumericVersionInUse[Environment::GUARDRAIL_VERSION] at Test/Fn',
      'SecureLLM-GuardrailNumericVersionInUse[Property::GuardrailConfiguration.GuardrailVersion] at Test/Agent',
    ]);
  });

  test('passes an account-level enforced guardrail with a numeric version', () => {
    const stack = newStack();
    const enforced = new bedrock.CfnEnforcedGuardrailConfiguration(stack, 'Enforced', { guardrailIdentifier: GUARDRAIL_ARN, guardrailVersion: '2' });
    expect(GuardrailNumericVersionInUse(enforced)).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('fails if the account-level enforced guardrail is the DRAFT', () => {
    const stack = newStack();
    new bedrock.CfnEnforcedGuardrailConfiguration(stack, 'Enforced', { guardrailIdentifier: GUARDRAIL_ARN, guardrailVersion: 'DRAFT' });
    expect(findings(stack, 'GuardrailNumericVersionInUse')).toEqual(['SecureLLM-GuardrailNumericVersionInUse[Property::GuardrailVersion] at Test/Enforced']);
  });
});
