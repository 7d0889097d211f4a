import { Annotations, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DEFAULT_RETRIEVAL_RESULTS, KNOWLEDGE_BASE_ID, MAX_RETRIEVAL_RESULTS, type TokenPrice, usdToMicroUsd } from '../../lambda/shared/gateway-contract';
import { CUSTOM_MODEL_DEPLOYMENT_ARN, MODEL_PRICES_READ_ON, modelIdProblem, modelListPrice } from './model-catalog';

/** What a model alias serves. */
export enum ModelKind {
  /** Text generation through `POST /v1/chat/completions` (Converse), always with the guardrail. */
  CHAT = 'chat',
  /**
   * Embeddings through `POST /v1/embeddings` (InvokeModel). Bedrock applies no guardrail to embedding models, so IAM
   * allows these model ARNs without the guardrail condition, and only these.
   */
  EMBEDDING = 'embedding',
}

/** The embedding models the gateway can call (their request format is Titan Text Embeddings V2's). */
export const EMBEDDING_MODEL_IDS: readonly string[] = ['amazon.titan-embed-text-v2:0'];

/** A model clients may call, by alias. */
export interface GatewayModel {
  /** The name clients use in `model` (1-64 lowercase letters, digits, `.`, `_` or `-`), e.g. `nova-lite`. */
  readonly alias: string;
  /** The Bedrock foundation-model id, e.g. `amazon.nova-lite-v1:0`. */
  readonly modelId: string;
  /**
   * A cross-region inference profile to call instead of the model, e.g. `us.amazon.nova-lite-v1:0`.
   * Its id must end with `modelId`.
   * @default - the model is called directly in the stack's region
   */
  readonly inferenceProfileId?: string;
  /**
   * Every region the inference profile may route to. IAM must allow the foundation model in each
   * of them, so a region missing here makes calls fail there.
   * @default - none; required with `inferenceProfileId`
   */
  readonly inferenceProfileRegions?: string[];
  /**
   * An on-demand deployment of a custom model (fine-tuned from `modelId`) that the alias calls instead of the
   * foundation model: `arn:<partition>:bedrock:<region>:<account>:custom-model-deployment/<12 characters>`, in the
   * stack's account and region, e.g. one the customization workflow's safety gate promoted. Converse takes the ARN as
   * `modelId`; IAM allows `bedrock:InvokeModel` on exactly this ARN, only with the guardrail and only while the
   * deployment carries the tag `secure-llm:gate` = `passed`. Chat aliases only, without an inference profile; it has
   * no default price.
   * @default - the alias calls the foundation model (or its inference profile)
   */
  readonly customModelDeploymentArn?: string;
  /** The hard cap of output tokens per request for this model (not used by embedding models). */
  readonly maxOutputTokens: number;
  /**
   * What the alias serves: chat (text generation) or embeddings.
   * @default ModelKind.CHAT
   */
  readonly kind?: ModelKind;
  /**
   * Accept a `modelId` that the installed aws-cdk-lib does not list in
   * `aws_bedrock.FoundationModelIdentifier` (and an inference-profile prefix outside
   * `INFERENCE_PROFILE_PREFIXES`), for a model newer than the library. Synthesis then warns
   * instead of failing; a misspelt id fails only at the first call.
   * @default false - an unlisted id fails synthesis, naming the nearest known ids
   */
  readonly allowUnlistedModelId?: boolean;
  /**
   * The price spend budgets charge for an input token, in USD per million tokens (at most 6 decimals). Set it with
   * `outputUsdPerMillionTokens`, or leave both out.
   * @default - the published on-demand list price of `modelId` from `model-prices.json` (us-east-1, dated); none
   *   for a model that file does not list, which then cannot be used under a spend budget
   */
  readonly inputUsdPerMillionTokens?: number;
  /**
   * The price of an output token, in USD per million tokens (at most 6 decimals).
   * @default - the list price of `modelId` from `model-prices.json`, as for `inputUsdPerMillionTokens`
   */
  readonly outputUsdPerMillionTokens?: number;
  /**
   * An Amazon Bedrock knowledge base in the stack's account and region that this chat alias answers from: each
   * question retrieves (`bedrock:Retrieve`, allowed on this knowledge base only) chunks whose `tenant` metadata equals
   * the caller's team, which the model receives as spotlighted grounding sources, and the answer carries citations.
   * A literal id or a deploy-time token (a knowledge base's `attrKnowledgeBaseId`).
   * @default - no retrieval
   */
  readonly knowledgeBaseId?: string;
  /**
   * Chunks retrieved per question (1-20), with `knowledgeBaseId`.
   * @default 5
   */
  readonly retrievalResults?: number;
  /**
   * The lowest relevance score (0-1) of a retrieved chunk that is used, with `knowledgeBaseId`.
   * @default - every retrieved chunk is used
   */
  readonly retrievalMinScore?: number;
}

