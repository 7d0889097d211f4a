/**
 * The safety gate of the guarded customization workflow, invoked synchronously by Step Functions once a job completed
 * and the candidate is reachable (a custom-model deployment or provisioned throughput).
 *
 * Pipeline: input `{candidateModelId}` (zod) → configuration file beside the bundle (system prompt, guardrail id and
 * numeric version, base model, tolerances; read once per container) → the fixed evaluation set (`eval-set.json`,
 * versioned) through the gateway's guarded path against the candidate, then the base model ({@link runGate}) → the
 * decision with both models' rates, the set's version and SHA-256 → one audit log line (`customization.gate`: rates,
 * reasons, model ids; never a prompt or an answer). The workflow's Choice promotes only on `passed: true`.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { newBedrockClient } from '../gateway/bedrock';
import { ENV_GUARDRAIL_ID, ENV_GUARDRAIL_VERSION, EVALUATE_CONFIG_FILE_NAME, EvaluateConfig, evaluateConfigSchema, sha256Of } from '../shared/customization-contract';
import evalSet from './eval-set.json';
import { EvaluationSet, runGate } from './evaluate';
import type { GateDecision } from './gate';

const logger = new Logger({ serviceName: 'secure-llm-customization' });
const bedrock = newBedrockClient();
const EVAL_SET = evalSet as EvaluationSet;
/** Digest of the evaluation set as shipped, so an audit record names exactly which prompts decided. */
export const EVAL_SET_SHA256 = sha256Of(JSON.stringify(EVAL_SET));

type Settings = EvaluateConfig & { readonly guardrailId: string; readonly guardrailVersion: string };
let config: Settings | undefined;
function loadConfig(env: Record<string, string | undefined> = process.env, codeDir = __dirname): Settings {
  if (config !== undefined) return config;
  const guardrailId = env[ENV_GUARDRAIL_ID];
  const guardrailVersion = env[ENV_GUARDRAIL_VERSION];
  if (!guardrailId) throw new Error(`${ENV_GUARDRAIL_ID} is not set`);
  if (!guardrailVersion || !/^\d+$/.test(guardrailVersion)) throw new Error(`${ENV_GUARDRAIL_VERSION} must be a numeric published version, got ${JSON.stringify(guardrailVersion)}`);
  const file = evaluateConfigSchema.parse(JSON.parse(fs.readFileSync(path.join(codeDir, EVALUATE_CONFIG_FILE_NAME), 'utf8')));
  config = { ...file, guardrailId, guardrailVersion };
  return config;
}

const inputSchema = z.object({ candidateModelId: z.string().min(1).max(2048) });

/** The gate's result as the workflow and the audit log see it. */
export interface GateResult extends GateDecision {
  readonly candidateModelId: string;
  readonly baseModelId: string;
  readonly evalSetVersion: string;
  readonly evalSetSha256: string;
}

/** Runs the gate; see the module comment. */
export async function handler(event: unknown): Promise<GateResult> {
  const settings = loadConfig();
  const { candidateModelId } = inputSchema.parse(event);
  const decision = await runGate(
    bedrock,
    { candidateModelId, baseModelId: settings.baseModelId },
    EVAL_SET,
    { ...settings, retry: { maxAttempts: 4, timeoutMs: 60_000, baseDelayMs: 500, maxDelayMs: 8_000 } },
    settings,
  );
  const result: GateResult = { ...decision, candidateModelId, baseModelId: settings.baseModelId, evalSetVersion: EVAL_SET.version, evalSetSha256: EVAL_SET_SHA256 };
  logger.info('customization.gate', { ...result });
  return result;
}
