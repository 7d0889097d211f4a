/**
 * The blueprint's threat model as data: threats grouped by category, each with the OWASP Top 10 for
 * LLM Applications (2025) risks it relates to, the controls this deployment puts in place (what and
 * where in the code), the tests that fail if a control is missing or wrong, and the residual risk.
 *
 * `docs/threat-model.md` is rendered from this module by `npm run threat-model`
 * ({@link renderThreatModel}); `test/lib/compliance/threat-model.test.ts` fails when the committed
 * document differs from the rendering, when a referenced test or file no longer exists, or when a
 * category of the seed list is missing. Controls that the OWASP mapping ({@link OWASP_LLM_TOP_10_2025})
 * already describes are taken from it, not restated, so the two cannot disagree.
 */
import { OWASP_LLM_TOP_10_2025, OwaspControl, OwaspRisk, TestReference } from './owasp';

/** Where the rendered threat model is committed, from the project root. */
export const THREAT_MODEL_DOCUMENT = 'docs/threat-model.md';

/** One control against a threat: an {@link OwaspControl} with a short label for the summary table. */
export interface ThreatControl extends OwaspControl {
  /** A few words naming the control, for the summary table. */
  readonly label: string;
}

/**
 * How far the deployment addresses a threat:
 * - `covered`: deployed controls address it; what remains is listed as residual risk;
 * - `partial`: deployed controls address part of it; the rest is listed as residual risk;
 * - `not built`: the component the threat targets is not part of the blueprint yet; the entry says
 *   what already constrains it (if anything) and what whoever adds the component must add.
 */
export type ThreatCoverage = 'covered' | 'partial' | 'not built';

/** One threat to the deployment. */
export interface Threat {
  /** A short title, unique across the model. */
  readonly title: string;
  /** What can go wrong, and how an attacker or an accident gets there. */
  readonly description: string;
  /** Ids of the related OWASP Top 10 for LLM Applications (2025) risks (`LLM01:2025`); may be empty. */
  readonly owasp: readonly string[];
  /** How far the deployment addresses it. */
  readonly coverage: ThreatCoverage;
  /** The controls in this deployment. */
  readonly controls: readonly ThreatControl[];
  /** What the controls do not cover, honestly: each item one sentence or two. */
  readonly residualRisk: readonly string[];
}

/** A category of threats. */
export interface ThreatCategory {
  /** A stable, kebab-case key. */
  readonly key: string;
  /** The heading. */
  readonly title: string;
  /** The threats of the category. */
  readonly threats: readonly Threat[];
}

const HANDLER_IT = 'test/lambda/gateway/handler.integration.test.ts';
const AUTHORIZER_TEST = 'test/lambda/authorizer/authorize.test.ts';
const KEYS_CLI_TEST = 'test/bin/keys-cli.test.ts';
const FIRST_CALL_TEST = 'test/lambda/first-call.test.ts';
const FEDERATION_TEST = 'test/constructs/inference-gateway/federation.test.ts';
const GATEWAY_TEST = 'test/constructs/inference-gateway/inference-gateway.test.ts';
const TABLE_BACKUP_TEST = 'test/constructs/table-backup/table-backup.test.ts';
const GUARDRAIL_TEST = 'test/constructs/model-guardrail/model-guardrail.test.ts';
const MONITORING_TEST = 'test/constructs/security-monitoring/security-monitoring.test.ts';
const NETWORK_TEST = 'test/constructs/private-network/private-network.test.ts';
const INGEST_FLOW_TEST = 'test/lambda/ingest-screen/flow.test.ts';
const DOCUMENT_INGESTION_TEST = 'test/constructs/document-ingestion/document-ingestion.test.ts';
const TRAIL_TEST = 'test/constructs/audit-trail/audit-trail.test.ts';
const DETECTION_TEST = 'test/constructs/threat-detection/threat-detection.test.ts';
const INVOCATION_LOGGING_TEST = 'test/constructs/invocation-logging/invocation-logging.test.ts';
const SECURE_KEY_TEST = 'test/constructs/secure-key/secure-key.test.ts';
const KNOWLEDGE_BASE_TEST = 'test/constructs/knowledge-base/knowledge-base.test.ts';
const SECURE_LOG_GROUP_TEST = 'test/constructs/secure-log-group/secure-log-group.test.ts';
const ALERT_TOPIC_TEST = 'test/constructs/alert-topic/alert-topic.test.ts';
const APP_TEST = 'test/lib/app-compliance.test.ts';
const GATEWAY_STACK_TEST = 'test/lib/gateway-stack.test.ts';
const BASELINE_STACK_TEST = 'test/lib/baseline-stack.test.ts';
const CONFIG_TEST = 'test/lib/config.test.ts';
const PRESCREEN_TEST = 'test/lambda/shared/screening/prescreen.test.ts';
const NORMALIZE_TEST = 'test/lambda/shared/screening/normalize.test.ts';
const SPOTLIGHT_TEST = 'test/lambda/shared/screening/spotlight.test.ts';
const QUOTA_TEST = 'test/lambda/gateway/quota.test.ts';
const SECURE_LLM_PACK_TEST = 'test/lib/compliance/bedrock/bedrock-checks.test.ts';
const SECURE_LLM_GUARDRAIL_TEST = 'test/lib/compliance/bedrock/guardrail-rules.test.ts';
const SECURE_LLM_ENDPOINT_TEST = 'test/lib/compliance/bedrock/endpoint-and-log-rules.test.ts';

function it(file: string, name: string): TestReference {
  return { file, name };
}

/** A control of this model only (not in the OWASP mapping). */
function control(label: string, text: string, implementedIn: readonly string[], provedBy: readonly TestReference[]): ThreatControl {
  return { label, control: text, implementedIn, provedBy };
}

/**
 * The control of an OWASP mapping for `riskId` whose text starts with `startsWith`, under a label.
 * Throws when there is not exactly one, so an edit of the mapping cannot silently orphan this model.
 *
 * @param label the short name the summary table shows
 * @param riskId the OWASP risk id, e.g. `LLM01:2025`
 * @param startsWith the beginning of the control's text
 * @param risks the mapping to look in
 */
export function controlFromOwasp(
  label: string,
  riskId: string,
  startsWith: string,
  risks: readonly OwaspRisk[] = OWASP_LLM_TOP_10_2025,
): ThreatControl {
  const risk = risks.find((r) => r.id === riskId);
  const matches = risk?.controls.filter((c) => c.control.startsWith(startsWith)) ?? [];
  if (matches.length !== 1) {
    throw new Error(
      `threat model: expected one control of ${riskId} starting with "${startsWith}" in lib/compliance/owasp.ts, found ${matches.length}; ` +
        'update lib/compliance/threat-model.ts to match the OWASP mapping',
    );
  }
  return { label, ...matches[0]! };
}

// --- controls the OWASP mapping describes, used by several threats ---------------------------------------------
const NORMALIZATION = controlFromOwasp('Unicode normalization', 'LLM01:2025', 'Every client text is NFKC-normalized');
const PRESCREEN = controlFromOwasp('Deterministic pre-screen', 'LLM01:2025', 'A deterministic, linear-time pre-screen');
const NO_CLIENT_SYSTEM = controlFromOwasp('Server-side system prompt, spotlighting', 'LLM01:2025', 'Clients cannot set system instructions');
const FORCED_GUARDRAIL = controlFromOwasp('Guardrail forced by IAM', 'LLM01:2025', 'A Bedrock guardrail filters prompt attacks');
const TOOL_RESULTS_APPLY_GUARDRAIL = controlFromOwasp('ApplyGuardrail on tool results', 'LLM01:2025', 'Tool results, which Converse');
const GUARDRAIL_PACK = controlFromOwasp('SecureLLM pack: guardrail forced', 'LLM01:2025', 'Our SecureLLM cdk-nag pack fails synthesis if any IAM policy');
const INJECTION_ALARMS = controlFromOwasp('Intervention and block alarms', 'LLM01:2025', 'Guardrail interventions');
const GUARDRAIL_PII = controlFromOwasp('Guardrail PII policy', 'LLM02:2025', 'The guardrail blocks AWS keys');
const PII_PACK = controlFromOwasp('SecureLLM pack: credentials, CMK, masking', 'LLM02:2025', 'Our SecureLLM cdk-nag pack fails synthesis if a guardrail');
const SECRET_REDACTION = controlFromOwasp('Secret redaction', 'LLM02:2025', 'Secrets (AWS keys');
const PROMPT_HASH_ONLY = controlFromOwasp('Prompt hashes, never text, in logs', 'LLM02:2025', 'Prompts and answers are never written');
const INVOCATION_LOG_MASKING = controlFromOwasp('Masked, encrypted invocation logs', 'LLM02:2025', 'Model-invocation logs are KMS-encrypted');
const ENCRYPTION_NO_INTERNET = controlFromOwasp('Encryption everywhere, no internet path', 'LLM02:2025', 'Every log group, bucket and topic');
const OPAQUE_ERRORS = controlFromOwasp('Opaque errors', 'LLM02:2025', 'Error responses never carry');
const MODEL_ALLOW_LIST = controlFromOwasp('Model allow-list (IAM and endpoint)', 'LLM03:2025', 'Clients pick model aliases');
const MODEL_ALLOW_LIST_PACK = controlFromOwasp('SecureLLM pack: named models only', 'LLM03:2025', 'Our SecureLLM cdk-nag pack fails synthesis if inference');
const SBOM_AND_CI_CHECKS = controlFromOwasp('Bundle manifest, SBOM and CI supply-chain checks', 'LLM03:2025', 'The package build records');
const CODE_SIGNING = controlFromOwasp('Lambda code signing (Enforce)', 'LLM03:2025', 'With codeSigning configured');
const CODE_SIGNING_PACK = controlFromOwasp('SecureLLM: signed functions under the strict profile', 'LLM03:2025', 'Our SecureLLM pack fails synthesis if a Lambda function');
const CUSTOMIZATION_PACK = controlFromOwasp('SecureLLM: locked training buckets, customization jobs with VPC and KMS', 'LLM04:2025', 'Our SecureLLM pack fails synthesis if a bucket tagged');
const UNTRUSTED_CONTENT = controlFromOwasp('Untrusted content screened and datamarked', 'LLM04:2025', 'Documents and tool results');
const TRAINING_DATA_VAULT = controlFromOwasp('Training-data vault with manifests', 'LLM04:2025', 'Training data lives in a vault');
const VERIFIED_CUSTOMIZATION = controlFromOwasp('Verified, screened dataset before any job', 'LLM04:2025', 'A customization job starts only');
const SAFETY_GATE = controlFromOwasp('Safety gate before promotion', 'LLM04:2025', 'A customized model is promoted only');
const LINK_SCREEN = controlFromOwasp('Link and image allow-list', 'LLM05:2025', 'Links, images');
const HTML_ESCAPE = controlFromOwasp('HTML escaped', 'LLM05:2025', 'Raw HTML is escaped');
const FAIL_CLOSED = controlFromOwasp('Output screening fails closed', 'LLM05:2025', 'Screening fails closed');
const DECLARED_TOOLS = controlFromOwasp('Declared tools, schema-checked arguments', 'LLM06:2025', 'Tool calls are returned only');
const GROUP_ALIASES = controlFromOwasp('Per-group model aliases', 'LLM06:2025', 'Each caller may use only');
const LEAST_PRIVILEGE_ROLE = controlFromOwasp('Least-privilege gateway role', 'LLM06:2025', 'The gateway role has no Bedrock wildcard');
const WILDCARD_PACK = controlFromOwasp('SecureLLM pack: no wildcards, authorizers', 'LLM06:2025', 'Our SecureLLM cdk-nag pack fails synthesis on');
const CANARY = controlFromOwasp('Per-request canary', 'LLM07:2025', 'A fresh canary token');
const CANARY_ALARM = controlFromOwasp('Canary leak alarm', 'LLM07:2025', 'A canary leak raises');
const GROUNDING = controlFromOwasp('Grounding check configured', 'LLM09:2025', 'The guardrail checks contextual grounding');
const BODY_LIMITS = controlFromOwasp('Body and message limits', 'LLM10:2025', 'Body size is limited');
const MAX_TOKENS_CAP = controlFromOwasp('maxTokens cap', 'LLM10:2025', 'maxTokens is capped');
const TOKEN_QUOTA = controlFromOwasp('Per-user daily token quota', 'LLM10:2025', 'A per-user daily token quota');
const SPEND_BUDGETS = controlFromOwasp('Spend budgets in USD per key, user and team', 'LLM10:2025', 'Spend limits in USD');
const RATE_LIMITS = controlFromOwasp('Throttling, rate rule, concurrency, retries', 'LLM10:2025', 'Stage throttling');
const BUDGET_ALARMS = controlFromOwasp('Budget and throttling alarms', 'LLM10:2025', 'A daily token budget');
const CHUNK_SCREEN = controlFromOwasp('Knowledge-base chunks screened before embedding', 'LLM04:2025', 'Knowledge-base chunks are screened');
const RETRIEVER_CANNOT_WRITE = controlFromOwasp('SecureLLM: retrieval role cannot write documents', 'LLM04:2025', 'Our SecureLLM pack fails synthesis if a principal that may retrieve');
const PRIVATE_VECTOR_STORE = controlFromOwasp('Private, customer-key vector store', 'LLM08:2025', 'The knowledge base\'s S3 vector bucket');
const RETRIEVE_PER_KB = controlFromOwasp('Retrieval granted per knowledge base', 'LLM08:2025', 'Retrieval is granted per knowledge base');
const VECTOR_STORE_PACK = controlFromOwasp('SecureLLM: vector store and retrieval rules', 'LLM08:2025', 'Our SecureLLM pack fails synthesis if a vector store');

