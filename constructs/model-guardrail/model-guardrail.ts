import { createHash } from 'node:crypto';
import { Annotations, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { SecureKey } from '../secure-key';

/**
 * How strongly a content filter applies. A higher strength blocks content classified with
 * lower confidence too: `HIGH` blocks content of low, medium and high confidence, `NONE`
 * turns the filter off for that direction.
 */
export enum GuardrailFilterStrength {
  /** The filter does not act. */
  NONE = 'NONE',
  /** Blocks only content classified with high confidence. */
  LOW = 'LOW',
  /** Blocks content classified with medium or high confidence. */
  MEDIUM = 'MEDIUM',
  /** Blocks content classified with low, medium or high confidence. */
  HIGH = 'HIGH',
}

/**
 * The harmful-content categories whose filter strength can be chosen. `PROMPT_ATTACK` is not
 * one of them: {@link ModelGuardrail} always filters prompt attacks on input at `HIGH`.
 */
export enum GuardrailContentCategory {
  /** Sexual interest, activity or arousal. */
  SEXUAL = 'SEXUAL',
  /** Glorification of or threats of physical harm. */
  VIOLENCE = 'VIOLENCE',
  /** Discrimination or dehumanization on the basis of an identity. */
  HATE = 'HATE',
  /** Demeaning, humiliating, mocking or bullying language. */
  INSULTS = 'INSULTS',
  /** Seeking or giving information about criminal activity or harming others. */
  MISCONDUCT = 'MISCONDUCT',
}

/** What the guardrail does with a custom regular-expression match. */
export enum GuardrailSensitiveInformationAction {
  /** Blocks the whole prompt or response and returns the blocked message. */
  BLOCK = 'BLOCK',
  /** Replaces the match with an identifier tag and lets the rest through. */
  ANONYMIZE = 'ANONYMIZE',
}

/** The filter strengths of one content category; a direction left out stays `HIGH`. */
export interface GuardrailContentFilterStrength {
  /** The category these strengths apply to. */
  readonly category: GuardrailContentCategory;
  /**
   * Strength on prompts.
   * @default GuardrailFilterStrength.HIGH
   */
  readonly inputStrength?: GuardrailFilterStrength;
  /**
   * Strength on model responses.
   * @default GuardrailFilterStrength.HIGH
   */
  readonly outputStrength?: GuardrailFilterStrength;
}

/** A topic the guardrail denies, in prompts and in responses. */
export interface GuardrailTopic {
  /** Name of the topic: 1-100 characters of letters, digits, spaces and `-_!?.`. */
  readonly name: string;
  /**
   * What the topic covers, as one self-contained statement of 1-200 characters (the limit of the
   * guardrail's CLASSIC tier). Put examples in `examples`, not in the definition.
   */
  readonly definition: string;
  /**
   * Up to 5 example prompts that belong to the topic, each 1-100 characters.
   * @default - no examples
   */
  readonly examples?: string[];
}

/** A custom regular expression for the sensitive-information policy. */
export interface GuardrailRegex {
  /** Name of the pattern (1-100 characters), shown in guardrail traces. */
  readonly name: string;
  /** The pattern (1-500 characters). It must at least compile as a JavaScript regular expression. */
  readonly pattern: string;
  /** What to do with a match. */
  readonly action: GuardrailSensitiveInformationAction;
  /**
   * What the pattern detects (1-1000 characters).
   * @default - no description
   */
  readonly description?: string;
}

/** Properties for {@link ModelGuardrail}. */
export interface ModelGuardrailProps {
  /**
   * Name of the guardrail: 1-50 characters of `[0-9a-zA-Z-_]`, unique in the account and region.
   * @default - derived from the construct path, with a hash suffix
   */
  readonly guardrailName?: string;

  /**
   * Description of the guardrail (1-200 characters).
   * @default - "Guardrail for <construct path>" (truncated to 200 characters)
   */
  readonly description?: string;

  /**
   * Key that encrypts the guardrail's configuration. Bedrock uses it with the caller's own
   * credentials (no service principal is involved): the role that deploys the stack needs
   * `kms:Decrypt`, `kms:GenerateDataKey`, `kms:DescribeKey` and `kms:CreateGrant` on it, and every
   * caller of the guardrail `kms:Decrypt` ({@link ModelGuardrail.grantApply} adds it, through
   * Bedrock only: `kms:ViaService`). A {@link SecureKey} admits this account's principals through
   * Bedrock; another key's policy must delegate to IAM or name those roles.
   * @default - a new {@link SecureKey} with rotation enabled, removed with the guardrail
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Strengths for the harmful-content categories, one entry per category to change. Categories
   * left out filter prompts and responses at `HIGH`. `PROMPT_ATTACK` cannot be set: it always
   * filters prompts at `HIGH` (and responses at `NONE`, the only value Bedrock accepts for it).
   * A strength of `NONE` turns the category off in that direction and adds a warning.
   * @default - SEXUAL, VIOLENCE, HATE, INSULTS and MISCONDUCT at HIGH on input and output
   */
  readonly contentFilterStrengths?: GuardrailContentFilterStrength[];

  /**
   * Topics the guardrail denies (at most 30). Order does not matter.
   * @default - no denied topics
   */
  readonly deniedTopics?: GuardrailTopic[];

  /**
   * Words and phrases the guardrail blocks (at most 10,000, each 1-100 characters). Order and
   * duplicates do not matter.
   * @default - no custom words
   */
  readonly blockedWords?: string[];

  /**
   * Whether the AWS-managed profanity word list is applied.
   * @default true
   */
  readonly managedProfanityFilter?: boolean;

  /**
   * PII entity types whose presence blocks the prompt or response, in addition to
   * `AWS_ACCESS_KEY`, `AWS_SECRET_KEY` and `PASSWORD`, which are always blocked. Values are the
   * Bedrock PII entity types (for example `CREDIT_DEBIT_CARD_CVV`, `US_BANK_ACCOUNT_NUMBER`).
   * A type listed here is removed from the default anonymized types.
   * @default - AWS_ACCESS_KEY, AWS_SECRET_KEY and PASSWORD
   */
  readonly piiBlockTypes?: string[];

  /**
   * PII entity types the guardrail masks with an identifier tag (`{EMAIL}`) instead of blocking.
   * @default - EMAIL, PHONE, NAME, ADDRESS, US_SOCIAL_SECURITY_NUMBER and CREDIT_DEBIT_CARD_NUMBER
   */
  readonly piiAnonymizeTypes?: string[];

  /**
   * Custom regular expressions for the sensitive-information policy (at most 10). Order does
   * not matter.
   * @default - none
   */
  readonly customRegexes?: GuardrailRegex[];

  /**
   * Minimum grounding score (0-0.99) a response must reach against the grounding source of the
   * request; `0` turns the check off. The check only runs on requests that mark a grounding
   * source and a query (retrieval answers).
   * @default 0.75
   */
  readonly groundingThreshold?: number;

  /**
   * Minimum relevance score (0-0.99) a response must reach against the query of the request;
   * `0` turns the check off. Like grounding, it only runs on requests that mark a query and a
   * grounding source.
   * @default 0.75
   */
  readonly relevanceThreshold?: number;

  /**
   * The harmful-content filters (all but PROMPT_ATTACK, which Bedrock evaluates on text only) also evaluate images in
   * prompts, so an image is screened like text. Turn it on where clients may send images and Bedrock Guardrails offers
   * image content filters in the deployment's region: CloudFormation fails the deployment where it does not.
   * @default false
   */
  readonly filterImages?: boolean;

  /**
   * Message returned instead of a blocked prompt (1-500 characters).
   * @default "Sorry, I can't help with that request."
   */
  readonly blockedInputMessage?: string;

  /**
   * Message returned instead of a blocked response (1-500 characters).
   * @default "Sorry, I can't provide that response."
   */
  readonly blockedOutputMessage?: string;

  /**
   * What happens to the guardrail (and the key, when this construct creates it) when removed
   * from the stack. A guardrail is configuration, not data: it is fully described by this
   * construct and recreated by the next deployment, so the default destroys it. Published
   * versions are always deleted when replaced (each guardrail has a quota of versions).
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** PII types always blocked: credentials never have a legitimate place in a prompt or a response. */
const MANDATORY_PII_BLOCK_TYPES = ['AWS_ACCESS_KEY', 'AWS_SECRET_KEY', 'PASSWORD'];

const DEFAULT_PII_ANONYMIZE_TYPES = [
  'EMAIL',
  'PHONE',
  'NAME',
  'ADDRESS',
  'US_SOCIAL_SECURITY_NUMBER',
  'CREDIT_DEBIT_CARD_NUMBER',
];

/** The PII entity types of `AWS::Bedrock::Guardrail` `PiiEntityConfig.Type`. */
const PII_TYPES = new Set([
  'ADDRESS',
  'AGE',
  'AWS_ACCESS_KEY',
  'AWS_SECRET_KEY',
  'CA_HEALTH_NUMBER',
  'CA_SOCIAL_INSURANCE_NUMBER',
  'CREDIT_DEBIT_CARD_CVV',
  'CREDIT_DEBIT_CARD_EXPIRY',
  'CREDIT_DEBIT_CARD_NUMBER',
  'DRIVER_ID',
  'EMAIL',
  'INTERNATIONAL_BANK_ACCOUNT_NUMBER',
  'IP_ADDRESS',
  'LICENSE_PLATE',
  'MAC_ADDRESS',
  'NAME',
  'PASSWORD',
  'PHONE',
  'PIN',
  'SWIFT_CODE',
  'UK_NATIONAL_HEALTH_SERVICE_NUMBER',
  'UK_NATIONAL_INSURANCE_NUMBER',
  'UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER',
  'URL',
  'USERNAME',
  'US_BANK_ACCOUNT_NUMBER',
  'US_BANK_ROUTING_NUMBER',
  'US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER',
  'US_PASSPORT_NUMBER',
  'US_SOCIAL_SECURITY_NUMBER',
  'VEHICLE_IDENTIFICATION_NUMBER',
]);

const CONTENT_CATEGORIES = Object.values(GuardrailContentCategory) as string[];
const FILTER_STRENGTHS = Object.values(GuardrailFilterStrength) as string[];
const REGEX_ACTIONS = Object.values(GuardrailSensitiveInformationAction) as string[];

const GUARDRAIL_NAME_PATTERN = /^[0-9a-zA-Z-_]{1,50}$/;
const TOPIC_NAME_PATTERN = /^[0-9a-zA-Z-_ !?.]{1,100}$/;

const MAX_TOPICS = 30;
const MAX_TOPIC_DEFINITION = 200;
const MAX_TOPIC_EXAMPLES = 5;
const MAX_TOPIC_EXAMPLE = 100;
const MAX_WORDS = 10_000;
const MAX_WORD = 100;
const MAX_REGEXES = 10;
const MAX_REGEX_NAME = 100;
const MAX_REGEX_PATTERN = 500;
const MAX_REGEX_DESCRIPTION = 1000;
const MAX_MESSAGE = 500;
const MAX_DESCRIPTION = 200;
const MAX_THRESHOLD = 0.99;

/** The CloudWatch namespace of guardrail runtime metrics. */
const METRICS_NAMESPACE = 'AWS/Bedrock/Guardrails';

/**
 * An Amazon Bedrock guardrail (`AWS::Bedrock::Guardrail`) with secure defaults, and a published
 * version of it (`AWS::Bedrock::GuardrailVersion`) that follows every configuration change.
 *
 * Defaults: encrypted with a customer-managed key; content filters SEXUAL, VIOLENCE, HATE,
 * INSULTS and MISCONDUCT at HIGH on prompts and responses and PROMPT_ATTACK at HIGH on prompts;
 * AWS access keys, AWS secret keys and passwords blocked; common personal data (email, phone,
 * name, address, US SSN, card number) anonymized; the managed profanity list; contextual
 * grounding and relevance checks at 0.75.
 *
 * A guardrail version is an immutable snapshot of the configuration taken when it is
 * created. The version resource's construct id (and so its logical id) and its description
 * carry a SHA-256 of the guardrail's resolved properties: any change to the configuration
 * creates a new version, and CloudFormation deletes the superseded one after the update.
 * Callers should always use {@link ModelGuardrail.guardrailVersion}, never `DRAFT`. Values only
 * known at deploy time (stack parameters, imported values) hash in their CloudFormation form: a
 * new value for the same parameter does not publish a new version, so keep guardrail settings
 * in code or configuration. Tags are not part of the hash (they are not part of a version).
 *
 * To force the guardrail on model calls, allow `bedrock:InvokeModel*` only with
 * `StringEquals` `bedrock:GuardrailIdentifier` = {@link ModelGuardrail.versionedArnForCondition}
 * and deny it with `StringNotEquals` on the same key and value.
 *
 * @example
 * const guardrail = new ModelGuardrail(this, 'Guardrail', {
 *   deniedTopics: [{ name: 'Investment advice', definition: 'Recommendations about specific investments or financial products.' }],
 *   blockedWords: ['project-zeus'],
 * });
 * guardrail.grantApply(gatewayFunction);
 * gatewayFunction.addEnvironment('GUARDRAIL_ID', guardrail.guardrailId);
 * gatewayFunction.addEnvironment('GUARDRAIL_VERSION', guardrail.guardrailVersion);
 * new cloudwatch.Alarm(this, 'Interventions', {
 *   metric: guardrail.metricInterventionRate(), threshold: 20, evaluationPeriods: 3,
 * });
 */
export class ModelGuardrail extends Construct {
  /** The guardrail resource. */
  public readonly guardrail: bedrock.CfnGuardrail;
  /** The published version of the current configuration. */
  public readonly version: bedrock.CfnGuardrailVersion;
  /** The ARN of the guardrail (without a version). */
  public readonly guardrailArn: string;
  /** The id of the guardrail, as `guardrailIdentifier` in Converse and ApplyGuardrail requests. */
  public readonly guardrailId: string;
  /** The numeric version that snapshots the current configuration (`guardrailVersion` in requests). */
  public readonly guardrailVersion: string;
  /** The key that encrypts the guardrail. */
  public readonly encryptionKey: kms.IKey;
  /** The SHA-256 (hex) of the guardrail's resolved configuration, carried by the version. */
  public readonly configurationHash: string;

  constructor(scope: Construct, id: string, props: ModelGuardrailProps = {}) {
    super(scope, id);

    const name = props.guardrailName ?? Names.uniqueResourceName(this, { maxLength: 50, separator: '-', allowedSpecialCharacters: '-_' });
    validateGuardrailName(name);
    const description = props.description ?? truncate(`Guardrail for ${this.node.path}`, MAX_DESCRIPTION);
    validateLength('description', description, 1, MAX_DESCRIPTION);
    const blockedInputMessage = props.blockedInputMessage ?? 'Sorry, I can\'t help with that request.';
    const blockedOutputMessage = props.blockedOutputMessage ?? 'Sorry, I can\'t provide that response.';
    validateLength('blockedInputMessage', blockedInputMessage, 1, MAX_MESSAGE);
    validateLength('blockedOutputMessage', blockedOutputMessage, 1, MAX_MESSAGE);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    this.encryptionKey =
      props.encryptionKey ??
      new SecureKey(this, 'Key', {
        description: truncate(`Encrypts the Bedrock guardrail ${this.node.path}`, 8192),
        // The key protects this guardrail's configuration only, so it shares its lifecycle;
        // deletion is still scheduled with the SecureKey pending window (30 days).
        removalPolicy,
      }).key;

    // CloudFormation creates the guardrail with its own credentials: Bedrock then uses the key for it.
    SecureKey.allowUseThroughServiceOn(this.encryptionKey, 'bedrock');

    const cfnProps: bedrock.CfnGuardrailProps = {
      name,
      description,
      blockedInputMessaging: blockedInputMessage,
      blockedOutputsMessaging: blockedOutputMessage,
      kmsKeyArn: this.encryptionKey.keyArn,
      contentPolicyConfig: { filtersConfig: this.renderContentFilters(props.contentFilterStrengths ?? [], props.filterImages ?? false) },
      topicPolicyConfig: renderTopics(props.deniedTopics ?? []),
      wordPolicyConfig: renderWords(props.blockedWords ?? [], props.managedProfanityFilter ?? true),
      sensitiveInformationPolicyConfig: renderSensitiveInformation(
        props.piiBlockTypes ?? [],
        props.piiAnonymizeTypes,
        props.customRegexes ?? [],
      ),
      contextualGroundingPolicyConfig: renderContextualGrounding(props.groundingThreshold ?? 0.75, props.relevanceThreshold ?? 0.75),
    };

    this.guardrail = new bedrock.CfnGuardrail(this, 'Resource', cfnProps);
    this.guardrail.applyRemovalPolicy(removalPolicy);

    // A version is a snapshot taken at creation: name it after the configuration so that a
    // change creates a new one. Tokens hash in their CloudFormation form (Fn::GetAtt, Ref).
    this.configurationHash = createHash('sha256').update(stableStringify(Stack.of(this).resolve(cfnProps))).digest('hex');
    this.version = new bedrock.CfnGuardrailVersion(this, `Version${this.configurationHash.slice(0, 12)}`, {
      guardrailIdentifier: this.guardrail.attrGuardrailId,
      description: `Configuration sha256:${this.configurationHash}`,
    });
    // Superseded versions are deleted: retaining them would exhaust the versions quota.
    this.version.applyRemovalPolicy(RemovalPolicy.DESTROY);

    this.guardrailArn = this.guardrail.attrGuardrailArn;
    this.guardrailId = this.guardrail.attrGuardrailId;
    this.guardrailVersion = this.version.attrVersion;
  }

  /**
   * The value of the `bedrock:GuardrailIdentifier` IAM condition key for model calls that apply
   * this guardrail's current version: `<guardrail ARN>:<numeric version>`, the format of
   * "Enforce the use of specific guardrails in model inference requests"
   * (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-id.html).
   */
  public get versionedArnForCondition(): string {
    return `${this.guardrailArn}:${this.guardrailVersion}`;
  }

  /**
   * Lets the grantee apply this guardrail: `bedrock:ApplyGuardrail` on the guardrail ARN (needed
   * both for ApplyGuardrail calls and for Converse/InvokeModel requests that carry this
   * guardrail) and `kms:Decrypt` on its key through Bedrock only (`kms:ViaService`), which Bedrock
   * uses with the caller's credentials.
   */
  public grantApply(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['bedrock:ApplyGuardrail'],
      resourceArns: [this.guardrailArn],
    });
    return grant.combine(SecureKey.grantViaServiceOn(this.encryptionKey, grantee, ['kms:Decrypt'], 'bedrock'));
  }

  /**
   * A metric of this guardrail version from the `AWS/Bedrock/Guardrails` namespace, with the
   * `GuardrailArn` and `GuardrailVersion` dimensions.
   * @param metricName e.g. `Invocations`, `InvocationsIntervened`, `InvocationLatency`, `InvocationThrottles`
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
      ...props,
      dimensionsMap: { GuardrailArn: this.guardrailArn, GuardrailVersion: this.guardrailVersion, ...props?.dimensionsMap },
    });
  }

  /** Number of guardrail evaluations (`Invocations`, sum over 5 minutes). */
  public metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Invocations', props);
  }

  /** Number of evaluations in which the guardrail intervened (`InvocationsIntervened`, sum over 5 minutes). */
  public metricInterventions(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('InvocationsIntervened', props);
  }

  /** Latency of guardrail evaluations (`InvocationLatency`, p99 over 5 minutes). */
  public metricInvocationLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('InvocationLatency', { statistic: cloudwatch.Stats.p(99), ...props });
  }

  /** Number of throttled guardrail evaluations (`InvocationThrottles`, sum over 5 minutes). */
  public metricInvocationThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('InvocationThrottles', props);
  }

  /**
   * Percentage of evaluations in which the guardrail intervened (0 when there were none).
   * A jump points to an attack campaign or to a filter that is too strict.
   */
  public metricInterventionRate(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'IF(invocations > 0, 100 * interventions / invocations, 0)',
      usingMetrics: {
        interventions: this.metricInterventions({ period: props?.period }),
        invocations: this.metricInvocations({ period: props?.period }),
      },
      label: 'Guardrail intervention rate (%)',
      period: Duration.minutes(5),
      ...props,
    });
  }

  private renderContentFilters(overrides: GuardrailContentFilterStrength[], filterImages: boolean): bedrock.CfnGuardrail.ContentFilterConfigProperty[] {
    const strengths = new Map<string, { input: string; output: string }>(
      CONTENT_CATEGORIES.map((c) => [c, { input: GuardrailFilterStrength.HIGH, output: GuardrailFilterStrength.HIGH }]),
    );
    const seen = new Set<string>();
    for (const o of overrides) {
      const category = String(o.category);
      if (category === 'PROMPT_ATTACK') {
        throw new Error(
          'contentFilterStrengths cannot set PROMPT_ATTACK, got an entry for it: prompt attacks are always filtered on input at HIGH (output NONE); remove the entry',
        );
      }
      if (!CONTENT_CATEGORIES.includes(category)) {
        throw new Error(`contentFilterStrengths[].category must be one of ${CONTENT_CATEGORIES.join(', ')}, got "${category}"`);
      }
      if (seen.has(category)) {
        throw new Error(`contentFilterStrengths lists ${category} more than once; give one entry per category`);
      }
      seen.add(category);
      const input = String(o.inputStrength ?? GuardrailFilterStrength.HIGH);
      const output = String(o.outputStrength ?? GuardrailFilterStrength.HIGH);
      for (const [direction, value] of [['inputStrength', input], ['outputStrength', output]] as const) {
        if (!FILTER_STRENGTHS.includes(value)) {
          throw new Error(`contentFilterStrengths ${category} ${direction} must be one of ${FILTER_STRENGTHS.join(', ')}, got "${value}"`);
        }
        if (value === GuardrailFilterStrength.NONE) {
          Annotations.of(this).addWarningV2(
            'secure-llm-blueprint:guardrailFilterOff',
            `The ${category} content filter is off for ${direction === 'inputStrength' ? 'prompts' : 'responses'} (strength NONE).`,
          );
        }
      }
      strengths.set(category, { input, output });
    }
    return [
      ...[...strengths].map(([type, s]) => ({
        type,
        inputStrength: s.input,
        outputStrength: s.output,
        // Without modalities Bedrock filters text only; with images on, prompts' images are filtered too.
        ...(filterImages ? { inputModalities: ['TEXT', 'IMAGE'], outputModalities: ['TEXT'] } : {}),
      })),
      // Bedrock accepts only NONE on output for prompt attacks: they are a property of prompts.
      { type: 'PROMPT_ATTACK', inputStrength: GuardrailFilterStrength.HIGH, outputStrength: GuardrailFilterStrength.NONE },
    ];
  }
}

