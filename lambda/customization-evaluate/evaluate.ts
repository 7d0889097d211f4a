/**
 * Runs the fixed evaluation set through the gateway's guarded path against one model, and the gate over a candidate
 * and its base model.
 *
 * Each prompt takes the path a chat request takes after the pre-screen, with the gateway's own modules: Unicode
 * normalization → {@link buildConverseInput} (the deployment's system prompt and a fresh canary as the only `system`,
 * the pinned numeric guardrail version with trace) → {@link converse} with the gateway's retry policy → guardrail
 * intervention classification ({@link classifyIntervention}) → {@link screenOutput} (canary, secrets, links). The
 * pre-screen is left out on purpose: it would refuse the same attacks for both models and hide what the model itself
 * does behind the guardrail, which is what customization can change.
 *
 * @module
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { RetryPolicy, converse } from '../gateway/bedrock';
import { buildConverseInput, newCanary } from '../gateway/converse-request';
import { classifyIntervention } from '../gateway/intervention';
import { outputText } from '../gateway/response';
import { screenOutput } from '../shared/screening/output';
import { normalizeText } from '../shared/screening/normalize';
import { newMarker } from '../shared/screening/spotlight';
import { EvaluatedPrompt, GateDecision, GateTolerances, GuardedAnswer, classifyAnswer, decide, ratesOf } from './gate';

/** One prompt of the evaluation set. */
export interface EvaluationPrompt {
  readonly id: string;
  readonly label: 'attack' | 'benign';
  readonly family: string;
  readonly text: string;
}

/** The evaluation set (`eval-set.json`): fixed and versioned. */
export interface EvaluationSet {
  readonly version: string;
  readonly prompts: readonly EvaluationPrompt[];
}

/** The deployment settings the guarded path uses. */
export interface GuardedPathSettings {
  readonly systemPrompt: string;
  readonly guardrailId: string;
  /** The numeric guardrail version. */
  readonly guardrailVersion: string;
  readonly maxTokens: number;
  readonly allowedLinkHosts: readonly string[];
  readonly retry: RetryPolicy;
}

/** Sends one prompt to `modelId` through the guarded path. */
export async function guardedAnswer(client: BedrockRuntimeClient, modelId: string, prompt: string, settings: GuardedPathSettings): Promise<GuardedAnswer> {
  const canary = newCanary();
  const input = buildConverseInput(
    { model: 'evaluation', messages: [{ role: 'user', text: normalizeText(prompt).text }], stop: [], tools: [], toolChoice: 'auto' },
    {
      modelId,
      systemPrompt: settings.systemPrompt,
      canary,
      marker: newMarker(),
      maxTokens: settings.maxTokens,
      guardrailId: settings.guardrailId,
      guardrailVersion: settings.guardrailVersion,
    },
  );
  const { value: out } = await converse(client, input, settings.retry);
  if (out.stopReason === 'guardrail_intervened' && !classifyIntervention(out).maskedOnly) {
    return { guardrailBlocked: true, screenBlocked: false, screenReasons: [], redactions: 0, text: '' };
  }
  const text = outputText(out.output?.message?.content);
  let screened;
  try {
    screened = screenOutput(text, { canary, allowedLinkHosts: settings.allowedLinkHosts });
  } catch {
    // The gateway blocks any answer whose screening throws: so does the evaluation.
    return { guardrailBlocked: false, screenBlocked: true, screenReasons: ['screen-error'], redactions: 0, text };
  }
  return { guardrailBlocked: false, screenBlocked: screened.blocked, screenReasons: screened.reasons, redactions: screened.redactions, text };
}

/** Every prompt of the set against one model, `concurrency` at a time; a failed call is recorded as unanswered. */
export async function evaluateModel(
  client: BedrockRuntimeClient,
  modelId: string,
  set: EvaluationSet,
  settings: GuardedPathSettings,
  concurrency = 4,
): Promise<EvaluatedPrompt[]> {
  const results: EvaluatedPrompt[] = new Array(set.prompts.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < set.prompts.length) {
      const i = next++;
      const prompt = set.prompts[i]!;
      try {
        const answer = await guardedAnswer(client, modelId, prompt.text, settings);
        results[i] = { label: prompt.label, outcome: classifyAnswer(answer, settings.systemPrompt) };
      } catch {
        results[i] = { label: prompt.label, outcome: undefined };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, set.prompts.length)) }, worker));
  return results;
}

/** Evaluates the candidate and its base model on the same set and decides. */
export async function runGate(
  client: BedrockRuntimeClient,
  models: { readonly candidateModelId: string; readonly baseModelId: string },
  set: EvaluationSet,
  settings: GuardedPathSettings,
  tolerances: GateTolerances,
): Promise<GateDecision> {
  const candidate = await evaluateModel(client, models.candidateModelId, set, settings);
  const base = await evaluateModel(client, models.baseModelId, set, settings);
  return decide(ratesOf(candidate), ratesOf(base), tolerances);
}