// --- controls of this model only ---------------------------------------------------------------------------------
const RETRIEVE_TEST_FILE = 'test/lambda/gateway/retrieve.test.ts';
const TENANT_FILTERED_RETRIEVAL = controlFromOwasp('Tenant-filtered retrieval from the caller\'s team', 'LLM08:2025', 'Retrieval is filtered on the caller');
const RETRIEVED_CHUNKS_SCREENED = controlFromOwasp('Retrieved chunks screened, spotlighted, cited', 'LLM08:2025', 'Retrieved chunks are screened again');
const RETRIEVE_SCOPED = controlFromOwasp('Retrieve only on bound knowledge bases (IAM and endpoint)', 'LLM08:2025', 'The gateway role may call bedrock:Retrieve');
const RETRIEVAL_FAILS_CLOSED = control(
  'Retrieval fails closed',
  'A failed Retrieve refuses the request (502/503/504 retrieval_*) before the model is called: a bound alias never answers without its sources.',
  ['lambda/gateway/retrieve.ts', 'lambda/gateway/index.ts'],
  [it(RETRIEVE_TEST_FILE, 'retrieve validation Retrieve failures map to retrieval_* errors that refuse the request')],
);

const GATEWAY_RETRIEVAL_TEST = 'test/lib/gateway-stack-retrieval.test.ts';
const BLUEPRINT_KNOWLEDGE_BASE_WIRED = control(
  'Blueprint knowledge base wired, bound and synced',
  'With `gateway.retrieval`, the gateway stack builds the knowledge base over the indexed area only, with its chunk screen in the VPC behind the network\'s one S3 gateway endpoint (policy: the document screen on the document bucket\'s areas, the chunk screen on the intermediate bucket); an alias bound with `knowledgeBaseId: "blueprint"` may Retrieve on that knowledge base\'s ARN only (role and agent-runtime endpoint); an EventBridge Scheduler schedule starts an ingestion job every `syncIntervalMinutes` with a KMS-encrypted payload, a dead-letter queue and a role that may only call StartIngestionJob on that knowledge base.',
  ['lib/gateway-stack.ts', 'constructs/knowledge-base-sync/knowledge-base-sync.ts'],
  [
    it(GATEWAY_RETRIEVAL_TEST, 'GatewayStack with retrieval (config/retrieval.json) defaults the chunk screen runs in the VPC and the network has exactly one S3 gateway endpoint, whose policy covers the document and intermediate buckets'),
    it(GATEWAY_RETRIEVAL_TEST, 'GatewayStack with retrieval (config/retrieval.json) defaults the bound alias carries the knowledge base id, and Retrieve is allowed on its ARN only, in the role and the agent-runtime endpoint'),
    it(GATEWAY_RETRIEVAL_TEST, 'GatewayStack with retrieval (config/retrieval.json) defaults a schedule starts ingestion jobs of that data source every 15 minutes, encrypted, with a dead-letter queue and a role limited to StartIngestionJob on the knowledge base'),
    it(GATEWAY_RETRIEVAL_TEST, 'GatewayStack with retrieval (config/retrieval.json) validation fails if an alias binds "blueprint" without gateway.retrieval'),
  ],
);

const TOOL_DESCRIPTIONS_CHECKED = control(
  'Tool declarations screened and ApplyGuardrail-ed',
  'Every string of a tool declaration (name, description, and the parameter schema\'s property names, descriptions, titles, enum values and examples), which the Converse guardrail does not evaluate, is normalized, pre-screened as untrusted content and sent through ApplyGuardrail together with the tool results before Converse.',
  ['lambda/gateway/index.ts'],
  [
    it(HANDLER_IT, 'gateway handler (integration) happy path answers in OpenAI shape and sends Bedrock only what the policy allows'),
    it(HANDLER_IT, 'gateway handler (integration) guardrail an injection hidden in a tool parameter schema is screened like a tool result'),
  ],
);

const SCREENED_INGESTION = control(
  'Documents screened before they are retrievable',
  'With `gateway.retrieval`, documents land under `incoming/<tenant>/` of a KMS-encrypted, versioned, TLS-only bucket; a screening function in the VPC extracts everything a model could read (HTML comments, hidden elements and attribute values included), runs the untrusted-content screen (instructions to the assistant, hidden text, exfiltration links, credentials) and the guardrail (ApplyGuardrail), and only then writes the screened bytes to `indexed/<tenant>/`. Suspicious, unreadable, oversize or unsupported documents go to `quarantine/<tenant>/` with an alarm and an audit record of hashes, never text; failures reach a dead-letter queue with an alarm.',
  ['constructs/document-ingestion/document-ingestion.ts', 'lambda/ingest-screen/index.ts', 'lambda/ingest-screen/extract.ts'],
  [
    it(INGEST_FLOW_TEST, 'ingestion flow quarantines a poisoned document with an alert metric and an audit record of hashes, never its text'),
    it(INGEST_FLOW_TEST, 'ingestion flow never indexes a document that carries credentials'),
    it(INGEST_FLOW_TEST, 'ingestion flow quarantines HTML whose injection hides in a comment, a hidden element or an attribute'),
    it(DOCUMENT_INGESTION_TEST, 'DocumentIngestion defaults alarms to the topic on any quarantined document and on any dead letter'),
  ],
);

const TENANT_FROM_UPLOAD = control(
  'Tenant from the upload folder, writes per tenant',
  'The bucket policy lets only a tenant\'s uploader roles write under `incoming/<tenant>/`, keeps them out of every other folder, and lets only the screening function and the named reviewers write the indexed and quarantine areas. A document\'s tenant (its knowledge-base metadata sidecar) is the folder its uploader could write to, never its content; uploaded `*.metadata.json` files are quarantined.',
  ['constructs/document-ingestion/document-ingestion.ts', 'lambda/shared/ingest-contract.ts'],
  [
    it(INGEST_FLOW_TEST, 'ingestion flow takes the tenant from the folder, whatever the content or its file name claims'),
    it(DOCUMENT_INGESTION_TEST, 'DocumentIngestion grants only a tenant\'s uploaders write its incoming folder, and they write nowhere else'),
    it(DOCUMENT_INGESTION_TEST, 'DocumentIngestion grants only the screen and the reviewers write the indexed and quarantine areas'),
  ],
);

const AUDITED_RELEASE = control(
  'Audited release of quarantined documents',
  'A reviewer role named in `gateway.retrieval.reviewerRoleArns` releases a quarantined document with `secure-llm-docs release`: the reviewed version is copied to `indexed/<tenant>/` with its sidecar and tagged `released-by` and `release-reason`; CloudTrail S3 data events record the principal.',
  ['bin/docs-cli.ts'],
  [it(INGEST_FLOW_TEST, 'release of a quarantined document (secure-llm-docs release) copies the reviewed document to the indexed area of its quarantine tenant, with the sidecar and release tags')],
);

const HIDDEN_TEXT = control(
  'Smuggled text decoded before screening',
  'ASCII or UTF-8 smuggled in Unicode tag characters or variation selectors is decoded for the pre-screen before normalization removes it, and a spotlight marker cannot be hidden with invisible characters.',
  ['lambda/shared/screening/normalize.ts', 'lambda/shared/screening/prescreen.ts', 'lambda/shared/screening/spotlight.ts'],
  [
    it(NORMALIZE_TEST, 'extractHiddenText decodes ASCII smuggled in tag characters'),
    it(NORMALIZE_TEST, 'extractHiddenText decodes bytes smuggled in variation selectors as UTF-8'),
    it(SPOTLIGHT_TEST, 'spotlight datamark normalizes the content first, so invisible characters cannot hide a marker'),
  ],
);

const HARMFUL_CONTENT_FILTERS = control(
  'Harmful-content filters both ways',
  'The guardrail filters sexual, violent, hateful, insulting and misconduct content at HIGH on prompts and answers; an input intervention is a 400 `content_filter` before any answer, an output intervention replaces the answer with the configured message, and so does an intervention whose side neither the trace nor the token usage tells (audited `INTERVENED_UNKNOWN`).',
  ['constructs/model-guardrail/model-guardrail.ts', 'lambda/gateway/index.ts', 'lambda/gateway/intervention.ts'],
  [
    it(GUARDRAIL_TEST, 'ModelGuardrail defaults filters the five harmful categories at HIGH both ways and prompt attacks at HIGH on input only'),
    it(HANDLER_IT, 'gateway handler (integration) guardrail input intervention → 400 content_filter with the configured message'),
    it(HANDLER_IT, 'gateway handler (integration) guardrail output intervention → 200 with finish_reason content_filter and the configured message'),
    it(HANDLER_IT, 'gateway handler (integration) guardrail an output intervention whose trace reports no acting assessment is an output block, not an input block'),
    it(HANDLER_IT, 'gateway handler (integration) guardrail an intervention whose side neither the trace nor the usage tells → 200 content_filter, audited INTERVENED_UNKNOWN'),
  ],
);

const JAILBREAK_FAMILIES = control(
  'Pre-screen evaluated on jailbreak families',
  'The pre-screen is measured on a labeled set whose attacks cover persona (DAN-style) jailbreaks, instruction override, prompt extraction, delimiter injection, obfuscation and other languages, with benign look-alikes (role-play, security questions); NFKC folds look-alike letters first.',
  ['lambda/shared/screening/prescreen.ts', 'lambda/shared/screening/normalize.ts'],
  [
    it(PRESCREEN_TEST, 'prescreen evaluation set the labeled sets are large enough and well-formed'),
    it(PRESCREEN_TEST, 'prescreen evaluation set holdout prompts: at least 60 % detection at no more than 1 % false positives'),
    it(NORMALIZE_TEST, 'normalizeText NFKC folds fullwidth, mathematical and ligature forms onto plain letters'),
  ],
);

const GUARDRAIL_VERSIONING = control(
  'Guardrail changes always published, never DRAFT',
  'Every change of the guardrail configuration publishes a new, content-hash-named version, and the gateway is configured with that numeric version; DRAFT is refused at runtime and by the SecureLLM pack.',
  ['constructs/model-guardrail/model-guardrail.ts', 'lambda/gateway/runtime-config.ts', 'lib/compliance/bedrock/guardrail-numeric-version-in-use.ts'],
  [
    it(GUARDRAIL_TEST, 'ModelGuardrail version changing a filter strength publishes a new version'),
    it('test/lambda/gateway/runtime-config.test.ts', 'loadRuntimeConfig validation fails if GUARDRAIL_VERSION is DRAFT'),
    it(SECURE_LLM_GUARDRAIL_TEST, 'GuardrailNumericVersionInUse fails if a function, a condition or an agent uses DRAFT'),
  ],
);

const POSTURE_ALERTS = control(
  'Posture-change alerts',
  'EventBridge alerts on calls that weaken the posture: guardrail update or delete, invocation-logging put or delete, trail stop, delete, update or selector change, detector delete or update; and on GuardDuty findings of severity 7 and above.',
  ['constructs/threat-detection/threat-detection.ts'],
  [
    it(DETECTION_TEST, 'ThreatDetection defaults the posture pattern holds exactly the listed event names'),
    it(DETECTION_TEST, 'ThreatDetection defaults forwards GuardDuty findings of severity 7 and above'),
  ],
);

const TOOL_ARGUMENTS_GUARDRAIL = control(
  'ApplyGuardrail on tool-call arguments',
  'Arguments of the tool calls the model makes, which the Converse guardrail does not evaluate, go through ApplyGuardrail (OUTPUT) before they are returned.',
  ['lambda/gateway/index.ts'],
  [it(HANDLER_IT, 'gateway handler (integration) tool calls (LLM06) a valid tool call is returned as OpenAI tool_calls after ApplyGuardrail on its arguments')],
);

const TOOL_ARGUMENTS_SCREENED = control(
  'Tool-call arguments screened for canary, secrets and URLs',
  'Every string and key of a tool call\'s arguments is normalized and screened before the call leaves: the per-request canary refuses the answer as a canary leak; credentials are redacted (the redacted arguments must keep their shape and pass the declared schema again, else the call is refused); a tool with its own host list (`gateway.toolAllowedHosts`) refuses the answer when its arguments hold a URL to any other host; for other tools, URLs to hosts outside `gateway.allowedLinkHosts` are flagged and counted in the audit record. Any exception refuses (fail closed).',
  ['lambda/shared/screening/output.ts', 'lambda/gateway/index.ts'],
  [
    it(HANDLER_IT, 'gateway handler (integration) tool calls (LLM06) argument screening (over the Bedrock protocol) credentials in tool-call arguments are redacted before they leave, URLs to other hosts are flagged and audited'),
    it(HANDLER_IT, 'gateway handler (integration) tool calls (LLM06) argument screening (over the Bedrock protocol) a tool call whose arguments carry the system prompt\'s canary is refused as a canary leak'),
    it(HANDLER_IT, 'gateway handler (integration) tool calls (LLM06) argument screening (over the Bedrock protocol) fails closed if a redaction breaks the declared schema'),
    it(HANDLER_IT, 'gateway handler (integration) tool calls (LLM06) argument screening (over the Bedrock protocol) a tool with its own host list (output.toolAllowedHosts) fails if a call to it carries a URL to another host: the call is refused, never sent'),
    it('test/lambda/shared/screening/output.test.ts', 'screenToolArguments properties never throws and never returns a known credential for any JSON value holding one'),
  ],
);

const STREAM_TEST = 'test/lambda/gateway/openai-stream.test.ts';
const STREAM_PREFIX = 'openai client streaming from the gateway';