function renderTopics(topics: GuardrailTopic[]): bedrock.CfnGuardrail.TopicPolicyConfigProperty | undefined {
  if (topics.length > MAX_TOPICS) {
    throw new Error(`deniedTopics must list at most ${MAX_TOPICS} topics, got ${topics.length}; merge related topics`);
  }
  const names = new Set<string>();
  for (const t of topics) {
    if (!Token.isUnresolved(t.name)) {
      if (!TOPIC_NAME_PATTERN.test(t.name)) {
        throw new Error(`deniedTopics name must be 1-100 characters of letters, digits, spaces and -_!?., got "${t.name}"`);
      }
      if (names.has(t.name)) {
        throw new Error(`deniedTopics names must be unique, got "${t.name}" twice`);
      }
      names.add(t.name);
    }
    validateLength(`deniedTopics "${t.name}" definition`, t.definition, 1, MAX_TOPIC_DEFINITION);
    const examples = t.examples ?? [];
    if (examples.length > MAX_TOPIC_EXAMPLES) {
      throw new Error(`deniedTopics "${t.name}" examples must list at most ${MAX_TOPIC_EXAMPLES} prompts, got ${examples.length}`);
    }
    examples.forEach((e, i) => validateLength(`deniedTopics "${t.name}" examples[${i}]`, e, 1, MAX_TOPIC_EXAMPLE));
  }
  if (topics.length === 0) {
    return undefined;
  }
  // Sorted by name: the order of topics has no meaning, so it must not publish a new version.
  const sorted = [...topics].sort((a, b) => compare(a.name, b.name));
  return {
    topicsConfig: sorted.map((t) => ({
      name: t.name,
      definition: t.definition,
      type: 'DENY',
      ...(t.examples && t.examples.length > 0 ? { examples: t.examples } : {}),
    })),
  };
}

