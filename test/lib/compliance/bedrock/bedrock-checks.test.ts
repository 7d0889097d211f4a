import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { Blueprint, buildBlueprint } from '../../../../lib/blueprint';
import {
  ApiWafRateRule,
  BedrockChecks,
  BedrockEndpointPolicy,
  BedrockInvokeForcesGuardrail,
  BedrockInvokeNamedModels,
  GuardrailVersionPublished,
  InvocationLogDataProtection,
  SECURE_LLM_PACK_NAME,
  SECURE_LLM_RULE_IDS,
  SECURE_LLM_RULES,
} from '../../../../lib/compliance/bedrock';
import { COMPLIANCE_PLUGIN_NAMES, addCompliancePacks } from '../../../../lib/compliance/packs';
import { newTestApp } from '../../../helpers/compliance';

/** Every finding of the pack, as `<rule id>[<finding>] at <construct path>`. */
function findings(scope: IConstruct): string[] {
  return new BedrockChecks()
    .validateScope(scope)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
}

/**
 * The blueprint's stacks as `bin/app.ts` builds them, without synthesis. Lambda bundling is
 * skipped: the rules read the templates, not the function code.
 */
function newBlueprint(): Blueprint {
  return buildBlueprint(newTestApp({ 'aws:cdk:bundling-stacks': [] }));
}