/** A caller group (a Cognito group) and what its members may use. */
export interface GatewayGroup {
  /** The Cognito group name. */
  readonly name: string;
  /** The model aliases members may call. */
  readonly models: string[];
  /** Tokens (input + output) each member may use per UTC day. */
  readonly dailyTokenQuota: number;
  /** The output-token cap per request for members (the model's cap still applies). */
  readonly maxOutputTokens: number;
  /**
   * The USD each member may spend per UTC day (at most 6 decimals). A caller in several groups gets the largest
   * budget of those that allow the model; if one of them sets none, the caller has none.
   * @default - no daily spend limit
   */
  readonly dailyBudgetUsd?: number;
  /**
   * The USD each member may spend per calendar month (UTC), as `dailyBudgetUsd`.
   * @default - no monthly spend limit
   */
  readonly monthlyBudgetUsd?: number;
}

/** A team (the `team` of the authorizer context) and the spend limits its members and keys share. */
export interface GatewayTeam {
  /** The team's name, as keys and users carry it (1-128 characters). */
  readonly name: string;
  /**
   * The USD the whole team may spend per UTC day (at most 6 decimals).
   * @default - no daily team limit
   */
  readonly dailyBudgetUsd?: number;
  /**
   * The USD the whole team may spend per calendar month (UTC).
   * @default - no monthly team limit
   */
  readonly monthlyBudgetUsd?: number;
}

const ALIAS = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const MODEL_ID = /^[a-z0-9-]+\.[a-zA-Z0-9.:_-]+$/;
const PROFILE_ID = /^[a-z]+(-[a-z]+)?\.[a-z0-9-]+\.[a-zA-Z0-9.:_-]+$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

/** The ARN of knowledge base `knowledgeBaseId` in the stack's account and region. */
export function knowledgeBaseArn(stack: Stack, knowledgeBaseId: string): string {
  return `arn:${stack.partition}:bedrock:${stack.region}:${stack.account}:knowledge-base/${knowledgeBaseId}`;
}

/** The id passed to Converse as `modelId`: the custom-model deployment, else the inference profile, else the model. */
export function invokeTarget(model: GatewayModel): string {
  return model.customModelDeploymentArn ?? model.inferenceProfileId ?? model.modelId;
}

/**
 * The ARNs `bedrock:InvokeModel` must be allowed on to call `model`: the foundation model in the
 * stack's region for a direct call; for an inference profile, the profile in the stack's region and
 * the foundation model in every region the profile routes to; for a custom-model deployment, the deployment
 * (InvokeModel's resource type `custom-model-deployment` in the Service Authorization Reference; the custom model
 * behind it is not a resource type of InvokeModel).
 */
export function modelResourceArns(stack: Stack, model: GatewayModel): string[] {
  if (model.customModelDeploymentArn !== undefined) {
    return [model.customModelDeploymentArn];
  }
  const foundationModel = (region: string): string =>
    `arn:${stack.partition}:bedrock:${region}::foundation-model/${model.modelId}`;
  if (!model.inferenceProfileId) {
    return [foundationModel(stack.region)];
  }
  return [
    `arn:${stack.partition}:bedrock:${stack.region}:${stack.account}:inference-profile/${model.inferenceProfileId}`,
    ...[...new Set(model.inferenceProfileRegions ?? [])].map(foundationModel),
  ];
}

function positiveInteger(name: string, value: number, fix: string): void {
  if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < 1)) {
    throw new Error(`${name} must be a whole number of at least 1, got ${value}; ${fix}`);
  }
}

/**
 * Validates the model catalogue: unique, well-formed aliases; model ids aws-cdk-lib knows (or
 * explicitly allowed, with a warning on `scope`); inference profiles and their regions.
 */