function renderWords(words: string[], managedProfanity: boolean): bedrock.CfnGuardrail.WordPolicyConfigProperty | undefined {
  if (words.length > MAX_WORDS) {
    throw new Error(`blockedWords must list at most ${MAX_WORDS} words, got ${words.length}`);
  }
  words.forEach((w, i) => {
    validateLength(`blockedWords[${i}]`, w, 1, MAX_WORD);
    if (!Token.isUnresolved(w) && w.trim().length === 0) {
      throw new Error(`blockedWords[${i}] must contain a non-space character, got "${w}"`);
    }
  });
  const unique = [...new Set(words)].sort(compare);
  if (unique.length === 0 && !managedProfanity) {
    return undefined;
  }
  return {
    ...(unique.length > 0 ? { wordsConfig: unique.map((text) => ({ text })) } : {}),
    ...(managedProfanity ? { managedWordListsConfig: [{ type: 'PROFANITY' }] } : {}),
  };
}

function renderSensitiveInformation(
  blockTypes: string[],
  anonymizeTypes: string[] | undefined,
  regexes: GuardrailRegex[],
): bedrock.CfnGuardrail.SensitiveInformationPolicyConfigProperty {
  blockTypes.forEach((t) => validatePiiType('piiBlockTypes', t));
  anonymizeTypes?.forEach((t) => validatePiiType('piiAnonymizeTypes', t));
  const block = new Set([...MANDATORY_PII_BLOCK_TYPES, ...blockTypes]);
  if (anonymizeTypes) {
    const conflict = anonymizeTypes.find((t) => block.has(t));
    if (conflict) {
      throw new Error(
        `piiAnonymizeTypes must not list a blocked type, got ${conflict} (${MANDATORY_PII_BLOCK_TYPES.join(', ')} are always blocked); remove it from one of the lists`,
      );
    }
  }
  const anonymize = new Set((anonymizeTypes ?? DEFAULT_PII_ANONYMIZE_TYPES).filter((t) => !block.has(t)));

  if (regexes.length > MAX_REGEXES) {
    throw new Error(`customRegexes must list at most ${MAX_REGEXES} patterns, got ${regexes.length}`);
  }
  const names = new Set<string>();
  for (const r of regexes) {
    validateLength('customRegexes name', r.name, 1, MAX_REGEX_NAME);
    if (!Token.isUnresolved(r.name)) {
      if (names.has(r.name)) {
        throw new Error(`customRegexes names must be unique, got "${r.name}" twice`);
      }
      names.add(r.name);
    }
    validateLength(`customRegexes "${r.name}" pattern`, r.pattern, 1, MAX_REGEX_PATTERN);
    if (!Token.isUnresolved(r.pattern)) {
      try {
        new RegExp(r.pattern);
      } catch (e) {
        throw new Error(`customRegexes "${r.name}" pattern must be a valid regular expression, got /${r.pattern}/: ${(e as Error).message}`, { cause: e });
      }
    }
    if (!REGEX_ACTIONS.includes(String(r.action))) {
      throw new Error(`customRegexes "${r.name}" action must be one of ${REGEX_ACTIONS.join(', ')}, got "${String(r.action)}"`);
    }
    if (r.description !== undefined) {
      validateLength(`customRegexes "${r.name}" description`, r.description, 1, MAX_REGEX_DESCRIPTION);
    }
  }

  const entities = [
    ...[...block].map((type) => ({ type, action: GuardrailSensitiveInformationAction.BLOCK as string })),
    ...[...anonymize].map((type) => ({ type, action: GuardrailSensitiveInformationAction.ANONYMIZE as string })),
  ].sort((a, b) => compare(a.type, b.type));
  const sortedRegexes = [...regexes].sort((a, b) => compare(a.name, b.name));
  return {
    piiEntitiesConfig: entities,
    ...(sortedRegexes.length > 0
      ? {
        regexesConfig: sortedRegexes.map((r) => ({
          name: r.name,
          pattern: r.pattern,
          action: String(r.action),
          ...(r.description !== undefined ? { description: r.description } : {}),
        })),
      }
      : {}),
  };
}

