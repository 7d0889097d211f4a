/**
 * Who owns the account's model-invocation logging configuration, and how a configuration this
 * stack took over is kept until the stack gives it back.
 *
 * Ownership: log group names are unique per account and region, so a configuration whose
 * CloudWatch log group is the one this stack created is this stack's; any other configuration
 * (another log group, or S3-only delivery) belongs to someone else.
 *
 * Keeping the previous configuration: it travels in the custom resource's physical ID,
 * `bedrock-invocation-logging-<region>~<base64url(deflate(JSON))>`. CloudFormation stores that ID
 * with the stack and hands it back on every Update and on Delete, so it survives as long as the
 * resource does, needs no storage service and no further VPC endpoint (the handler runs in
 * isolated subnets), and cannot be changed by anyone but CloudFormation. It is set once, on
 * Create (an Update that returned a different ID would be a replacement, and the Delete of the
 * old ID would remove the configuration just put). The ID holds at most 1 KB; a configuration
 * that does not fit fails the Create instead of being lost. What it holds — a log group name, a
 * role ARN, bucket names — is the same kind of data the stack's own resources show.
 *
 * @module
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { LoggingConfig } from '@aws-sdk/client-bedrock';
import { z } from 'zod';
import { physicalResourceId } from './logging-config';

/** CloudFormation accepts physical IDs of up to 1 KB. */
export const MAX_PHYSICAL_ID_BYTES = 1024;

/** Separates the stable physical ID from the encoded previous configuration. */
const SEPARATOR = '~';

/** The setting that lets a stack take over a configuration it did not create, as the blueprint's config names it. */
export const TAKE_OVER_CONFIG_KEY = 'baseline.invocationLogging.takeOverExisting';

const s3Config = z.object({ bucketName: z.string().min(1), keyPrefix: z.string().optional() });

/** The parts of a `LoggingConfig` Bedrock returns and accepts back; unknown fields are kept. */
const PreviousConfiguration = z.looseObject({
  cloudWatchConfig: z
    .looseObject({
      logGroupName: z.string().min(1),
      roleArn: z.string().min(1),
      largeDataDeliveryS3Config: s3Config.optional(),
    })
    .optional(),
  s3Config: s3Config.optional(),
  textDataDeliveryEnabled: z.boolean().optional(),
  imageDataDeliveryEnabled: z.boolean().optional(),
  embeddingDataDeliveryEnabled: z.boolean().optional(),
  videoDataDeliveryEnabled: z.boolean().optional(),
  audioDataDeliveryEnabled: z.boolean().optional(),
});

/** The configuration in place does not fit in a physical ID, so it could not be restored later. */
export class PreviousConfigurationTooLargeError extends Error {
  public override readonly name = 'PreviousConfigurationTooLargeError';
}

/** The physical ID names a previous configuration that cannot be decoded. */
export class InvalidPhysicalResourceIdError extends Error {
  public override readonly name = 'InvalidPhysicalResourceIdError';
}

/** What a physical ID says about this resource. */
export interface ParsedPhysicalResourceId {
  /** This stack put the configuration (false: a failed Create, or an ID this handler did not hand out). */
  readonly owned: boolean;
  /** The configuration that was in place before this stack took it over, to be restored on Delete. */
  readonly previous?: LoggingConfig;
}

/** True when a configuration is present (Bedrock answers `{}` when none is set). */
export function isConfigured(config: LoggingConfig | undefined): config is LoggingConfig {
  return config !== undefined && (config.cloudWatchConfig !== undefined || config.s3Config !== undefined);
}

/** True when `config` delivers to one of `ownLogGroupNames` (this stack's log group, before or after an update). */
export function isOwnConfiguration(config: LoggingConfig, ownLogGroupNames: readonly (string | undefined)[]): boolean {
  const logGroup = config.cloudWatchConfig?.logGroupName;
  return logGroup !== undefined && ownLogGroupNames.includes(logGroup);
}

/** Where a configuration delivers, for messages (names only, no payloads). */
export function describeConfiguration(config: LoggingConfig): string {
  const parts: string[] = [];
  if (config.cloudWatchConfig?.logGroupName !== undefined) {
    parts.push(`CloudWatch Logs log group "${config.cloudWatchConfig.logGroupName}"`);
  }
  if (config.s3Config?.bucketName !== undefined) {
    parts.push(`S3 bucket "${config.s3Config.bucketName}"`);
  }
  return parts.length > 0 ? parts.join(' and ') : 'an unnamed destination';
}

/**
 * The physical ID of a resource that took over `previous`.
 * @throws PreviousConfigurationTooLargeError when the ID would exceed {@link MAX_PHYSICAL_ID_BYTES}
 */
export function takeOverPhysicalResourceId(region: string, previous: LoggingConfig): string {
  const encoded = deflateRawSync(Buffer.from(JSON.stringify(previous), 'utf8')).toString('base64url');
  const id = `${physicalResourceId(region)}${SEPARATOR}${encoded}`;
  if (Buffer.byteLength(id) > MAX_PHYSICAL_ID_BYTES) {
    throw new PreviousConfigurationTooLargeError(
      `The configuration in place (${describeConfiguration(previous)}) takes ${Buffer.byteLength(id)} bytes encoded, more than the ` +
        `${MAX_PHYSICAL_ID_BYTES} bytes a physical resource ID can hold, so it could not be restored on delete; record it ` +
        '(aws bedrock get-model-invocation-logging-configuration), remove it (aws bedrock delete-model-invocation-logging-configuration) and deploy again',
    );
  }
  return id;
}

/**
 * Reads a physical ID this handler handed out.
 * @throws InvalidPhysicalResourceIdError when it carries a previous configuration that cannot be decoded
 */
export function parsePhysicalResourceId(region: string, id: string): ParsedPhysicalResourceId {
  const own = physicalResourceId(region);
  if (id === own) {
    return { owned: true };
  }
  if (!id.startsWith(`${own}${SEPARATOR}`)) {
    return { owned: false };
  }
  const encoded = id.slice(own.length + SEPARATOR.length);
  let decoded: unknown;
  try {
    decoded = JSON.parse(inflateRawSync(Buffer.from(encoded, 'base64url')).toString('utf8'));
  } catch (err) {
    throw new InvalidPhysicalResourceIdError(`The physical resource ID carries no readable previous configuration: ${(err as Error).message}`);
  }
  const result = PreviousConfiguration.safeParse(decoded);
  if (!result.success || !isConfigured(result.data as LoggingConfig)) {
    throw new InvalidPhysicalResourceIdError('The physical resource ID carries a previous configuration without a destination');
  }
  return { owned: true, previous: result.data as LoggingConfig };
}

/** The message of a Create that found someone else's configuration and was not told to take it over. */
export function foreignConfigurationMessage(region: string, current: LoggingConfig): string {
  return (
    `Amazon Bedrock model-invocation logging in ${region} is already configured by someone else (${describeConfiguration(current)}); ` +
    `this stack does not overwrite it silently. To take it over, set ${TAKE_OVER_CONFIG_KEY}: true (ModelInvocationLogging ` +
    'prop takeOverExisting): the configuration in place is kept and restored when this stack deletes its own. To keep it ' +
    'and deploy no logging configuration, set baseline.invocationLogging.managedExternally: true instead'
  );
}
