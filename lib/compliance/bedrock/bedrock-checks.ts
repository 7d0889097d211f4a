import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagPackProps, NagRuleResult } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ApiMethodAuthorizer } from './api-method-authorizer';
import { ApiWafRateRule } from './api-waf-rate-rule';
import { BedrockEndpointPolicy } from './bedrock-endpoint-policy';
import { BedrockInvokeForcesGuardrail } from './bedrock-invoke-forces-guardrail';
import { BedrockInvokeNamedModels } from './bedrock-invoke-named-models';
import { BedrockNoServiceWildcard } from './bedrock-no-service-wildcard';
import { GuardrailBlocksCredentials } from './guardrail-blocks-credentials';
import { GuardrailCustomerManagedKey } from './guardrail-customer-managed-key';
import { GuardrailNumericVersionInUse } from './guardrail-numeric-version-in-use';
import { GuardrailPromptAttackHigh } from './guardrail-prompt-attack-high';
import { GuardrailVersionPublished } from './guardrail-version-published';
import { DocumentBucketNotWritableByRetriever } from './document-bucket-not-writable-by-retriever';
import { InvocationLogDataProtection } from './invocation-log-data-protection';
import { KnowledgeBaseVectorStorePrivate } from './knowledge-base-vector-store-private';
import { RetrieveNamedKnowledgeBases } from './retrieve-named-knowledge-bases';
import { CustomizationJobVpcKms } from './customization-job-vpc-kms';
import { FunctionCodeSigningStrict } from './function-code-signing-strict';
import { TrainingBucketObjectLock } from './training-bucket-object-lock';

/** The name of the pack: the plugin name in the validation report and the prefix of its rule ids. */
export const SECURE_LLM_PACK_NAME = 'SecureLLM';

interface RuleEntry {
  /**
   * The rule id suffix, spelt out rather than taken from `rule.name` at run time: acknowledgments
   * name it, so a bundler that renames functions must not change it (a test checks both agree).
   */
  readonly ruleSuffixOverride: string;
  readonly rule: (node: CfnResource) => NagRuleResult;
  readonly info: string;
  readonly explanation: string;
}

