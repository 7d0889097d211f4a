import { createHash } from 'node:crypto';
import * as fc from 'fast-check';
import type { LoggingConfig } from '@aws-sdk/client-bedrock';
import {
  InvalidPhysicalResourceIdError,
  isOwnConfiguration,
  MAX_PHYSICAL_ID_BYTES,
  parsePhysicalResourceId,
  PreviousConfigurationTooLargeError,
  takeOverPhysicalResourceId,
} from '../../../lambda/invocation-logging/takeover';

const REGION = 'eu-west-1';
const OWN_ID = `bedrock-invocation-logging-${REGION}`;

const name = fc.stringMatching(/^[A-Za-z0-9._/-]{1,80}$/);
const s3 = fc.record({ bucketName: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,40}[a-z0-9]$/), keyPrefix: fc.option(name, { nil: undefined }) }, { requiredKeys: ['bucketName'] });
const config: fc.Arbitrary<LoggingConfig> = fc.record(
  {
    cloudWatchConfig: fc.record(
      { logGroupName: name, roleArn: name.map((n) => `arn:aws:iam::123456789012:role/${n}`), largeDataDeliveryS3Config: s3 },
      { requiredKeys: ['logGroupName', 'roleArn'] },
    ),
    s3Config: s3,
    textDataDeliveryEnabled: fc.boolean(),
    imageDataDeliveryEnabled: fc.boolean(),
    embeddingDataDeliveryEnabled: fc.boolean(),
    videoDataDeliveryEnabled: fc.boolean(),
    audioDataDeliveryEnabled: fc.boolean(),
  },
  { requiredKeys: ['cloudWatchConfig'] },
);

describe('takeover', () => {
  describe('defaults', () => {
    test('a taken-over configuration comes back from its physical ID unchanged, in at most 1 KB', () => {
      fc.assert(
        fc.property(config, (previous) => {
          // WHEN
          const id = takeOverPhysicalResourceId(REGION, previous);
          // THEN
          expect(Buffer.byteLength(id)).toBeLessThanOrEqual(MAX_PHYSICAL_ID_BYTES);
          expect(parsePhysicalResourceId(REGION, id)).toEqual({ owned: true, previous: JSON.parse(JSON.stringify(previous)) });
        }),
      );
    });

    test('the plain ID is owned with nothing to restore; a failed Create\'s or another region\'s ID is not owned', () => {
      expect(parsePhysicalResourceId(REGION, OWN_ID)).toEqual({ owned: true });
      expect(parsePhysicalResourceId(REGION, `${OWN_ID}-create-failed`)).toEqual({ owned: false });
      expect(parsePhysicalResourceId(REGION, 'bedrock-invocation-logging-us-east-1')).toEqual({ owned: false });
    });

    test('a configuration is ours only when it delivers to one of our log groups', () => {
      const ours: LoggingConfig = { cloudWatchConfig: { logGroupName: 'ours', roleArn: 'arn:aws:iam::1:role/r' } };
      expect(isOwnConfiguration(ours, ['old', 'ours'])).toBe(true);
      expect(isOwnConfiguration(ours, ['theirs', undefined])).toBe(false);
      expect(isOwnConfiguration({ s3Config: { bucketName: 'ours' } }, ['ours'])).toBe(false);
    });
  });

  describe('validation', () => {
    test('fails if the configuration does not fit in a physical ID', () => {
      // GIVEN names of hash output, which deflate cannot shrink
      const noise = Array.from({ length: 40 }, (_, i) => createHash('sha256').update(String(i)).digest('base64url')).join('');
      const big: LoggingConfig = {
        cloudWatchConfig: { logGroupName: noise.slice(0, 500), roleArn: 'arn:aws:iam::123456789012:role/r', largeDataDeliveryS3Config: { bucketName: 'b-1', keyPrefix: noise.slice(500, 1300) } },
      };
      expect(() => takeOverPhysicalResourceId(REGION, big)).toThrow(PreviousConfigurationTooLargeError);
    });

    test('fails if the physical ID carries something that is not a configuration', () => {
      expect(() => parsePhysicalResourceId(REGION, `${OWN_ID}~not-deflate`)).toThrow(InvalidPhysicalResourceIdError);
      expect(() => parsePhysicalResourceId(REGION, `${OWN_ID}~${Buffer.from('').toString('base64url')}`)).toThrow(InvalidPhysicalResourceIdError);
    });
  });
});
