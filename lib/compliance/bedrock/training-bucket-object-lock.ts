import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asArray, flatten, isObject, templateResource } from './template';

/**
 * The tag that marks a bucket holding model-customization (fine-tuning) datasets: key `secure-llm:data-class`, value
 * `training`. The training-data vault sets it on its bucket; tag any other bucket of training data the same way
 * (`Tags.of(bucket).add(TRAINING_DATA_TAG_KEY, TRAINING_DATA_TAG_VALUE)`) so the rule covers it.
 */
export const TRAINING_DATA_TAG_KEY = 'secure-llm:data-class';
/** The value of {@link TRAINING_DATA_TAG_KEY} on a training-data bucket. */
export const TRAINING_DATA_TAG_VALUE = 'training';

/**
 * **What**: every `AWS::S3::Bucket` tagged `secure-llm:data-class = training` has Object Lock enabled
 * (`ObjectLockEnabled: true`) with a default retention rule (`ObjectLockConfiguration.Rule.DefaultRetention` with a
 * `Mode` and `Days` or `Years`).
 *
 * **Why**: OWASP LLM04 (data and model poisoning), threat model section 4.2: a fine-tuning dataset that can be
 * overwritten or deleted after it was screened and its digests recorded can be swapped for a poisoned one, and the
 * evidence of what a model was trained on disappears. Object Lock keeps every version for the retention period.
 *
 * **Fix**: `objectLockEnabled: true` and `objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(n))`
 * (or `compliance(...)`) on the bucket.
 */
export function TrainingBucketObjectLock(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::S3::Bucket') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = templateResource(node);
  if (!resource) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const training = asArray(resource.properties.Tags).some(
    (t) => isObject(t) && flatten(t.Key) === TRAINING_DATA_TAG_KEY && flatten(t.Value) === TRAINING_DATA_TAG_VALUE,
  );
  if (!training) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const config = resource.properties.ObjectLockConfiguration;
  const retention = isObject(config) && isObject(config.Rule) ? config.Rule.DefaultRetention : undefined;
  const enabled = flatten(resource.properties.ObjectLockEnabled) === 'true';
  const hasRetention =
    isObject(retention) && ['GOVERNANCE', 'COMPLIANCE'].includes(flatten(retention.Mode)) && (retention.Days !== undefined || retention.Years !== undefined);
  return enabled && hasRetention ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
