import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GATEWAY_CONFIG_FILE_NAME, GATEWAY_ENV, type GatewayStaticConfig, KNOWLEDGE_BASE_ID, staticConfigSchema } from '../shared/gateway-contract';

/**
 * The gateway Lambda's configuration. The static part (model catalogue, groups, system prompt,
 * limits) is a JSON file beside the pre-built bundle, named by `GATEWAY_CONFIG_FILE` (so it is not
 * bound by Lambda's 4 KB environment limit), or inline JSON in `GATEWAY_CONFIG` (tests, local
 * runs); the values only known at deployment come from plain environment variables:
 * `GUARDRAIL_ID`, `GUARDRAIL_VERSION`, `QUOTA_TABLE_NAME`, `KNOWLEDGE_BASE_IDS`. The schema and the names live in the
 * construct-function contract (`lambda/shared/gateway-contract.ts`).
 *
 * The construct validates the file at synthesis and puts its SHA-256 in `GATEWAY_CONFIG_SHA256`: a file that matches
 * it is the one validated, so it is not validated again (building and running the schema took about 13 ms of the
 * function's cold start); a file that does not match fails the cold start. Without the digest (inline JSON, or a file
 * deployed some other way) the configuration is validated with the schema.
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
  /** Alias → the id of the knowledge base it retrieves from; exactly the aliases with `retrieval`. @default - none */
  readonly knowledgeBases?: Readonly<Record<string, string>>;
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
  const parsed = parseStaticConfig(readStaticConfig(env, codeDir), env[GATEWAY_ENV.staticConfigSha256]);
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
  const knowledgeBases = readKnowledgeBases(env[GATEWAY_ENV.knowledgeBases], parsed);
  return { ...parsed, guardrailId, guardrailVersion, quotaTableName, ...(knowledgeBases === undefined ? {} : { knowledgeBases }) };
}

/**
 * The static configuration from its text: trusted as validated when `digest` (`GATEWAY_CONFIG_SHA256`) is the text's
 * SHA-256, refused when the digest is set and differs, validated with the schema when there is none.
 */
function parseStaticConfig(text: string, digest: string | undefined): GatewayStaticConfig {
  if (digest === undefined || digest === '') return staticConfigSchema().parse(JSON.parse(text));
  const actual = createHash('sha256').update(text, 'utf8').digest('hex');
  if (actual !== digest) {
    throw new Error(
      `the static configuration does not match ${GATEWAY_ENV.staticConfigSha256} (SHA-256 ${actual}, expected ${digest}): it was changed after the construct validated it; deploy it through the construct again`,
    );
  }
  return JSON.parse(text) as GatewayStaticConfig;
}

/** `KNOWLEDGE_BASE_IDS`, checked against the aliases the static configuration binds: one well-formed id each, no other. */
function readKnowledgeBases(text: string | undefined, config: GatewayStaticConfig): Record<string, string> | undefined {
  const bound = Object.entries(config.models).filter(([, m]) => m.retrieval !== undefined).map(([alias]) => alias);
  if (!text) {
    if (bound.length > 0) throw new Error(`${GATEWAY_ENV.knowledgeBases} is not set while ${bound.join(', ')} retrieve from a knowledge base`);
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${GATEWAY_ENV.knowledgeBases} must be a JSON object of alias to knowledge-base id`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${GATEWAY_ENV.knowledgeBases} must be a JSON object of alias to knowledge-base id`);
  }
  const ids = parsed as Record<string, unknown>;
  for (const alias of Object.keys(ids)) {
    if (!bound.includes(alias)) throw new Error(`${GATEWAY_ENV.knowledgeBases} names ${alias}, which has no retrieval settings`);
  }
  for (const alias of bound) {
    const id = ids[alias];
    if (typeof id !== 'string' || !KNOWLEDGE_BASE_ID.test(id)) {
      throw new Error(`${GATEWAY_ENV.knowledgeBases} must give ${alias} a knowledge-base id of 10 uppercase letters or digits, got ${JSON.stringify(id)}`);
    }
  }
  return ids as Record<string, string>;
}