export function validateModels(models: GatewayModel[], scope?: IConstruct): void {
  if (models.length === 0) {
    throw new Error('models must name at least one model, got []; e.g. [{ alias: "nova-lite", modelId: "amazon.nova-lite-v1:0", maxOutputTokens: 4096 }]');
  }
  const seen = new Set<string>();
  models.forEach((m, i) => {
    const at = `models[${i}]`;
    if (!ALIAS.test(m.alias)) {
      throw new Error(`${at}.alias must be 1-64 lowercase letters, digits, ".", "_" or "-" starting with a letter or digit, got "${m.alias}"`);
    }
    if (seen.has(m.alias)) {
      throw new Error(`${at}.alias "${m.alias}" is defined twice; give each model a distinct alias`);
    }
    seen.add(m.alias);
    if (!MODEL_ID.test(m.modelId)) {
      throw new Error(`${at}.modelId must be a Bedrock foundation-model id such as "amazon.nova-lite-v1:0", got "${m.modelId}"`);
    }
    positiveInteger(`${at}.maxOutputTokens`, m.maxOutputTokens, 'e.g. 4096');
    const embedding = m.kind === ModelKind.EMBEDDING;
    if (embedding !== EMBEDDING_MODEL_IDS.includes(m.modelId)) {
      throw new Error(
        embedding
          ? `${at}.modelId of embedding alias "${m.alias}" must be one of ${EMBEDDING_MODEL_IDS.join(', ')}, got "${m.modelId}"`
          : `${at}.modelId "${m.modelId}" is an embedding model; set ${at}.kind to ModelKind.EMBEDDING (it is served by POST /v1/embeddings, without the guardrail)`,
      );
    }
    validateRetrieval(m, at, embedding);
    if (m.customModelDeploymentArn !== undefined) {
      validateDeployment(m, at, embedding, scope);
    }
    if (embedding && (m.inferenceProfileId !== undefined || m.inferenceProfileRegions !== undefined)) {
      throw new Error(`${at} is an embedding model called in the stack's region, got inferenceProfileId "${m.inferenceProfileId ?? ''}"; drop the inference profile`);
    }
    if (m.inferenceProfileId === undefined) {
      if (m.inferenceProfileRegions !== undefined) {
        throw new Error(
          `${at}.inferenceProfileRegions only applies with inferenceProfileId, got regions [${m.inferenceProfileRegions.join(', ')}] and no profile; add inferenceProfileId or drop the regions`,
        );
      }
      checkListed(m, at, scope);
      return;
    }
    if (!PROFILE_ID.test(m.inferenceProfileId) || !m.inferenceProfileId.endsWith(`.${m.modelId}`)) {
      throw new Error(
        `${at}.inferenceProfileId must be an inference-profile id ending with modelId "${m.modelId}" (e.g. "us.${m.modelId}"), got "${m.inferenceProfileId}"`,
      );
    }
    const regions = m.inferenceProfileRegions ?? [];
    if (regions.length === 0) {
      throw new Error(
        `${at}.inferenceProfileRegions must list every region profile "${m.inferenceProfileId}" routes to, got []; e.g. ["us-east-1", "us-east-2", "us-west-2"]`,
      );
    }
    const bad = regions.find((r) => !REGION.test(r));
    if (bad !== undefined) {
      throw new Error(`${at}.inferenceProfileRegions must hold region names such as "us-east-1", got "${bad}"`);
    }
    checkListed(m, at, scope);
  });
}

/**
 * Checks an alias's custom-model deployment: a chat alias without an inference profile, an ARN of the deployment's
 * form, in the stack's account and region when the stack pins them.
 */
function validateDeployment(m: GatewayModel, at: string, embedding: boolean, scope: IConstruct | undefined): void {
  const arn = m.customModelDeploymentArn!;
  if (embedding) {
    throw new Error(`${at}.customModelDeploymentArn names a deployment for embedding alias "${m.alias}", got "${arn}"; a custom-model deployment serves chat: drop kind or the deployment`);
  }
  if (m.inferenceProfileId !== undefined || m.inferenceProfileRegions !== undefined) {
    throw new Error(
      `${at}.customModelDeploymentArn is called in its own region, got it with inferenceProfileId "${m.inferenceProfileId ?? ''}"; drop the inference profile (and its regions)`,
    );
  }
  if (Token.isUnresolved(arn)) {
    return;
  }
  const match = CUSTOM_MODEL_DEPLOYMENT_ARN.exec(arn);
  if (!match) {
    throw new Error(
      `${at}.customModelDeploymentArn must be a custom-model deployment ARN such as "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/a1b2c3d4e5f6" ` +
        `(aws bedrock list-custom-model-deployments), got "${arn}"`,
    );
  }
  const stack = scope ? Stack.of(scope) : undefined;
  for (const [what, value, index] of [['region', stack?.region, 2], ['account', stack?.account, 3]] as const) {
    if (value !== undefined && !Token.isUnresolved(value) && match[index] !== value) {
      throw new Error(
        `${at}.customModelDeploymentArn must be a deployment in the stack's ${what} ${value}, got "${arn}" (${what} ${match[index]}); ` +
          `deploy the custom model in ${value}, or deploy the gateway where the deployment is`,
      );
    }
  }
}

