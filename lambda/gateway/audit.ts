/**
 * One structured audit record per request (Powertools Logger) and CloudWatch metrics in EMF (Powertools Metrics).
 *
 * The record holds identifiers, decisions, counts, sizes and a SHA-256 of the prompt — never the prompt, the
 * response, tool arguments or guardrail matches (OWASP LLM02). Metrics, namespace {@link METRICS_NAMESPACE}:
 * - `Requests` (Count) and `Latency` (Milliseconds) for every request;
 * - `Blocked` (Count) when a control refused the input or the output;
 * - `InputTokens` / `OutputTokens` (Count) when the model was called;
 * - `SpendUsd` (None, in USD) when the model was called and is priced: tokens at the configured price;
 * - `BudgetAlert` (Count) when the request's settlement took a spend-budget counter past the alert fraction (once
 *   per counter and period; the audit record says which, `scope:period`).
 * All of a request's metrics go out in ONE EMF document with the dimension sets `[service]`, `[service, Model]`
 * (the alias, once known), `[service, Reason]` ({@link BlockReason}, when blocked) and `[service, Team]` (the caller's
 * team, `none` without one, once the caller is known), so each metric can be read in total, per model, per block
 * reason and per team. The team is the only caller attribute that becomes a dimension: never a user or key id (high
 * cardinality, and personal data).
 *
 * Emitting never throws into the request path.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { Console } from 'node:console';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import {
  BUDGET_ALERT_METRIC,
  type BlockReason,
  DEFAULT_METRICS_NAMESPACE,
  GATEWAY_ENV,
  SERVICE_NAME,
  SPEND_METRIC,
  TEAM_DIMENSION,
} from '../shared/gateway-contract';
import { MICRO_USD_PER_USD } from '../shared/money';

/** The CloudWatch namespace of the gateway's metrics when none is configured. */
export const METRICS_NAMESPACE = DEFAULT_METRICS_NAMESPACE;
/** The Powertools service name (logs and the `service` metric dimension) and the block reasons, from the contract. */
export { SERVICE_NAME, type BlockReason };

/** What happened to the request. */
export type Decision = 'allowed' | 'blocked' | 'rejected' | 'failed';

/** The pre-screen outcome for one message (no text). */
export interface PrescreenSignal {
  /** Index of the message in the request. */
  readonly message: number;
  readonly verdict: string;
  readonly score: number;
  readonly signals: readonly string[];
}

/** One request's audit record. Only identifiers, decisions, counts, sizes and hashes. */
/** What the audit record keeps of one retrieval. */
export interface RetrievalAudit {
  readonly knowledgeBaseId: string;
  /** The tenant the retrieval was filtered on (the caller's team). */
  readonly tenant: string;
  /** Chunks the knowledge base returned. */
  readonly retrieved: number;
  /** Chunks sent to the model as grounding sources. */
  readonly used: number;
  /** Why chunks were dropped (`tenant-mismatch`, `below-min-score`, `empty`, `screen:<signal>`) → count. */
  readonly dropped?: Readonly<Record<string, number>>;
  /** Chunks cut to the per-chunk limit. */
  readonly truncated?: number;
  /** A 16-hex-digit SHA-256 prefix of each used source's URI and chunk id, in citation order. */
  readonly sources?: readonly string[];
  /** Retrieve failed and the request was refused. */
  readonly failed?: boolean;
}