const STREAMED_OUTPUT_SCREEN = control(
  'Streamed output screened before release',
  'With `stream: true`, text leaves only after the output screen (canary, links and bare URLs, secrets, smuggled Unicode) has seen it with a hold-back window of look-ahead, so a construct split across chunks is caught before any of it is released; a later screening that would change released text blocks the stream. The screen is resumable (windows with look-behind instead of all the text so far, a running scan for a canary spread wider than a window, whose beginning the release never passes, the whole text screened once at the end unless nothing was changed), so its work stays linear whatever the chunking. Tool calls are buffered whole and go through the same validation, argument screening and ApplyGuardrail as without streaming. The guardrail runs in `sync` stream processing mode, so every character the gateway receives has already passed it. A block ends the stream with the configured refusal and `finish_reason: content_filter`, audited with the characters released and received; any screening exception blocks.',
  ['lambda/gateway/stream-chat.ts', 'lambda/gateway/stream-screen.ts', 'lambda/gateway/index.ts'],
  [
    it(STREAM_TEST, `${STREAM_PREFIX} screening fails if a system-prompt leak after 2 KB of benign text reaches the client: content_filter, nothing of it sent`),
    it(STREAM_TEST, `${STREAM_PREFIX} screening fails if a secret split across three chunks reaches the client`),
    it(STREAM_TEST, `${STREAM_PREFIX} screening fails if a link split across two chunks reaches the client`),
    it(STREAM_TEST, `${STREAM_PREFIX} defaults streamed text equals non-streamed text for the same reply, with usage last`),
    it(STREAM_TEST, `${STREAM_PREFIX} defaults a tool call is streamed whole after screening, with finish_reason tool_calls`),
    it('test/lambda/gateway/stream-screen.test.ts', 'StreamScreen validation fails if the canary is spread wider than a window, letters apart: the stream is blocked and none of the canary released'),
  ],
);

const STREAM_SETTLEMENT = control(
  'Broken streams settle their reservation',
  'A streamed answer settles the token quota and spend budgets on the usage of the stream\'s metadata event; a stream that ends without it (Bedrock cut or failed it, the client left, a block stopped it, the function\'s deadline came, or its metadata carried no countable usage) settles the whole reservation, an upper bound of what Bedrock bills, so no reservation is left hanging and no cut stream is served unmetered. A slow reader pauses the Bedrock stream (back-pressure) instead of letting the answer pile up in memory.',
  ['lambda/gateway/stream-chat.ts'],
  [
    it(STREAM_TEST, `${STREAM_PREFIX} broken streams a stream Bedrock cuts mid-way ends with an error event and settles the whole reservation`),
    it(STREAM_TEST, `${STREAM_PREFIX} broken streams fails if an answer whose metadata carries no usage settles less than the whole reservation`),
    it(STREAM_TEST, `${STREAM_PREFIX} broken streams a client that goes away mid-stream stops the model call and settles the reservation`),
    it(STREAM_TEST, `${STREAM_PREFIX} broken streams a stream still running near the function's end stops just before it: an error event, a clean close, the reservation settled`),
    it('test/lambda/gateway/stream-chat.test.ts', 'streamChat back-pressure fails if a slow reader lets the gateway pull the Bedrock stream ahead of it: pulling stops until the reader catches up'),
  ],
);

const SOUND_TOOL_SCHEMAS = control(
  'Only fully checkable tool schemas',
  'A declared tool schema may use only validation keywords the gateway evaluates completely, so no argument passes because a constraint was skipped, and may nest at most 64 levels of JSON (values of `const`, `enum`, `default` and `examples` included), so no schema can overflow the stack of the code that walks it; tool names and `tool_choice` must match the declared tools.',
  ['lambda/gateway/tool-schema.ts', 'lambda/gateway/request.ts'],
  [
    it('test/lambda/gateway/hostile-client.test.ts', 'hostile client requests deeply nested JSON inside a schema fails if the deployed (streaming) entry point answers a deeply nested schema value with a 5xx'),
    it('test/lambda/gateway/request.test.ts', 'parseChatRequest validation fails if a tool schema uses an unsupported keyword'),
    it('test/lambda/gateway/request.test.ts', 'parseChatRequest validation fails if tool_choice names an undeclared tool or requires tools without any'),
    it('test/lambda/gateway/tool-schema.test.ts', 'validateAgainstSchema never throws for any value and any accepted schema'),
  ],
);

const TRAIL_DATA_EVENTS = control(
  'Model calls recorded by the trail',
  'The trail records Bedrock model, guardrail, Lambda and S3 data events, so every model invocation and guardrail change is attributable.',
  ['constructs/audit-trail/audit-trail.ts', 'lib/baseline-stack.ts'],
  [
    it(TRAIL_TEST, 'AuditTrail defaults selects all management events and the four default data event types, with advanced selectors only'),
    it(BASELINE_STACK_TEST, 'BaselineStack defaults the trail records management events and the four data event types'),
  ],
);

const LOCAL_BUNDLING = control(
  'Pre-built bundles: deployed bytes are tested bytes',
  'Lambda handlers are bundled once, at package build, by this repository\'s esbuild from the locked `node_modules` (scripts/bundle-lambdas.mjs; SHA-256 of each in dist/bundles/manifest.json); the package ships them, the constructs deploy them unchanged with the static configuration as a separate file, validated at synthesis, whose SHA-256 the function checks at cold start (a file changed after synthesis stops it from starting), and the tests run that same bundle. Consumers never bundle: no esbuild, no Docker, no remote build.',
  ['scripts/bundle-lambdas.mjs', 'constructs/shared/lambda-bundle.ts', 'constructs/inference-gateway/inference-gateway.ts', 'constructs/invocation-logging/invocation-logging.ts'],
  [
    it(GATEWAY_TEST, 'InferenceGateway bundling deploys the pre-built bundle byte for byte, every file of it, with the validated static configuration beside it'),
    it(INVOCATION_LOGGING_TEST, 'ModelInvocationLogging compliance deploys the pre-built, minified handler byte for byte, with its own Bedrock SDK and no source map'),
    it('test/lambda/gateway/prebuilt-bundle.test.ts', 'the pre-built gateway bundle screens the output: a reply that leaks the system prompt\'s canary is withheld'),
    it('test/lambda/gateway/runtime-config.test.ts', 'loadRuntimeConfig the digest of the file the construct validated fails the cold start if the file was changed after synthesis, naming both digests'),
    it('test/package/package.test.ts', 'package dependencies everything the compiled package imports at run time is a dependency, a peer dependency or a Node.js built-in'),
  ],
);

const NO_EGRESS = control(
  'No egress beyond AWS endpoints',
  'The functions run in isolated subnets with no internet or NAT gateway; their security groups admit nothing and send only tcp/443 to the interface endpoints\' security groups and the gateway endpoints\' AWS-managed prefix lists (looked up at deploy time by the network guard when not configured), never to an address range, so compromised code cannot reach the internet directly. Each new VPC\'s default security group is stripped of every rule on each create and update by our NetworkGuard, a lambda.Function every pack evaluates (reserved concurrency 1, KMS dead-letter queue and log group, a managed policy whose revoke actions name only that group, X-Ray), replacing aws-cdk-lib\'s Custom::VpcRestrictDefaultSG handler, which cdk-nag could not see. The guard runs outside the VPC: it must answer CloudFormation before the VPC\'s functions can reach S3, and in the VPC it would need an ec2 interface endpoint; it is acknowledged for LambdaInsideVPC and lambda_inside_vpc_check, and cdk-nag\'s VPCDefaultSecurityGroupClosed, which only recognises aws-cdk-lib\'s resource, is acknowledged naming it.',
  ['constructs/private-network/private-network.ts', 'constructs/private-network/network-guard.ts', 'lambda/network-guard/index.ts', 'constructs/inference-gateway/inference-gateway.ts', 'constructs/invocation-logging/invocation-logging.ts', 'lib/baseline-stack.ts'],
  [
    it(APP_TEST, 'the whole app has no internet gateway, NAT gateway or route to the internet'),
    it(APP_TEST, 'the whole app no security group sends traffic to an address range: egress goes to endpoint security groups and prefix lists only'),
    it(GATEWAY_TEST, 'InferenceGateway defaults the function\'s security group admits nothing and sends HTTPS only'),
    it(NETWORK_TEST, 'PrivateNetwork gateway endpoints give each consumer one egress rule: tcp/443 to the prefix list the guard looks up, with no deploy-time parameter'),
    it(NETWORK_TEST, 'PrivateNetwork defaults strips the rules of the default security group with its own guard, not aws-cdk-lib\'s handler'),
    it(NETWORK_TEST, 'PrivateNetwork defaults lets the guard revoke rules of the VPC\'s default security group only, from a managed policy'),
    it('test/lambda/network-guard/handler.test.ts', 'network-guard handler create and update Create revokes every ingress and egress rule of the default security group with the real SDK'),
    it('test/lambda/network-guard/handler.test.ts', 'network-guard handler create and update fails if a prefix list is missing, naming it and the setting that names it instead'),
    it(INVOCATION_LOGGING_TEST, 'ModelInvocationLogging defaults the handler security group admits nothing and sends nothing until the caller connects it to its endpoints'),
  ],
);

const RESTRICTED_ENDPOINTS = control(
  'Restrictive VPC endpoints',
  'Interface endpoints have private DNS, admit only tcp/443 from named consumers and carry policies that name the principals, actions and resources; the Bedrock Runtime endpoint admits only the gateway role, its two actions, the allow-listed models and the guardrail.',
  ['constructs/private-network/private-network.ts', 'constructs/inference-gateway/inference-gateway.ts', 'lib/compliance/bedrock/bedrock-endpoint-policy.ts'],
  [
    it(NETWORK_TEST, 'PrivateNetwork interface endpoints admit only tcp/443 from the consumer security group and send nothing out'),
    it(NETWORK_TEST, 'PrivateNetwork interface endpoints have a policy limited to this account, the given actions and the given resources'),
    it(GATEWAY_TEST, 'InferenceGateway defaults the Bedrock Runtime endpoint admits only the function role, its two actions, the allow-listed models and the guardrail'),
    it(SECURE_LLM_ENDPOINT_TEST, 'BedrockEndpointPolicy fails if a Bedrock endpoint has no policy or the full-access one; other services are not checked'),
  ],
);

const NETWORK_VISIBILITY = control(
  'Flow logs and GuardDuty network monitoring',
  'VPC flow logs record all traffic to a KMS-encrypted, retained log group, and GuardDuty watches Lambda network activity and S3 data events.',
  ['constructs/private-network/private-network.ts', 'constructs/threat-detection/threat-detection.ts'],
  [
    it(NETWORK_TEST, 'PrivateNetwork defaults records all traffic in a KMS-encrypted, retained flow-log group'),
    it(DETECTION_TEST, 'ThreatDetection defaults enables Lambda network logs and S3 protection through Features, never DataSources'),
  ],
);

const WAF_EDGE = control(
  'WAF at the API edge',
  'A web ACL with AWS managed rule groups, a per-IP rate rule and a body-size rule is associated with the API stage and logs to a KMS-encrypted `aws-waf-logs-*` group with the Authorization header redacted.',
  ['constructs/inference-gateway/inference-gateway.ts', 'lib/compliance/bedrock/api-waf-rate-rule.ts'],
  [
    it(GATEWAY_TEST, 'InferenceGateway defaults the web ACL is associated with the stage and logs to a KMS aws-waf-logs-* group with the authorization header redacted'),
    it('test/lib/compliance/bedrock/api-rules.test.ts', 'ApiWafRateRule passes a stage behind a web ACL with a blocking rate-based rule'),
  ],
);

const CUSTOMER_MANAGED_KEYS = control(
  'Customer-managed, rotating, retained keys',
  'Every key is customer-managed, rotates yearly, is retained when its stack is deleted, and its policy denies kms:CreateGrant unless the grant is for an AWS resource (CT.KMS.PR.3); CloudWatch Logs may use it only for this account\'s log groups.',
  ['constructs/secure-key/secure-key.ts'],
  [
    it(SECURE_KEY_TEST, 'SecureKey defaults rotates, is retained and passes every compliance check'),
    it(SECURE_KEY_TEST, 'SecureKey defaults denies grants that are not for AWS resources'),
    it(SECURE_KEY_TEST, 'SecureKey grants CloudWatch Logs is confined to this account\'s log groups, once'),
    it(APP_TEST, 'the whole app every KMS encryption key rotates, and every key is retained'),
  ],
);

const STORAGE_ENCRYPTION = control(
  'Encrypted, TLS-only storage and topics',
  'Every bucket is encrypted, versioned, public-access-blocked and TLS-only (trail and invocation data under a customer-managed key), every topic is KMS-encrypted and TLS-only, and the guardrail has its own customer-managed key.',
  ['constructs/audit-trail/audit-trail.ts', 'constructs/invocation-logging/invocation-logging.ts', 'constructs/alert-topic/alert-topic.ts', 'constructs/model-guardrail/model-guardrail.ts'],
  [
    it(APP_TEST, 'the whole app every bucket is encrypted, versioned, public-access-blocked and TLS-only'),
    it(APP_TEST, 'the whole app buckets that hold trail or invocation data use a customer-managed KMS key'),
    it(APP_TEST, 'the whole app every SNS topic is KMS-encrypted and TLS-only'),
    it(SECURE_LLM_GUARDRAIL_TEST, 'GuardrailCustomerManagedKey fails if the guardrail has no key or an AWS-managed key'),
  ],
);

const SCOPED_ROLES = control(
  'Exactly-scoped service roles',
  'Function roles are closed managed-policy roles: the invocation-logging handler may do exactly what it needs, Bedrock\'s delivery role trusts only Bedrock for this account and region, and the flow-log role writes only to its log group. Lambda may create a function\'s network interfaces only in its subnets with its security groups and delete or re-address only interfaces of its VPC; only the EC2 Describe actions are on "*".',
  ['constructs/shared/managed-policy-role.ts', 'constructs/invocation-logging/invocation-logging.ts', 'constructs/private-network/private-network.ts'],
  [
    it('test/constructs/shared/managed-policy-role.test.ts', 'ManagedPolicyRole grants the closed role drops what a function would add to it'),
    it('test/constructs/shared/managed-policy-role.test.ts', 'ManagedPolicyRole defaults no network-interface action is allowed on "*": only the two Describe actions are'),
    it(APP_TEST, 'the whole app every function role allows network-interface actions on "*" only to Describe'),
    it(INVOCATION_LOGGING_TEST, 'ModelInvocationLogging defaults the handler may do exactly what it needs, through one customer-managed policy'),
    it(INVOCATION_LOGGING_TEST, 'ModelInvocationLogging defaults the delivery role trusts only Bedrock acting for this account and region, and may only write the logs'),
    it(NETWORK_TEST, 'PrivateNetwork defaults lets the flow-log role write to its log group only, from a managed policy'),
  ],
);

