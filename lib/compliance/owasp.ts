/**
 * Coverage of the OWASP Top 10 for LLM Applications (2025) by this deployment: for each risk,
 * the controls the blueprint puts in place and the tests that prove each one. The compliance
 * report renders this table; `test/lib/compliance/report.test.ts` checks that every referenced
 * file exists and every referenced test name is a test in that file, so the table cannot drift
 * from the tests.
 */

/** A test that proves a control: the test file and the test's full name (describe blocks and title, space-joined, as Jest prints it). */
export interface TestReference {
  /** Path of the test file from the project root. */
  readonly file: string;
  /** Full test name: the enclosing `describe` titles and the test title, joined by spaces. */
  readonly name: string;
}

/** One control in this deployment against a risk. */
export interface OwaspControl {
  /** What the control does, in one sentence. */
  readonly control: string;
  /** Source files that implement it, from the project root. */
  readonly implementedIn: readonly string[];
  /** Tests that fail if the control is missing or wrong. */
  readonly provedBy: readonly TestReference[];
}

/** How far this deployment addresses a risk. */
export type OwaspCoverage = 'covered' | 'partial' | 'not applicable';

/** One risk of the OWASP Top 10 for LLM Applications (2025). */
export interface OwaspRisk {
  /** The risk id (`LLM01:2025`). */
  readonly id: string;
  /** The risk title as OWASP names it. */
  readonly title: string;
  /** How far this deployment addresses it. */
  readonly coverage: OwaspCoverage;
  /** What is out of the blueprint's reach, or left to the application. */
  readonly note?: string;
  /** The controls in this deployment. */
  readonly controls: readonly OwaspControl[];
}

const HANDLER_IT = 'test/lambda/gateway/handler.integration.test.ts';
const GATEWAY_CONSTRUCT_TEST = 'test/constructs/inference-gateway/inference-gateway.test.ts';
const GUARDRAIL_TEST = 'test/constructs/model-guardrail/model-guardrail.test.ts';
const MONITORING_TEST = 'test/constructs/security-monitoring/security-monitoring.test.ts';
const SECURE_LLM_IAM_TEST = 'test/lib/compliance/bedrock/iam-rules.test.ts';
const SECURE_LLM_GUARDRAIL_TEST = 'test/lib/compliance/bedrock/guardrail-rules.test.ts';
const SECURE_LLM_ENDPOINT_TEST = 'test/lib/compliance/bedrock/endpoint-and-log-rules.test.ts';
const RETRIEVAL_IT = 'test/lambda/gateway/openai-client.retrieval.test.ts';
const RETRIEVE_TEST = 'test/lambda/gateway/retrieve.test.ts';
const SECURE_LLM_KB_TEST = 'test/lib/compliance/bedrock/knowledge-base-rules.test.ts';
const KNOWLEDGE_BASE_TEST = 'test/constructs/knowledge-base/knowledge-base.test.ts';
const CHUNK_SCREEN_TEST = 'test/lambda/chunk-screen/handler.test.ts';
const CODE_SIGNING_TEST = 'test/lib/code-signing.test.ts';
const SIGN_CLI_TEST = 'test/bin/sign-cli.test.ts';
const SECURE_LLM_SUPPLY_CHAIN_TEST = 'test/lib/compliance/bedrock/supply-chain-rules.test.ts';

function it(file: string, name: string): TestReference {
  return { file, name };
}