export interface AuditRecord {
  requestId: string;
  method: string;
  route: string;
  status: number;
  decision: Decision;
  /** The reason code: a {@link BlockReason}, or the error code for rejections and failures. */
  reason?: string;
  /** Set when a control refused the input or replaced the output. */
  blockReason?: BlockReason;
  /** `user`, `client` or `key`. */
  callerKind?: string;
  /** The caller's stable id: a user's `sub`, a client id or a key id (never a key). */
  callerSub?: string;
  callerGroups?: readonly string[];
  /** The caller's team (sanitized, `none` for none): the `Team` dimension of the spend and token metrics. */
  team?: string;
  alias?: string;
  modelId?: string;
  /**
   * Converse: `NONE`, `INTERVENED_INPUT`, `INTERVENED_OUTPUT`, `INTERVENED_UNKNOWN` (the trace and usage do not say
   * which side acted) or `MASKED_INPUT` / `MASKED_OUTPUT`.
   */
  guardrailAction?: string;
  /** Policies that acted, e.g. `contentPolicy:PROMPT_ATTACK:BLOCKED` (types and actions only). */
  guardrailPolicies?: readonly string[];
  /** ApplyGuardrail on tool results / tool specs / tool-call arguments: `NONE` or `GUARDRAIL_INTERVENED`. */
  applyGuardrailActions?: readonly string[];
  /** Retrieval for an alias bound to a knowledge base (`./retrieve`): counts, drop reasons, source hashes; never text. */
  retrieval?: RetrievalAudit;
  prescreen?: readonly PrescreenSignal[];
  /** Code points removed by normalization, summed over messages, per category. */
  normalizationRemovals?: Readonly<Record<string, number>>;
  /** Output screen reasons (link removed, secret redacted, ...). */
  outputScreen?: readonly string[];
  /** Links, images and bare URLs removed from the answer (a count: never the URLs). */
  outputLinksRemoved?: number;
  /** Secrets redacted from the answer. */
  outputRedactions?: number;
  /** Tool-call argument screen reasons (`secret-redacted`, `url-flagged`, `canary-leak`, ...). */
  toolArgumentScreen?: readonly string[];
  /** Secrets redacted from tool-call arguments. */
  toolArgumentRedactions?: number;
  /** URLs in tool-call arguments to hosts outside the allow-list: flagged, not removed (a count: never the URLs). */
  toolArgumentUrlsFlagged?: number;
  promptSha256?: string;
  promptChars?: number;
  messageCount?: number;
  toolCount?: number;
  /** Images in the request (decoded `data:` URLs) and their total size in bytes: never the images or their hashes. */
  imageCount?: number;
  imageBytes?: number;
  maxTokens?: number;
  reservedTokens?: number;
  /** Micro-dollars reserved on the caller's spend budgets. */
  reservedMicroUsd?: number;
  /** What the model call cost at the configured price, in micro-dollars (when the model is priced and was called). */
  spendMicroUsd?: number;
  /** Set when a spend budget (not the token quota) refused the request. */
  budgetExceeded?: boolean;
  /** Budget counters this request's settlement took past the alert fraction (`scope:period`, e.g. `team:month`). */
  budgetAlerts?: readonly string[];
  inputTokens?: number;
  outputTokens?: number;
  stopReason?: string;
  finishReason?: string;
  bedrockAttempts?: number;
  latencyMs?: number;
  /** The answer was streamed (`stream: true`). */
  stream?: boolean;
  /** Streamed answers: how the stream ended (`complete`, `blocked`, `bedrock_cut`, `bedrock_error`, `client_closed`, `failed`). */
  streamEnd?: string;
  /** Streamed answers: characters of screened text released to the client (where a block stopped the stream). */
  streamReleasedChars?: number;
  /** Streamed answers: characters of model text received from Bedrock. */
  streamReceivedChars?: number;
  /** Streamed answers: the stream carried no usage, so the whole reservation was settled. */
  streamSettledReservation?: boolean;
  /** Buffered answers: Bedrock's answer carried no countable usage (malformed, a 502), so the whole reservation was settled. */
  usageMissing?: boolean;
}

/** SHA-256 (hex) of `text`. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * SHA-256 (hex) of a conversation: for each message its role, a NUL, its text, a NUL. Normalized text holds no NUL
 * (normalization removes C0 controls), so the encoding is unambiguous. Lets an auditor match a prompt they hold
 * without the log ever holding it.
 */
export function promptSha256(messages: ReadonlyArray<{ readonly role: string; readonly text: string }>): string {
  const hash = createHash('sha256');
  for (const m of messages) hash.update(m.role, 'utf8').update('\0', 'utf8').update(m.text, 'utf8').update('\0', 'utf8');
  return hash.digest('hex');
}

/** Creates the module-scope logger. */
export function newLogger(): Logger {
  return new Logger({ serviceName: SERVICE_NAME });
}

/**
 * Creates the module-scope metrics, in the namespace the construct sets in
 * `POWERTOOLS_METRICS_NAMESPACE` (its alarms watch that one), else {@link METRICS_NAMESPACE}.
 */