describe('BedrockChecks', () => {
  describe('defaults', () => {
    test('is the SecureLLM pack of eighteen rules, every finding an error', () => {
      // GIVEN
      const stack = new Stack(new App(), 'Test');
      new bedrock.CfnGuardrail(stack, 'Guardrail', { name: 'g', blockedInputMessaging: 'No.', blockedOutputsMessaging: 'No.' });
      // WHEN
      const pack = new BedrockChecks();
      const report = pack.validateScope(stack);
      // THEN
      expect(pack.name).toBe('SecureLLM');
      expect(SECURE_LLM_RULE_IDS).toHaveLength(18);
      expect(SECURE_LLM_RULE_IDS).toContain('SecureLLM-BedrockInvokeNamedModels');
      // The spelt-out ids agree with the exported function names (rule.name).
      expect(SECURE_LLM_RULES.map((r) => r.id)).toEqual(SECURE_LLM_RULES.map((r) => r.rule.name));
      expect(report.success).toBe(false);
      expect(report.violations.map((v) => v.ruleName).sort()).toEqual([
        'SecureLLM-GuardrailBlocksCredentials[AWS_ACCESS_KEY]',
        'SecureLLM-GuardrailBlocksCredentials[AWS_SECRET_KEY]',
        'SecureLLM-GuardrailBlocksCredentials[PASSWORD]',
        'SecureLLM-GuardrailCustomerManagedKey',
        'SecureLLM-GuardrailPromptAttackHigh',
        'SecureLLM-GuardrailVersionPublished',
      ]);
      expect(new Set(report.violations.map((v) => v.severity))).toEqual(new Set(['error']));
    });

    test('is registered by addCompliancePacks under the name COMPLIANCE_PLUGIN_NAMES lists', () => {
      // GIVEN
      const app = new App();
      // WHEN
      addCompliancePacks(app);
      // THEN
      const plugins = app._validationPlugins;
      expect(plugins.filter((p) => p instanceof BedrockChecks)).toHaveLength(1);
      expect(plugins.map((p) => p.name)).toEqual([...COMPLIANCE_PLUGIN_NAMES]);
      expect(COMPLIANCE_PLUGIN_NAMES).toContain(SECURE_LLM_PACK_NAME);
    });
  });

  describe('the blueprint', () => {
    let blueprint: Blueprint;
    beforeAll(() => {
      blueprint = newBlueprint();
    });

    test('passes the pack with zero findings', () => {
      expect(findings(blueprint.baseline.node.scope!)).toEqual([]);
    });

    test('is evaluated, not skipped: the gateway\'s policy, endpoint, guardrail, stage and invocation logs are compliant', () => {
      // GIVEN
      const gateway = blueprint.gateway;
      const policy = blueprint.gateway.gateway.role.node.scope!.node.findChild('Policy').node.defaultChild as CfnResource;
      // THEN
      expect(BedrockInvokeForcesGuardrail(policy)).toBe(NagRuleCompliance.COMPLIANT);
      expect(BedrockInvokeNamedModels(policy)).toBe(NagRuleCompliance.COMPLIANT);
      expect(BedrockEndpointPolicy(gateway.gateway.bedrockEndpoint.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.COMPLIANT);
      expect(GuardrailVersionPublished(gateway.guardrail.guardrail)).toBe(NagRuleCompliance.COMPLIANT);
      expect(ApiWafRateRule(gateway.gateway.api.deploymentStage.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.COMPLIANT);
      const invocationLogs = blueprint.baseline.invocationLogging!.logGroup.node.defaultChild as CfnResource;
      expect(InvocationLogDataProtection(invocationLogs)).toBe(NagRuleCompliance.COMPLIANT);
    });

    test('fails if the invocation log group loses its data-protection policy or the gateway loses its Deny', () => {
      // GIVEN
      const fresh = newBlueprint();
      const invocationLogs = fresh.baseline.invocationLogging!.logGroup.node.defaultChild as logs.CfnLogGroup;
      const policy = fresh.gateway.gateway.role.node.scope!.node.findChild('Policy').node.defaultChild as iam.CfnManagedPolicy;
      const statements = Stack.of(policy).resolve(policy.policyDocument).Statement as Array<{ Sid?: string }>;
      const deny = statements.findIndex((s) => s.Sid === 'DenyModelCallsWithoutGuardrail');
      expect(deny).toBeGreaterThanOrEqual(0);
      // WHEN
      invocationLogs.addPropertyDeletionOverride('DataProtectionPolicy');
      policy.addPropertyDeletionOverride(`PolicyDocument.Statement.${deny}`);
      // THEN
      expect(findings(fresh.baseline.node.scope!)).toEqual([
        `SecureLLM-InvocationLogDataProtection at ${invocationLogs.node.path}`,
        `SecureLLM-BedrockInvokeForcesGuardrail[Deny::InvokeAllowListedModelsWithGuardrail] at ${policy.node.path}`,
      ]);
    });
  });

  describe('acknowledgments', () => {
    test('an acknowledgment of one finding id suppresses that finding only', () => {
      // GIVEN a policy with two findings of one rule and one of another
      const stack = new Stack(new App(), 'Test');
      const policy = new iam.ManagedPolicy(stack, 'Policy', {
        statements: [
          new iam.PolicyStatement({
            sid: 'Embeddings',
            actions: ['bedrock:InvokeModel'],
            resources: ['arn:aws:bedrock:*::foundation-model/amazon.titan-embed-*', '*'],
          }),
        ],
      });
      // WHEN one finding is acknowledged on the L2 (an ancestor of the L1), one id is misspelt
      Validations.of(policy).acknowledge(
        {
          id: 'SecureLLM-BedrockInvokeNamedModels[Resource::arn:aws:bedrock:*::foundation-model/amazon.titan-embed-*]',
          reason: 'Embedding-only batch role; every Titan embedding model is approved.',
        },
        { id: 'SecureLLM-BedrockInvokeForcesGuardrail', reason: 'A bare rule id does not acknowledge per-finding results.' },
      );
      // THEN
      expect(findings(stack).sort()).toEqual([
        'SecureLLM-BedrockInvokeForcesGuardrail[Condition::Embeddings] at Test/Policy/Resource',
        'SecureLLM-BedrockInvokeNamedModels[Resource::*] at Test/Policy/Resource',
      ]);
    });

    test('an acknowledgment of a rule that reports no finding ids suppresses it on that resource only', () => {
      // GIVEN
      const stack = new Stack(new App(), 'Test');
      const unpublished = new bedrock.CfnGuardrail(stack, 'Unpublished', { name: 'a', blockedInputMessaging: 'No.', blockedOutputsMessaging: 'No.' });
      new bedrock.CfnGuardrail(stack, 'Other', { name: 'b', blockedInputMessaging: 'No.', blockedOutputsMessaging: 'No.' });
      // WHEN
      Validations.of(unpublished).acknowledge({ id: 'SecureLLM-GuardrailVersionPublished', reason: 'Evaluated in the console only; never called.' });
      // THEN
      expect(findings(stack).filter((f) => f.startsWith('SecureLLM-GuardrailVersionPublished'))).toEqual([
        'SecureLLM-GuardrailVersionPublished at Test/Other',
      ]);
    });
  });
});