/** The OWASP Top 10 for LLM Applications (2025), mapped to this deployment's controls and tests. */
export const OWASP_LLM_TOP_10_2025: readonly OwaspRisk[] = [
  {
    id: 'LLM01:2025',
    title: 'Prompt Injection',
    coverage: 'covered',
    note: 'Detection is probabilistic: the pre-screen and the guardrail lower the rate of successful injections, they do not rule them out. Tools the client runs must still treat model output as untrusted.',
    controls: [
      {
        control:
          'Every client text is NFKC-normalized and stripped of tag characters, zero-width and bidi controls and variation-selector smuggling before screening and before Bedrock.',
        implementedIn: ['lambda/shared/screening/normalize.ts'],
        provedBy: [
          it('test/lambda/shared/screening/normalize.test.ts', 'normalizeText properties never outputs an invisible, smuggling or control code point, nor a lone surrogate'),
          it(HANDLER_IT, 'gateway handler (integration) normalization every client text is normalized before it reaches Bedrock, and the removals are audited'),
        ],
      },
      {
        control: 'A deterministic, linear-time pre-screen blocks known injection, jailbreak and prompt-extraction patterns before any model call.',
        implementedIn: ['lambda/shared/screening/prescreen.ts'],
        provedBy: [
          it('test/lambda/shared/screening/prescreen.test.ts', 'prescreen evaluation set holdout prompts: at least 60 % detection at no more than 1 % false positives'),
          it('test/lambda/shared/screening/prescreen.test.ts', 'prescreen evaluation set holdout documents: poisoned ones are flagged at least twice as often as clean ones'),
          it(HANDLER_IT, 'gateway handler (integration) access control and validation the pre-screen blocks an injection before any Bedrock call (block mode) and only records it (flag mode)'),
          it('test/lambda/shared/screening/prescreen.test.ts', 'prescreen in two stages a prompt whose rules cannot block is never blocked, on every labelled prompt'),
          it('test/lambda/gateway/hostile-client.test.ts', 'hostile client requests pre-screen: the same override cannot reach Bedrock through another part of the request fails if the override reaches Bedrock as an assistant tool call id'),
          it('test/lambda/gateway/hostile-client.test.ts', 'hostile client requests pre-screen: the same override cannot reach Bedrock through another part of the request fails if an override split across consecutive user messages, or across system and developer messages, reaches Bedrock'),
        ],
      },
      {
        control:
          'Clients cannot set system instructions: their system messages are demoted into the first user turn; tool results are datamarked with a per-request marker (spotlighting) and never enter the system prompt.',
        implementedIn: ['lambda/gateway/converse-request.ts', 'lambda/shared/screening/spotlight.ts'],
        provedBy: [
          it('test/lambda/gateway/converse-request.test.ts', 'buildConverseInput defaults client system messages are demoted into the first user turn, labelled, never into system'),
          it('test/lambda/gateway/converse-request.test.ts', 'buildConverseInput properties system is only the deployment prompt + notes + canary; turns alternate; untrusted content is always marked'),
          it('test/lambda/shared/screening/spotlight.test.ts', 'spotlight wrapUntrusted content cannot close the block: a forged closing tag loses the marker'),
        ],
      },
      {
        control:
          'A Bedrock guardrail filters prompt attacks at HIGH on input, and IAM forces it: the gateway role may invoke models only with the guardrail version and is explicitly denied every call without it.',
        implementedIn: ['constructs/model-guardrail/model-guardrail.ts', 'constructs/inference-gateway/inference-gateway.ts'],
        provedBy: [
          it(GUARDRAIL_TEST, 'ModelGuardrail defaults filters the five harmful categories at HIGH both ways and prompt attacks at HIGH on input only'),
          it(GATEWAY_CONSTRUCT_TEST, 'InferenceGateway defaults the role allows InvokeModel only on the allow-listed model and profile ARNs, and only with the guardrail version'),
          it(GATEWAY_CONSTRUCT_TEST, 'InferenceGateway defaults the role is explicitly denied every model call that does not carry the guardrail'),
        ],
      },
      {
        control:
          'Tool results, which Converse\'s guardrail does not evaluate, go through ApplyGuardrail before the model sees them; so does client-sent ' +
          'assistant history (and the tool-call arguments in it), which Converse sends as plain text.',
        implementedIn: ['lambda/gateway/index.ts'],
        provedBy: [
          it(HANDLER_IT, 'gateway handler (integration) guardrail a tool result the guardrail blocks (ApplyGuardrail) → 400 before Converse'),
          it(HANDLER_IT, 'gateway handler (integration) guardrail a forged assistant turn in the history goes through ApplyGuardrail, and its block → 400 before Converse'),
        ],
      },
      {
        control:
          'Our SecureLLM cdk-nag pack fails synthesis if any IAM policy allows Bedrock inference without a guardrail condition backed by an explicit Deny, or if a function, condition or agent uses the DRAFT guardrail version.',
        implementedIn: ['lib/compliance/bedrock/bedrock-invoke-forces-guardrail.ts', 'lib/compliance/bedrock/guardrail-numeric-version-in-use.ts'],
        provedBy: [
          it(SECURE_LLM_IAM_TEST, 'BedrockInvokeForcesGuardrail fails if the Allow has no concrete guardrail condition'),
          it(SECURE_LLM_IAM_TEST, 'BedrockInvokeForcesGuardrail fails if no Deny backs the Allow'),
          it(SECURE_LLM_GUARDRAIL_TEST, 'GuardrailNumericVersionInUse fails if a function, a condition or an agent uses DRAFT'),
        ],
      },
      {
        control: 'Guardrail interventions (rate held for 15 minutes, spikes) and pre-screen blocks raise alarms to the KMS-encrypted alert topic.',
        implementedIn: ['constructs/security-monitoring/security-monitoring.ts'],
        provedBy: [
          it(MONITORING_TEST, 'SecurityMonitoring defaults creates one alarm per signal, and no anomaly alarm unless asked'),
          it(MONITORING_TEST, 'SecurityMonitoring defaults the intervention rate ignores quiet periods and must hold for 15 minutes'),
        ],
      },
    ],
  },
  {
    id: 'LLM02:2025',
    title: 'Sensitive Information Disclosure',
    coverage: 'covered',
    note: 'PII detection by the guardrail is probabilistic; data the application itself puts into prompts is its responsibility.',
    controls: [
      {
        control: 'The guardrail blocks AWS keys and passwords in prompts and answers, and anonymizes common personal data in answers.',
        implementedIn: ['constructs/model-guardrail/model-guardrail.ts'],
        provedBy: [it(GUARDRAIL_TEST, 'ModelGuardrail defaults blocks credentials and anonymizes common personal data')],
      },
      {
        control:
          'Our SecureLLM cdk-nag pack fails synthesis if a guardrail does not block every credential type both ways or lacks a customer-managed key, or if a log group that holds prompts lacks a masking data-protection policy.',
        implementedIn: [
          'lib/compliance/bedrock/guardrail-blocks-credentials.ts',
          'lib/compliance/bedrock/guardrail-customer-managed-key.ts',
          'lib/compliance/bedrock/invocation-log-data-protection.ts',
        ],
        provedBy: [
          it(SECURE_LLM_GUARDRAIL_TEST, 'GuardrailBlocksCredentials fails per credential type that is missing, anonymized or not blocked in one direction'),
          it(SECURE_LLM_GUARDRAIL_TEST, 'GuardrailCustomerManagedKey fails if the guardrail has no key or an AWS-managed key'),
          it(SECURE_LLM_ENDPOINT_TEST, 'InvocationLogDataProtection fails if a marked log group has no policy, or one that only audits'),
        ],
      },
      {
        control: 'Secrets (AWS keys, private keys, tokens) are redacted from model output before it leaves the gateway.',
        implementedIn: ['lambda/shared/screening/secrets.ts'],
        provedBy: [it(HANDLER_IT, 'gateway handler (integration) output screening secrets are redacted')],
      },
      {
        control: 'Prompts and answers are never written to application logs: the audit record carries a SHA-256 of the prompt, sizes and decisions.',
        implementedIn: ['lambda/gateway/audit.ts'],
        provedBy: [
          it(HANDLER_IT, 'gateway handler (integration) audit one structured record per request with ids, decision, tokens and a prompt hash — never the prompt or the answer'),
          it('test/lambda/gateway/audit.test.ts', 'promptSha256 hashes role and text of every message, unambiguously'),
        ],
      },
      {
        control: 'Model-invocation logs are KMS-encrypted and carry a data-protection policy that masks personal data.',
        implementedIn: ['constructs/invocation-logging/invocation-logging.ts'],
        provedBy: [
          it('test/constructs/invocation-logging/invocation-logging.test.ts', 'ModelInvocationLogging defaults the invocation log group masks personal data, is KMS-encrypted and kept a year'),
        ],
      },
      {
        control: 'Every log group, bucket and topic is encrypted (customer-managed keys where the service allows), and the network has no path to the internet.',
        implementedIn: ['constructs/secure-log-group/secure-log-group.ts', 'constructs/private-network/private-network.ts'],
        provedBy: [
          it('test/lib/app-compliance.test.ts', 'the whole app every log group has a KMS key and a retention of at least a year, and is retained'),
          it('test/lib/app-compliance.test.ts', 'the whole app has no internet gateway, NAT gateway or route to the internet'),
        ],
      },
      {
        control: 'Error responses never carry internal causes or upstream text.',
        implementedIn: ['lambda/gateway/errors.ts'],
        provedBy: [
          it('test/lambda/gateway/errors.test.ts', 'errors defaults the cause is kept for logging but never sent'),
          it(HANDLER_IT, 'gateway handler (integration) upstream failures malformed upstream response → 502 without the upstream text'),
        ],
      },
    ],
  },
  {
    id: 'LLM03:2025',
    title: 'Supply Chain',
    coverage: 'partial',
    note: 'Only allow-listed AWS-hosted foundation models can be called. The build records what each Lambda bundle contains (manifest, CycloneDX SBOM) and CI checks registry signatures and advisories where the registry answers; code signing is optional (required under the strict profile).',
    controls: [
      {
        control:
          'The package build records each Lambda bundle\'s SHA-256 and the npm packages in it, and writes a CycloneDX SBOM of the runtime dependencies and the bundles; CI checks registry signatures and high or critical advisories in production and bundled packages, failing on a bad answer and reporting (or, with SUPPLY_CHAIN_CHECKS=required, failing) when the registry cannot answer.',
        implementedIn: ['scripts/bundle-lambdas.mjs', 'scripts/sbom.mjs', 'scripts/supply-chain-check.mjs', '.ci/run'],
        provedBy: [
          it('test/scripts/supply-chain.test.ts', 'SBOM lists every file of every Lambda bundle with the SHA-256 of the file deployed'),
          it('test/scripts/supply-chain.test.ts', 'SBOM fails if a bundle differs from the manifest'),
          it('test/scripts/supply-chain.test.ts', 'supply-chain check fails if a signature is invalid'),
          it('test/scripts/supply-chain.test.ts', 'supply-chain check fails if a production or bundled package has a high advisory'),
        ],
      },
      {
        control: 'Clients pick model aliases from configuration; IAM and the Bedrock endpoint policy admit only the allow-listed model and inference-profile ARNs.',
        implementedIn: ['constructs/inference-gateway/inference-gateway.ts', 'lambda/gateway/identity.ts'],
        provedBy: [
          it(GATEWAY_CONSTRUCT_TEST, 'InferenceGateway defaults the Bedrock Runtime endpoint admits only the function role, its two actions, the allow-listed models and the guardrail'),
          it('test/lambda/gateway/identity.test.ts', 'authorizeModel validation fails if the alias is unknown (404 model_not_found)'),
        ],
      },
      {
        control: 'Our SecureLLM cdk-nag pack fails synthesis if inference is allowed on every model or profile, or a Bedrock endpoint keeps the full-access policy.',
        implementedIn: ['lib/compliance/bedrock/bedrock-invoke-named-models.ts', 'lib/compliance/bedrock/bedrock-endpoint-policy.ts'],
        provedBy: [
          it(SECURE_LLM_IAM_TEST, 'BedrockInvokeNamedModels fails if an invoke action is allowed on "*", every model or every inference profile'),
          it(SECURE_LLM_ENDPOINT_TEST, 'BedrockEndpointPolicy fails if a Bedrock endpoint has no policy or the full-access one; other services are not checked'),
        ],
      },
      {
        control:
          'With codeSigning configured (required under the strict profile), every Lambda function deploys only code signed by the blueprint\'s AWS Signer profile (code-signing configuration in Enforce mode); secure-llm-sign signs exactly the staged bundles, and synthesis fails when a function\'s current code has no signed artifact.',
        implementedIn: ['constructs/code-signing/lambda-code-signing.ts', 'constructs/shared/lambda-bundle.ts', 'bin/sign-cli.ts', 'lib/code-signing-stack.ts'],
        provedBy: [
          it(CODE_SIGNING_TEST, "defaults every Lambda function of every stack carries the stack's code-signing configuration and deploys its signed object"),
          it(CODE_SIGNING_TEST, 'validation fails if a function has no signed artifact: the error names the key, the file and the function, and the code is staged for signing'),
          it('test/constructs/code-signing/lambda-code-signing.test.ts', 'validation fails if the recorded source SHA-256 differs from the current code, naming the key, the file and the function'),
          it(SIGN_CLI_TEST, 'secure-llm-sign the bundled CLI uploads, signs with the profile and writes the signed-artifacts file synthesis reads'),
        ],
      },
      {
        control: 'Our SecureLLM pack fails synthesis if a Lambda function of a stack under the strict profile has no code-signing configuration, or one that only warns.',
        implementedIn: ['lib/compliance/bedrock/function-code-signing-strict.ts'],
        provedBy: [
          it(SECURE_LLM_SUPPLY_CHAIN_TEST, 'FunctionCodeSigningStrict fails if a function of a strict stack has no code-signing configuration or one that only warns'),
        ],
      },
    ],
  },
  {
    id: 'LLM04:2025',
    title: 'Data and Model Poisoning',
    coverage: 'partial',
    note: 'Documents a client passes in, and knowledge-base chunks before embedding, are screened as untrusted content. Fine-tuning is optional (the customization section, ModelCustomization): training data only from an Object-Lock vault, verified against its manifest and screened record by record before any job, and a safety gate before a candidate is promoted.',
    controls: [
      {
        control: 'Documents and tool results from clients are screened for indirect injection and datamarked as untrusted.',
        implementedIn: ['lambda/shared/screening/prescreen.ts', 'lambda/shared/screening/document.ts', 'lambda/shared/screening/spotlight.ts'],
        provedBy: [
          it('test/lambda/shared/screening/prescreen.test.ts', 'prescreen evaluation set holdout documents: poisoned ones are flagged at least twice as often as clean ones'),
          it('test/lambda/shared/screening/document.test.ts', 'screenDocument evaluation set holdout documents: at least half of the poisoned ones are quarantined, at most 8 % of the clean ones'),
          it('test/lambda/shared/screening/reader-turns.test.ts', 'screenDocument: shapes that speak to the AI reader an email that plants a System: turn directing the reader is quarantined (hard signal)'),
          it('test/lambda/gateway/converse-request.test.ts', 'buildConverseInput defaults tool results are datamarked guard content; earlier tool calls become assistant text'),
        ],
      },
      {
        control:
          'Knowledge-base chunks are screened again after chunking (custom transformation): suspicious chunks (injection, credentials, hidden text) are never embedded, and each is audited by hash with an alarm.',
        implementedIn: ['lambda/chunk-screen/index.ts', 'lambda/chunk-screen/screen-batch.ts', 'constructs/knowledge-base/knowledge-base.ts'],
        provedBy: [
          it(CHUNK_SCREEN_TEST, 'screening a poisoned chunk and a credential chunk are dropped and audited by hash, never by text'),
          it(KNOWLEDGE_BASE_TEST, 'defaults the data source reads the indexed prefix, deletes vectors with documents and screens chunks after chunking'),
        ],
      },
      {
        control:
          'Training data lives in a vault (customer-managed KMS key, versioning, Object Lock, TLS-only, public access blocked, access logs) that only the named data-writer roles may write; each dataset version has a manifest of SHA-256 digests, itself under Object Lock.',
        implementedIn: ['constructs/model-customization/model-customization.ts', 'bin/manifest-cli.ts', 'lambda/shared/customization-contract.ts'],
        provedBy: [
          it('test/constructs/model-customization/model-customization.test.ts', 'defaults the vault is KMS-encrypted, versioned, locked in governance mode for a year, private, TLS-only and logged'),
          it('test/constructs/model-customization/model-customization.test.ts', 'defaults only the named writers may put datasets and manifests'),
          it('test/bin/manifest-cli.test.ts', 'defaults lists every file of the directory with its digest and size, sorted by key'),
        ],
      },
      {
        control:
          'Our SecureLLM pack fails synthesis if a principal that may retrieve from a knowledge base can also write its data source\'s documents.',
        implementedIn: ['lib/compliance/bedrock/document-bucket-not-writable-by-retriever.ts'],
        provedBy: [it(SECURE_LLM_KB_TEST, 'DocumentBucketNotWritableByRetriever fails if the retrieval role may write the data source bucket')],
      },
      {
        control:
          'A customization job starts only after every object of the dataset version matches its manifest and every JSONL record parses and passes the document screen (injection, credentials, hidden text) and the personal-data detector; the job runs with a scoped service role, in the isolated subnets, with the customer-managed key.',
        implementedIn: ['lambda/customization-verify/verify.ts', 'lambda/customization-verify/records.ts', 'lambda/shared/screening/personal-data.ts', 'constructs/model-customization/model-customization.ts'],
        provedBy: [
          it('test/lambda/customization-verify/verify.test.ts', 'refusals fails if a training file was changed after its manifest was written'),
          it('test/lambda/customization-verify/verify.test.ts', 'refusals fails if a record carries an instruction injected for the model'),
          it('test/lambda/customization-verify/verify.test.ts', 'refusals fails if a record carries a credential, and the report never holds it'),
          it('test/constructs/model-customization/model-customization.test.ts', 'defaults the job task is reachable only through the verified branch of the verification step'),
        ],
      },
      {
        control:
          'A customized model is promoted only when a fixed, versioned set of attack and benign prompts, sent through the gateway\'s guarded path (system prompt and canary, pinned guardrail, output screen), shows no regression from its base model beyond the configured refusal, leak and false-refusal tolerances; a rejected candidate\'s deployment is removed.',
        implementedIn: ['lambda/customization-evaluate/gate.ts', 'lambda/customization-evaluate/evaluate.ts', 'lambda/customization-evaluate/eval-set.json', 'constructs/model-customization/model-customization.ts'],
        provedBy: [
          it('test/lambda/customization-evaluate/gate.test.ts', 'validation fails if the candidate complies with attacks and leaks its instructions'),
          it('test/lambda/customization-evaluate/gate.test.ts', 'defaults an equivalent candidate passes the gate'),
          it('test/constructs/model-customization/model-customization.test.ts', 'defaults promotion is reachable only through a passed gate; a failed gate removes the candidate'),
        ],
      },
      {
        control:
          'Our SecureLLM pack fails synthesis if a bucket tagged secure-llm:data-class = training (fine-tuning datasets) lacks Object Lock with a default retention, or a state machine starts a Bedrock model-customization job without VpcConfig or CustomModelKmsKeyId.',
        implementedIn: ['lib/compliance/bedrock/training-bucket-object-lock.ts', 'lib/compliance/bedrock/customization-job-vpc-kms.ts'],
        provedBy: [
          it(SECURE_LLM_SUPPLY_CHAIN_TEST, 'TrainingBucketObjectLock fails if a training bucket has no Object Lock, or Object Lock without a default retention'),
          it(SECURE_LLM_SUPPLY_CHAIN_TEST, 'CustomizationJobVpcKms fails if a job has no VpcConfig, an empty one, or no CustomModelKmsKeyId, naming the state'),
          it(SECURE_LLM_SUPPLY_CHAIN_TEST, 'CustomizationJobVpcKms fails if a definition that calls the job cannot be parsed'),
        ],
      },
    ],
  },
  {
    id: 'LLM05:2025',
    title: 'Improper Output Handling',
    coverage: 'covered',
    note: 'The gateway screens Markdown and HTML; applications that render output in other sinks (SQL, shell, code) must still encode it for them.',
    controls: [
      {
        control: 'Links, images, reference definitions, autolinks and bare URLs (`http(s)://`, `www.`, `//host.tld`) to hosts outside the allow-list are removed from model output, whatever they carry, read as a Markdown renderer reads them (brackets in link text, labels over two lines, a destination whose authority is more than a host and port); a bare URL becomes `[link removed]` and the audit record counts them.',
        implementedIn: ['lambda/shared/screening/links.ts'],
        provedBy: [
          it('test/lambda/shared/screening/output.test.ts', 'screenOutput properties leaves no link, image, definition, autolink or attribute URL to a host outside the allow-list'),
          it('test/lambda/shared/screening/output.test.ts', 'screenOutput properties leaves no bare URL to a host outside the allow-list in random text with URLs'),
          it(HANDLER_IT, 'gateway handler (integration) output screening exfiltration links and images are removed; allowed hosts stay'),
          it(HANDLER_IT, 'gateway handler (integration) output screening bare URLs to other hosts are replaced by a placeholder; the audit counts them and never holds them'),
          it('test/lambda/gateway/hostile-model.test.ts', 'a hostile model against the output screen links to hosts outside the allow-list (promise: "markdown images and links to hosts outside an allow-list removed") fails if any of these links reaches the client, buffered or streamed'),
        ],
      },
      {
        control: 'Raw HTML is escaped unless the deployment allows it.',
        implementedIn: ['lambda/shared/screening/links.ts'],
        provedBy: [it('test/lambda/shared/screening/output.test.ts', 'screenOutput HTML escapes raw HTML by default, removing URLs in attributes')],
      },
      {
        control: 'Screening fails closed: any error in it returns the blocked-output message, never the model text.',
        implementedIn: ['lambda/gateway/index.ts'],
        provedBy: [it(HANDLER_IT, 'gateway handler (integration) output screening any exception in screening fails closed: the blocked-output message, never the model text')],
      },
    ],
  },
  {
    id: 'LLM06:2025',
    title: 'Excessive Agency',
    coverage: 'covered',
    note: 'The gateway executes no tool; the client that runs tools decides their permissions.',
    controls: [
      {
        control: 'Tool calls are returned only for tools the request declared, with arguments validated against the declared schema (and ApplyGuardrail).',
        implementedIn: ['lambda/gateway/response.ts', 'lambda/gateway/tool-schema.ts'],
        provedBy: [
          it(HANDLER_IT, 'gateway handler (integration) tool calls (LLM06) arguments that break the declared schema or an undeclared tool are refused'),
          it('test/lambda/gateway/response.test.ts', 'extractToolCalls fails if a call names an undeclared tool'),
        ],
      },
      {
        control: 'Each caller may use only the model aliases of its Cognito groups.',
        implementedIn: ['lambda/gateway/identity.ts'],
        provedBy: [it('test/lambda/gateway/identity.test.ts', 'authorizeModel validation fails if no group of the caller allows the alias (403)')],
      },
      {
        control: 'The gateway role has no Bedrock wildcard and may only read and update its usage counters.',
        implementedIn: ['constructs/inference-gateway/inference-gateway.ts'],
        provedBy: [
          it(GATEWAY_CONSTRUCT_TEST, 'InferenceGateway defaults no IAM policy of the stack allows a bedrock wildcard action or a bedrock action on a wildcard resource, and none is inline'),
          it(GATEWAY_CONSTRUCT_TEST, 'InferenceGateway defaults the role may only read and update usage counters, and use the table key through DynamoDB'),
        ],
      },
      {
        control: 'Our SecureLLM cdk-nag pack fails synthesis on a "*" or "bedrock:*" grant, and on an API method without an authorizer.',
        implementedIn: ['lib/compliance/bedrock/bedrock-no-service-wildcard.ts', 'lib/compliance/bedrock/api-method-authorizer.ts'],
        provedBy: [
          it(SECURE_LLM_IAM_TEST, 'BedrockNoServiceWildcard fails if a statement grants "*", "bedrock:*" or a NotAction that leaves Bedrock in'),
          it('test/lib/compliance/bedrock/api-rules.test.ts', 'ApiMethodAuthorizer fails if a method has no authorizer'),
        ],
      },
    ],
  },
  {
    id: 'LLM07:2025',
    title: 'System Prompt Leakage',
    coverage: 'covered',
    note: 'The system prompt should hold no secret in any case: the canary catches verbatim leaks, not paraphrases.',
    controls: [
      {
        control: 'A fresh canary token per request sits in the system prompt; an answer containing it, however split, is blocked, counted and audited.',
        implementedIn: ['lambda/gateway/converse-request.ts', 'lambda/shared/screening/canary.ts'],
        provedBy: [
          it('test/lambda/gateway/converse-request.test.ts', 'buildConverseInput defaults canaries and markers are fresh per request'),
          it('test/lambda/shared/screening/output.test.ts', 'screenOutput properties blocks whenever the canary appears anywhere, however it is split'),
          it(HANDLER_IT, 'gateway handler (integration) output screening a response that echoes the system prompt is blocked by the canary (200 content_filter, metric, audit)'),
          it('test/lambda/gateway/stream-screen.test.ts', 'StreamScreen validation fails if the canary is spread wider than a window, letters apart: the stream is blocked and none of the canary released'),
        ],
      },
      {
        control: 'A canary leak raises an alarm on its first occurrence.',
        implementedIn: ['constructs/security-monitoring/security-monitoring.ts'],
        provedBy: [it(MONITORING_TEST, 'SecurityMonitoring defaults a canary leak alarms on the first occurrence in 5 minutes')],
      },
    ],
  },
  {
    id: 'LLM08:2025',
    title: 'Vector and Embedding Weaknesses',
    coverage: 'partial',
    note:
      'Covers the gateway\'s tenant-filtered retrieval from a knowledge base bound to a model alias, and the optional SecureKnowledgeBase that keeps vectors private and encrypted. Retrieved content a client sends itself is handled as untrusted input (LLM01, LLM04); embedding inversion is limited only by who may read the store.',
    controls: [
      {
        control:
          'Retrieval is filtered on the caller\'s tenant, their team from the authorizer (never the request body, headers or prompt); each returned chunk\'s tenant is checked again, and a caller without a team is refused.',
        implementedIn: ['lambda/gateway/retrieve.ts', 'lambda/gateway/index.ts'],
        provedBy: [
          it(RETRIEVAL_IT, 'retrieval through the openai client tenant isolation a key of team A retrieves team A only'),
          it(RETRIEVAL_IT, 'retrieval through the openai client tenant isolation fails if a caller without a team is not refused with 403 tenant_required'),
          it(RETRIEVE_TEST, 'retrieve validation fails if a chunk of another tenant, or of none, is kept'),
        ],
      },
      {
        control:
          'Retrieved chunks are screened again (a poisoned one is dropped and audited), spotlighted and sent as grounding sources, never in system; the answer cites its sources without their text.',
        implementedIn: ['lambda/gateway/retrieve.ts', 'lambda/gateway/converse-request.ts'],
        provedBy: [
          it(RETRIEVAL_IT, 'retrieval through the openai client grounding and citations fails if a poisoned chunk is not dropped and audited'),
          it(RETRIEVAL_IT, 'retrieval through the openai client grounding and citations the Converse request carries the chunks as grounding_source and the question as query; citations come back'),
        ],
      },
      {
        control:
          'The gateway role may call bedrock:Retrieve only on the bound knowledge bases (never RetrieveAndGenerate), through a bedrock-agent-runtime endpoint whose policy admits only that role, that action and those knowledge bases.',
        implementedIn: ['constructs/inference-gateway/inference-gateway.ts', 'constructs/inference-gateway/model-access.ts'],
        provedBy: [
          it(GATEWAY_CONSTRUCT_TEST, 'InferenceGateway retrieval the role may Retrieve exactly the bound knowledge bases, and nothing else of the agent runtime'),
          it(GATEWAY_CONSTRUCT_TEST, 'InferenceGateway retrieval the agent-runtime endpoint admits only the function role, Retrieve and the bound knowledge bases'),
        ],
      },
      {
        control:
          'The knowledge base\'s S3 vector bucket is encrypted with a customer-managed key, and its bucket policy denies vector reads and writes to every principal but the knowledge-base role, and every request without TLS.',
        implementedIn: ['constructs/knowledge-base/knowledge-base.ts'],
        provedBy: [
          it(KNOWLEDGE_BASE_TEST, 'encryption the vector bucket is SSE-KMS with the customer-managed key'),
          it(KNOWLEDGE_BASE_TEST, 'encryption the vector bucket policy denies vector data to every other principal and every request without TLS'),
        ],
      },
      {
        control: 'Retrieval is granted per knowledge base: `grantRetrieve` allows `bedrock:Retrieve` on that knowledge base\'s ARN only.',
        implementedIn: ['constructs/knowledge-base/knowledge-base.ts'],
        provedBy: [it(KNOWLEDGE_BASE_TEST, 'grants grantRetrieve allows bedrock:Retrieve on this knowledge base only')],
      },
      {
        control:
          'Our SecureLLM pack fails synthesis if a vector store is not customer-key encrypted or is public, or if retrieval permissions do not name knowledge-base ARNs.',
        implementedIn: ['lib/compliance/bedrock/knowledge-base-vector-store-private.ts', 'lib/compliance/bedrock/retrieve-named-knowledge-bases.ts'],
        provedBy: [
          it(SECURE_LLM_KB_TEST, 'KnowledgeBaseVectorStorePrivate fails if a vector bucket uses S3-managed keys or no encryption configuration'),
          it(SECURE_LLM_KB_TEST, 'KnowledgeBaseVectorStorePrivate fails if a vector bucket policy allows a public principal without a limiting condition'),
          it(SECURE_LLM_KB_TEST, 'RetrieveNamedKnowledgeBases fails if retrieval is granted on every knowledge base, through a wildcard action or NotResource'),
        ],
      },
    ],
  },
  {
    id: 'LLM09:2025',
    title: 'Misinformation',
    coverage: 'partial',
    note: 'Grounding checks apply when a grounding source is supplied; human review of consequential answers is the application\'s responsibility.',
    controls: [
      {
        control: 'The guardrail checks contextual grounding and relevance of answers against the supplied source.',
        implementedIn: ['constructs/model-guardrail/model-guardrail.ts'],
        provedBy: [it(GUARDRAIL_TEST, 'ModelGuardrail defaults applies the managed profanity list, contextual grounding and relevance, and no denied topics')],
      },
    ],
  },
  {
    id: 'LLM10:2025',
    title: 'Unbounded Consumption',
    coverage: 'covered',
    controls: [
      {
        control: 'Body size is limited by WAF (oversize included) and by the gateway; message count and length are limited.',
        implementedIn: ['constructs/inference-gateway/inference-gateway.ts', 'lambda/gateway/request.ts'],
        provedBy: [
          it(GATEWAY_CONSTRUCT_TEST, 'InferenceGateway defaults the web ACL counts the core rule set\'s 8 KB body rule and blocks bodies over the limit, oversize included'),
          it(HANDLER_IT, 'gateway handler (integration) access control and validation 413 when the body is larger than the limit; malformed JSON → 400'),
          it('test/lambda/gateway/request.test.ts', 'parseChatRequest validation fails if there are more messages than the limit (413)'),
        ],
      },
      {
        control: 'maxTokens is capped per model and group.',
        implementedIn: ['lambda/gateway/converse-request.ts', 'lambda/gateway/identity.ts'],
        provedBy: [
          it('test/lambda/gateway/converse-request.test.ts', 'buildConverseInput defaults one system block: deployment prompt + canary; guardrail with numeric version; capped maxTokens'),
          it('test/lambda/gateway/identity.test.ts', 'authorizeModel the model cap bounds the group cap'),
        ],
      },
      {
        control:
          'A per-user daily token quota is reserved atomically in DynamoDB and settled to actual usage; the reservation covers an upper bound of ' +
          'the input (one token per UTF-8 byte) and the model\'s maxTokens is capped by what the quota has left, so no single request overspends; ' +
          'an answer without countable usage (a cut or failed stream, a malformed answer) settles the whole reservation, never nothing.',
        implementedIn: ['lambda/gateway/quota.ts', 'lambda/gateway/converse-request.ts'],
        provedBy: [
          it(HANDLER_IT, 'gateway handler (integration) quota near the end of the quota the model is told to stop at what is left: maxTokens capped by the remaining quota'),
          it('test/lambda/gateway/quota.test.ts', 'QuotaStore concurrency 50 parallel reservations of 100 against 1,000 tokens: exactly 10 succeed'),
          it(HANDLER_IT, 'gateway handler (integration) quota exhausted → 429 with Retry-After; settled to actual usage'),
          it('test/lambda/gateway/openai-stream.test.ts', 'openai client streaming from the gateway broken streams fails if an answer whose metadata carries no usage settles less than the whole reservation'),
          it('test/lambda/gateway/openai-stream.test.ts', 'openai client streaming from the gateway broken streams fails if a buffered answer without usage is returned, or settles less than the whole reservation'),
        ],
      },
      {
        control:
          'Spend limits in USD per gateway key, per user and per team, per UTC day and per calendar month, from token usage and a dated ' +
          'per-model price table: the worst-case cost is reserved atomically on every limited counter before the model call (compensated when ' +
          'one refuses), maxTokens is capped by the tightest remainder and the real cost settled, in integer micro-dollars; an exhausted ' +
          'budget answers 429 insufficient_quota with x-should-retry: false, and a budget nearing its limit alerts once per period.',
        implementedIn: ['lambda/gateway/budget.ts', 'lambda/shared/money.ts', 'constructs/inference-gateway/model-prices.json', 'constructs/security-monitoring/security-monitoring.ts'],
        provedBy: [
          it('test/lambda/gateway/budget.test.ts', 'BudgetStore concurrency 50 concurrent requests on one key never spend past its budget, and every settled micro-dollar is counted'),
          it('test/lambda/shared/money.test.ts', 'affordableOutputTokens the count it grants always fits and one more never does (property)'),
          it('test/lambda/gateway/handler.budget.test.ts', 'gateway handler: budgets and attribution budgets a key near its daily budget is capped, then refused with 429 insufficient_quota and no retry'),
          it('test/lib/config.test.ts', 'configuration validation fails if a budget is set and a model has neither a price nor a listed default, naming the key, the budget and the fix'),
        ],
      },
      {
        control:
          'Stage throttling, WAF rate rules per IP address and per caller token (so neither a few addresses nor one token can take the stage), ' +
          'reserved concurrency, a bounded timeout and bounded Bedrock retries that clients do not multiply (`x-should-retry`, `retry-after-ms`).',
        implementedIn: ['constructs/inference-gateway/inference-gateway.ts', 'constructs/inference-gateway/waf.ts', 'lambda/gateway/bedrock.ts'],
        provedBy: [
          it(GATEWAY_CONSTRUCT_TEST, 'InferenceGateway defaults the web ACL counts the core rule set\'s 8 KB body rule and blocks bodies over the limit, oversize included'),
          it(GATEWAY_CONSTRUCT_TEST, 'InferenceGateway defaults the stage traces, throttles, logs access as JSON and errors only, never bodies, and caches nothing'),
          it(GATEWAY_CONSTRUCT_TEST, 'InferenceGateway defaults the function runs the current Node.js runtime on arm64 in the isolated subnets, traced, capped and with JSON logs'),
          it(GATEWAY_CONSTRUCT_TEST, 'InferenceGateway options limits and settings reach the web ACL, the stage, the schema and the function'),
          it('test/lambda/gateway/bedrock.test.ts', 'callWithRetries throttling exhausted → RateLimitedError with Retry-After; attempts are bounded'),
          it('test/lambda/gateway/openai-client.test.ts', 'openai client against the gateway retries a spent quota makes exactly one HTTP request with the default maxRetries (x-should-retry: false)'),
          it('test/lambda/gateway/openai-client.test.ts', 'openai client against the gateway retries Bedrock throttling: the SDK retries after retry-after-ms, and Converse calls are bounded by (1 + maxRetries) × bedrockMaxAttempts'),
        ],
      },
      {
        control: 'A daily token budget across all users, throttling and quota exhaustion raise alarms.',
        implementedIn: ['constructs/security-monitoring/security-monitoring.ts'],
        provedBy: [
          it(MONITORING_TEST, 'SecurityMonitoring defaults the daily token budget sums input and output tokens over one day'),
          it(MONITORING_TEST, 'SecurityMonitoring defaults creates one alarm per signal, and no anomaly alarm unless asked'),
        ],
      },
    ],
  },
];