/** Checks an alias's knowledge-base binding: a chat alias, a well-formed id, results and score in range. */
function validateRetrieval(m: GatewayModel, at: string, embedding: boolean): void {
  if (m.knowledgeBaseId === undefined) {
    const stray = m.retrievalResults !== undefined ? 'retrievalResults' : m.retrievalMinScore !== undefined ? 'retrievalMinScore' : undefined;
    if (stray !== undefined) {
      throw new Error(`${at}.${stray} only applies with knowledgeBaseId, got ${String(m[stray])} and no knowledge base; add knowledgeBaseId or drop it`);
    }
    return;
  }
  if (embedding) {
    throw new Error(
      `${at}.knowledgeBaseId binds embedding alias "${m.alias}" to knowledge base ${m.knowledgeBaseId}, but only a chat alias can retrieve; bind a chat alias or drop knowledgeBaseId`,
    );
  }
  if (!Token.isUnresolved(m.knowledgeBaseId) && !KNOWLEDGE_BASE_ID.test(m.knowledgeBaseId)) {
    throw new Error(`${at}.knowledgeBaseId must be a knowledge-base id of 10 uppercase letters or digits (e.g. "ABCDE12345"), got "${m.knowledgeBaseId}"`);
  }
  const results = m.retrievalResults ?? DEFAULT_RETRIEVAL_RESULTS;
  if (!Token.isUnresolved(results) && (!Number.isInteger(results) || results < 1 || results > MAX_RETRIEVAL_RESULTS)) {
    throw new Error(`${at}.retrievalResults must be a whole number between 1 and ${MAX_RETRIEVAL_RESULTS}, got ${results}`);
  }
  const score = m.retrievalMinScore;
  if (score !== undefined && !Token.isUnresolved(score) && !(score >= 0 && score <= 1)) {
    throw new Error(`${at}.retrievalMinScore must be between 0 and 1, got ${score}`);
  }
}

/** Fails on a model id (or profile prefix) aws-cdk-lib does not list, unless the model allows it: then warns on `scope`. */
function checkListed(m: GatewayModel, at: string, scope: IConstruct | undefined): void {
  const unlisted = modelIdProblem(m, `${at}.allowUnlistedModelId`);
  if (unlisted === undefined) {
    return;
  }
  if (!m.allowUnlistedModelId) {
    throw new Error(`${at}.${unlisted.field} of alias "${m.alias}" ${unlisted.message}, got "${m[unlisted.field]}"`);
  }
  if (scope) {
    Annotations.of(scope).addWarningV2(
      `secure-llm-blueprint:unlistedModelId:${m.alias}`,
      `model alias "${m.alias}" calls ${invokeTarget(m)}, which the installed aws-cdk-lib does not list; ` +
        'allowUnlistedModelId accepts it, so a misspelt id would only fail at the first call',
    );
  }
}

/** Validates the caller groups against the model catalogue. */
export function validateGroups(groups: GatewayGroup[], models: GatewayModel[]): void {
  if (groups.length === 0) {
    throw new Error('groups must name at least one caller group, got []; e.g. [{ name: "users", models: ["nova-lite"], dailyTokenQuota: 200000, maxOutputTokens: 2048 }]');
  }
  const aliases = new Set(models.map((m) => m.alias));
  const seen = new Set<string>();
  groups.forEach((g, i) => {
    const at = `groups[${i}]`;
    if (!GROUP_NAME.test(g.name)) {
      throw new Error(`${at}.name must be a Cognito group name (1-128 letters, digits, punctuation or symbols, no spaces), got "${g.name}"`);
    }
    if (seen.has(g.name)) {
      throw new Error(`${at}.name "${g.name}" is defined twice; merge the two groups`);
    }
    seen.add(g.name);
    if (g.models.length === 0) {
      throw new Error(`${at}.models must name at least one model alias, got []; pick from ${[...aliases].join(', ')}`);
    }
    const unknown = g.models.find((a) => !aliases.has(a));
    if (unknown !== undefined) {
      throw new Error(`${at}.models names the unknown model alias "${unknown}"; define it in models or use one of ${[...aliases].join(', ')}`);
    }
    positiveInteger(`${at}.dailyTokenQuota`, g.dailyTokenQuota, 'e.g. 200000');
    positiveInteger(`${at}.maxOutputTokens`, g.maxOutputTokens, 'e.g. 2048');
  });
}

