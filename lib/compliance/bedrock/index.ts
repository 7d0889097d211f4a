/**
 * `SecureLLM`: a cdk-nag v3 pack of Amazon Bedrock and LLM-endpoint rules, for any CDK app.
 *
 * Register it next to the packs you already run; any unacknowledged finding fails synthesis:
 *
 * ```ts
 * import { App, Validations } from 'aws-cdk-lib';
 * import { BedrockChecks } from './lib/compliance/bedrock';
 *
 * const app = new App();
 * new MyLlmStack(app, 'MyLlmStack');
 * Validations.of(app).addPlugins(new BedrockChecks(app));
 * ```
 *
 * Acknowledge a finding next to the resource, with the narrowest id and a specific reason:
 *
 * ```ts
 * Validations.of(policy).acknowledge({
 *   id: 'SecureLLM-BedrockInvokeNamedModels[Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/amazon.titan-embed-*]',
 *   reason: 'Embedding-only batch role; every Titan embedding model is approved.',
 * });
 * ```
 *
 * In tests, run the pack without synthesis: `new BedrockChecks().validateScope(app).violations`.
 * Each rule is also exported as a function of a `CfnResource` (its `name` is the rule id suffix),
 * to reuse in your own `NagPack`.
 *
 * @module
 */
export { ApiMethodAuthorizer } from './api-method-authorizer';
export { ApiWafRateRule } from './api-waf-rate-rule';
export { BedrockChecks, SECURE_LLM_PACK_NAME, SECURE_LLM_RULE_IDS, SECURE_LLM_RULES } from './bedrock-checks';
export { BedrockEndpointPolicy } from './bedrock-endpoint-policy';
export { CustomizationJobVpcKms } from './customization-job-vpc-kms';
export { FunctionCodeSigningStrict, PROFILE_METADATA_KEY, isStrictProfile } from './function-code-signing-strict';
export { TRAINING_DATA_TAG_KEY, TRAINING_DATA_TAG_VALUE, TrainingBucketObjectLock } from './training-bucket-object-lock';
export { BedrockInvokeForcesGuardrail } from './bedrock-invoke-forces-guardrail';
export { BedrockInvokeNamedModels } from './bedrock-invoke-named-models';
export { BedrockNoServiceWildcard } from './bedrock-no-service-wildcard';
export { CREDENTIAL_PII_TYPES, GuardrailBlocksCredentials } from './guardrail-blocks-credentials';
export { GuardrailCustomerManagedKey } from './guardrail-customer-managed-key';
export { GuardrailNumericVersionInUse } from './guardrail-numeric-version-in-use';
export { GuardrailPromptAttackHigh } from './guardrail-prompt-attack-high';
export { GuardrailVersionPublished } from './guardrail-version-published';
export { DocumentBucketNotWritableByRetriever } from './document-bucket-not-writable-by-retriever';
export { HOLDS_PROMPTS_MARKER, InvocationLogDataProtection } from './invocation-log-data-protection';
export { KnowledgeBaseVectorStorePrivate } from './knowledge-base-vector-store-private';
export { BEDROCK_RETRIEVE_ACTIONS, RetrieveNamedKnowledgeBases } from './retrieve-named-knowledge-bases';
export { BEDROCK_INVOKE_ACTIONS, GUARDRAIL_CONDITION_KEY } from './policy';