export function newMetrics(env: Record<string, string | undefined> = process.env): Metrics {
  return new Metrics({ namespace: env[GATEWAY_ENV.metricsNamespace] || METRICS_NAMESPACE, serviceName: SERVICE_NAME });
}

/**
 * A finished audit record as a log attribute. Powertools deep-copies plain-object attributes before printing; a record
 * is complete when emitted and never changed afterwards, so it is passed by reference and serialized as itself.
 */
class LoggedRecord {
  constructor(private readonly record: AuditRecord) {}

  toJSON(): AuditRecord {
    return this.record;
  }
}

/** What an EMF document of {@link Metrics} holds besides the request's own dimensions and metrics. */
interface EmfBase {
  readonly namespace: string;
  /** The default dimensions (`service`), in order: the first names of every dimension set, and members of the document. */
  readonly defaults: Readonly<Record<string, string>>;
  readonly defaultKeys: readonly string[];
}

/** One metric of a request's EMF document. */
interface EmfMetric {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
}

/**
 * The Console Powertools writes with (its own on `process.stdout`, not the Lambda runtime's, which would prefix each
 * line), or the global one in Powertools' dev mode, as Powertools does. Created at the first document.
 */
let emfConsole: Pick<Console, 'log'> | undefined;

function consoleForEmf(): Pick<Console, 'log'> {
  if (emfConsole === undefined) {
    // Powertools' own reading of POWERTOOLS_DEV (its truthy values).
    const dev = ['1', 'y', 'yes', 't', 'true', 'on'].includes((process.env.POWERTOOLS_DEV ?? '').trim().toLowerCase());
    emfConsole = dev ? console : new Console({ stdout: process.stdout, stderr: process.stderr });
  }
  return emfConsole;
}

/** Writes audit records and metrics. Create one per container (module scope). */
export class Auditor {
  /** Namespace and default dimensions of `metrics`, read once; `undefined` when Powertools metrics are disabled. */
  private readonly emf: EmfBase | undefined;

  /**
   * @param logger - Powertools logger (module scope)
   * @param metrics - Powertools metrics (module scope): its namespace, default dimensions and disabled state (from
   *   `POWERTOOLS_METRICS_DISABLED` and dev mode, read when it was created) shape every document
   */
  constructor(
    readonly logger: Logger,
    readonly metrics: Metrics,
  ) {
    this.emf = emfBaseOf(metrics);
  }

  /**
   * Logs `record` as one structured line and publishes its metrics as one EMF document. Never throws.
   *
   * The document is the one Powertools Metrics prints for the same calls (`addDimensions` per dimension set,
   * `addMetric`, `publishStoredMetrics`; the tests compare the two), serialized in one `JSON.stringify` instead: the
   * per-metric and per-dimension bookkeeping of Powertools cost about as much as the whole audit line.
   */
  emit(record: AuditRecord): void {
    try {
      this.logger.info('audit', { audit: new LoggedRecord(record) });
    } catch {
      // Logging must not turn an answered request into a failure.
    }
    try {
      const line = this.emfLine(record, Date.now());
      if (line !== undefined) consoleForEmf().log(line);
    } catch {
      // Metrics are best effort.
    }
  }