/**
 * The price of `model` in µUSD per million tokens: both prices given, or the list price of its model id, or
 * undefined. Fails when only one price is given or a price is not a non-negative amount of at most 6 decimals.
 */
export function modelPrice(model: GatewayModel, at: string): TokenPrice | undefined {
  const given = [model.inputUsdPerMillionTokens, model.outputUsdPerMillionTokens];
  if (given.every((p) => p === undefined)) {
    // A custom model's on-demand price is not the base model's list price: no default.
    const list = model.customModelDeploymentArn === undefined ? modelListPrice(model.modelId) : undefined;
    return list === undefined
      ? undefined
      : { inputMicroUsdPerMillionTokens: usdToMicroUsd(list.inputUsdPerMillionTokens)!, outputMicroUsdPerMillionTokens: usdToMicroUsd(list.outputUsdPerMillionTokens)! };
  }
  if (given.some((p) => p === undefined)) {
    throw new Error(
      `${at} sets only one of inputUsdPerMillionTokens and outputUsdPerMillionTokens, got ${given[0] ?? 'none'} and ${given[1] ?? 'none'}; set both (USD per million tokens)`,
    );
  }
  return { inputMicroUsdPerMillionTokens: usd(`${at}.inputUsdPerMillionTokens`, given[0]!, true), outputMicroUsdPerMillionTokens: usd(`${at}.outputUsdPerMillionTokens`, given[1]!, true) };
}

/**
 * A USD amount in µUSD; fails unless it is a non-negative (or, for a budget, positive) number of at most 6 decimals.
 * @internal
 */
export function usd(name: string, value: number, zeroAllowed = false): number {
  if (Token.isUnresolved(value)) throw new Error(`${name} must be known at synthesis (it is written into the function's configuration), got a token`);
  const micro = usdToMicroUsd(value);
  if (micro === undefined || (!zeroAllowed && micro === 0)) {
    throw new Error(`${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} USD amount with at most 6 decimals, got ${value}; e.g. 25 or 0.5`);
  }
  return micro;
}

/**
 * Validates teams and budgets: unique team names, amounts in USD, and a price for every model when any group or team
 * has a budget (an unpriced model would be spent on unmetered). Budgets need the usage table (`quotasEnabled`).
 */
export function validateBudgets(models: GatewayModel[], groups: GatewayGroup[], teams: GatewayTeam[], quotasEnabled: boolean): void {
  const seen = new Set<string>();
  teams.forEach((t, i) => {
    if (typeof t.name !== 'string' || t.name.length === 0 || t.name.length > 128) {
      throw new Error(`teams[${i}].name must be 1-128 characters, got ${JSON.stringify(t.name)}`);
    }
    if (seen.has(t.name)) throw new Error(`teams[${i}].name "${t.name}" is defined twice; merge the two teams`);
    seen.add(t.name);
  });
  const budgets: string[] = [];
  const check = (at: string, daily: number | undefined, monthly: number | undefined) => {
    for (const [name, value] of [['dailyBudgetUsd', daily], ['monthlyBudgetUsd', monthly]] as const) {
      if (value === undefined) continue;
      usd(`${at}.${name}`, value);
      budgets.push(`${at}.${name}`);
    }
  };
  groups.forEach((g, i) => check(`groups[${i}]`, g.dailyBudgetUsd, g.monthlyBudgetUsd));
  teams.forEach((t, i) => check(`teams[${i}]`, t.dailyBudgetUsd, t.monthlyBudgetUsd));
  const prices = models.map((m, i) => modelPrice(m, `models[${i}]`));
  if (budgets.length === 0) return;
  if (!quotasEnabled) {
    throw new Error(`${budgets[0]} sets a spend budget, which needs the usage table, got quotasEnabled: false; enable quotas or drop the budgets`);
  }
  const unpriced = models.findIndex((_, i) => prices[i] === undefined);
  if (unpriced >= 0) {
    const m = models[unpriced]!;
    throw new Error(
      `models[${unpriced}] ("${m.alias}", ${invokeTarget(m)}) has no price, and ${budgets[0]} sets a spend budget: the gateway cannot charge it. ` +
        `Set its inputUsdPerMillionTokens and outputUsdPerMillionTokens from the Amazon Bedrock pricing page ` +
        (m.customModelDeploymentArn === undefined
          ? `(model-prices.json, read ${MODEL_PRICES_READ_ON}, does not list it)`
          : '(a custom-model deployment has no default price: use the on-demand price of custom model inference)'),
    );
  }
}
