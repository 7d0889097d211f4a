import * as fs from 'node:fs';
import * as path from 'node:path';
import { GATEWAY_CONFIG_FILE_NAME, GATEWAY_ENV, type GatewayStaticConfig, staticConfigSchema } from '../shared/gateway-contract';

/**
 * The gateway Lambda's configuration. The static part (model catalogue, groups, system prompt,
 * limits) is a JSON file beside the pre-built bundle, named by `GATEWAY_CONFIG_FILE` (so it is not
 * bound by Lambda's 4 KB environment limit), or inline JSON in `GATEWAY_CONFIG` (tests, local
 * runs); the values only known at deployment come from plain environment variables:
 * `GUARDRAIL_ID`, `GUARDRAIL_VERSION`, `QUOTA_TABLE_NAME`. The schema and the names live in the
 * construct-function contract (`lambda/shared/gateway-contract.ts`).
 */
export { GATEWAY_CONFIG_FILE_NAME, staticConfigSchema, type GatewayStaticConfig };

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
export const STATIC_CONFIG_FILE_ENV = GATEWAY_ENV.staticConfigFile;

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
  const guardrailId = env[GATEWAY_ENV.guardrailId];
  const guardrailVersion = env[GATEWAY_ENV.guardrailVersion];
  if (!guardrailId) {
    throw new Error('GUARDRAIL_ID is not set');
  }
  if (!guardrailVersion || !/^\d+$/.test(guardrailVersion)) {
    throw new Error(`GUARDRAIL_VERSION must be a numeric published version, got ${JSON.stringify(guardrailVersion)}`);
  }
  const quotaTableName = env[GATEWAY_ENV.quotaTableName];
  if (parsed.quotasEnabled && !quotaTableName) {
    throw new Error('QUOTA_TABLE_NAME is not set while quotas are enabled');
  }
  for (const [group, spec] of Object.entries(parsed.groups)) {
    for (const alias of spec.models) {
      if (!parsed.models[alias]) {
        throw new Error(`group ${group} names unknown model alias ${alias}`);
      }
    }
  }
  return { ...parsed, guardrailId, guardrailVersion, quotaTableName };
}
