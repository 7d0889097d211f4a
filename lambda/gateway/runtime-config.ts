// zod/mini: the same validation core and messages as `zod`, with functions instead of methods, so the gateway bundle
// keeps only the checks in use (zod's share: 97 KB minified with `zod`, 34 KB with `zod/mini`). It registers no
// locale itself: set English (process-wide and idempotent, as `zod` does on first use).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { en } from 'zod/locales';

z.config(en());

/**
 * The gateway Lambda's configuration. The static part (model catalogue, groups, system prompt,
 * limits) is a JSON file beside the pre-built bundle, named by `GATEWAY_CONFIG_FILE` (so it is not
 * bound by Lambda's 4 KB environment limit), or inline JSON in `GATEWAY_CONFIG` (tests, local
 * runs); the values only known at deployment come from plain environment variables:
 * `GUARDRAIL_ID`, `GUARDRAIL_VERSION`, `QUOTA_TABLE_NAME`.
 */
export const staticConfigSchema = z.strictObject({
  /** The deployment's system prompt: the only `system` content the model ever receives. */
  systemPrompt: z.string().check(z.minLength(1), z.maxLength(20_000)),
  /** Model aliases clients may name → the Bedrock model or inference-profile id to call. */
  models: z.record(
    z.string(),
    z.strictObject({
      /** Foundation-model id or inference-profile id passed to Converse as `modelId`. */
      modelId: z.string().check(z.minLength(1)),
      /** Hard cap of output tokens for this model. */
      maxOutputTokens: z.int().check(z.positive()),
    }),
  ),
  /** Caller groups (Cognito groups) → aliases they may use, daily token quota, output cap. */
  groups: z.record(
    z.string(),
    z.strictObject({
      models: z.array(z.string()).check(z.minLength(1)),
      dailyTokenQuota: z.int().check(z.positive()),
      maxOutputTokens: z.int().check(z.positive()),
    }),
  ),
  limits: z.strictObject({
    /** Largest request body accepted, in bytes (UTF-8). */
    maxBodyBytes: z.int().check(z.positive()),
    /** Most messages in one request. */
    maxMessages: z.int().check(z.positive()),
    /** Longest text of one message, in characters after normalization. */
    maxMessageChars: z.int().check(z.positive()),
  }),
  /** What the deterministic pre-screen does with a suspected injection: refuse it, or only record it. */
  prescreenMode: z.enum(['block', 'flag']),
  output: z.strictObject({
    /** Hosts (and their subdomains) that model output may link to; every other link or image is removed. */
    allowedLinkHosts: z.array(z.string()),
    /** Let raw HTML through (off: tags are removed). */
    allowHtml: z.boolean(),
  }),
  /** Refusal shown when the guardrail or a screen blocks the input. */
  blockedInputMessage: z.string().check(z.minLength(1)),
  /** Refusal shown when the guardrail or a screen blocks the output. */
  blockedOutputMessage: z.string().check(z.minLength(1)),
  /** Whether per-user token quotas are enforced (DynamoDB). */
  quotasEnabled: z.boolean(),
  /** Timeout of one Bedrock call, in milliseconds, and attempts including the first. */
  bedrockTimeoutMs: z.int().check(z.positive()),
  bedrockMaxAttempts: z.int().check(z.minimum(1), z.maximum(5)),
});

/** The static configuration shipped with the gateway function. */
export type GatewayStaticConfig = z.infer<typeof staticConfigSchema>;

/** The full runtime configuration of the gateway. */
export interface GatewayRuntimeConfig extends GatewayStaticConfig {
  /** Guardrail ARN (or id) passed as `guardrailConfig.guardrailIdentifier`. */
  readonly guardrailId: string;
  /** Numeric guardrail version — never DRAFT. */
  readonly guardrailVersion: string;
  /** The usage table for quotas (required when quotas are enabled). */
  readonly quotaTableName?: string;
}

/** The environment variable that carries the static configuration as inline JSON (tests, local runs). */
export const STATIC_CONFIG_ENV = 'GATEWAY_CONFIG';
/** The environment variable naming the static configuration file, relative to the function's code directory. */
export const STATIC_CONFIG_FILE_ENV = 'GATEWAY_CONFIG_FILE';
/** The name of the static configuration file the construct writes beside the bundle. */
export const GATEWAY_CONFIG_FILE_NAME = 'gateway-config.json';

/**
 * The static configuration as JSON text: inline from `GATEWAY_CONFIG`, else read from the file named by
 * `GATEWAY_CONFIG_FILE` (a plain file name, resolved against `codeDir`, the directory of the bundle).
 */
function readStaticConfig(env: Record<string, string | undefined>, codeDir: string): string {
  const inline = env[STATIC_CONFIG_ENV];
  if (inline) {
    return inline;
  }
  const file = env[STATIC_CONFIG_FILE_ENV];
  if (!file) {
    throw new Error(`${STATIC_CONFIG_ENV} is not set (nor ${STATIC_CONFIG_FILE_ENV})`);
  }
  if (path.basename(file) !== file) {
    throw new Error(`${STATIC_CONFIG_FILE_ENV} must be a plain file name in the function's code directory, got ${JSON.stringify(file)}`);
  }
  return fs.readFileSync(path.join(codeDir, file), 'utf8');
}

/**
 * Reads and validates the runtime configuration. Throws on anything missing or malformed: the
 * handler loads it once at cold start, so a misconfigured function fails closed on every request.
 */
export function loadRuntimeConfig(env: Record<string, string | undefined> = process.env, codeDir = __dirname): GatewayRuntimeConfig {
  const parsed = staticConfigSchema.parse(JSON.parse(readStaticConfig(env, codeDir)));
  const guardrailId = env.GUARDRAIL_ID;
  const guardrailVersion = env.GUARDRAIL_VERSION;
  if (!guardrailId) {
    throw new Error('GUARDRAIL_ID is not set');
  }
  if (!guardrailVersion || !/^\d+$/.test(guardrailVersion)) {
    throw new Error(`GUARDRAIL_VERSION must be a numeric published version, got ${JSON.stringify(guardrailVersion)}`);
  }
  if (parsed.quotasEnabled && !env.QUOTA_TABLE_NAME) {
    throw new Error('QUOTA_TABLE_NAME is not set while quotas are enabled');
  }
  for (const [group, spec] of Object.entries(parsed.groups)) {
    for (const alias of spec.models) {
      if (!parsed.models[alias]) {
        throw new Error(`group ${group} names unknown model alias ${alias}`);
      }
    }
  }
  return { ...parsed, guardrailId, guardrailVersion, quotaTableName: env.QUOTA_TABLE_NAME };
}
