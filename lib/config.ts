import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

/** CloudWatch Logs retention periods (days) of at least one year, the minimum our compliance packs accept. */
export const ALLOWED_LOG_RETENTION_DAYS = [365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const region = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, 'must be an AWS region name such as eu-west-1');

const retention = z
  .number()
  .int()
  .refine((n) => (ALLOWED_LOG_RETENTION_DAYS as readonly number[]).includes(n), {
    message: `must be one of ${ALLOWED_LOG_RETENTION_DAYS.join(', ')} (CloudWatch Logs retention values of at least one year)`,
  });

const partManagedExternally = z.boolean();

const baselineSchema = z
  .strictObject({
    /** Name of the baseline stack. */
    stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a CloudFormation stack name').default('SecureLlmBaseline'),
    /** Alert recipients for GuardDuty findings and posture changes. */
    alertEmails: z.array(z.email('must be an email address')).max(20).default([]),
    /** Retention of every log group in the baseline. */
    logRetentionDays: retention.default(365),
    trail: z
      .strictObject({
        managedExternally: partManagedExternally.default(false),
        /** Data event selectors of the trail. */
        dataEvents: z
          .strictObject({
            bedrockGuardrails: z.boolean().default(true),
            bedrockModels: z.boolean().default(true),
            lambdaFunctions: z.boolean().default(true),
            s3Objects: z.boolean().default(true),
          })
          .prefault({}),
      })
      .prefault({}),
    threatDetection: z
      .strictObject({
        /** The GuardDuty detector comes from the organization: only the alerting rules are deployed. */
        detectorManagedExternally: partManagedExternally.default(false),
        /** Lowest GuardDuty finding severity that alerts (GuardDuty: 7 and above is high). */
        minimumFindingSeverity: z.number().min(1).max(8.9).default(7),
      })
      .prefault({}),
    invocationLogging: z
      .strictObject({
        managedExternally: partManagedExternally.default(false),
        /** Availability Zones of the private network that hosts the logging custom resource. */
        maxAzs: z.number().int().min(2).max(6).default(2),
        /** CIDR of that network. */
        vpcCidr: z
          .string()
          .regex(/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-4])$/, 'must be an IPv4 CIDR with a prefix between /16 and /24')
          .default('10.64.0.0/24'),
      })
      .prefault({}),
  })
  .prefault({});

/** The schema of the blueprint's configuration. */
export const configSchema = z.strictObject({
  /**
   * Where to deploy. Leave out for environment-agnostic stacks that synthesize with no AWS account.
   */
  env: z.strictObject({ account: accountId.optional(), region: region.optional() }).optional(),
  /** Tags applied to every resource. */
  tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}),
  baseline: baselineSchema,
});

/** The validated configuration. */
export type BlueprintConfig = z.infer<typeof configSchema>;
/** The configuration as written by a user (every key optional). */
export type BlueprintConfigInput = z.input<typeof configSchema>;

/** Raised when the configuration is invalid; the message names every bad key, its value and what is allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function valueAt(input: unknown, keyPath: PropertyKey[]): unknown {
  let v: unknown = input;
  for (const k of keyPath) {
    if (v === null || typeof v !== 'object') {
      return undefined;
    }
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/**
 * Validates raw configuration and fills in the defaults.
 * @param source where the configuration came from, named in error messages
 */
export function parseConfig(input: unknown, source = 'configuration'): BlueprintConfig {
  const result = configSchema.safeParse(input ?? {});
  if (result.success) {
    return result.data;
  }
  const lines = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const at = issue.path.length ? `${issue.path.join('.')}.` : '';
      return `- ${issue.keys.map((k) => at + k).join(', ')}: unknown key; remove it or check its spelling`;
    }
    const key = issue.path.join('.') || '(root)';
    const got = JSON.stringify(valueAt(input, issue.path));
    return `- ${key}: ${issue.message}, got ${got ?? 'nothing'}`;
  });
  return fail(`Invalid ${source}:\n${lines.join('\n')}`);
}

function fail(message: string): never {
  throw new ConfigError(message);
}

/**
 * Loads the configuration the way `cdk synth` sees it: the `blueprint` object from `cdk.json`
 * context, overlaid by the JSON file named with `-c config=path/to/file.json`, if any.
 *
 * @param tryGetContext the app's `node.tryGetContext`
 */
export function loadConfig(tryGetContext: (key: string) => unknown, cwd = process.cwd()): BlueprintConfig {
  const fromContext = tryGetContext('blueprint') ?? {};
  const file = tryGetContext('config');
  if (file === undefined) {
    return parseConfig(fromContext, 'cdk.json context "blueprint"');
  }
  if (typeof file !== 'string' || file.length === 0) {
    return fail(`Invalid context "config": must be the path of a JSON file, got ${JSON.stringify(file)}`);
  }
  const fullPath = path.resolve(cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(fullPath, 'utf8');
  } catch {
    return fail(`Invalid context "config": cannot read ${fullPath}; pass -c config=<existing JSON file>`);
  }
  let fromFile: unknown;
  try {
    fromFile = JSON.parse(text);
  } catch (e) {
    return fail(`Invalid configuration file ${fullPath}: not valid JSON (${(e as Error).message})`);
  }
  return parseConfig(deepMerge(fromContext, fromFile), `configuration ${file}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Merges `over` into `base`: objects merge key by key, anything else replaces. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) {
    return over === undefined ? base : over;
  }
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = deepMerge(base[k], v);
  }
  return out;
}
