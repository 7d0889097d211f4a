/**
 * `secure-llm-blueprint`: hardened AWS CDK constructs, stacks and compliance checks for LLM applications on
 * Amazon Bedrock. This is the package's one root entry point; `secure-llm-blueprint/testing` has the helpers
 * for a consumer's CI.
 *
 * ```ts
 * import { App, Stack } from 'aws-cdk-lib';
 * import { InferenceGateway, ModelGuardrail, PrivateNetwork, addCompliancePacks } from 'secure-llm-blueprint';
 *
 * const app = new App();
 * const stack = new Stack(app, 'TeamLlm', { env: { account: '123456789012', region: 'eu-west-1' } });
 * const network = new PrivateNetwork(stack, 'Network', { maxAzs: 2 });
 * const guardrail = new ModelGuardrail(stack, 'Guardrail');
 * new InferenceGateway(stack, 'Gateway', { network, guardrail, models: [...], groups: [...], systemPrompt: '...' });
 * addCompliancePacks(app); // five cdk-nag packs, the SecureLLM pack, cfn-guard: any unacknowledged finding fails synth
 * ```
 *
 * The Lambda handlers ship pre-built in the package: nothing is bundled in your app, and neither esbuild
 * nor Docker is needed.
 *
 * @module
 */

// Constructs and their props.
export * from '../constructs';

// The deployable stacks and the whole blueprint, built from configuration.
export { BlueprintStack, type BlueprintStackProps } from './blueprint-stack';
export { CodeSigningStack, type CodeSigningStackProps } from './code-signing-stack';
export { BaselineStack, type BaselineStackProps } from './baseline-stack';
export { GatewayStack, type GatewayStackProps } from './gateway-stack';
export { buildBlueprint, buildCodeSigningProfile, type Blueprint } from './blueprint';

// Configuration: schema, types, loading and validation.
export {
  ALLOWED_LOG_RETENTION_DAYS,
  ConfigError,
  configSchema,
  loadConfig,
  parseConfig,
  type BlueprintConfig,
  type BlueprintConfigInput,
} from './config';

// Compliance: register every check, the SecureLLM pack and its rules, cfn-guard, the report.
export { COMPLIANCE_PLUGIN_NAMES, addCompliancePacks } from './compliance/packs';
export * from './compliance/bedrock';
export { ScopedCfnGuardValidator, type GuardRule } from './compliance/scoped-cfn-guard';
export {
  COMPLIANCE_REPORT_JSON,
  COMPLIANCE_REPORT_MARKDOWN,
  buildComplianceReport,
  findAcknowledgments,
  readValidationReport,
  removeComplianceReport,
  renderComplianceMarkdown,
  synthWithReport,
  writeComplianceReport,
  type AcknowledgmentRecord,
  type CheckReport,
  type ComplianceReport,
  type FoundAcknowledgment,
  type SynthWithReportOptions,
} from './compliance/report';
export { OWASP_LLM_TOP_10_2025, type OwaspControl, type OwaspRisk } from './compliance/owasp';