const RULES: readonly RuleEntry[] = [
  {
    ruleSuffixOverride: 'BedrockInvokeNamedModels',
    rule: BedrockInvokeNamedModels,
    info: 'The IAM or endpoint policy allows Bedrock model invocation on a wildcard resource instead of named models or inference profiles.',
    explanation:
      'OWASP LLM10/LLM06: a principal that may invoke any model can run unapproved or the most expensive models. List the foundation-model and inference-profile ARNs it needs.',
  },
  {
    ruleSuffixOverride: 'BedrockInvokeForcesGuardrail',
    rule: BedrockInvokeForcesGuardrail,
    info: 'The IAM policy allows Bedrock model invocation without forcing a guardrail (a StringEquals bedrock:GuardrailIdentifier condition and a matching StringNotEquals Deny).',
    explanation:
      'OWASP LLM01/LLM02: a guardrail only protects calls that carry it. Require it on the Allow and deny every invoke call with another or no guardrail, so no other grant can bypass it.',
  },
  {
    ruleSuffixOverride: 'BedrockNoServiceWildcard',
    rule: BedrockNoServiceWildcard,
    info: 'The IAM policy grants every Bedrock action ("*", "bedrock:*" or a NotAction that does not exclude Bedrock).',
    explanation:
      'OWASP LLM06/LLM02: a service wildcard includes deleting guardrails and changing invocation logging. Grant the Bedrock actions the principal calls.',
  },
  {
    ruleSuffixOverride: 'GuardrailCustomerManagedKey',
    rule: GuardrailCustomerManagedKey,
    info: 'The Bedrock guardrail is not encrypted with a customer-managed KMS key (KmsKeyArn).',
    explanation:
      'OWASP LLM02/LLM07: a customer-managed key puts reading the guardrail configuration under key-policy control and CloudTrail, and can be disabled in an incident.',
  },
  {
    ruleSuffixOverride: 'GuardrailPromptAttackHigh',
    rule: GuardrailPromptAttackHigh,
    info: 'The Bedrock guardrail does not filter prompt attacks on input at HIGH strength.',
    explanation:
      'OWASP LLM01: the PROMPT_ATTACK content filter detects jailbreaks and instruction overrides; below HIGH it lets low- and medium-confidence attacks through.',
  },
  {
    ruleSuffixOverride: 'GuardrailBlocksCredentials',
    rule: GuardrailBlocksCredentials,
    info: 'The Bedrock guardrail does not block AWS access keys, AWS secret keys and passwords (sensitive information policy, action BLOCK).',
    explanation:
      'OWASP LLM02: credentials in prompts reach invocation logs and the model; in responses they leak. Block them in both directions.',
  },
  {
    ruleSuffixOverride: 'GuardrailVersionPublished',
    rule: GuardrailVersionPublished,
    info: 'The Bedrock guardrail has no published version (AWS::Bedrock::GuardrailVersion) in the stack.',
    explanation:
      'OWASP LLM01/LLM02: without a version, callers can only use the mutable DRAFT, which IAM cannot pin. Publish a version named after a hash of the configuration.',
  },
  {
    ruleSuffixOverride: 'GuardrailNumericVersionInUse',
    rule: GuardrailNumericVersionInUse,
    info: 'A Lambda environment variable, IAM condition or Bedrock resource refers to the DRAFT version of a guardrail.',
    explanation:
      'OWASP LLM01/LLM02: DRAFT changes with every edit of the guardrail, without review or rollback. Use the numeric version of an AWS::Bedrock::GuardrailVersion.',
  },
  {
    ruleSuffixOverride: 'BedrockEndpointPolicy',
    rule: BedrockEndpointPolicy,
    info: 'The Bedrock VPC endpoint has no endpoint policy or the default full-access policy.',
    explanation:
      'OWASP LLM10/LLM02: without a policy, any credentials in the VPC may use every Bedrock action through the endpoint. Allow only the principals, actions and models the VPC needs.',
  },
  {
    ruleSuffixOverride: 'InvocationLogDataProtection',
    rule: InvocationLogDataProtection,
    info: `The log group receives prompts or model responses (model-invocation logging, or marked secure-llm:holds-prompts) but has no data-protection policy that masks data.`,
    explanation:
      'OWASP LLM02: prompts and responses carry personal data and pasted secrets. A CloudWatch Logs data-protection policy audits and masks them for readers without logs:Unmask.',
  },
  {
    ruleSuffixOverride: 'ApiMethodAuthorizer',
    rule: ApiMethodAuthorizer,
    info: 'The API Gateway method (other than OPTIONS) has no authorizer (AuthorizationType NONE).',
    explanation:
      'OWASP LLM10: an unauthenticated model endpoint lets anyone spend tokens and defeats per-user quotas and audit. Use IAM, Cognito or a Lambda authorizer.',
  },
  {
    ruleSuffixOverride: 'ApiWafRateRule',
    rule: ApiWafRateRule,
    info: 'The API Gateway stage is not associated with a web ACL of this stack that has a blocking rate-based rule.',
    explanation:
      'OWASP LLM10: every request to an LLM endpoint costs tokens; a per-client rate limit at the edge stops floods before they reach the function and the model.',
  },
  {
    ruleSuffixOverride: 'KnowledgeBaseVectorStorePrivate',
    rule: KnowledgeBaseVectorStorePrivate,
    info: 'The vector store (S3 vector bucket or index, vector bucket policy, OpenSearch Serverless security policy) is not encrypted with a customer-managed key or is public.',
    explanation:
      'OWASP LLM08/LLM04: embeddings and their chunk text are the documents. Encrypt the store with a customer-managed key and allow only named principals or conditioned callers.',
  },
  {
    ruleSuffixOverride: 'DocumentBucketNotWritableByRetriever',
    rule: DocumentBucketNotWritableByRetriever,
    info: 'A principal that may call bedrock:Retrieve can also write the documents of a knowledge base data source.',
    explanation:
      'OWASP LLM04/LLM01: a retrieval role that can write the corpus can plant content every later answer retrieves, past the ingestion screen. Keep uploads with separate uploader roles.',
  },
  {
    ruleSuffixOverride: 'RetrieveNamedKnowledgeBases',
    rule: RetrieveNamedKnowledgeBases,
    info: 'The IAM or endpoint policy allows bedrock:Retrieve or RetrieveAndGenerate on a wildcard resource instead of named knowledge bases.',
    explanation:
      'OWASP LLM08/LLM02: retrieval on every knowledge base reads corpora meant for other applications or tenants. Name the knowledge-base ARNs.',
  },
  {
    ruleSuffixOverride: 'FunctionCodeSigningStrict',
    rule: FunctionCodeSigningStrict,
    info: 'The Lambda function of a stack under the strict profile (Metadata SecureLLM::Profile) has no code-signing configuration, or one that does not Enforce.',
    explanation:
      'OWASP LLM03: the functions hold the guardrail enforcement, screening and model permissions. Enforced code signing refuses code the signing profile did not sign, so the controls cannot be swapped.',
  },
  {
    ruleSuffixOverride: 'TrainingBucketObjectLock',
    rule: TrainingBucketObjectLock,
    info: 'The bucket tagged secure-llm:data-class = training has no Object Lock with a default retention.',
    explanation:
      'OWASP LLM04: a screened, digest-recorded fine-tuning dataset that can be overwritten or deleted can be swapped for a poisoned one. Object Lock keeps every version for the retention period.',
  },
  {
    ruleSuffixOverride: 'CustomizationJobVpcKms',
    rule: CustomizationJobVpcKms,
    info: 'The state machine starts a Bedrock model-customization job without VpcConfig (subnets and security groups) or CustomModelKmsKeyId.',
    explanation:
      'OWASP LLM04/LLM03: a customization job outside the VPC reads training data and writes the model past the network controls; without a customer-managed key the model weights are under a key the account does not control.',
  },
];