const COGNITO_EVERY_METHOD = control(
  'Scoped access token or gateway key on every method',
  'Every API method goes through one Lambda REQUEST authorizer (no catch-all method or proxy resource). It accepts Cognito access tokens only (aws-jwt-verify: signature against the pool\'s JWKS, issuer, token_use=access, app client, expiry and not-before; ID tokens, alg none, truncated and wrongly signed tokens are refused) carrying the route\'s resource-server scope, or gateway API keys. Its decision is cached per Authorization header value for at most 60 seconds and allows exactly the credential\'s own routes. The function refuses a request without the authorizer\'s context (401), and the SecureLLM pack fails synthesis on a method without an authorizer.',
  ['constructs/inference-gateway/inference-gateway.ts', 'constructs/inference-gateway/gateway-access.ts', 'lambda/authorizer/authorize.ts', 'lambda/shared/gateway-contract.ts', 'lambda/gateway/identity.ts', 'lib/compliance/bedrock/api-method-authorizer.ts'],
  [
    it(GATEWAY_TEST, 'InferenceGateway defaults every API method goes through the REQUEST authorizer, and there is no catch-all method or proxy resource'),
    it(AUTHORIZER_TEST, 'authorizer decision access tokens fails if the token carries no gateway scope: an explicit deny of every route'),
    it(AUTHORIZER_TEST, 'authorizer decision access tokens fails if the token lacks the scope of the route, for every route it lacks'),
    it(AUTHORIZER_TEST, 'authorizer decision cache safety the decision for one credential is never the decision for another: each names only its own principal'),
    it(FIRST_CALL_TEST, 'from cdk deploy to a first call a person with an access token fails if the token lacks models.read: its cached decision for chat does not open GET /v1/models'),
    it(FIRST_CALL_TEST, 'from cdk deploy to a first call a program with a gateway API key fails if one credential\'s cached decision were reused for another: a revoked key and a wrong secret are refused while a live key\'s allow is cached'),
    it(GATEWAY_TEST, 'InferenceGateway defaults the API serves exactly the routes of the gateway contract, no more and none missing'),
    it(HANDLER_IT, 'gateway handler (integration) access control and validation 401 without claims'),
    it('test/lib/compliance/bedrock/api-rules.test.ts', 'ApiMethodAuthorizer fails if a method has no authorizer'),
  ],
);

const GATEWAY_API_KEYS = control(
  'Gateway API keys: hashed, scoped, revocable',
  'Gateway API keys (sk-sllm-<keyId>-<secret>, 190 random bits) are stored only as an HMAC-SHA-256 made by a KMS HMAC key that only the authorizer and key administrators may use, in a KMS-encrypted table; the authorizer compares MACs in constant time and denies unknown, revoked and expired keys. A key may call only the aliases of its allow-list, its quota is its own, and keys never reach logs or the audit record (its key id does). Administrators issue, list, revoke and rotate keys with secure-llm-keys under a managed policy the stack outputs.',
  ['lambda/authorizer/authorize.ts', 'lambda/shared/key-store.ts', 'lambda/shared/kms-mac.ts', 'lambda/gateway/identity.ts', 'constructs/inference-gateway/gateway-access.ts', 'bin/keys-cli.ts'],
  [
    it(AUTHORIZER_TEST, 'authorizer decision gateway API keys fails if the key id is unknown, and still asks KMS for the MAC (no timing oracle on key ids)'),
    it(AUTHORIZER_TEST, 'authorizer decision gateway API keys fails if the secret is wrong for a known key id'),
    it(HANDLER_IT, 'gateway handler (integration) access control and validation fails if a gateway key for one model calls another: 403, and it lists only its own model'),
    it(KEYS_CLI_TEST, 'secure-llm-keys fails if a revoked key is used: revoke turns the authorizer\'s allow into a deny'),
    it(FIRST_CALL_TEST, 'from cdk deploy to a first call a program with a gateway API key a key from the shipped CLI works with the SDK, for its models only; revoked, it is refused once the cache TTL has passed'),
  ],
);

const USER_CHECK = control(
  'Disabled or deleted users lose access within 60 s; teams set by administrators',
  'Each uncached authorizer decision on a person\'s access token asks the user pool about the token\'s user (Cognito AdminGetUser, the authorizer\'s only Cognito permission, on its own pool): a user who does not exist, is disabled or is not CONFIRMED (EXTERNAL_PROVIDER for federated people) gets a policy allowing nothing (403), and any error asking Cognito refuses the call (401, fail closed), each with its own reason in the authorizer\'s log. With API Gateway\'s cache of at most 60 s per credential, a disabled or deleted user loses access within 60 s though their access token is valid for up to an hour. Client-credentials tokens and gateway keys never ask Cognito. A person\'s team (team budgets, spend attribution) is their custom:team attribute, which the gateway\'s app client may not write (WriteAttributes lists e-mail only), so only administrators set it.',
  ['lambda/authorizer/authorize.ts', 'lambda/authorizer/pool-users.ts', 'constructs/inference-gateway/gateway-access.ts', 'constructs/inference-gateway/inference-gateway.ts'],
  [
    it(AUTHORIZER_TEST, 'authorizer decision user check an enabled, confirmed user passes and gets the team an administrator set'),
    it(AUTHORIZER_TEST, 'authorizer decision user check fails if the user is disabled (a policy allowing nothing, with its reason)'),
    it(AUTHORIZER_TEST, 'authorizer decision user check fails if the user is not confirmed (a policy allowing nothing, with its reason)'),
    it(AUTHORIZER_TEST, 'authorizer decision user check fails if the user was deleted'),
    it(AUTHORIZER_TEST, 'authorizer decision user check fails closed (401) if Cognito answers InternalErrorException'),
    it(AUTHORIZER_TEST, 'authorizer decision user check client-credentials tokens and gateway API keys never ask Cognito'),
    it(FIRST_CALL_TEST, 'from cdk deploy to a first call a person with an access token a user an administrator disables loses access within the cache TTL (60 s), although the token is valid for an hour'),
    it(GATEWAY_TEST, 'InferenceGateway defaults people have a custom:team attribute that the gateway\'s app client may not write (only administrators set it)'),
    it(GATEWAY_TEST, 'InferenceGateway access the authorizer may read keys, make their MACs and read users of its pool, and nothing else of the gateway'),
  ],
);

const SCP_TEST = 'test/lib/organization/service-control-policy.test.ts';

const ACCOUNT_WIDE_GUARDRAILS = control(
  'Account-wide guardrail and organization policy (optional; the enforced guardrail is required under profile strict)',
  'baseline.enforcedGuardrail deploys AWS::Bedrock::EnforcedGuardrailConfiguration: Bedrock applies the named guardrail, at a published numeric version (DRAFT is refused by the configuration and by the SecureLLM pack), to every model call of every principal of the account and region, not only the gateway\'s. baseline.organizationPolicy generates a service control policy for organization administrators, written to the cloud assembly at synth and optionally deployed as AWS::Organizations::Policy from the management account: it denies bedrock:InvokeModel* (Converse included) unless bedrock:GuardrailIdentifier is that guardrail version, on models outside the gateway\'s allow-list, bedrock:CallWithBearerToken (Bedrock API keys), and turning off or changing invocation logging or CloudTrail except by the baseline\'s deploy and logging roles; configured break-glass roles are exempt. The policy is checked by IAM policy evaluation in tests and stays under the 5,120-character limit or fails synth.',
  ['lib/baseline-stack.ts', 'lib/organization/service-control-policy.ts', 'lib/config.ts', 'lib/compliance/bedrock/guardrail-numeric-version-in-use.ts'],
  [
    it(SCP_TEST, 'service control policy evaluated as IAM evaluates it fails if a model is called without the guardrail: denied'),
    it(SCP_TEST, 'service control policy evaluated as IAM evaluates it an allow-listed model with the guardrail is not denied (foundation model, inference profile, routed region)'),
    it(SCP_TEST, 'service control policy evaluated as IAM evaluates it fails if an unlisted model is called, even with the guardrail: denied'),
    it(SCP_TEST, 'service control policy evaluated as IAM evaluates it fails if a Bedrock API key is used (CallWithBearerToken): denied'),
    it(SCP_TEST, 'service control policy evaluated as IAM evaluates it fails if anyone but the deploy and logging roles stops or changes the trail or invocation logging: denied'),
    it(SCP_TEST, 'service control policy evaluated as IAM evaluates it the break-glass role is exempt from every statement'),
    it(SCP_TEST, 'service control policy size fails if too many models make the policy exceed the limit, with the keys to change'),
    it(BASELINE_STACK_TEST, 'BaselineStack account-wide guardrails the strict profile enforces the named guardrail version on every model call of the account'),
    it(BASELINE_STACK_TEST, 'BaselineStack account-wide guardrails the enforced guardrail and the deployed organization policy pass every check'),
    it(SECURE_LLM_GUARDRAIL_TEST, 'GuardrailNumericVersionInUse fails if the account-level enforced guardrail is the DRAFT'),
  ],
);

const HARDENED_USER_POOL = control(
  'Invitation-only user pool with MFA',
  'The user pool the gateway creates is invitation-only (no self sign-up), requires TOTP MFA, enforces a 14-character password policy with history, and runs Cognito threat protection (compromised credentials, adaptive authentication); tokens live one hour. People sign in on the managed sign-in domain with the authorization code and PKCE; the organization\'s OIDC or SAML identity providers can be offered there from configuration (client secrets as Secrets Manager references), with or instead of the pool\'s own users.',
  ['constructs/inference-gateway/inference-gateway.ts', 'constructs/inference-gateway/federation.ts', 'examples/first-call/sign-in.mjs'],
  [
    it(GATEWAY_TEST, 'InferenceGateway defaults the new user pool is invitation-only with TOTP MFA required, a strong password policy and threat protection'),
    it(FEDERATION_TEST, 'federation defaults an OIDC and a SAML provider: e-mail mapped, the secret a dynamic reference, both offered next to the pool'),
    it(FIRST_CALL_TEST, 'from cdk deploy to a first call a person with an access token sign-in.mjs gets an access token; chat.completions.create and models.list work; the authorizer fetched the JWKS over HTTP and was asked once'),
  ],
);

const COST_ATTRIBUTION = control(
  'Cost attributed per principal and team',
  'Every Converse call carries requestMetadata with the caller\'s kind, key or user id (never a key\'s secret) and team, sanitized to what Converse accepts, so model-invocation logs attribute each call; spend and tokens are metrics per team (the Team dimension, never the user), charted per team on the dashboard.',
  ['lambda/gateway/request-metadata.ts', 'lambda/gateway/audit.ts', 'constructs/security-monitoring/security-monitoring.ts'],
  [
    it('test/lambda/gateway/handler.budget.test.ts', 'gateway handler: budgets and attribution attribution every Converse call carries the principal and the team as requestMetadata, sanitized'),
    it('test/lambda/gateway/handler.budget.test.ts', 'gateway handler: budgets and attribution attribution spend and tokens are metrics per team, never per user; the audit record holds the cost'),
    it('test/constructs/security-monitoring/security-monitoring.test.ts', 'SecurityMonitoring defaults the dashboard shows spend by team with a search over the Team dimension, never a user'),
  ],
);

const PER_USER_ISOLATION = control(
  'Per-user model lists and quotas',
  'A caller sees and uses only the aliases of its own groups (403 otherwise), and quotas are kept per Cognito user, never shared.',
  ['lambda/gateway/identity.ts', 'lambda/gateway/quota.ts'],
  [
    it(HANDLER_IT, 'gateway handler (integration) access control and validation 403 when no group allows the alias; 404 model_not_found for an unknown alias'),
    it(HANDLER_IT, 'gateway handler (integration) happy path GET /v1/models lists only the aliases of the caller’s groups'),
    it(QUOTA_TEST, 'QuotaStore reserve and settle users do not share a quota'),
  ],
);

const QUOTA_FAIL_CLOSED = control(
  'Quota settlement fails closed',
  'A settlement that fails keeps the whole reservation charged, and a Bedrock call that fails returns it; tokens are never lost from the count.',
  ['lambda/gateway/index.ts', 'lambda/gateway/quota.ts'],
  [
    it(HANDLER_IT, 'gateway handler (integration) quota a failed settlement keeps the reservation (fail closed), logs a warning and still answers'),
    it(QUOTA_TEST, 'QuotaStore concurrency 40 parallel reserve-then-settle requests never push the total past the limit and account every token'),
  ],
);

const TAMPER_EVIDENT_TRAIL = control(
  'Tamper-evident, multi-region trail',
  'CloudTrail records every region and global services, validates log files, encrypts with a customer-managed key and delivers to an Object-Locked, versioned, private bucket and to a KMS-encrypted log group. The lock is GOVERNANCE mode by default (a principal allowed s3:BypassGovernanceRetention can still delete a log file early) and COMPLIANCE mode under profile "strict" or baseline.trail.objectLockMode (no one, root included, can delete a log file before its retention ends).',
  ['constructs/audit-trail/audit-trail.ts', 'lib/config.ts'],
  [
    it(TRAIL_TEST, 'AuditTrail defaults records every region and global services, validates log files and encrypts with the key'),
    it(TRAIL_TEST, 'AuditTrail encryption the trail bucket is SSE-KMS with a bucket key, versioned, Object-Locked, private and ACL-free'),
    it(TRAIL_TEST, 'AuditTrail grants only CloudTrail, for this trail, may check the ACL of and write to the trail bucket'),
    it(TRAIL_TEST, 'AuditTrail configuration objectLockMode COMPLIANCE locks every log file version in compliance mode'),
    it(BASELINE_STACK_TEST, 'BaselineStack profile the standard profile locks the trail in GOVERNANCE mode, the strict one in COMPLIANCE mode'),
    it(APP_TEST, 'the whole app the trail and the detector carry the baseline properties'),
  ],
);

