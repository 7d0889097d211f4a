import { App, Fn, Stack } from 'aws-cdk-lib';
import { nagFindingText } from '../../../constructs/shared/nag-finding';

describe('nagFindingText', () => {
  describe('defaults', () => {
    test.each([
      [undefined, 'arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:*'],
      [{ region: 'eu-west-1' }, 'arn:aws:logs:eu-west-1:<AWS::AccountId>:*'],
      [{ account: '123456789012', region: 'eu-west-1' }, 'arn:aws:logs:eu-west-1:123456789012:*'],
    ])('spells an ARN of a stack with env %j as cdk-nag does', (env, expected) => {
      // GIVEN
      const stack = new Stack(new App({ context: { '@aws-cdk/core:enablePartitionLiterals': true } }), 'S', { env });
      // WHEN / THEN
      expect(nagFindingText(stack, `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*`)).toBe(expected);
    });
  });

  describe('validation', () => {
    test('fails if the value resolves to an intrinsic it does not know', () => {
      const stack = new Stack();
      expect(() => nagFindingText(stack, Fn.select(0, Fn.getAzs()))).toThrow(/supports strings, Ref, Fn::GetAtt and Fn::Join/);
    });
  });
});
