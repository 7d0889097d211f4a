import * as fc from 'fast-check';
import {
  failedCreatePhysicalResourceId,
  InvalidPropertiesError,
  isNotFoundError,
  isPermissionPropagationError,
  parseLoggingProperties,
  physicalResourceId,
  regionOfStack,
  toPutRequest,
} from '../../../lambda/invocation-logging/logging-config';

const VALID = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:handler',
  LogGroupName: 'Baseline-InvocationLoggingLogGroup-abc123',
  DeliveryRoleArn: 'arn:aws:iam::123456789012:role/Baseline-DeliveryRole-XYZ',
  LargeDataBucketName: 'baseline-large-data-1x2y3z',
  LargeDataKeyPrefix: 'model-invocations',
  TextDataDeliveryEnabled: 'true',
  ImageDataDeliveryEnabled: 'false',
  EmbeddingDataDeliveryEnabled: 'true',
  VideoDataDeliveryEnabled: 'false',
  AudioDataDeliveryEnabled: 'false',
};

function errorOf(raw: unknown): string {
  try {
    parseLoggingProperties(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidPropertiesError);
    return (e as Error).message;
  }
  throw new Error('expected parseLoggingProperties to throw');
}

describe('logging-config', () => {
  describe('defaults', () => {
    test('maps CloudFormation string booleans to the Put request', () => {
      // WHEN
      const request = toPutRequest(parseLoggingProperties(VALID));
      // THEN
      expect(request).toEqual({
        loggingConfig: {
          cloudWatchConfig: {
            logGroupName: VALID.LogGroupName,
            roleArn: VALID.DeliveryRoleArn,
            largeDataDeliveryS3Config: { bucketName: VALID.LargeDataBucketName, keyPrefix: 'model-invocations' },
          },
          textDataDeliveryEnabled: true,
          imageDataDeliveryEnabled: false,
          embeddingDataDeliveryEnabled: true,
          videoDataDeliveryEnabled: false,
          audioDataDeliveryEnabled: false,
        },
      });
    });

    test('omits large-data delivery when no bucket is given', () => {
      const { LargeDataBucketName: _b, LargeDataKeyPrefix: _p, ...rest } = VALID;
      expect(toPutRequest(parseLoggingProperties(rest)).loggingConfig?.cloudWatchConfig).toEqual({
        logGroupName: VALID.LogGroupName,
        roleArn: VALID.DeliveryRoleArn,
      });
    });

    test('every combination of delivery flags reaches the request unchanged', () => {
      const flags = fc.tuple(fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean()).filter((t) => t.some(Boolean));
      fc.assert(
        fc.property(flags, fc.boolean(), ([text, image, embedding, video, audio], asStrings) => {
          const f = (b: boolean) => (asStrings ? String(b) : b);
          const config = toPutRequest(
            parseLoggingProperties({
              ...VALID,
              TextDataDeliveryEnabled: f(text),
              ImageDataDeliveryEnabled: f(image),
              EmbeddingDataDeliveryEnabled: f(embedding),
              VideoDataDeliveryEnabled: f(video),
              AudioDataDeliveryEnabled: f(audio),
            }),
          ).loggingConfig!;
          expect([
            config.textDataDeliveryEnabled,
            config.imageDataDeliveryEnabled,
            config.embeddingDataDeliveryEnabled,
            config.videoDataDeliveryEnabled,
            config.audioDataDeliveryEnabled,
          ]).toEqual([text, image, embedding, video, audio]);
        }),
      );
    });

    test('physical IDs are per region, and a failed Create gets a different one', () => {
      expect(physicalResourceId('eu-west-1')).toBe('bedrock-invocation-logging-eu-west-1');
      expect(failedCreatePhysicalResourceId('eu-west-1')).not.toBe(physicalResourceId('eu-west-1'));
      expect(regionOfStack('arn:aws:cloudformation:us-gov-west-1:123456789012:stack/S/guid')).toBe('us-gov-west-1');
      expect(regionOfStack('not-an-arn')).toBeUndefined();
    });

    test('only the IAM-propagation ValidationException is retryable, and only ResourceNotFound is "gone"', () => {
      const named = (name: string, message: string) => Object.assign(new Error(message), { name });
      expect(isPermissionPropagationError(named('ValidationException', 'Failed to validate permissions for log group: x'))).toBe(true);
      expect(isPermissionPropagationError(named('ValidationException', 'Log group does not exist'))).toBe(false);
      expect(isPermissionPropagationError(named('AccessDeniedException', 'Failed to validate permissions'))).toBe(false);
      expect(isNotFoundError(named('ResourceNotFoundException', 'gone'))).toBe(true);
      expect(isNotFoundError(named('ValidationException', 'gone'))).toBe(false);
    });
  });

  describe('validation', () => {
    test('fails if every delivery flag is false', () => {
      expect(
        errorOf({ ...VALID, TextDataDeliveryEnabled: 'false', EmbeddingDataDeliveryEnabled: false }),
      ).toMatch(/\(root\): at least one of TextDataDeliveryEnabled, .* must be true/);
    });
    test('fails if the delivery role is not a role ARN', () => {
      expect(errorOf({ ...VALID, DeliveryRoleArn: 'arn:aws:iam::123456789012:user/alice' })).toMatch(
        /DeliveryRoleArn: must be an IAM role ARN/,
      );
    });
    test('fails if the log group name has characters CloudWatch Logs rejects', () => {
      expect(errorOf({ ...VALID, LogGroupName: 'bad name' })).toMatch(/LogGroupName: must be a CloudWatch Logs log group name/);
    });
    test('fails if a flag is not a boolean', () => {
      expect(errorOf({ ...VALID, VideoDataDeliveryEnabled: 'yes' })).toMatch(/VideoDataDeliveryEnabled/);
    });
    test('fails if a key prefix comes without a bucket', () => {
      const { LargeDataBucketName: _b, ...rest } = VALID;
      expect(errorOf(rest)).toMatch(/LargeDataKeyPrefix: LargeDataKeyPrefix requires LargeDataBucketName/);
    });
    test('fails if the bucket name is not an S3 bucket name', () => {
      expect(errorOf({ ...VALID, LargeDataBucketName: 'Upper_Case' })).toMatch(/LargeDataBucketName: must be an S3 bucket name/);
    });
    test('fails if an unknown property is present', () => {
      expect(errorOf({ ...VALID, S3Config: 'x' })).toMatch(/S3Config/);
    });
    test('fails if properties are missing entirely', () => {
      expect(errorOf(undefined)).toMatch(/LogGroupName.*DeliveryRoleArn/);
    });
  });
});