const INVOCATION_LOGGING = control(
  'Bedrock model-invocation logging',
  'Bedrock logs every model invocation of the account and region (prompts and answers) to a KMS-encrypted log group with data protection, and payloads over 100 KB to a KMS-encrypted bucket. The custom resource that configures it never replaces or removes another owner\'s configuration silently: its create fails, naming baseline.invocationLogging.takeOverExisting, unless told to take over, and then keeps the configuration it found and restores it on delete; an update leaves a configuration another owner put in place since and says so.',
  ['constructs/invocation-logging/invocation-logging.ts', 'lambda/invocation-logging/index.ts', 'lambda/invocation-logging/takeover.ts'],
  [
    it(INVOCATION_LOGGING_TEST, 'ModelInvocationLogging defaults the invocation log group masks personal data, is KMS-encrypted and kept a year'),
    it(INVOCATION_LOGGING_TEST, 'ModelInvocationLogging defaults the large-payload bucket is KMS-encrypted, versioned, private, TLS-only, logged and writable only by Bedrock of this account'),
    it('test/lambda/invocation-logging/handler.test.ts', 'invocation-logging handler create and update Create puts the configuration with the real SDK and answers SUCCESS'),
    it('test/lambda/invocation-logging/handler.test.ts', 'invocation-logging handler delete Delete leaves a configuration that another owner put in place since'),
    it('test/lambda/invocation-logging/handler.test.ts', 'invocation-logging handler takeover fails if Create finds someone else\'s configuration, naming the setting that takes it over, and puts nothing'),
    it('test/lambda/invocation-logging/handler.test.ts', 'invocation-logging handler takeover with TakeOverExisting, Create keeps the previous configuration and Delete puts it back exactly'),
    it('test/lambda/invocation-logging/handler.test.ts', 'invocation-logging handler takeover Update leaves, and reports, a configuration another owner put in place since'),
  ],
);

const GATEWAY_AUDIT = control(
  'One audit record per request',
  'The gateway writes one structured audit record per request (caller, alias, decision, guardrail action, tokens, latency, prompt hash) and EMF metrics per model and block reason; auditing never throws.',
  ['lambda/gateway/audit.ts'],
  [
    it(HANDLER_IT, 'gateway handler (integration) audit one structured record per request with ids, decision, tokens and a prompt hash — never the prompt or the answer'),
    it('test/lambda/gateway/audit.test.ts', 'Auditor writes one audit line and one EMF document with total, per-Model and per-Reason dimension sets'),
    it('test/lambda/gateway/audit.test.ts', 'Auditor never throws, even when the logger does'),
  ],
);

const SECURITY_ALARMS = control(
  'Security alarms with runbooks',
  'One alarm per signal (guardrail intervention rate and spikes, pre-screen, guardrail, output-screen and tool-call blocks, canary leaks, quota rejections, API 5xx, function errors and throttles, WAF blocks, Bedrock throttling, daily token budget), each with a runbook, notifying the alert topic on ALARM and OK.',
  ['constructs/security-monitoring/security-monitoring.ts'],
  [
    it(MONITORING_TEST, 'SecurityMonitoring defaults creates one alarm per signal, and no anomaly alarm unless asked'),
    it(MONITORING_TEST, 'SecurityMonitoring defaults every alarm notifies the alert topic on ALARM and OK, with actions enabled, and ignores periods without data'),
    it(MONITORING_TEST, 'SecurityMonitoring defaults every alarm has a runbook description under 1024 characters that says what to do first'),
    it(GATEWAY_STACK_TEST, 'GatewayStack defaults security alarms notify an alert topic encrypted with the audit key, and a dashboard shows them'),
  ],
);

const ALERT_CHANNEL = control(
  'Protected alert channel',
  'The alert topic is KMS-encrypted and TLS-only, only EventBridge and CloudWatch of this account may publish, and undeliverable alerts land in an encrypted dead-letter queue. A deployment names where the alerts go (email recipients or an existing SNS topic): with the account pinned synth fails without one, otherwise the baseline stack has an AlertEmail parameter with no default; opting out takes the explicit alertsReachNobody setting. In the blueprint app the gateway\'s alarms go to the baseline\'s topic unless gateway.monitoring names its own destination. An existing topic\'s policies are outside the stack: synth warns that they must admit EventBridge and CloudWatch.',
  ['constructs/alert-topic/alert-topic.ts', 'lib/alert-destination.ts', 'lib/config.ts'],
  [
    it('test/lib/alert-destination.test.ts', 'alert destination defaults with no recipient configured, the baseline asks for one at deploy time and the gateway\'s alarms go to its topic'),
    it('test/lib/alert-destination.test.ts', 'alert destination existing topic alertTopicArn sends each stack\'s alerts to that topic: no topic, subscription or parameter of its own'),
    it('test/lib/config.test.ts', 'configuration validation fails if the account is pinned and no alert destination is named, saying how to choose'),
    it(ALERT_TOPIC_TEST, 'AlertTopic defaults grants publish to no one without a condition, and to no wildcard principal'),
    it(ALERT_TOPIC_TEST, 'AlertTopic defaults denies publishing without TLS'),
    it(ALERT_TOPIC_TEST, 'AlertTopic defaults keeps undeliverable alerts in an encrypted, TLS-only, retained dead-letter queue'),
  ],
);

const COMPLIANCE_GATE = control(
  'Compliance gate on every synthesis',
  'Five cdk-nag packs (AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1, Serverless), the SecureLLM pack, cfn-guard with the Control Tower rules and the CloudFormation validator fail synthesis on any unacknowledged error. The compliance report lists every Lambda function, IAM role and log group of the templates (generated ones included) with the packs that evaluated it; a raw CfnResource, which cdk-nag rules cannot recognise, is marked NOT EVALUATED, and the suite fails on any function or role no pack cdk-nag ships evaluated.',
  ['lib/compliance/packs.ts', 'lib/compliance/bedrock/index.ts', 'lib/compliance/scoped-cfn-guard.ts', 'lib/compliance/report/resources.ts', 'lib/compliance/report/observer.ts'],
  [
    it(APP_TEST, 'the whole app passes all five cdk-nag packs, cfn-guard and the CloudFormation validator with zero unacknowledged findings'),
    it(APP_TEST, 'the whole app the compliance report lists every Lambda function, IAM role and log group of the templates as evaluated by the cdk-nag packs'),
    it('test/lib/compliance/report.test.ts', 'compliance report functions, roles and log groups marks a raw CfnResource function or role as not evaluated, naming the packs that missed it, and says why'),
    it(APP_TEST, 'the compliance gate fails if a stack adds a resource that breaks the packs'),
    it(SECURE_LLM_PACK_TEST, 'BedrockChecks the blueprint passes the pack with zero findings'),
    it(SECURE_LLM_PACK_TEST, 'BedrockChecks the blueprint fails if the invocation log group loses its data-protection policy or the gateway loses its Deny'),
  ],
);

const REVIEWED_BASELINES = control(
  'Reviewed acknowledgments and snapshots',
  'Every acknowledged finding is compared with a reviewed baseline (added, removed or reworded acknowledgments fail), and each stack\'s full template is compared with a reviewed snapshot.',
  ['test/compliance/acknowledgments.json', 'lib/compliance/report/baseline.ts'],
  [
    it(APP_TEST, 'acknowledgments match the reviewed baseline'),
    it(APP_TEST, 'the baseline comparison fails if an acknowledgment is added, naming it and how to update the baseline'),
    it(BASELINE_STACK_TEST, 'BaselineStack defaults matches the reviewed snapshot (asset hashes scrubbed)'),
    it(GATEWAY_STACK_TEST, 'GatewayStack defaults matches the reviewed snapshot (asset hashes scrubbed)'),
  ],
);

const NO_BODIES_IN_EDGE_LOGS = control(
  'No bodies or tokens in edge logs',
  'API access logs are JSON with errors only and never bodies, the stage caches nothing, and WAF logs redact the Authorization header.',
  ['constructs/inference-gateway/inference-gateway.ts'],
  [
    it(GATEWAY_TEST, 'InferenceGateway defaults the stage traces, throttles, logs access as JSON and errors only, never bodies, and caches nothing'),
    it(GATEWAY_TEST, 'InferenceGateway defaults the web ACL is associated with the stage and logs to a KMS aws-waf-logs-* group with the authorization header redacted'),
  ],
);

const DATA_PROTECTION_POLICY = control(
  'CloudWatch Logs data protection',
  'Log groups that can hold prompts carry a data-protection policy that audits and masks credentials and personal data; the SecureLLM pack fails synthesis when such a log group has no masking policy.',
  ['constructs/secure-log-group/secure-log-group.ts', 'lib/compliance/bedrock/invocation-log-data-protection.ts'],
  [
    it(SECURE_LOG_GROUP_TEST, 'SecureLogGroup encryption data protection audits and masks credentials and personal data'),
    it(SECURE_LLM_ENDPOINT_TEST, 'InvocationLogDataProtection fails if a marked log group has no policy, or one that only audits'),
    it(SECURE_LLM_ENDPOINT_TEST, 'InvocationLogDataProtection fails if a role Bedrock assumes writes to the log group'),
  ],
);

const FINITE_RETENTION = control(
  'Finite retention of at least a year, RETAIN',
  'Every log group keeps records for a finite period of at least one year and is retained when a stack is deleted; an infinite retention is refused; the periods are `baseline.logRetentionDays` and `gateway.logRetentionDays` (CloudWatch values from 365 days), and invocation payloads expire with the log records.',
  ['lib/config.ts', 'lib/baseline-stack.ts', 'constructs/secure-log-group/secure-log-group.ts', 'constructs/invocation-logging/invocation-logging.ts'],
  [
    it(APP_TEST, 'the whole app every log group has a KMS key and a retention of at least a year, and is retained'),
    it(CONFIG_TEST, 'configuration defaults an empty configuration is valid, env-agnostic and creates every baseline part'),
    it(CONFIG_TEST, 'configuration validation reports every problem at once'),
    it(SECURE_LOG_GROUP_TEST, 'SecureLogGroup validation fails if retention is infinite'),
    it(INVOCATION_LOGGING_TEST, 'ModelInvocationLogging validation fails if logRetention is infinite'),
  ],
);

const SHORT_LIVED_USAGE = control(
  'Usage counters expire',
  'The usage table holds only per-user daily counters, which expire two days after their day starts.',
  ['lambda/gateway/quota.ts', 'lambda/shared/gateway-contract.ts', 'constructs/inference-gateway/inference-gateway.ts'],
  [
    it(QUOTA_TEST, 'QuotaStore reserve and settle the item is keyed by user and UTC day and expires two days after the day starts'),
    it(GATEWAY_TEST, 'InferenceGateway defaults the usage table is keyed and expires as the quota code expects, on-demand, KMS-encrypted, recoverable and protected'),
  ],
);

const TABLE_BACKUPS = control(
  'Gateway tables backed up daily, recovery points undeletable',
  'The API-keys table, whose loss locks out every program that calls with a gateway API key, and the usage table have point-in-time recovery, deletion protection and a daily AWS Backup plan (`gateway.backup`, 35 days) into a retained vault under a key of its own, whose access policy denies deleting a recovery point or shortening its lifecycle to everyone but the key administrators.',
  ['constructs/table-backup/table-backup.ts', 'constructs/inference-gateway/inference-gateway.ts', 'lib/config.ts'],
  [
    it(TABLE_BACKUP_TEST, 'TableBackup defaults selects the tables by ARN'),
    it(TABLE_BACKUP_TEST, 'TableBackup defaults denies every principal deleting a recovery point or shortening its lifecycle'),
    it(TABLE_BACKUP_TEST, 'TableBackup defaults encrypts the vault with a new rotating key of its own, retained with the vault'),
    it(GATEWAY_TEST, 'InferenceGateway defaults backs up the keys table and the usage table daily with AWS Backup, into a vault under a key of its own'),
    it(CONFIG_TEST, 'configuration defaults the gateway backs its tables up daily at 03:00 UTC and keeps each backup 35 days'),
  ],
);

const AUDITOR_READ_GRANT = control(
  'Reading prompts needs an explicit grant',
  'Invocation records and payloads are readable only through IAM plus the customer-managed key; grantReadLogs gives an auditor exactly the log, bucket and key permissions.',
  ['constructs/invocation-logging/invocation-logging.ts'],
  [it(INVOCATION_LOGGING_TEST, 'ModelInvocationLogging grants grantReadLogs lets an auditor read the records and the payloads, decrypting through S3 only')],
);

const KEYS_PER_DATA_CLASS = control(
  'One key per data class, administration split from use',
  'Audit data, payload logs (prompts and completions) and application data each have their own customer-managed key. No key policy gives the account root kms:* : only the deploying CloudFormation role and named administrator roles administer a key, without using it, and the account\'s principals use a key only through the AWS services it serves (kms:ViaService), as every runtime grant is scoped. ' +
    'Two uses are direct, each admitted by the key policy for that use alone: MACs of the gateway API keys with HMAC-SHA-256 (KMS MAC operations are never made through a service), and, with retrieval, the knowledge-base role encrypting the transient data of ingestion jobs, which the Bedrock User Guide documents as the service role\'s own kms:GenerateDataKey and kms:Decrypt (admitted for that role\'s IAM path only).',
  ['constructs/secure-key/secure-key.ts', 'constructs/knowledge-base/knowledge-base.ts', 'lib/baseline-stack.ts', 'lib/gateway-stack.ts'],
  [
    it(BASELINE_STACK_TEST, 'BaselineStack defaults encryption the audit key encrypts the trail, its bucket and log group, the flow logs and the alerts; the payload-log key what holds prompts and completions'),
    it(GATEWAY_STACK_TEST, 'GatewayStack defaults the application key encrypts the usage table, guardrail and function logs; the audit key the access, execution, WAF, flow and network-guard logs and the alerts'),
    it(BASELINE_STACK_TEST, 'BaselineStack defaults encryption no key policy grants the account root anything without a condition'),
    it(GATEWAY_STACK_TEST, 'GatewayStack defaults encryption every KMS grant to a role goes through a named AWS service (kms:ViaService)'),
    it(KNOWLEDGE_BASE_TEST, "encryption the service role may use the key for ingestion's transient data directly, as Bedrock documents, and the key admits only its IAM path"),
    it(GATEWAY_STACK_TEST, 'GatewayStack defaults encryption the CloudFormation execution role that deploys the stack keeps administration of every key'),
    it(SECURE_KEY_TEST, 'SecureKey validation fails if nobody could administer the key after deployment'),
  ],
);

