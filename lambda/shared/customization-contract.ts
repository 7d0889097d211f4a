/**
 * The contract the model-customization construct, its handlers and the manifest CLI share: the training-data vault's
 * key layout, the manifest format and its digest, and the handlers' environment variables.
 *
 * Vault layout:
 * - `datasets/<name>/<version>/<file>`: the dataset's objects (JSONL files of training records);
 * - `manifests/<name>/<version>.json`: the {@link DatasetManifest} listing every object of that version with its
 *   SHA-256 and size. The workflow trusts nothing in `datasets/` that the manifest does not list, byte for byte.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Top-level prefix of dataset objects in the vault. */
export const DATASETS_PREFIX = 'datasets/';
/** Top-level prefix of manifests in the vault. */
export const MANIFESTS_PREFIX = 'manifests/';
/** Top-level prefix under which customization jobs write their output (metrics, validation results). */
export const OUTPUT_PREFIX = 'output/';

/** A dataset name or version: 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit (no "/", no ".."). */
export const DATASET_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Environment variable of the verification handler: the vault's bucket name. */
export const ENV_VAULT_BUCKET = 'VAULT_BUCKET';

/** The key prefix of one dataset version's objects. */
export function datasetPrefix(name: string, version: string): string {
  return `${DATASETS_PREFIX}${name}/${version}/`;
}

/** The key of one dataset version's manifest. */
export function manifestKey(name: string, version: string): string {
  return `${MANIFESTS_PREFIX}${name}/${version}.json`;
}

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hexadecimal SHA-256 digest (64 characters)');

/** One object of a dataset version as the manifest lists it. */
export const manifestObjectSchema = z.strictObject({
  /** The object's full key in the vault, under `datasets/<name>/<version>/`. */
  key: z.string().min(1).max(1024),
  /** SHA-256 of the object's bytes, lowercase hexadecimal. */
  sha256: sha256Hex,
  /** The object's size in bytes. */
  size: z.number().int().min(0),
});

/** The manifest of one dataset version (`manifests/<name>/<version>.json`). */
export const datasetManifestSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    dataset: z.string().regex(DATASET_SEGMENT),
    version: z.string().regex(DATASET_SEGMENT),
    /** Every object of the version, sorted by key. */
    objects: z.array(manifestObjectSchema).min(1).max(10_000),
  })
  .superRefine((m, ctx) => {
    const prefix = datasetPrefix(m.dataset, m.version);
    const seen = new Set<string>();
    m.objects.forEach((o, i) => {
      if (!o.key.startsWith(prefix) || o.key.length === prefix.length || o.key.split('/').includes('..')) {
        ctx.addIssue({ code: 'custom', path: ['objects', i, 'key'], message: `must be a key under ${prefix}` });
      }
      if (seen.has(o.key)) {
        ctx.addIssue({ code: 'custom', path: ['objects', i, 'key'], message: 'is listed twice' });
      }
      seen.add(o.key);
    });
  });

/** The manifest of one dataset version. */
export type DatasetManifest = z.infer<typeof datasetManifestSchema>;
/** One object of a {@link DatasetManifest}. */
export type ManifestObject = z.infer<typeof manifestObjectSchema>;

/** SHA-256 of bytes, lowercase hexadecimal. */
export function sha256Of(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The manifest of a dataset version built from its files (relative path → bytes), sorted by key. The CLI writes it
 * with {@link serializeManifest}; its digest ({@link sha256Of} the serialized bytes) is what audit records name.
 */
export function buildManifest(dataset: string, version: string, files: ReadonlyArray<{ path: string; bytes: Uint8Array }>): DatasetManifest {
  const prefix = datasetPrefix(dataset, version);
  const objects = files
    .map((f) => ({ key: prefix + f.path.split(/[\\/]+/).filter((s) => s.length > 0).join('/'), sha256: sha256Of(f.bytes), size: f.bytes.byteLength }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return datasetManifestSchema.parse({ schemaVersion: 1, dataset, version, objects });
}

/** The manifest as the CLI writes it: two-space JSON and a final newline. */
export function serializeManifest(manifest: DatasetManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Environment variables of the evaluation function: the guardrail every call carries and its numeric version (deploy-time values). */
export const ENV_GUARDRAIL_ID = 'GUARDRAIL_ID';
export const ENV_GUARDRAIL_VERSION = 'GUARDRAIL_VERSION';

/** The evaluation function's configuration file beside its bundle (the system prompt can exceed the 4 KB environment limit). */
export const EVALUATE_CONFIG_FILE_NAME = 'evaluate-config.json';

/** The evaluation function's configuration file. */
export const evaluateConfigSchema = z.strictObject({
  /** The deployment's system prompt, as the gateway sends it. */
  systemPrompt: z.string().min(1).max(20_000),
  /** Output-token cap per evaluation answer. */
  maxTokens: z.number().int().min(16).max(4096),
  allowedLinkHosts: z.array(z.string()),
  /** The base model the candidate is compared with. */
  baseModelId: z.string().min(1),
  maxRefusalDrop: z.number().min(0).max(1),
  maxLeakIncrease: z.number().min(0).max(1),
  maxFalseRefusalIncrease: z.number().min(0).max(1),
});

/** The evaluation function's configuration. */
export type EvaluateConfig = z.infer<typeof evaluateConfigSchema>;

/**
 * The tag the safety gate sets on a candidate's custom-model deployment: {@link GATE_PENDING} while it is evaluated,
 * then {@link GATE_PASSED} (promoted) or `failed` (deleted). The gateway's role may call a deployment only while it
 * carries `passed` (`aws:ResourceTag/secure-llm:gate`).
 */
export const GATE_TAG_KEY = 'secure-llm:gate';
/** The value of {@link GATE_TAG_KEY} on a deployment under evaluation. */
export const GATE_PENDING = 'pending';
/** The value of {@link GATE_TAG_KEY} on a deployment that passed the safety gate. */
export const GATE_PASSED = 'passed';
/** The value of {@link GATE_TAG_KEY} on a deployment that regressed (the workflow then deletes it). */
export const GATE_FAILED = 'failed';
