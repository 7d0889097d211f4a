import { type GatewayStaticConfig, staticConfigSchema } from '../shared/gateway-contract';

/**
 * The gateway Lambda's configuration. The static part (model catalogue, groups, system prompt,
 * limits) is compiled into the bundle as `process.env.GATEWAY_CONFIG` (esbuild `define`, so it is
 * not bound by Lambda's 4 KB environment limit); the values only known at deployment come from
 * plain environment variables: `GUARDRAIL_ID`, `GUARDRAIL_VERSION`, `QUOTA_TABLE_NAME`. The schema
 * lives in the construct-function contract (`lambda/shared/gateway-contract.ts`).
 */
export { staticConfigSchema, type GatewayStaticConfig };

/** The full runtime configuration of the gateway. */
export interface GatewayRuntimeConfig extends GatewayStaticConfig {
  /** Guardrail ARN (or id) passed as `guardrailConfig.guardrailIdentifier`. */
  readonly guardrailId: string;
  /** Numeric guardrail version — never DRAFT. */
  readonly guardrailVersion: string;
  /** The usage table for quotas (required when quotas are enabled). */
  readonly quotaTableName?: string;
}

/** The environment variable that carries the static configuration (replaced at bundle time). */
export const STATIC_CONFIG_ENV = 'GATEWAY_CONFIG';

/**
 * Reads and validates the runtime configuration. Throws on anything missing or malformed: the
 * handler loads it once at cold start, so a misconfigured function fails closed on every request.
 */
export function loadRuntimeConfig(env: Record<string, string | undefined> = process.env): GatewayRuntimeConfig {
  // `process.env.GATEWAY_CONFIG` is written literally so esbuild's `define` can replace it.
  const raw = env === process.env ? process.env.GATEWAY_CONFIG : env[STATIC_CONFIG_ENV];
  if (!raw) {
    throw new Error(`${STATIC_CONFIG_ENV} is not set`);
  }
  const parsed = staticConfigSchema.parse(JSON.parse(raw));
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