const REGION_BOUND_INFERENCE = control(
  'Inference bound to named regions',
  'Stacks deploy to the account and region of `env` when set; models are called in the stack\'s region unless an alias names a cross-region inference profile, and then IAM allows the model only in the regions the configuration lists for it.',
  ['lib/config.ts', 'lib/blueprint.ts', 'constructs/inference-gateway/inference-gateway.ts'],
  [
    it(GATEWAY_STACK_TEST, 'GatewayStack configuration an existing user pool replaces the new one, and inference profiles are allowed in each of their regions'),
    it(GATEWAY_TEST, 'InferenceGateway validation fails if an inference profile lists no region'),
    it(GATEWAY_TEST, 'InferenceGateway validation fails if profile regions are given without a profile'),
    it(GATEWAY_TEST, 'InferenceGateway defaults the role allows InvokeModel only on the allow-listed model and profile ARNs, and only with the guardrail version'),
  ],
);

const REGULATED_PACKS = control(
  'HIPAA, PCI DSS and NIST 800-53 packs',
  'The HIPAA Security, PCI DSS 3.2.1 and NIST 800-53 R5 cdk-nag packs are registered on the whole app and must pass with every acknowledgment reviewed.',
  ['lib/compliance/packs.ts'],
  [
    it(APP_TEST, 'the whole app passes all five cdk-nag packs, cfn-guard and the CloudFormation validator with zero unacknowledged findings'),
    it(SECURE_LLM_PACK_TEST, 'BedrockChecks defaults is registered by addCompliancePacks under the name COMPLIANCE_PLUGIN_NAMES lists'),
    it(APP_TEST, 'acknowledgments match the reviewed baseline'),
  ],
);

const PRESCREEN_EVIDENCE = 'The pre-screen\'s detection is measured on this repository\'s own labeled evaluation set (`test/fixtures/injection-eval`, holdout: at least 60 % of attacks at no more than 1 % false positives), not on a public benchmark; attacks unlike those families get through more often.';
const EMULATED_BEDROCK =
  'The guardrail\'s own detection quality is Amazon Bedrock\'s and is not measured here: the gateway tests run against a loopback Bedrock server that returns the verdicts a test configures, so they prove the wiring, not the classifier.';

