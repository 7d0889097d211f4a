import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  GuardrailContentCategory,
  GuardrailFilterStrength,
  GuardrailSensitiveInformationAction,
  ModelGuardrail,
  ModelGuardrailProps,
} from '../../../constructs';
import { formatFindings, newConstructTestApp, synthWithCompliance } from '../../helpers/compliance';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

/** The logical id of the only guardrail version in a new stack holding a guardrail built from `props`. */
function versionLogicalId(props: ModelGuardrailProps = {}): string {
  const stack = new Stack();
  new ModelGuardrail(stack, 'Guardrail', props);
  const versions = Object.keys(Template.fromStack(stack).findResources('AWS::Bedrock::GuardrailVersion'));
  expect(versions).toHaveLength(1);
  return versions[0]!;
}

const TOPIC = { name: 'Investment advice', definition: 'Recommendations about specific investments or financial products.' };

describe('ModelGuardrail', () => {
  describe('defaults', () => {
    let template: Template;
    let findings: string;

    beforeAll(() => {
      // GIVEN
      const app = newConstructTestApp();
      const stack = new Stack(app, 'Test');
      // WHEN
      new ModelGuardrail(stack, 'Guardrail');
      // THEN (synthesized once with every compliance pack)
      const result = synthWithCompliance(app);
      findings = formatFindings(result.findings);
      template = Template.fromJSON(result.assembly.getStackByName('Test').template);
    });

    test('passes every compliance check without acknowledgments', () => {
      expect(findings).toBe('');
    });

    test('is encrypted with its own rotating key', () => {
      const keys = template.findResources('AWS::KMS::Key');
      expect(Object.keys(keys)).toHaveLength(1);
      const keyId = Object.keys(keys)[0]!;
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      template.hasResourceProperties('AWS::Bedrock::Guardrail', { KmsKeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    });

    test('filters the five harmful categories at HIGH both ways and prompt attacks at HIGH on input only', () => {
      const guardrail = Object.values(template.findResources('AWS::Bedrock::Guardrail'))[0]!;
      const filters = guardrail.Properties.ContentPolicyConfig.FiltersConfig as Array<Record<string, string>>;
      expect(filters).toHaveLength(6);
      expect(filters).toEqual(
        expect.arrayContaining(
          ['SEXUAL', 'VIOLENCE', 'HATE', 'INSULTS', 'MISCONDUCT'].map((Type) => ({ Type, InputStrength: 'HIGH', OutputStrength: 'HIGH' })),
        ),
      );
      expect(filters).toContainEqual({ Type: 'PROMPT_ATTACK', InputStrength: 'HIGH', OutputStrength: 'NONE' });
    });

    test('blocks credentials and anonymizes common personal data', () => {
      const guardrail = Object.values(template.findResources('AWS::Bedrock::Guardrail'))[0]!;
      const entities = guardrail.Properties.SensitiveInformationPolicyConfig.PiiEntitiesConfig as Array<{ Type: string; Action: string }>;
      const byAction = (action: string) => entities.filter((e) => e.Action === action).map((e) => e.Type).sort();
      expect(byAction('BLOCK')).toEqual(['AWS_ACCESS_KEY', 'AWS_SECRET_KEY', 'PASSWORD']);
      expect(byAction('ANONYMIZE')).toEqual(['ADDRESS', 'CREDIT_DEBIT_CARD_NUMBER', 'EMAIL', 'NAME', 'PHONE', 'US_SOCIAL_SECURITY_NUMBER']);
      expect(guardrail.Properties.SensitiveInformationPolicyConfig.RegexesConfig).toBeUndefined();
    });

    test('applies the managed profanity list, contextual grounding and relevance, and no denied topics', () => {
      template.hasResourceProperties('AWS::Bedrock::Guardrail', {
        WordPolicyConfig: { ManagedWordListsConfig: [{ Type: 'PROFANITY' }] },
        ContextualGroundingPolicyConfig: {
          FiltersConfig: [
            { Type: 'GROUNDING', Threshold: 0.75 },
            { Type: 'RELEVANCE', Threshold: 0.75 },
          ],
        },
        TopicPolicyConfig: Match.absent(),
        BlockedInputMessaging: Match.stringLikeRegexp('.+'),
        BlockedOutputsMessaging: Match.stringLikeRegexp('.+'),
      });
    });

    test('derives a valid name from the construct path', () => {
      const guardrail = Object.values(template.findResources('AWS::Bedrock::Guardrail'))[0]!;
      expect(guardrail.Properties.Name).toMatch(/^Test-Guardrail-[0-9A-F]{8}$/);
    });

    test('publishes a version of the guardrail named and described by the configuration hash', () => {
      const guardrailId = Object.keys(template.findResources('AWS::Bedrock::Guardrail'))[0]!;
      const versions = template.findResources('AWS::Bedrock::GuardrailVersion');
      expect(Object.keys(versions)).toHaveLength(1);
      const [logicalId, version] = Object.entries(versions)[0]!;
      expect(version.Properties.GuardrailIdentifier).toEqual({ 'Fn::GetAtt': [guardrailId, 'GuardrailId'] });
      const hash = /^Configuration sha256:([0-9a-f]{64})$/.exec(version.Properties.Description)?.[1];
      expect(hash).toBeDefined();
      expect(logicalId).toMatch(new RegExp(`^GuardrailVersion${hash!.slice(0, 12)}`));
    });

    test('guardrail and versions are destroyed with the stack (configuration, not data)', () => {
      template.hasResource('AWS::Bedrock::Guardrail', { DeletionPolicy: 'Delete' });
      template.hasResource('AWS::Bedrock::GuardrailVersion', { DeletionPolicy: 'Delete' });
    });
  });

  describe('configuration', () => {
    test('renders denied topics, words, extra PII types, regexes and strengths', () => {
      // GIVEN
      const stack = new Stack();
      // WHEN
      new ModelGuardrail(stack, 'Guardrail', {
        guardrailName: 'my-guardrail_1',
        contentFilterStrengths: [{ category: GuardrailContentCategory.INSULTS, outputStrength: GuardrailFilterStrength.MEDIUM }],
        deniedTopics: [{ ...TOPIC, examples: ['Which stock should I buy?'] }],
        blockedWords: ['zeus', 'apollo', 'zeus'],
        managedProfanityFilter: false,
        piiBlockTypes: ['EMAIL', 'CREDIT_DEBIT_CARD_CVV'],
        customRegexes: [{ name: 'EmployeeId', pattern: 'EMP-\\d{6}', action: GuardrailSensitiveInformationAction.ANONYMIZE, description: 'Employee ids' }],
        relevanceThreshold: 0,
        blockedInputMessage: 'No.',
      });
      // THEN
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Bedrock::Guardrail', {
        Name: 'my-guardrail_1',
        BlockedInputMessaging: 'No.',
        ContentPolicyConfig: {
          FiltersConfig: Match.arrayWith([{ Type: 'INSULTS', InputStrength: 'HIGH', OutputStrength: 'MEDIUM' }]),
        },
        TopicPolicyConfig: {
          TopicsConfig: [{ Name: TOPIC.name, Definition: TOPIC.definition, Type: 'DENY', Examples: ['Which stock should I buy?'] }],
        },
        WordPolicyConfig: { WordsConfig: [{ Text: 'apollo' }, { Text: 'zeus' }], ManagedWordListsConfig: Match.absent() },
        SensitiveInformationPolicyConfig: {
          PiiEntitiesConfig: Match.arrayWith([
            { Type: 'CREDIT_DEBIT_CARD_CVV', Action: 'BLOCK' },
            { Type: 'EMAIL', Action: 'BLOCK' },
            { Type: 'PASSWORD', Action: 'BLOCK' },
          ]),
          RegexesConfig: [{ Name: 'EmployeeId', Pattern: 'EMP-\\d{6}', Action: 'ANONYMIZE', Description: 'Employee ids' }],
        },
        ContextualGroundingPolicyConfig: { FiltersConfig: [{ Type: 'GROUNDING', Threshold: 0.75 }] },
      });
      // EMAIL is blocked, so it is no longer anonymized as well.
      const guardrail = Object.values(template.findResources('AWS::Bedrock::Guardrail'))[0]!;
      const email = (guardrail.Properties.SensitiveInformationPolicyConfig.PiiEntitiesConfig as Array<{ Type: string }>).filter(
        (e) => e.Type === 'EMAIL',
      );
      expect(email).toHaveLength(1);
    });

    test('omits contextual grounding when both thresholds are 0', () => {
      const stack = new Stack();
      new ModelGuardrail(stack, 'Guardrail', { groundingThreshold: 0, relevanceThreshold: 0 });
      Template.fromStack(stack).hasResourceProperties('AWS::Bedrock::Guardrail', { ContextualGroundingPolicyConfig: Match.absent() });
    });

    test('warns when a content filter is turned off', () => {
      const stack = new Stack();
      new ModelGuardrail(stack, 'Guardrail', {
        contentFilterStrengths: [{ category: GuardrailContentCategory.VIOLENCE, inputStrength: GuardrailFilterStrength.NONE }],
      });
      Annotations.fromStack(stack).hasWarning('/Default/Guardrail', Match.stringLikeRegexp('VIOLENCE content filter is off for prompts'));
    });

    test('keeps a caller-chosen removal policy', () => {
      const stack = new Stack();
      new ModelGuardrail(stack, 'Guardrail', { removalPolicy: RemovalPolicy.RETAIN });
      const template = Template.fromStack(stack);
      template.hasResource('AWS::Bedrock::Guardrail', { DeletionPolicy: 'Retain' });
      template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
      // Superseded versions are still deleted, or the versions quota would run out.
      template.hasResource('AWS::Bedrock::GuardrailVersion', { DeletionPolicy: 'Delete' });
    });
  });

  describe('images', () => {
    test('by default the content filters name no modality (Bedrock filters text only)', () => {
      const stack = new Stack();
      new ModelGuardrail(stack, 'Guardrail');
      const [guardrail] = Object.values(Template.fromStack(stack).findResources('AWS::Bedrock::Guardrail'));
      const filters = (guardrail!.Properties as { ContentPolicyConfig: { FiltersConfig: Array<Record<string, unknown>> } }).ContentPolicyConfig.FiltersConfig;
      expect(filters.filter((f) => 'InputModalities' in f || 'OutputModalities' in f)).toEqual([]);
    });

    test('filterImages makes every harmful-content filter evaluate images in prompts; prompt attacks stay text-only', () => {
      // GIVEN
      const stack = new Stack();
      // WHEN
      new ModelGuardrail(stack, 'Guardrail', { filterImages: true });
      // THEN
      const [guardrail] = Object.values(Template.fromStack(stack).findResources('AWS::Bedrock::Guardrail'));
      const filters = (guardrail!.Properties as { ContentPolicyConfig: { FiltersConfig: Array<Record<string, unknown>> } }).ContentPolicyConfig.FiltersConfig;
      const harmful = filters.filter((f) => f.Type !== 'PROMPT_ATTACK');
      expect(harmful.map((f) => f.Type).sort()).toEqual(['HATE', 'INSULTS', 'MISCONDUCT', 'SEXUAL', 'VIOLENCE']);
      for (const f of harmful) {
        expect(f).toEqual(expect.objectContaining({ InputModalities: ['TEXT', 'IMAGE'], OutputModalities: ['TEXT'] }));
      }
      expect(filters.find((f) => f.Type === 'PROMPT_ATTACK')).not.toHaveProperty('InputModalities');
    });

    test('turning image filtering on publishes a new version', () => {
      expect(versionLogicalId({ filterImages: true })).not.toBe(versionLogicalId());
    });
  });

  describe('version', () => {
    test('identical configuration keeps the version logical id', () => {
      expect(versionLogicalId({ deniedTopics: [TOPIC], blockedWords: ['zeus'] })).toBe(
        versionLogicalId({ deniedTopics: [TOPIC], blockedWords: ['zeus'] }),
      );
    });

    test('changing a filter strength publishes a new version', () => {
      expect(versionLogicalId()).not.toBe(
        versionLogicalId({ contentFilterStrengths: [{ category: GuardrailContentCategory.HATE, outputStrength: GuardrailFilterStrength.MEDIUM }] }),
      );
    });

    test('adding a denied topic publishes a new version', () => {
      expect(versionLogicalId()).not.toBe(versionLogicalId({ deniedTopics: [TOPIC] }));
    });

    test('changing a blocked word publishes a new version', () => {
      expect(versionLogicalId({ blockedWords: ['zeus'] })).not.toBe(versionLogicalId({ blockedWords: ['hera'] }));
    });

    test('changing a message or a threshold publishes a new version', () => {
      const base = versionLogicalId();
      expect(versionLogicalId({ blockedOutputMessage: 'Nope.' })).not.toBe(base);
      expect(versionLogicalId({ groundingThreshold: 0.8 })).not.toBe(base);
    });

    test('order and duplicates of words, topics and regexes do not publish a new version', () => {
      const other = { name: 'Medical advice', definition: 'Diagnoses or treatment recommendations for a health condition.' };
      const a = { name: 'A', pattern: 'a+', action: GuardrailSensitiveInformationAction.BLOCK };
      const b = { name: 'B', pattern: 'b+', action: GuardrailSensitiveInformationAction.BLOCK };
      expect(versionLogicalId({ blockedWords: ['zeus', 'hera'], deniedTopics: [TOPIC, other], customRegexes: [a, b] })).toBe(
        versionLogicalId({ blockedWords: ['hera', 'zeus', 'hera'], deniedTopics: [other, TOPIC], customRegexes: [b, a] }),
      );
    });
  });

  describe('encryption', () => {
    test('uses a given key instead of creating one', () => {
      // GIVEN
      const stack = new Stack();
      const key = new kms.Key(stack, 'Given', { enableKeyRotation: true });
      // WHEN
      const guardrail = new ModelGuardrail(stack, 'Guardrail', { encryptionKey: key });
      // THEN
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::KMS::Key', 1);
      template.hasResourceProperties('AWS::Bedrock::Guardrail', {
        KmsKeyArn: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
      });
      expect(guardrail.encryptionKey).toBe(key);
    });

    test('the key of the version hash follows the key', () => {
      const stackA = new Stack();
      const stackB = new Stack();
      const a = new ModelGuardrail(stackA, 'Guardrail', { encryptionKey: new kms.Key(stackA, 'KeyA') });
      const b = new ModelGuardrail(stackB, 'Guardrail', { encryptionKey: new kms.Key(stackB, 'KeyB') });
      expect(a.configurationHash).not.toBe(b.configurationHash);
    });
  });

  describe('grants', () => {
    test('grantApply allows ApplyGuardrail on this guardrail and Decrypt on its key through Bedrock only, nothing more', () => {
      // GIVEN
      const stack = new Stack();
      const guardrail = new ModelGuardrail(stack, 'Guardrail');
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      // WHEN
      guardrail.grantApply(role);
      // THEN
      const template = Template.fromStack(stack);
      const guardrailId = Object.keys(template.findResources('AWS::Bedrock::Guardrail'))[0]!;
      const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0]!;
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            { Effect: 'Allow', Action: 'bedrock:ApplyGuardrail', Resource: { 'Fn::GetAtt': [guardrailId, 'GuardrailArn'] } },
            {
              Effect: 'Allow',
              Action: 'kms:Decrypt',
              Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
              Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['bedrock.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
            },
          ],
        },
      });
    });

    test('versionedArnForCondition is <guardrail ARN>:<numeric version>', () => {
      const stack = new Stack();
      const guardrail = new ModelGuardrail(stack, 'Guardrail');
      const guardrailId = stack.getLogicalId(guardrail.guardrail);
      const versionId = stack.getLogicalId(guardrail.version);
      expect(stack.resolve(guardrail.versionedArnForCondition)).toEqual({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [guardrailId, 'GuardrailArn'] }, ':', { 'Fn::GetAtt': [versionId, 'Version'] }]],
      });
      expect(stack.resolve(guardrail.guardrailVersion)).toEqual({ 'Fn::GetAtt': [versionId, 'Version'] });
    });
  });

  describe('metrics', () => {
    test('come from AWS/Bedrock/Guardrails with the guardrail ARN and version dimensions', () => {
      const stack = new Stack();
      const guardrail = new ModelGuardrail(stack, 'Guardrail');
      const metric = guardrail.metricInterventions();
      expect(metric.namespace).toBe('AWS/Bedrock/Guardrails');
      expect(metric.metricName).toBe('InvocationsIntervened');
      expect(metric.statistic).toBe('Sum');
      expect(stack.resolve(metric.dimensions)).toEqual({
        GuardrailArn: { 'Fn::GetAtt': [stack.getLogicalId(guardrail.guardrail), 'GuardrailArn'] },
        GuardrailVersion: { 'Fn::GetAtt': [stack.getLogicalId(guardrail.version), 'Version'] },
      });
      expect(guardrail.metricInvocations().metricName).toBe('Invocations');
      expect(guardrail.metricInvocationThrottles().metricName).toBe('InvocationThrottles');
      expect(guardrail.metricInvocationLatency().statistic).toBe('p99');
    });

    test('the intervention rate divides interventions by invocations', () => {
      const guardrail = new ModelGuardrail(new Stack(), 'Guardrail');
      const rate = guardrail.metricInterventionRate();
      expect(rate.expression).toBe('IF(invocations > 0, 100 * interventions / invocations, 0)');
      expect((rate.usingMetrics.interventions as cloudwatch.Metric).metricName).toBe('InvocationsIntervened');
      expect((rate.usingMetrics.invocations as cloudwatch.Metric).metricName).toBe('Invocations');
    });
  });

  describe('validation', () => {
    const build = (props: ModelGuardrailProps) => () => new ModelGuardrail(new Stack(), 'Guardrail', props);

    test('fails if guardrailName has characters outside [0-9a-zA-Z-_]', () => {
      expect(build({ guardrailName: 'my guardrail' })).toThrow(/guardrailName must be 1-50 characters of \[0-9a-zA-Z-_\], got "my guardrail"/);
    });
    test('fails if guardrailName is longer than 50 characters', () => {
      expect(build({ guardrailName: 'g'.repeat(51) })).toThrow(/guardrailName must be 1-50 characters/);
    });
    test('derives a name of at most 50 characters from a long path', () => {
      const stack = new Stack();
      const deep = new ModelGuardrail(stack, 'AVeryLongConstructIdThatGoesOnAndOnAndOnForeverAndEver');
      const name = stack.resolve(deep.guardrail.name) as string;
      expect(name.length).toBeLessThanOrEqual(50);
      expect(name).toMatch(/^[0-9a-zA-Z-_]+$/);
    });
    test('fails if description is longer than 200 characters', () => {
      expect(build({ description: 'd'.repeat(201) })).toThrow(/description must be 1-200 characters, got 201 characters/);
    });
    test('fails if blockedInputMessage is longer than 500 characters', () => {
      expect(build({ blockedInputMessage: 'm'.repeat(501) })).toThrow(/blockedInputMessage must be 1-500 characters, got 501/);
    });
    test('fails if blockedOutputMessage is empty', () => {
      expect(build({ blockedOutputMessage: '' })).toThrow(/blockedOutputMessage must be 1-500 characters, got 0/);
    });
    test('fails if contentFilterStrengths tries to set PROMPT_ATTACK', () => {
      expect(
        build({ contentFilterStrengths: [{ category: 'PROMPT_ATTACK' as GuardrailContentCategory, inputStrength: GuardrailFilterStrength.LOW }] }),
      ).toThrow(/cannot set PROMPT_ATTACK/);
    });
    test('fails if contentFilterStrengths names an unknown category', () => {
      expect(build({ contentFilterStrengths: [{ category: 'GORE' as GuardrailContentCategory }] })).toThrow(/category must be one of .*got "GORE"/);
    });
    test('fails if contentFilterStrengths lists a category twice', () => {
      const hate = { category: GuardrailContentCategory.HATE };
      expect(build({ contentFilterStrengths: [hate, hate] })).toThrow(/lists HATE more than once/);
    });
    test('fails if a strength is not NONE, LOW, MEDIUM or HIGH', () => {
      expect(
        build({ contentFilterStrengths: [{ category: GuardrailContentCategory.HATE, outputStrength: 'MAX' as GuardrailFilterStrength }] }),
      ).toThrow(/HATE outputStrength must be one of NONE, LOW, MEDIUM, HIGH, got "MAX"/);
    });
    test('fails if there are more than 30 denied topics', () => {
      const topics = Array.from({ length: 31 }, (_, i) => ({ name: `Topic ${i}`, definition: 'Something.' }));
      expect(build({ deniedTopics: topics })).toThrow(/deniedTopics must list at most 30 topics, got 31/);
    });
    test('fails if a topic name has a disallowed character', () => {
      expect(build({ deniedTopics: [{ name: 'Crypto/Stocks', definition: 'x' }] })).toThrow(/deniedTopics name must be .* got "Crypto\/Stocks"/);
    });
    test('fails if two topics share a name', () => {
      expect(build({ deniedTopics: [TOPIC, TOPIC] })).toThrow(/deniedTopics names must be unique, got "Investment advice" twice/);
    });
    test('fails if a topic definition is longer than 200 characters', () => {
      expect(build({ deniedTopics: [{ name: 'T', definition: 'd'.repeat(201) }] })).toThrow(/deniedTopics "T" definition must be 1-200 characters, got 201/);
    });
    test('fails if a topic has more than 5 examples', () => {
      expect(build({ deniedTopics: [{ ...TOPIC, examples: ['1', '2', '3', '4', '5', '6'] }] })).toThrow(/examples must list at most 5 prompts, got 6/);
    });
    test('fails if a topic example is longer than 100 characters', () => {
      expect(build({ deniedTopics: [{ ...TOPIC, examples: ['e'.repeat(101)] }] })).toThrow(/examples\[0\] must be 1-100 characters, got 101/);
    });
    test('fails if there are more than 10,000 blocked words', () => {
      expect(build({ blockedWords: Array.from({ length: 10_001 }, (_, i) => `w${i}`) })).toThrow(/blockedWords must list at most 10000 words, got 10001/);
    });
    test('fails if a blocked word is longer than 100 characters', () => {
      expect(build({ blockedWords: ['ok', 'w'.repeat(101)] })).toThrow(/blockedWords\[1\] must be 1-100 characters, got 101/);
    });
    test('fails if a blocked word is blank', () => {
      expect(build({ blockedWords: ['  '] })).toThrow(/blockedWords\[0\] must contain a non-space character/);
    });
    test('fails if a PII type is unknown', () => {
      expect(build({ piiBlockTypes: ['SSN'] })).toThrow(/piiBlockTypes must list Bedrock PII entity types .* got "SSN"/);
      expect(build({ piiAnonymizeTypes: ['email'] })).toThrow(/piiAnonymizeTypes must list Bedrock PII entity types .* got "email"/);
    });
    test('fails if a type is both blocked and anonymized', () => {
      expect(build({ piiAnonymizeTypes: ['PASSWORD'] })).toThrow(/piiAnonymizeTypes must not list a blocked type, got PASSWORD/);
      expect(build({ piiBlockTypes: ['EMAIL'], piiAnonymizeTypes: ['EMAIL'] })).toThrow(/got EMAIL/);
    });
    test('fails if there are more than 10 custom regexes', () => {
      const regexes = Array.from({ length: 11 }, (_, i) => ({ name: `R${i}`, pattern: 'x', action: GuardrailSensitiveInformationAction.BLOCK }));
      expect(build({ customRegexes: regexes })).toThrow(/customRegexes must list at most 10 patterns, got 11/);
    });
    test('fails if a custom regex does not compile', () => {
      expect(build({ customRegexes: [{ name: 'Bad', pattern: '(unclosed', action: GuardrailSensitiveInformationAction.BLOCK }] })).toThrow(
        /customRegexes "Bad" pattern must be a valid regular expression, got \/\(unclosed\//,
      );
    });
    test('fails if a custom regex has an unknown action', () => {
      expect(
        build({ customRegexes: [{ name: 'R', pattern: 'x', action: 'MASK' as GuardrailSensitiveInformationAction }] }),
      ).toThrow(/customRegexes "R" action must be one of BLOCK, ANONYMIZE, got "MASK"/);
    });
    test('fails if two custom regexes share a name, or a name is too long', () => {
      const r = { name: 'R', pattern: 'x', action: GuardrailSensitiveInformationAction.BLOCK };
      expect(build({ customRegexes: [r, r] })).toThrow(/customRegexes names must be unique, got "R" twice/);
      expect(build({ customRegexes: [{ ...r, name: 'n'.repeat(101) }] })).toThrow(/customRegexes name must be 1-100 characters, got 101/);
    });
    test('fails if a custom regex pattern or description is too long', () => {
      const r = { name: 'R', pattern: 'x', action: GuardrailSensitiveInformationAction.BLOCK };
      expect(build({ customRegexes: [{ ...r, pattern: 'x'.repeat(501) }] })).toThrow(/customRegexes "R" pattern must be 1-500 characters, got 501/);
      expect(build({ customRegexes: [{ ...r, description: 'd'.repeat(1001) }] })).toThrow(/description must be 1-1000 characters, got 1001/);
    });
    test('fails if groundingThreshold is above 0.99', () => {
      expect(build({ groundingThreshold: 1 })).toThrow(/groundingThreshold must be between 0 and 0.99 \(0 turns the check off\), got 1/);
    });
    test('fails if relevanceThreshold is negative', () => {
      expect(build({ relevanceThreshold: -0.1 })).toThrow(/relevanceThreshold must be between 0 and 0.99 .* got -0.1/);
    });
  });
});
