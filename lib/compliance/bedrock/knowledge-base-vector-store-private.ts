import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { conditionEntries, isAnyPrincipal, statementLabel, statementsOf } from './policy';
import { flatten, isObject, templateResource } from './template';

/** CloudFormation types of the vector stores this rule reads. */
const VECTOR_BUCKET_TYPE = 'AWS::S3Vectors::VectorBucket';
const VECTOR_INDEX_TYPE = 'AWS::S3Vectors::Index';
const VECTOR_BUCKET_POLICY_TYPE = 'AWS::S3Vectors::VectorBucketPolicy';
const OPENSEARCH_SERVERLESS_POLICY_TYPE = 'AWS::OpenSearchServerless::SecurityPolicy';

/**
 * Condition keys that confine a statement with a public principal to known callers: the caller's account, organization
 * or ARN, or the service resource or network path the request comes through.
 */
const LIMITING_CONDITION_KEYS = [
  'aws:principalaccount',
  'aws:principalarn',
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceorgid',
  'aws:sourcevpc',
  'aws:sourcevpce',
];

/**
 * **What**: a knowledge-base vector store is encrypted with a customer-managed key and is not public:
 * - an `AWS::S3Vectors::VectorBucket` has `EncryptionConfiguration` with `SseType: aws:kms` and a `KmsKeyArn` that is
 *   not an AWS-managed `alias/aws/…` key (finding `Encryption::<SseType or none>`);
 * - an `AWS::S3Vectors::Index` does not override its bucket's encryption with `AES256` (finding `Encryption::AES256`);
 * - an `AWS::S3Vectors::VectorBucketPolicy` has no `Allow` statement for a public principal (`*`) without a condition
 *   on the caller's account, organization, ARN or network path (finding `PublicStatement::<Sid or #index>`);
 * - an `AWS::OpenSearchServerless::SecurityPolicy` of type `encryption` does not use an AWS-owned key
 *   (`AWSOwnedKey: true`, finding `AwsOwnedKey`), and one of type `network` does not allow public access
 *   (`AllowFromPublic: true`, finding `PublicNetwork`). Policies given as unresolved tokens are not judged.
 *
 * Every S3 vector bucket and OpenSearch Serverless collection policy of the stack is read, whether or not a knowledge
 * base uses it yet: they hold embeddings, from which text can be approximately reconstructed.
 *
 * **Why**: OWASP LLM08 (vector and embedding weaknesses) and LLM02: embeddings and the chunk text stored beside them
 * are the documents themselves. A customer-managed key puts every read under a key policy and CloudTrail, and can be
 * disabled in an incident; a public store lets anyone read, or poison (LLM04), the retrieval corpus.
 *
 * **Fix**: create the vector bucket with `encryptionConfiguration: { sseType: 'aws:kms', kmsKeyArn }` (e.g.
 * `SecureKnowledgeBase`), and limit bucket-policy statements to named principals or a condition such as
 * `aws:PrincipalAccount`. For OpenSearch Serverless, name a customer-managed `KmsARN` and use VPC-only network access.
 */
export function KnowledgeBaseVectorStorePrivate(node: CfnResource): NagRuleResult {
  const type = node.cfnResourceType;
  if (![VECTOR_BUCKET_TYPE, VECTOR_INDEX_TYPE, VECTOR_BUCKET_POLICY_TYPE, OPENSEARCH_SERVERLESS_POLICY_TYPE].includes(type)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  if (!resource) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const p = resource.properties;
  switch (type) {
    case VECTOR_BUCKET_TYPE: {
      const encryption = isObject(p.EncryptionConfiguration) ? p.EncryptionConfiguration : {};
      const sseType = flatten(encryption.SseType);
      const key = flatten(encryption.KmsKeyArn);
      if (sseType !== 'aws:kms' || key === '' || key.includes('alias/aws/')) {
        return [`Encryption::${sseType || 'none'}`];
      }
      return NagRuleCompliance.COMPLIANT;
    }
    case VECTOR_INDEX_TYPE: {
      const encryption = isObject(p.EncryptionConfiguration) ? p.EncryptionConfiguration : {};
      const sseType = flatten(encryption.SseType);
      if (sseType === 'AES256' || (sseType === 'aws:kms' && flatten(encryption.KmsKeyArn).includes('alias/aws/'))) {
        return [`Encryption::${sseType}`];
      }
      return NagRuleCompliance.COMPLIANT;
    }
    case VECTOR_BUCKET_POLICY_TYPE: {
      const document = typeof p.Policy === 'string' ? safeJson(p.Policy) : p.Policy;
      const findings = statementsOf(document)
        .filter((s) => s.effect === 'Allow' && isAnyPrincipal(s.principal))
        .filter((s) => !conditionEntries(s).some((c) => LIMITING_CONDITION_KEYS.includes(c.key.toLowerCase())))
        .map((s) => `PublicStatement::${statementLabel({ resource, statements: [] }, s)}`);
      return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
    }
    default: {
      const policyType = flatten(p.Type);
      if (typeof p.Policy !== 'string') {
        return NagRuleCompliance.NOT_APPLICABLE;
      }
      const policy = safeJson(p.Policy);
      if (policyType === 'encryption') {
        return isObject(policy) && policy.AWSOwnedKey === true ? ['AwsOwnedKey'] : NagRuleCompliance.COMPLIANT;
      }
      if (policyType === 'network') {
        const rules = Array.isArray(policy) ? policy : [policy];
        return rules.some((r) => isObject(r) && r.AllowFromPublic === true) ? ['PublicNetwork'] : NagRuleCompliance.COMPLIANT;
      }
      return NagRuleCompliance.NOT_APPLICABLE;
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