/** The rule ids of the pack, e.g. `SecureLLM-BedrockInvokeNamedModels`. */
export const SECURE_LLM_RULE_IDS: readonly string[] = RULES.map((r) => `${SECURE_LLM_PACK_NAME}-${r.ruleSuffixOverride}`);

/** The rule functions of the pack, in the order it applies them, by id suffix. */
export const SECURE_LLM_RULES: ReadonlyArray<{ readonly id: string; readonly rule: (node: CfnResource) => NagRuleResult }> = RULES.map(
  (r) => ({ id: r.ruleSuffixOverride, rule: r.rule }),
);

/**
 * The `SecureLLM` cdk-nag (v3) pack: Amazon Bedrock and LLM-endpoint rules that cdk-nag's own
 * packs do not have, mapped to the OWASP Top 10 for LLM applications (2025). Every rule is an
 * error. Rules read the synthesized form of any `CfnResource` (L1, L2 or raw `CfnResource`), so
 * the pack works on any CDK app.
 *
 * | Rule | Checks |
 * | --- | --- |
 * | `BedrockInvokeNamedModels` | invoke permissions name models / inference profiles, no wildcards |
 * | `BedrockInvokeForcesGuardrail` | invoke Allows require `bedrock:GuardrailIdentifier` and a `StringNotEquals` Deny backs them |
 * | `BedrockNoServiceWildcard` | no `*` / `bedrock:*` / open `NotAction` in identity policies |
 * | `GuardrailCustomerManagedKey` | guardrails have a customer-managed `KmsKeyArn` |
 * | `GuardrailPromptAttackHigh` | `PROMPT_ATTACK` input filter at HIGH |
 * | `GuardrailBlocksCredentials` | `AWS_ACCESS_KEY`, `AWS_SECRET_KEY`, `PASSWORD` blocked |
 * | `GuardrailVersionPublished` | a `GuardrailVersion` exists for each guardrail |
 * | `GuardrailNumericVersionInUse` | nothing refers to `DRAFT` |
 * | `BedrockEndpointPolicy` | Bedrock VPC endpoints have a non-default policy |
 * | `InvocationLogDataProtection` | log groups with prompts have a masking data-protection policy |
 * | `ApiMethodAuthorizer` | every API Gateway method but OPTIONS is authorized |
 * | `ApiWafRateRule` | every API Gateway stage is behind a web ACL with a blocking rate rule |
 * | `KnowledgeBaseVectorStorePrivate` | vector stores are customer-key encrypted and not public |
 * | `DocumentBucketNotWritableByRetriever` | no retrieval principal may write a data source's documents |
 * | `RetrieveNamedKnowledgeBases` | `bedrock:Retrieve`/`RetrieveAndGenerate` name knowledge-base ARNs |
 *
 * Rules with several possible problems per resource report one finding each, acknowledged as
 * `SecureLLM-<Rule>[<finding>]`, e.g. `SecureLLM-BedrockInvokeNamedModels[Resource::*]`.
 *
 * @example
 * import { Validations } from 'aws-cdk-lib';
 * Validations.of(app).addPlugins(new BedrockChecks(app));
 */
export class BedrockChecks extends NagPack {
  /** The plugin name in the validation report. */
  public readonly name = SECURE_LLM_PACK_NAME;

  /**
   * @param scope the app (used only when `props.writeSuppressionsToCloudFormation` is set)
   * @param props cdk-nag pack options (`verbose` adds each rule's explanation to its findings)
   */
  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = SECURE_LLM_PACK_NAME;
  }

  protected checkResource(node: CfnResource): void {
    for (const entry of RULES) {
      this.applyRule({ ...entry, level: NagMessageLevel.ERROR, node });
    }
  }
}