/** The threat model, by category. The first thirteen categories are the seed list of the threat-model issue. */
export const THREAT_MODEL: readonly ThreatCategory[] = [
  {
    key: 'prompt-injection',
    title: 'Prompt injection (direct and indirect)',
    threats: [
      {
        title: 'Direct prompt injection',
        description:
          'A caller writes instructions that override the deployment\'s system prompt: "ignore previous instructions", fake system or developer messages, delimiter and format tricks, instructions hidden in invisible Unicode or look-alike letters. Goal: make the model act outside its policy, reveal its instructions or misuse tools.',
        owasp: ['LLM01:2025'],
        coverage: 'covered',
        controls: [NORMALIZATION, HIDDEN_TEXT, PRESCREEN, NO_CLIENT_SYSTEM, FORCED_GUARDRAIL, GUARDRAIL_PACK, INJECTION_ALARMS],
        residualRisk: [
          'Detection is probabilistic: the pre-screen and the guardrail lower the rate of successful injections, they do not rule them out.',
          PRESCREEN_EVIDENCE,
          EMULATED_BEDROCK,
          'Assistant turns a client sends as history are plain text to Converse (guard content is for user turns): the gateway checks them, and the tool-call arguments in them, with ApplyGuardrail and the pre-screen before the model call, but the model still reads them as its own words, so a forged turn the guardrail passes can still steer it.',
          'With `gateway.prescreenMode: flag` the pre-screen only records suspected injections (it runs after the response, for the audit record); the guardrail is then the only blocking layer.',
          'Images (off by default, `gateway.limits.maxImagesPerRequest`) reach the model as guard content: only the guardrail\'s image content filters, where the deployment enabled the IMAGE modality, evaluate them (text in an image: its first 100 words); the gateway\'s own screens read text only.',
        ],
      },
      {
        title: 'Indirect prompt injection',
        description:
          'Instructions arrive inside content the model reads but the caller did not write: tool results, tool definitions, documents fetched by the client\'s tools. The model follows them as if they came from the user or the deployment, for example to exfiltrate data through a link or call a tool.',
        owasp: ['LLM01:2025', 'LLM04:2025'],
        coverage: 'partial',
        controls: [UNTRUSTED_CONTENT, NO_CLIENT_SYSTEM, TOOL_RESULTS_APPLY_GUARDRAIL, TOOL_DESCRIPTIONS_CHECKED, HIDDEN_TEXT, LINK_SCREEN],
        residualRisk: [
          'The pre-screen flags poisoned documents at least twice as often as clean ones on our evaluation set: many poisoned documents still pass, and spotlighting lowers, but does not remove, the chance that the model follows marked instructions.',
          'Retrieved text a client pastes into a user message (instead of a tool result) is screened as the user\'s own words: the indirect-only pre-screen rules do not apply to it and it is not datamarked.',
          'The gateway fetches nothing itself; the client that runs tools decides what content enters the conversation.',
        ],
      },
    ],
  },
  {
    key: 'jailbreaks',
    title: 'Jailbreaks',
    threats: [
      {
        title: 'Jailbreak to harmful or off-policy output',
        description:
          'A caller talks the model out of its safety training or the deployment\'s policy: persona prompts (DAN), role-play framing, obfuscated or translated requests, many-shot or multi-turn escalation. Goal: harmful content, or content the organization does not allow.',
        owasp: ['LLM01:2025'],
        coverage: 'covered',
        controls: [HARMFUL_CONTENT_FILTERS, FORCED_GUARDRAIL, JAILBREAK_FAMILIES, GUARDRAIL_VERSIONING, INJECTION_ALARMS, POSTURE_ALERTS],
        residualRisk: [
          EMULATED_BEDROCK,
          PRESCREEN_EVIDENCE,
          'Multi-turn (crescendo) and many-shot jailbreaks spread across forged assistant turns are only seen by the pre-screen, message by message; the Converse guardrail evaluates user turns and the answer.',
          'Denied topics and word lists are empty by default: what is "off-policy" for a deployment must be configured in `gateway.guardrail`.',
        ],
      },
    ],
  },
  {
    key: 'data-leakage',
    title: 'Data leakage (sensitive information disclosure, system-prompt leakage)',
    threats: [
      {
        title: 'Sensitive information in prompts and answers',
        description:
          'Personal data or credentials pass through the model: a user pastes them, a tool result carries them, or the model repeats them from its context. They then leave the gateway in an answer or reach Bedrock in a prompt.',
        owasp: ['LLM02:2025'],
        coverage: 'covered',
        controls: [GUARDRAIL_PII, SECRET_REDACTION, PII_PACK, STREAMED_OUTPUT_SCREEN],
        residualRisk: [
          'PII detection is probabilistic, and only the configured types are masked (by default e-mail, phone, name, address, US social security number and card number); other identifiers pass.',
          'Secret redaction recognizes known formats (private keys, AWS keys, provider tokens, passwords in URLs, assignments and prose; see lambda/shared/screening/secret-rules.ts); a secret without a recognizable shape or context (a bare random string in prose) passes, and documented example keys are deliberately left alone.',
          'Data the application or the system prompt puts into the context, and anything the foundation model memorized in training, are out of the gateway\'s reach.',
        ],
      },
      {
        title: 'System-prompt leakage',
        description:
          'A caller extracts the deployment\'s system prompt ("repeat the text above", translation, encoding tricks) to learn its rules, find weaknesses or copy it.',
        owasp: ['LLM07:2025', 'LLM01:2025'],
        coverage: 'covered',
        controls: [CANARY, CANARY_ALARM, NO_CLIENT_SYSTEM, PRESCREEN, STREAMED_OUTPUT_SCREEN],
        residualRisk: [
          'The canary catches verbatim leaks of the canary line, however split; a paraphrase or a partial leak that leaves the canary out passes. The system prompt must therefore hold no secret.',
        ],
      },
      {
        title: 'Exfiltration through rendered output',
        description:
          'An injected instruction makes the model emit a Markdown image or link whose URL carries conversation data to an attacker\'s host; the client renders it and the data leaves without a click.',
        owasp: ['LLM02:2025', 'LLM05:2025'],
        coverage: 'covered',
        controls: [LINK_SCREEN, HTML_ESCAPE, FAIL_CLOSED, STREAMED_OUTPUT_SCREEN],
        residualRisk: [
          'Hosts on `gateway.allowedLinkHosts` are trusted completely, including any open redirect they serve.',
          'The model can still write data in visible text for a user to copy; only URL-bearing syntax is removed.',
          'A bare domain without a scheme, `www.` or `//` (`ssn-123.evil.example/x`) is left as text; a client that links bare domains (Slack, linkify-it) may still fetch it.',
          'Tool-call arguments go to the client that executes the tool; URLs in them are only flagged (see "Model triggers unintended tool actions").',
        ],
      },
      {
        title: 'Internal details in error responses',
        description: 'Error responses reveal stack traces, upstream messages, configuration or model details that help an attacker.',
        owasp: ['LLM02:2025'],
        coverage: 'covered',
        controls: [OPAQUE_ERRORS],
        residualRisk: ['Error causes are kept for the function logs: whoever may read those logs sees them.'],
      },
    ],
  },
  {
    key: 'poisoning-and-backdoors',
    title: 'Poisoning and backdoors',
    threats: [
      {
        title: 'Poisoned content in the conversation',
        description:
          'Documents or tool results a client passes in are crafted to steer answers: planted instructions, false facts, or triggers for behaviour the attacker prepared.',
        owasp: ['LLM04:2025', 'LLM01:2025'],
        coverage: 'partial',
        controls: [UNTRUSTED_CONTENT, TOOL_RESULTS_APPLY_GUARDRAIL],
        residualRisk: [
          'Screening looks for instructions, not truth: a document with plausible false facts and no instruction pattern passes every screen.',
          'The guardrail\'s contextual grounding check does not run on gateway traffic (see "Misinformation").',
        ],
      },
      {
        title: 'Poisoned or backdoored model',
        description:
          'A model trained or fine-tuned on poisoned data, or imported with a backdoor, behaves normally until a trigger appears; a modified model (fine-tuned, distilled, quantized) can also lose safety behaviour without any trigger. Applies to fine-tuning, continued pre-training, distillation, quantization and custom model import.',
        owasp: ['LLM04:2025', 'LLM03:2025'],
        coverage: 'partial',
        controls: [MODEL_ALLOW_LIST, MODEL_ALLOW_LIST_PACK, TRAIL_DATA_EVENTS, TRAINING_DATA_VAULT, VERIFIED_CUSTOMIZATION, SAFETY_GATE, CUSTOMIZATION_PACK],
        residualRisk: [
          'Fine-tuning (the customization section) is the only modification path the blueprint guards. Continued pre-training, distillation, custom model import and quantized or otherwise modified weights brought in from outside pass through none of these controls; IAM still admits only the configured foundation models, inference profiles and custom-model deployments to the gateway.',
          'The record screen finds instructions, credentials, hidden text and checked personal identifiers; a backdoor made of innocuous-looking examples (a trigger phrase paired with a wrong answer) passes it. The safety gate only catches such a backdoor if the fixed evaluation set happens to contain its trigger.',
          'The evaluation set is small (24 attacks, 28 benign prompts) and fixed: a model can regress on attacks outside it, and a model tuned against it could pass. Refusals are recognised by the guardrail, the output screen and English refusal phrases.',
          'A promoted deployment reaches callers only once an alias names its ARN (gateway.models.<alias>.customModelDeploymentArn, reviewed configuration): IAM then allows exactly that ARN, only with the guardrail and only while it carries secure-llm:gate=passed. Anyone allowed bedrock:TagResource on it can set that tag; the tag only narrows, the named ARN is the allow-list. The tag condition rests on the Service Authorization Reference listing aws:ResourceTag for custom-model-deployment and has not been exercised against AWS by our tests (an IAM policy simulator evaluates it).',
          'The customization service role reads the whole datasets/ prefix (a static role cannot name the version of one job); the workflow binds a job to the verified version\'s key, and only the data writers can write there.',
          'Backdoors or poisoning in the foundation models themselves are the model provider\'s and AWS\'s responsibility.',
        ],
      },
    ],
  },
  {
    key: 'supply-chain',
    title: 'Supply chain',
    threats: [
      {
        title: 'Unvetted or substituted model',
        description: 'A caller or a misconfiguration routes requests to a model nobody approved, for example a more permissive or cheaper one, or any model of the account.',
        owasp: ['LLM03:2025'],
        coverage: 'covered',
        controls: [MODEL_ALLOW_LIST, MODEL_ALLOW_LIST_PACK, GROUP_ALIASES, ACCOUNT_WIDE_GUARDRAILS],
        residualRisk: [
          'Which models are on the allow-list is a configuration decision; nothing here checks a model card, licence or evaluation result.',
          'Outside the gateway, other principals of the account may call any model unless an organization administrator attaches the generated service control policy (baseline.organizationPolicy), which this account cannot do for itself.',
        ],
      },
      {
        title: 'Compromised dependency or build tooling',
        description:
          'A malicious or vulnerable npm package (in the CDK app, the bundler or a Lambda bundle) runs with the deployment\'s or the function\'s permissions.',
        owasp: ['LLM03:2025'],
        coverage: 'partial',
        controls: [LOCAL_BUNDLING, SBOM_AND_CI_CHECKS, NO_EGRESS, LEAST_PRIVILEGE_ROLE, CODE_SIGNING, CODE_SIGNING_PACK],
        residualRisk: [
          'Where the registry cannot answer (a mirror without signature keys or the advisory endpoint, as on the machines this repository is built on), the signature and advisory checks report that they did not run instead of failing, unless SUPPLY_CHAIN_CHECKS=required; the SBOM lists packages, it does not vet them.',
          'Development dependencies are pinned exactly in package.json and package-lock.json (the package\'s own runtime dependencies use caret ranges so consumers can share one copy), but no test checks that; the bundles carry their SHA-256 in a manifest, but nothing verifies it at deployment.',
          'Lambda code is signed only with codeSigning configured (required under the strict profile); signing proves the code is what the holder of the signing profile signed, not that the bundle is free of a compromised dependency. Whoever may run signing jobs with the profile can sign anything: keep signer:StartSigningJob on the profile for the release pipeline. The deployment pipeline and its credentials are out of the blueprint\'s scope.',
          'Code running in the function can still use what the function may: call the allow-listed models with the guardrail and update usage counters.',
        ],
      },
    ],
  },
  {
    key: 'tool-integrations',
    title: 'Plugin and tool integrations (excessive agency)',
    threats: [
      {
        title: 'Model triggers unintended tool actions',
        description:
          'The model, steered by injection or simply wrong, calls a tool that was not offered, with arguments outside the declared schema, or with arguments that carry an attack to the system behind the tool.',
        owasp: ['LLM06:2025', 'LLM01:2025'],
        coverage: 'partial',
        controls: [DECLARED_TOOLS, SOUND_TOOL_SCHEMAS, TOOL_ARGUMENTS_GUARDRAIL, TOOL_ARGUMENTS_SCREENED, TOOL_DESCRIPTIONS_CHECKED],
        residualRisk: [
          'The gateway executes no tool: the client that runs tools decides their permissions, confirmations and sandboxing. A schema-valid call can still do harm: a well-formed "delete" still deletes.',
          'URLs in calls to tools without a `gateway.toolAllowedHosts` entry are flagged and audited, not removed: such a tool can still be pointed at any host with data in its path; list every tool that reaches the network, or let the client restrict where it goes.',
          'No human-in-the-loop step exists in the gateway for consequential tool calls.',
        ],
      },
      {
        title: 'Over-privileged gateway',
        description: 'The gateway itself holds more permissions than it needs, so a flaw in it, or injected instructions, reach more of the account.',
        owasp: ['LLM06:2025'],
        coverage: 'covered',
        controls: [LEAST_PRIVILEGE_ROLE, WILDCARD_PACK, FORCED_GUARDRAIL],
        residualRisk: ['Actions without resource-level permissions (network interfaces, X-Ray) are granted on `*`; each such grant is an acknowledged finding with its reason.'],
      },
    ],
  },
  {
    key: 'retrieval-and-vector-stores',
    title: 'Retrieval and vector stores',
    threats: [
      {
        title: 'Injected or poisoned retrieved content',
        description: 'Content retrieved for an answer (RAG) carries instructions or falsehoods, or is retrieved for the wrong user.',
        owasp: ['LLM08:2025', 'LLM01:2025', 'LLM04:2025'],
        coverage: 'partial',
        controls: [SCREENED_INGESTION, TENANT_FROM_UPLOAD, AUDITED_RELEASE, CHUNK_SCREEN, RETRIEVED_CHUNKS_SCREENED, RETRIEVAL_FAILS_CLOSED, GROUNDING, UNTRUSTED_CONTENT, TOOL_RESULTS_APPLY_GUARDRAIL, RETRIEVER_CANNOT_WRITE],
        residualRisk: [
          'The ingestion and chunk screens are deterministic (plus the guardrail at ingestion): a poisoned document phrased as plain data (false facts, no instruction) passes them, and a poisoned chunk they miss is embedded.',
          'A chunk that passes the screens still reaches the model: spotlighting and the grounding check lower, not remove, the chance that planted instructions or falsehoods shape the answer.',
          'Grounding sources are evaluated by the guardrail\'s contextual grounding check, not by its other policies (content, PII, prompt attack): those apply to the question and the answer.',
          'Content a client sends itself is handled as a tool result or, pasted into a user message, screened as the user\'s own words.',
        ],
      },
      {
        title: 'Vector store access and embedding weaknesses',
        description:
          'A vector store returns other tenants\' chunks, leaks content through embeddings (inversion), or accepts writes from untrusted sources.',
        owasp: ['LLM08:2025'],
        coverage: 'partial',
        controls: [TENANT_FILTERED_RETRIEVAL, RETRIEVE_SCOPED, PRIVATE_VECTOR_STORE, RETRIEVE_PER_KB, VECTOR_STORE_PACK, RETRIEVER_CANNOT_WRITE, BLUEPRINT_KNOWLEDGE_BASE_WIRED],
        residualRisk: [
          'The index follows the documents by schedule, not by event: a released document becomes retrievable, and a deleted one stops being retrievable, only after the next ingestion job (up to `syncIntervalMinutes` plus the job\'s run time); a start refused while a job runs is retried at the next interval.',
          'The tenant filter relies on the `tenant` metadata ingestion writes beside each document, and on the caller\'s team: a user or key given the wrong team reads that team\'s documents.',
          'Embedding inversion is limited only by who may read the vectors: the knowledge-base role alone.',
          'The gateway serves embeddings (`POST /v1/embeddings`, Titan Text Embeddings V2, scope `embeddings`) with the chat route\'s authorization, quotas and audit but without a guardrail (Bedrock applies none to embedding models): IAM allows exactly those model ARNs without the condition, and its Deny (NotResource) keeps every other model behind the guardrail. Where the vectors are stored, and who may read them, is the caller\'s.',
        ],
      },
    ],
  },
  {
    key: 'runtime-infrastructure',
    title: 'Runtime infrastructure (network, keys, IAM)',
    threats: [
      {
        title: 'Network exposure and exfiltration paths',
        description:
          'The functions reach the internet (to exfiltrate data or fetch a payload), or AWS services are reached through broad endpoints by principals that should not use them; the public API is attacked directly.',
        owasp: ['LLM02:2025', 'LLM10:2025'],
        coverage: 'covered',
        controls: [NO_EGRESS, RESTRICTED_ENDPOINTS, NETWORK_VISIBILITY, WAF_EDGE],
        residualRisk: [
          'The API is a public regional endpoint by design (behind WAF and Cognito); no private-API variant is offered.',
          'DNS queries from the isolated subnets still go to the VPC resolver, which resolves public names: DNS tunnelling is not blocked (no Route 53 Resolver DNS Firewall).',
        ],
      },
      {
        title: 'Key misuse',
        description: 'Encryption keys are used by the wrong principal, delegated through grants, deleted, or never rotated, exposing logs, prompts and usage data.',
        owasp: ['LLM02:2025'],
        coverage: 'covered',
        controls: [CUSTOMER_MANAGED_KEYS, STORAGE_ENCRYPTION],
        residualRisk: [
          'Key policies delegate to IAM in the account: anyone an administrator gives kms:Decrypt on a key can read what it protects; key administrators are not separated from key users.',
        ],
      },
      {
        title: 'Over-broad IAM',
        description: 'Roles grant wildcards, invoke models without the guardrail, or can be assumed by more principals than intended.',
        owasp: ['LLM06:2025', 'LLM01:2025'],
        coverage: 'covered',
        controls: [FORCED_GUARDRAIL, GUARDRAIL_PACK, LEAST_PRIVILEGE_ROLE, WILDCARD_PACK, SCOPED_ROLES],
        residualRisk: [
          'Human and CI/CD access to the account (who may deploy, change the guardrail or read logs) is outside the blueprint; posture-change alerts report the most dangerous changes after the fact.',
        ],
      },
    ],
  },
  {
    key: 'multi-user-access-control',
    title: 'Multi-user access control',
    threats: [
      {
        title: 'Unauthenticated or cross-user access',
        description:
          'Someone calls the API without an account, with a stolen password, or uses a model, a quota or data meant for another user or group.',
        owasp: ['LLM06:2025', 'LLM10:2025'],
        coverage: 'covered',
        controls: [COGNITO_EVERY_METHOD, GATEWAY_API_KEYS, USER_CHECK, HARDENED_USER_POOL, GROUP_ALIASES, PER_USER_ISOLATION, SPEND_BUDGETS, COST_ATTRIBUTION],
        residualRisk: [
          'A revoked key, an unconfigured machine client and a disabled (AdminDisableUser) or deleted user lose access within the authorizer cache TTL (60 s). A user who only signed out (GlobalSignOut) or whose refresh token was revoked (RevokeToken) keeps their unexpired access token (at most one hour): AdminGetUser does not tell which tokens were revoked. To cut someone off, disable them and revoke their keys.',
          'The user check costs one AdminGetUser per uncached decision on a person\'s token (Cognito\'s UserRead quota, shared with the account\'s other readers): a burst of new tokens beyond it is refused (401) until Cognito answers again.',
          'People from a federated identity provider follow its lifecycle only at their next sign-in: disabling them at the provider does not end a pool access token already issued (at most one hour), and their pool groups are assigned in the pool, not mapped from the provider\'s groups.',
          'The authorizer runs outside the VPC to reach the pool\'s JWKS on Cognito\'s public endpoint; it handles only the Authorization header.',
          'People\'s team comes from the pool (custom:team), not from the token: with an existing pool (gateway.existingUserPoolId) the blueprint cannot declare the attribute or stop that pool\'s other app clients from writing it; that is its owner\'s to do.',
          'With `gateway.existingUserPoolId`, the pool\'s MFA, password and threat-protection settings are its owner\'s, not the blueprint\'s.',
          'Group membership is administered in Cognito outside the blueprint; one system prompt serves every user of a gateway stack.',
          'The gateway stores no conversations, but model-invocation logs and audit records hold every user\'s requests together: whoever may read them reads all users.',
          'A team\'s budget is shared by all its users and keys: one member can spend it for the others; per-user and per-key budgets bound each one\'s share.',
        ],
      },
      {
        title: 'Model calls around the gateway',
        description:
          'Another role, user or Bedrock API key of the account calls models directly, skipping the gateway\'s authentication, quotas, screening, guardrail and audit record; or someone turns off invocation logging or the trail to hide it.',
        owasp: ['LLM01:2025', 'LLM03:2025', 'LLM10:2025'],
        coverage: 'partial',
        controls: [ACCOUNT_WIDE_GUARDRAILS, FORCED_GUARDRAIL],
        residualRisk: [
          'Both are off by default (the enforced guardrail is required under profile strict): without them, the gateway\'s IAM conditions bind only its own role.',
          'The service control policy takes effect only where an organization administrator attaches it; it never applies to the management account, and AWS::Organizations::Policy deploys only from the management account or a delegated administrator.',
          'The enforced guardrail filters content, but calls made around the gateway still skip its authentication, quotas, budgets, pre-screen and audit record: only IAM in the account decides who may call models.',
          'The exemptions are role-name patterns: a principal allowed to create a role with such a name (break-glass, the CDK execution role, <baseline stack>-InvocationLoggingHandl*) could pass the policy; keep iam:CreateRole for those names to administrators.',
          'The SCP denies every bedrock:CallWithBearerToken, short-term Bedrock API keys included.',
        ],
      },
    ],
  },
  {
    key: 'unbounded-consumption',
    title: 'Unbounded consumption and denial of wallet',
    threats: [
      {
        title: 'Resource exhaustion and denial of wallet',
        description:
          'Callers (or one stolen account) send large or many requests, or ask for long answers, to exhaust capacity or run up the Bedrock bill.',
        owasp: ['LLM10:2025'],
        coverage: 'covered',
        controls: [BODY_LIMITS, MAX_TOKENS_CAP, TOKEN_QUOTA, SPEND_BUDGETS, QUOTA_FAIL_CLOSED, STREAM_SETTLEMENT, RATE_LIMITS, BUDGET_ALARMS, GATEWAY_API_KEYS],
        residualRisk: [
          'Quotas count model tokens per user per UTC day; guardrail text units (Converse and ApplyGuardrail) and WAF, Lambda and API Gateway requests are paid for but not in the quota.',
          'The daily token budget across all users raises an alarm; it does not stop traffic.',
          'The WAF rate rule is per IP: a distributed caller stays under it, which the per-user quota and the stage throttle then bound.',
          'With `gateway.quotasEnabled: false` there is no per-user limit at all.',
          'Spend budgets charge list prices from configuration (defaults read on a date, for one region), not the bill: discounts, other regions, caching and price changes make the real cost differ until someone updates the prices.',
          'A compensation or settlement write that fails leaves the reserved money held until the period ends (fail closed): a monthly budget can be short by that amount for the rest of the month.',
        ],
      },
    ],
  },
  {
    key: 'monitoring-and-audit',
    title: 'Monitoring and audit',
    threats: [
      {
        title: 'Audit trail stopped or altered',
        description: 'An attacker or insider covers their tracks by stopping the trail, changing its selectors, or deleting or rewriting log files.',
        owasp: [],
        coverage: 'covered',
        controls: [TAMPER_EVIDENT_TRAIL, POSTURE_ALERTS],
        residualRisk: [
          'With `baseline.trail.managedExternally`, the organization\'s trail is used and not checked here.',
          'The trail bucket replicates nowhere: a log-archive account is outside this stack.',
        ],
      },
      {
        title: 'Model misuse goes unrecorded',
        description: 'Nobody can tell afterwards who invoked which model with what, or who changed a guardrail.',
        owasp: ['LLM02:2025'],
        coverage: 'covered',
        controls: [INVOCATION_LOGGING, GATEWAY_AUDIT, TRAIL_DATA_EVENTS],
        residualRisk: [
          'Invocation logging is one configuration per account and region: with `baseline.invocationLogging.managedExternally`, or if someone replaces it, records go where that configuration says (a posture alert fires on the change).',
        ],
      },
      {
        title: 'Attacks and failures go unnoticed',
        description: 'Injection campaigns, canary leaks, quota abuse, throttling or errors happen without anyone being told.',
        owasp: ['LLM01:2025', 'LLM07:2025', 'LLM10:2025'],
        coverage: 'covered',
        controls: [SECURITY_ALARMS, INJECTION_ALARMS, CANARY_ALARM, POSTURE_ALERTS, ALERT_CHANNEL],
        residualRisk: [
          'Alerts go to e-mail subscriptions that must be confirmed; no SIEM or paging integration is deployed.',
          'Thresholds are defaults until tuned to a deployment\'s traffic.',
        ],
      },
      {
        title: 'Security posture drifts through code changes',
        description: 'A change to the code or configuration quietly removes encryption, a Deny, a data-protection policy or a log, and is deployed.',
        owasp: [],
        coverage: 'covered',
        controls: [COMPLIANCE_GATE, REVIEWED_BASELINES],
        residualRisk: [
          'The gate checks templates at synthesis; changes made in the console after deployment are seen only by the posture-change alerts, and only for the listed API calls.',
        ],
      },
    ],
  },
  {
    key: 'data-governance-and-privacy',
    title: 'Data governance and privacy',
    threats: [
      {
        title: 'Prompts and personal data readable in logs',
        description: 'Prompts, answers, personal data or bearer tokens end up in logs that operators, support staff or an attacker with log access can read.',
        owasp: ['LLM02:2025'],
        coverage: 'covered',
        controls: [PROMPT_HASH_ONLY, INVOCATION_LOG_MASKING, DATA_PROTECTION_POLICY, NO_BODIES_IN_EDGE_LOGS],
        residualRisk: [
          'Masking uses CloudWatch managed data identifiers (pattern-based); principals allowed logs:Unmask see the original text.',
          'Payloads over 100 KB go to the invocation bucket, which is encrypted but not masked: data protection applies to CloudWatch Logs only.',
          'The audit record\'s SHA-256 of the prompt lets someone who guesses a short prompt confirm it.',
        ],
      },
      {
        title: 'Data kept too long, or lost too early',
        description: 'Logs holding personal data are kept forever, or evidence is destroyed when a stack is deleted or a retention runs out too soon; or the gateway\'s tables are lost, and with the API-keys table every program\'s access.',
        owasp: [],
        coverage: 'covered',
        controls: [FINITE_RETENTION, SHORT_LIVED_USAGE, TABLE_BACKUPS],
        residualRisk: [
          'Records cannot be erased per person: CloudWatch Logs has no per-event deletion, and the trail bucket is Object-Locked by design.',
        ],
      },
      {
        title: 'Stored data read without authorization',
        description: 'Someone with storage access reads prompts, trail records or usage data without being granted them.',
        owasp: ['LLM02:2025'],
        coverage: 'covered',
        controls: [ENCRYPTION_NO_INTERNET, STORAGE_ENCRYPTION, KEYS_PER_DATA_CLASS, AUDITOR_READ_GRANT],
        residualRisk: ['S3 server access-log buckets use SSE-S3, the only encryption S3 log delivery supports; they hold request metadata, not prompts.'],
      },
    ],
  },
  {
    key: 'regulation',
    title: 'Regulation (GDPR, HIPAA, PCI DSS, NIST)',
    threats: [
      {
        title: 'GDPR: data processed outside the chosen region',
        description: 'Prompts, logs or user accounts are stored or processed outside the jurisdiction the organization committed to (data residency).',
        owasp: [],
        coverage: 'partial',
        controls: [REGION_BOUND_INFERENCE, NO_EGRESS],
        residualRisk: [
          'Without `env` the stacks are environment-agnostic: the region is whatever the deploying credentials name, and no test checks that `env.region` reaches the stacks; nothing (such as a service control policy) denies other regions.',
          'A cross-region inference profile sends prompts to every region it lists, by design; choose a profile of the right geography (for example an `eu.` profile).',
        ],
      },
      {
        title: 'GDPR: storage limitation and retention',
        description: 'Personal data in logs is kept longer than the stated purpose allows, or shorter than audit obligations require.',
        owasp: [],
        coverage: 'partial',
        controls: [FINITE_RETENTION, SHORT_LIVED_USAGE, TABLE_BACKUPS],
        residualRisk: [
          'Retention is at least one year for every log group (a compliance-pack minimum); a purpose that needs less cannot be configured.',
          'No per-subject access or erasure process exists for logged prompts; that is the operating organization\'s process.',
        ],
      },
      {
        title: 'GDPR: personal data not minimized or protected',
        description: 'Personal data is sent to the model or stored in clear text where masking or pseudonymization was possible.',
        owasp: ['LLM02:2025'],
        coverage: 'partial',
        controls: [GUARDRAIL_PII, DATA_PROTECTION_POLICY, INVOCATION_LOG_MASKING, PROMPT_HASH_ONLY],
        residualRisk: [
          'The guardrail\'s anonymization masks personal data in answers; personal data a caller writes into a prompt still reaches the model (only credentials are blocked on input).',
          'Records of processing, impact assessments and the lawful basis are the operating organization\'s.',
        ],
      },
      {
        title: 'HIPAA, PCI DSS and NIST 800-53 safeguards regress',
        description: 'The infrastructure falls short of the technical safeguards a HIPAA, PCI DSS or NIST 800-53 assessment expects, or drifts away from them.',
        owasp: [],
        coverage: 'partial',
        controls: [REGULATED_PACKS, COMPLIANCE_GATE, CUSTOMER_MANAGED_KEYS, TAMPER_EVIDENT_TRAIL],
        residualRisk: [
          'Passing the cdk-nag packs checks infrastructure settings; it is not a certification. A business associate agreement, the HIPAA eligibility of each model, PCI scoping and the organizational controls are outside the blueprint.',
          'Card numbers are masked by default; CVV and expiry dates only when the `ModelGuardrail` construct is given them (`piiBlockTypes`), which the configuration file does not expose. Keep cardholder data out of prompts.',
        ],
      },
    ],
  },
  {
    key: 'output-handling-and-misinformation',
    title: 'Output handling and misinformation',
    threats: [
      {
        title: 'Unsafe output reaches a downstream sink',
        description: 'Model output is rendered as HTML or passed to another system, where it runs script or injects into a query or command.',
        owasp: ['LLM05:2025'],
        coverage: 'partial',
        controls: [HTML_ESCAPE, LINK_SCREEN, FAIL_CLOSED, STREAMED_OUTPUT_SCREEN],
        residualRisk: [
          'The gateway screens Markdown and HTML; applications that pass output to SQL, a shell or code must still encode it for that sink.',
          'Structured output (`response_format`) is validated against the caller\'s schema and screened like tool arguments before it is returned (never unvalidated JSON), but a value that validates can still carry text the sink must encode.',
        ],
      },
      {
        title: 'Misinformation',
        description: 'The model answers confidently and wrongly, or off the question, and users act on it.',
        owasp: ['LLM09:2025'],
        coverage: 'partial',
        controls: [GROUNDING],
        residualRisk: [
          'The grounding and relevance check needs a grounding source and a query marked in the request; the gateway marks neither, so the check does not run on gateway traffic today.',
          'Human review of consequential answers is the application\'s responsibility.',
        ],
      },
    ],
  },
];