function renderContextualGrounding(
  grounding: number,
  relevance: number,
): bedrock.CfnGuardrail.ContextualGroundingPolicyConfigProperty | undefined {
  const filters: bedrock.CfnGuardrail.ContextualGroundingFilterConfigProperty[] = [];
  for (const [prop, type, threshold] of [
    ['groundingThreshold', 'GROUNDING', grounding],
    ['relevanceThreshold', 'RELEVANCE', relevance],
  ] as const) {
    if (Token.isUnresolved(threshold)) {
      filters.push({ type, threshold });
      continue;
    }
    if (!(threshold >= 0 && threshold <= MAX_THRESHOLD)) {
      throw new Error(`${prop} must be between 0 and ${MAX_THRESHOLD} (0 turns the check off), got ${threshold}`);
    }
    if (threshold > 0) {
      filters.push({ type, threshold });
    }
  }
  return filters.length > 0 ? { filtersConfig: filters } : undefined;
}

function validateGuardrailName(name: string): void {
  if (!Token.isUnresolved(name) && !GUARDRAIL_NAME_PATTERN.test(name)) {
    throw new Error(`guardrailName must be 1-50 characters of [0-9a-zA-Z-_], got "${name}"`);
  }
}

function validatePiiType(prop: string, type: string): void {
  if (!Token.isUnresolved(type) && !PII_TYPES.has(type)) {
    throw new Error(`${prop} must list Bedrock PII entity types (e.g. EMAIL, PHONE, US_PASSPORT_NUMBER), got "${type}"`);
  }
}

function validateLength(prop: string, value: string, min: number, max: number): void {
  if (!Token.isUnresolved(value) && (value.length < min || value.length > max)) {
    throw new Error(`${prop} must be ${min}-${max} characters, got ${value.length} characters`);
  }
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys sorted at every level, so equal values always serialize alike. */
function stableStringify(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(stableStringify).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compare(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
