import type { LoggingConfig, PutModelInvocationLoggingConfigurationCommandInput } from '@aws-sdk/client-bedrock';
import { z } from 'zod';

/**
 * CloudFormation passes custom-resource booleans as the strings "true"/"false"; accept both forms
 * so the handler also works when invoked directly with JSON booleans.
 */
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** CloudWatch Logs log group names: 1-512 characters of `[.\-_/#A-Za-z0-9]`. */
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
/** An IAM role ARN in any partition. */
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** S3 general-purpose bucket names. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A key prefix without a leading slash, made of S3 "safe" characters. */
const KEY_PREFIX = /^[\w!.*'()-][\w!.*'()/-]{0,1023}$/;

const DELIVERY_FLAGS = [
  'TextDataDeliveryEnabled',
  'ImageDataDeliveryEnabled',
  'EmbeddingDataDeliveryEnabled',
  'VideoDataDeliveryEnabled',
  'AudioDataDeliveryEnabled',
] as const;

/**
 * The custom resource's `ResourceProperties`, as the construct writes them. Unknown keys are
 * rejected so that a construct/handler mismatch fails loudly instead of being ignored.
 */
export const LoggingProperties = z
  .strictObject({
    ServiceToken: z.string().optional(),
    ServiceTimeout: z.union([z.string(), z.number()]).optional(),
    LogGroupName: z.string().regex(LOG_GROUP_NAME, 'must be a CloudWatch Logs log group name'),
    DeliveryRoleArn: z.string().regex(ROLE_ARN, 'must be an IAM role ARN'),
    LargeDataBucketName: z.string().regex(BUCKET_NAME, 'must be an S3 bucket name').optional(),
    LargeDataKeyPrefix: z.string().regex(KEY_PREFIX, 'must be an S3 key prefix without a leading "/"').optional(),
    TextDataDeliveryEnabled: flag,
    ImageDataDeliveryEnabled: flag,
    EmbeddingDataDeliveryEnabled: flag,
    VideoDataDeliveryEnabled: flag,
    AudioDataDeliveryEnabled: flag,
    /** Overwrite a configuration someone else put in place (kept and restored on Delete). Absent: false. */
    TakeOverExisting: flag.optional(),
  })
  .refine((p) => DELIVERY_FLAGS.some((k) => p[k]), {
    message: `at least one of ${DELIVERY_FLAGS.join(', ')} must be true`,
  })
  .refine((p) => p.LargeDataKeyPrefix === undefined || p.LargeDataBucketName !== undefined, {
    message: 'LargeDataKeyPrefix requires LargeDataBucketName',
    path: ['LargeDataKeyPrefix'],
  });

/** Parsed, validated resource properties. */
export type LoggingProperties = z.output<typeof LoggingProperties>;

/** The resource properties are not what the handler expects; the request must fail without calling Bedrock. */
export class InvalidPropertiesError extends Error {
  public override readonly name = 'InvalidPropertiesError';
}

/**
 * Validates the request's `ResourceProperties`.
 * @throws InvalidPropertiesError naming every offending property
 */
export function parseLoggingProperties(raw: unknown): LoggingProperties {
  const result = LoggingProperties.safeParse(raw ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new InvalidPropertiesError(`Invalid ResourceProperties: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Maps validated properties to the `PutModelInvocationLoggingConfiguration` request. */
export function toPutRequest(p: LoggingProperties): PutModelInvocationLoggingConfigurationCommandInput {
  const loggingConfig: LoggingConfig = {
    cloudWatchConfig: {
      logGroupName: p.LogGroupName,
      roleArn: p.DeliveryRoleArn,
      ...(p.LargeDataBucketName !== undefined
        ? {
            largeDataDeliveryS3Config: {
              bucketName: p.LargeDataBucketName,
              ...(p.LargeDataKeyPrefix !== undefined ? { keyPrefix: p.LargeDataKeyPrefix } : {}),
            },
          }
        : {}),
    },
    textDataDeliveryEnabled: p.TextDataDeliveryEnabled,
    imageDataDeliveryEnabled: p.ImageDataDeliveryEnabled,
    embeddingDataDeliveryEnabled: p.EmbeddingDataDeliveryEnabled,
    videoDataDeliveryEnabled: p.VideoDataDeliveryEnabled,
    audioDataDeliveryEnabled: p.AudioDataDeliveryEnabled,
  };
  return { loggingConfig };
}

/** Prefix of every physical ID this handler hands out. */
const PHYSICAL_ID_PREFIX = 'bedrock-invocation-logging-';

/**
 * The stable physical ID of the (per-account, per-region) logging configuration. It never
 * changes on update, so CloudFormation never treats an update as a replacement and never sends
 * a Delete for the old configuration.
 */
export function physicalResourceId(region: string): string {
  return `${PHYSICAL_ID_PREFIX}${region}`;
}

/**
 * The physical ID returned when a Create fails. CloudFormation may send a Delete for it during
 * rollback; because it differs from {@link physicalResourceId}, that Delete leaves the account's
 * existing configuration (possibly someone else's) untouched.
 */
export function failedCreatePhysicalResourceId(region: string): string {
  return `${PHYSICAL_ID_PREFIX}${region}-create-failed`;
}

/** The region of a CloudFormation stack ARN (`arn:<partition>:cloudformation:<region>:...`). */
export function regionOfStack(stackId: string): string | undefined {
  const region = stackId.split(':')[3];
  return region !== undefined && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region) ? region : undefined;
}

/**
 * Bedrock answers a Put with `ValidationException: Failed to validate permissions for log group ...`
 * when the delivery role was created moments ago and IAM has not propagated it yet. That case,
 * and only that case, is worth retrying.
 */
export function isPermissionPropagationError(err: unknown): boolean {
  return (
    err instanceof Error &&
    err.name === 'ValidationException' &&
    /failed to validate permissions/i.test(err.message)
  );
}

/** Delete is idempotent: a configuration that is already gone is not an error. */
export function isNotFoundError(err: unknown): boolean {
  return err instanceof Error && err.name === 'ResourceNotFoundException';
}
