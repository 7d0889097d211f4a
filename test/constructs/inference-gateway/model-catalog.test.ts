import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import {
  editDistance,
  GatewayModel,
  inferenceProfilePrefix,
  isKnownFoundationModelId,
  knownFoundationModelIds,
  modelCapabilities,
  nearestFoundationModelIds,
  validateModels,
} from '../../../constructs/inference-gateway';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

const NOVA: GatewayModel = { alias: 'nova-lite', modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 4096 };

describe('model catalogue', () => {
  describe('capabilities', () => {
    test.each([
      ['amazon.nova-lite-v1:0', true, true],
      ['amazon.nova-micro-v1:0', true, false],
      ['anthropic.claude-3-5-haiku-20241022-v1:0', true, false],
      ['anthropic.claude-3-5-sonnet-20240620-v1:0', true, true],
      ['amazon.titan-text-express-v1', false, false],
      ['meta.llama3-8b-instruct-v1:0', false, false],
    ])('%s: forced tool choice %s, image input %s (Bedrock Converse model features)', (modelId, forcedToolChoice, imageInput) => {
      expect(modelCapabilities(modelId)).toEqual({ forcedToolChoice, imageInput });
    });
  });

  describe('defaults', () => {
    test('lists the static FoundationModelIdentifier members of the installed aws-cdk-lib', () => {
      const ids = knownFoundationModelIds();
      expect(ids).toContain(bedrock.FoundationModelIdentifier.AMAZON_NOVA_LITE_V1_0.modelId);
      expect(ids).toContain(bedrock.FoundationModelIdentifier.ANTHROPIC_CLAUDE_3_5_HAIKU_20241022_V1_0.modelId);
      expect(ids.length).toBeGreaterThan(100);
      expect(new Set(ids).size).toBe(ids.length);
    });

    test('nearest ids are the three with the smallest edit distance, nearest first', () => {
      expect(nearestFoundationModelIds('amazon.nova-lite-v1')).toEqual(['amazon.nova-lite-v1:0', 'amazon.nova-micro-v1:0', 'amazon.nova-pro-v1:0']);
      expect(editDistance('kitten', 'sitting')).toBe(3);
      expect(editDistance('', 'abc')).toBe(3);
    });

    test('an inference profile is a known prefix, a dot and the model id', () => {
      for (const prefix of ['us', 'us-gov', 'eu', 'apac', 'jp', 'au', 'global']) {
        expect(inferenceProfilePrefix(`${prefix}.amazon.nova-lite-v1:0`, 'amazon.nova-lite-v1:0')).toBe(prefix);
      }
      expect(inferenceProfilePrefix('xx.amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0')).toBeUndefined();
      expect(isKnownFoundationModelId('amazon.nova-lite-v9:0')).toBe(false);
    });
  });

  describe('validation', () => {
    test('fails if a model id is not listed, naming the alias, the id and the nearest ids', () => {
      expect(() => validateModels([{ ...NOVA, modelId: 'amazon.nova-lite-v1' }])).toThrow(
        'models[0].modelId of alias "nova-lite" must be a Bedrock model id the installed aws-cdk-lib lists (aws_bedrock.FoundationModelIdentifier); ' +
          'nearest: amazon.nova-lite-v1:0, amazon.nova-micro-v1:0, amazon.nova-pro-v1:0; ' +
          'for a model newer than aws-cdk-lib set models[0].allowUnlistedModelId: true, got "amazon.nova-lite-v1"',
      );
    });

    test('fails if an inference-profile prefix is unknown', () => {
      const model = { ...NOVA, inferenceProfileId: 'ca.amazon.nova-lite-v1:0', inferenceProfileRegions: ['ca-central-1'] };
      expect(() => validateModels([model])).toThrow(/models\[0\]\.inferenceProfileId of alias "nova-lite" must be "<prefix>\.amazon\.nova-lite-v1:0" .*got "ca\.amazon\.nova-lite-v1:0"/);
    });

    test('allowUnlistedModelId turns the failure into a warning on the construct', () => {
      // GIVEN
      const stack = new Stack();
      // WHEN
      validateModels([{ ...NOVA, modelId: 'amazon.nova-next-v9:0', allowUnlistedModelId: true }], stack);
      // THEN
      Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('model alias "nova-lite" calls amazon.nova-next-v9:0, which the installed aws-cdk-lib does not list'));
    });

    test('a listed model id raises no warning', () => {
      const stack = new Stack();
      validateModels([NOVA], stack);
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    });
  });
});