  /**
   * The request's EMF document, one line of JSON, or `undefined` when metrics are disabled. All of a request's metrics
   * under the dimension sets `[service]`, `[service, Reason]` when a control blocked it, `[service, Model]` once the
   * model is known and `[service, Team]` once the caller is.
   */
  emfLine(record: AuditRecord, timestamp: number): string | undefined {
    const base = this.emf;
    if (base === undefined) return undefined;
    const sets: Array<readonly [string, string]> = [];
    const metrics: EmfMetric[] = [{ name: 'Requests', unit: MetricUnit.Count, value: 1 }];
    if (record.latencyMs !== undefined) metrics.push({ name: 'Latency', unit: MetricUnit.Milliseconds, value: record.latencyMs });
    if (record.blockReason !== undefined) {
      metrics.push({ name: 'Blocked', unit: MetricUnit.Count, value: 1 });
      sets.push(['Reason', record.blockReason]);
    }
    if (record.alias !== undefined) {
      sets.push(['Model', record.alias]);
      if (record.inputTokens !== undefined) metrics.push({ name: 'InputTokens', unit: MetricUnit.Count, value: record.inputTokens });
      if (record.outputTokens !== undefined) metrics.push({ name: 'OutputTokens', unit: MetricUnit.Count, value: record.outputTokens });
    }
    if (record.team !== undefined) sets.push([TEAM_DIMENSION, record.team]);
    if (record.spendMicroUsd !== undefined) metrics.push({ name: SPEND_METRIC, unit: MetricUnit.NoUnit, value: record.spendMicroUsd / MICRO_USD_PER_USD });
    if (record.budgetAlerts !== undefined && record.budgetAlerts.length > 0) {
      metrics.push({ name: BUDGET_ALERT_METRIC, unit: MetricUnit.Count, value: record.budgetAlerts.length });
    }

    // As Powertools: the service-only set first, then one set per dimension (a dimension with an empty value is left
    // out, its set keeps only the defaults); the members are the defaults, the dimensions, then the metric values.
    const dimensions: string[][] = [[...base.defaultKeys]];
    const doc: Record<string, unknown> = { _aws: undefined };
    for (const [k, v] of Object.entries(base.defaults)) doc[k] = v;
    for (const [key, value] of sets) {
      if (value === '') {
        dimensions.push([...base.defaultKeys]);
        continue;
      }
      dimensions.push(base.defaultKeys.includes(key) ? [...base.defaultKeys] : [...base.defaultKeys, key]);
      doc[key] = value;
    }
    for (const m of metrics) doc[m.name] = m.value;
    doc._aws = {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: base.namespace, Dimensions: dimensions, Metrics: metrics.map((m) => ({ Name: m.name, Unit: m.unit })) }],
    };
    return JSON.stringify(doc);
  }

  /** Logs an operational warning without request content (e.g. a failed quota settlement). Never throws. */
  warn(message: string, fields: Record<string, unknown>): void {
    try {
      this.logger.warn(message, fields);
    } catch {
      // best effort
    }
  }
}

/**
 * The namespace and default dimensions of `metrics`, from the document Powertools itself serializes with no metric
 * (nothing is printed or stored), or `undefined` when it is disabled (`POWERTOOLS_METRICS_DISABLED`, dev mode).
 */
function emfBaseOf(metrics: Metrics): EmfBase | undefined {
  if ((metrics as unknown as { isDisabled(): boolean }).isDisabled()) return undefined;
  const probe = metrics.serializeMetrics() as unknown as Record<string, unknown> & {
    _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> };
  };
  const definition = probe._aws.CloudWatchMetrics[0]!;
  const defaultKeys = definition.Dimensions[0] ?? [];
  const defaults: Record<string, string> = {};
  for (const key of defaultKeys) defaults[key] = String(probe[key]);
  return { namespace: definition.Namespace, defaults, defaultKeys };
}

/**
 * Summarizes a Converse guardrail trace or ApplyGuardrail assessments into `policy:type:action` strings — types
 * and actions only, never matched text (PII `match` values are skipped).
 */
export function summarizeAssessments(value: unknown, limit = 20): string[] {
  const out = new Set<string>();
  const visit = (node: unknown, policy: string | undefined, depth: number): void => {
    if (out.size >= limit || depth > 8 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, policy, depth + 1);
      return;
    }
    const obj = node as Record<string, unknown>;
    const action = typeof obj.action === 'string' ? obj.action : undefined;
    const type = policy === 'topicPolicy' && typeof obj.name === 'string' ? obj.name : typeof obj.type === 'string' ? obj.type : undefined;
    if (policy !== undefined && action !== undefined && action !== 'NONE') {
      out.add(`${policy}:${(type ?? 'unknown').slice(0, 64)}:${action.slice(0, 32)}`);
    }
    for (const [key, child] of Object.entries(obj)) {
      if (key === 'match' || key === 'modelOutput' || key === 'invocationMetrics' || key === 'text') continue;
      visit(child, key.endsWith('Policy') ? key : policy, depth + 1);
    }
  };
  visit(value, undefined, 0);
  return [...out];
}
