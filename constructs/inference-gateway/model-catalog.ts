import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import modelCapabilitiesJson from './model-capabilities.json';
import modelPricesJson from './model-prices.json';

/**
 * The prefixes of Amazon Bedrock's system-defined (cross-region) inference profiles: a profile id
 * is `<prefix>.<model id>`, e.g. `us.amazon.nova-lite-v1:0` or `global.anthropic.claude-…`.
 * The geographies of `@aws-cdk/aws-bedrock-alpha`'s `CrossRegionInferenceProfileRegion`.
 */
export const INFERENCE_PROFILE_PREFIXES: readonly string[] = ['us', 'us-gov', 'eu', 'apac', 'jp', 'au', 'global'];

/**
 * The ARN of an on-demand custom-model deployment, as CreateCustomModelDeployment returns it (Amazon Bedrock API
 * Reference, `CustomModelDeploymentSummary.customModelDeploymentArn`): groups 1-3 are partition, region and account.
 */
export const CUSTOM_MODEL_DEPLOYMENT_ARN = /^arn:(aws(?:-[a-z]+)*):bedrock:([a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d):(\d{12}):custom-model-deployment\/[a-z0-9]{12}$/;

let catalog: readonly string[] | undefined;

/**
 * Every foundation-model id the installed aws-cdk-lib ships as a static
 * `aws_bedrock.FoundationModelIdentifier`, read from the library at run time: a newer aws-cdk-lib
 * brings its newer models with it.
 */
export function knownFoundationModelIds(): readonly string[] {
  if (!catalog) {
    const F = bedrock.FoundationModelIdentifier as unknown as Record<string, unknown>;
    const ids = new Set<string>();
    for (const name of Object.getOwnPropertyNames(F)) {
      const value = Object.getOwnPropertyDescriptor(F, name)?.value ?? readStatic(F, name);
      if (value instanceof bedrock.FoundationModelIdentifier) {
        ids.add(value.modelId);
      }
    }
    catalog = [...ids].sort();
  }
  return catalog;
}

function readStatic(owner: Record<string, unknown>, name: string): unknown {
  try {
    return owner[name];
  } catch {
    return undefined;
  }
}

/** Whether aws-cdk-lib knows `modelId` as a foundation model. */
export function isKnownFoundationModelId(modelId: string): boolean {
  return knownFoundationModelIds().includes(modelId);
}

/** The `count` known foundation-model ids nearest to `modelId` by edit distance, nearest first. */
export function nearestFoundationModelIds(modelId: string, count = 3): string[] {
  return knownFoundationModelIds()
    .map((id) => ({ id, distance: editDistance(modelId, id) }))
    .sort((a, b) => a.distance - b.distance || a.id.localeCompare(b.id))
    .slice(0, count)
    .map((c) => c.id);
}

/** The prefix of a system-defined inference-profile id for `modelId` (`us` for `us.<modelId>`), if it is one. */
export function inferenceProfilePrefix(profileId: string, modelId: string): string | undefined {
  return INFERENCE_PROFILE_PREFIXES.find((p) => profileId === `${p}.${modelId}`);
}

/** What is wrong with a model's id, from {@link modelIdProblem}. */
export interface ModelIdProblem {
  /** The field at fault. */
  readonly field: 'modelId' | 'inferenceProfileId';
  /** What is allowed, to follow the field's name; the caller adds the value it got. */
  readonly message: string;
}

/**
 * Why a model's `modelId` (or `inferenceProfileId`) would be refused, or undefined when it is
 * accepted: an id the installed aws-cdk-lib does not list (with the nearest ids it does), or a
 * profile id that is not `<prefix>.<modelId>` with a prefix of {@link INFERENCE_PROFILE_PREFIXES}.
 *
 * @param allowUnlistedKey how to name the escape hatch in the message, e.g. `models[0].allowUnlistedModelId`
 */
export function modelIdProblem(
  model: { readonly modelId: string; readonly inferenceProfileId?: string },
  allowUnlistedKey: string,
): ModelIdProblem | undefined {
  if (!isKnownFoundationModelId(model.modelId)) {
    return {
      field: 'modelId',
      message:
        `must be a Bedrock model id the installed aws-cdk-lib lists (aws_bedrock.FoundationModelIdentifier); ` +
        `nearest: ${nearestFoundationModelIds(model.modelId).join(', ')}; ` +
        `for a model newer than aws-cdk-lib set ${allowUnlistedKey}: true`,
    };
  }
  if (model.inferenceProfileId !== undefined && inferenceProfilePrefix(model.inferenceProfileId, model.modelId) === undefined) {
    return {
      field: 'inferenceProfileId',
      message:
        `must be "<prefix>.${model.modelId}" with a prefix among ${INFERENCE_PROFILE_PREFIXES.join(', ')} ` +
        `(e.g. "us.${model.modelId}"); for a newer geography set ${allowUnlistedKey}: true`,
    };
  }
  return undefined;
}

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from a to b. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** A model's published on-demand price, from `model-prices.json`. */
export interface ModelListPrice {
  /** USD per million input tokens. */
  readonly inputUsdPerMillionTokens: number;
  /** USD per million output tokens. */
  readonly outputUsdPerMillionTokens: number;
  /** Where the number was read. */
  readonly source: string;
  /** How it was checked (`list-page`, `secondary` or `unverified`, as in lib/cost/prices.json). */
  readonly status: string;
}

/** The date (`yyyy-mm-dd`) the default model prices were read, and their region. */
export const MODEL_PRICES_READ_ON: string = modelPricesJson.readOn;
/** The region whose list prices `model-prices.json` holds. */
export const MODEL_PRICES_REGION: string = modelPricesJson.region;

/**
 * The published on-demand list price of a foundation model (not an inference profile: pass the model id), or
 * undefined when `model-prices.json` does not know it. Prices are those of {@link MODEL_PRICES_REGION}, read on
 * {@link MODEL_PRICES_READ_ON}.
 */
export function modelListPrice(modelId: string): ModelListPrice | undefined {
  const prices: Readonly<Record<string, ModelListPrice>> = modelPricesJson.prices;
  return Object.prototype.hasOwnProperty.call(prices, modelId) ? prices[modelId] : undefined;
}

/** The foundation-model ids `model-prices.json` has a default price for. */
export function pricedModelIds(): string[] {
  return Object.keys(modelPricesJson.prices).sort();
}

/** What a model can do beyond plain text chat, from `model-capabilities.json` (model-id prefixes, dated). */
export interface ModelCapabilities {
  /** Converse `toolChoice: { tool: { name } }` forces the named tool: needed for structured output. */
  readonly forcedToolChoice: boolean;
  /** Converse `image` content blocks are accepted (vision). */
  readonly imageInput: boolean;
}

/** The date (`yyyy-mm-dd`) the capability table was read from the Bedrock documentation. */
export const MODEL_CAPABILITIES_READ_ON: string = modelCapabilitiesJson.readOn;

/**
 * The capabilities of a foundation model (pass the model id, not an inference profile), by the id prefixes of
 * `model-capabilities.json`. A model the table does not list has neither: requests that need one are refused (400).
 */
export function modelCapabilities(modelId: string): ModelCapabilities {
  const listed = (prefixes: readonly string[]) => prefixes.some((p) => modelId.startsWith(p));
  return { forcedToolChoice: listed(modelCapabilitiesJson.forcedToolChoice), imageInput: listed(modelCapabilitiesJson.imageInput) };
}
