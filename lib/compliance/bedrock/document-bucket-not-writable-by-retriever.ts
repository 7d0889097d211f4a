import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { stackIdentityPolicies, statementActions } from './policy';
import { BEDROCK_RETRIEVE_ACTIONS } from './retrieve-named-knowledge-bases';
import { flatten, isObject, referencedLogicalId, referencesLogicalId, templateResource, wildcardMatch } from './template';

const DATA_SOURCE_TYPE = 'AWS::Bedrock::DataSource';

/** The S3 actions that add, replace or remove a document (or its versions, tags or ACL). */
const OBJECT_WRITE_ACTIONS: readonly string[] = [
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutObjectAcl',
  's3:PutObjectVersionAcl',
  's3:PutObjectTagging',
  's3:RestoreObject',
];

/**
 * **What**: no principal of the stack that may call `bedrock:Retrieve` or `bedrock:RetrieveAndGenerate` may also
 * write the documents of a knowledge base's S3 data source (`s3:PutObject`, `s3:DeleteObject`, …, or a wildcard
 * covering them, on `*` or on the data source's bucket). Read on each `AWS::Bedrock::DataSource` of type S3, against
 * the identity policies of the stack; the finding names the principal: `Principal::Role:<logicalId>`.
 *
 * **Why**: OWASP LLM04 (data and model poisoning) and LLM01: the retrieval role runs on behalf of users and sees the
 * model's output paths. If it can also write the corpus, one injected instruction or one compromised request can
 * plant content that every later answer retrieves, bypassing the ingestion screen. Uploads belong to named uploader
 * roles only.
 *
 * **Fix**: grant uploads to a separate role (e.g. the document-ingestion uploader) and give the retrieval role
 * `bedrock:Retrieve` only (`SecureKnowledgeBase.grantRetrieve`).
 */
export function DocumentBucketNotWritableByRetriever(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== DATA_SOURCE_TYPE) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  const config = resource && isObject(resource.properties.DataSourceConfiguration) ? resource.properties.DataSourceConfiguration : undefined;
  const s3 = config && isObject(config.S3Configuration) ? config.S3Configuration : undefined;
  if (!s3) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const bucketLogicalId = referencedLogicalId(s3.BucketArn);
  const literalBucketArn = bucketLogicalId ? undefined : flatten(s3.BucketArn);
  const writesBucket = (r: unknown): boolean => {
    const flat = flatten(r);
    if (flat === '*') return true;
    if (bucketLogicalId) return referencesLogicalId(r, bucketLogicalId);
    return literalBucketArn !== undefined && wildcardMatch(flat, `${literalBucketArn}/any-document`);
  };

  const policies = stackIdentityPolicies(node);
  const retrievers = new Set(
    policies
      .filter(({ document }) => document.statements.some((s) => s.effect === 'Allow' && statementActions(s, BEDROCK_RETRIEVE_ACTIONS).length > 0))
      .flatMap(({ principals }) => principals),
  );
  if (retrievers.size === 0) {
    return NagRuleCompliance.COMPLIANT;
  }
  const findings = new Set<string>();
  for (const { document, principals } of policies) {
    const writers = principals.filter((p) => retrievers.has(p));
    if (writers.length === 0) continue;
    const writes = document.statements.some(
      (s) =>
        s.effect === 'Allow' &&
        statementActions(s, OBJECT_WRITE_ACTIONS).length > 0 &&
        s.resources.some(writesBucket),
    );
    if (writes) writers.forEach((p) => findings.add(`Principal::${p}`));
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}
