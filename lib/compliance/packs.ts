import { App, Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import { BedrockChecks, SECURE_LLM_PACK_NAME } from './bedrock';
import { ScopedCfnGuardValidator } from './scoped-cfn-guard';

/** The names of the compliance checks registered by {@link addCompliancePacks}, as they appear in the validation report. */
export const COMPLIANCE_PLUGIN_NAMES = [
  'AwsSolutions',
  'NIST.800.53.R5',
  'HIPAA.Security',
  'PCI.DSS.321',
  'Serverless',
  SECURE_LLM_PACK_NAME,
  'cdk-validator-cfnguard',
] as const;

/**
 * Registers every compliance gate on the app: the five cdk-nag packs (AwsSolutions,
 * NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1, Serverless), our own Bedrock/LLM pack
 * (`SecureLLM`, see {@link BedrockChecks}) and cfn-guard with the AWS Control Tower proactive
 * rules (see {@link ScopedCfnGuardValidator}). Any unacknowledged error fails synthesis.
 *
 * The CloudFormation schema validator is switched on separately, by the
 * `@aws-cdk/core:validateAgainstDefaultRules` feature flag in `cdk.json`.
 */
export function addCompliancePacks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
    new ServerlessChecks(app),
    new BedrockChecks(app),
    new ScopedCfnGuardValidator(),
  );
}