// --- rendering --------------------------------------------------------------------------------------------------

const COVERAGE_MEANING: Readonly<Record<ThreatCoverage, string>> = {
  covered: 'deployed controls address the threat; what remains is under residual risk',
  partial: 'deployed controls address part of the threat; the rest is under residual risk',
  'not built': 'the component the threat targets is not part of the blueprint yet; the entry says what already constrains it and what must come with it',
};

/** A code span that holds `text` whatever backticks it contains. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Prose with Markdown emphasis and HTML characters escaped outside its code spans. */
function prose(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/([\\*_<[\]])/g, '\\$1')))
    .join('');
}

/** Text for a table cell: prose, with pipes escaped. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The anchor GitHub gives a heading. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** `test/lambda/gateway/quota.test.ts` → `quota`. */
function shortTestFile(file: string): string {
  return file.replace(/^.*\//, '').replace(/\.test\.ts$/, '');
}

function owaspLabel(id: string): string {
  const risk = OWASP_LLM_TOP_10_2025.find((r) => r.id === id);
  return risk ? `${id} ${risk.title}` : id;
}

/**
 * Renders the threat model as Markdown: title, how to read it, a summary table (threat → OWASP →
 * controls → tests) and one section per threat. Deterministic: the same model gives the same bytes.
 */
export function renderThreatModel(model: readonly ThreatCategory[] = THREAT_MODEL): string {
  const out: string[] = [];
  const numbered = model.flatMap((category, c) => category.threats.map((threat, t) => ({ category, threat, number: `${c + 1}.${t + 1}` })));
  const heading = (number: string, title: string): string => `${number} ${title}`;

  out.push('# Threat model', '');
  out.push(
    `<!-- Generated from lib/compliance/threat-model.ts by \`npm run threat-model\`. Do not edit by hand: test/lib/compliance/threat-model.test.ts fails when this file differs from the rendering. -->`,
    '',
  );
  out.push(
    'What can go wrong in a deployment of this blueprint, what the blueprint does about it, which tests prove each control is there, and what is left to the operator or not built yet.',
    '',
    'The blueprint deploys two stacks. The **account baseline** holds CloudTrail (with Bedrock, Lambda and S3 data events), GuardDuty, alerting on findings and posture changes, and Bedrock model-invocation logging. The **LLM gateway** is an OpenAI-compatible chat API (API Gateway behind WAF, a Lambda REQUEST authorizer for Cognito access tokens and gateway API keys) in front of a Lambda function in isolated subnets that normalizes and pre-screens input, builds a Bedrock Converse request with a server-side system prompt and a per-request canary, calls Bedrock with a guardrail that IAM forces, screens the output, meters per-user token quotas and writes an audit record. Security alarms watch both. Every synthesis runs five cdk-nag packs, the SecureLLM Bedrock pack, cfn-guard and the CloudFormation validator.',
    '',
  );

  out.push('## How to read it', '');
  out.push(
    '- Threats are grouped by category. Each threat says what can go wrong, which risks of the [OWASP Top 10 for LLM Applications (2025)](https://genai.owasp.org/llm-top-10/) it relates to, the controls deployed against it (what each does and where it is implemented), the tests that prove each control, and the residual risk: what the controls do not cover.',
    '- A test is named by its file and its full Jest name (the `describe` titles and the test title, joined by spaces). Run one with `npx jest <file> -t \'<name>\'`. A test fails if its control is missing or wrong.',
    '- Coverage:',
  );
  for (const [coverage, meaning] of Object.entries(COVERAGE_MEANING)) {
    out.push(`  - **${coverage}**: ${meaning}.`);
  }
  out.push(
    '- Where a control also answers an OWASP risk, it is the same entry as in the OWASP section of the compliance report (`lib/compliance/owasp.ts`).',
    '- This file is generated from `lib/compliance/threat-model.ts`; change the data there and run `npm run threat-model`.',
    '',
  );

  out.push('## Summary', '');
  out.push('| # | Threat | OWASP | Coverage | Controls | Tests |', '|---|---|---|---|---|---|');
  for (const { threat, number } of numbered) {
    const files = [...new Set(threat.controls.flatMap((c) => c.provedBy.map((t) => t.file)))];
    const tests = new Set(threat.controls.flatMap((c) => c.provedBy.map((t) => `${t.file}\u0000${t.name}`))).size;
    const link = `[${cell(prose(threat.title))}](#${anchor(heading(number, threat.title))})`;
    const owasp = threat.owasp.length > 0 ? threat.owasp.map((id) => id.replace(/:2025$/, '')).join(', ') : '—';
    const controls = threat.controls.length > 0 ? threat.controls.map((c) => cell(prose(c.label))).join('<br>') : 'none yet';
    const testCell = tests > 0 ? `${tests} in ${files.map((f) => code(shortTestFile(f))).join(', ')}` : '—';
    out.push(`| ${number} | ${link} | ${owasp} | ${threat.coverage} | ${controls} | ${cell(testCell)} |`);
  }
  out.push('');

  model.forEach((category, c) => {
    out.push(`## ${c + 1}. ${prose(category.title)}`, '');
    category.threats.forEach((threat, t) => {
      const number = `${c + 1}.${t + 1}`;
      out.push(`### ${heading(number, prose(threat.title))}`, '');
      const owasp = threat.owasp.length > 0 ? threat.owasp.map(owaspLabel).join('; ') : 'none (outside the OWASP LLM list)';
      out.push(`**Coverage:** ${threat.coverage} · **OWASP:** ${owasp}`, '');
      out.push(prose(threat.description), '');
      out.push('**Controls**', '');
      if (threat.controls.length === 0) {
        out.push('None deployed yet.', '');
      }
      threat.controls.forEach((ctl, i) => {
        out.push(`${i + 1}. **${prose(ctl.label)}.** ${prose(ctl.control)}`);
        out.push(`   - Implemented in: ${ctl.implementedIn.map(code).join(', ')}`);
        out.push('   - Proved by:');
        for (const ref of ctl.provedBy) {
          out.push(`     - ${code(ref.file)} › ${code(ref.name)}`);
        }
      });
      if (threat.controls.length > 0) {
        out.push('');
      }
      out.push('**Residual risk**', '');
      for (const item of threat.residualRisk) {
        out.push(`- ${prose(item)}`);
      }
      out.push('');
    });
  });

  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
