import { App, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { IConstruct } from 'constructs';
import { BedrockChecks, PROFILE_METADATA_KEY, TRAINING_DATA_TAG_KEY, TRAINING_DATA_TAG_VALUE } from '../../../../lib/compliance/bedrock';

const PROFILE = 'arn:aws:signer:eu-west-1:111122223333:/signing-profiles/SecureLlm/AbCdEf1234';

/** The pack's findings for one rule, as `<rule id> at <construct path>`. */
function findings(scope: IConstruct, rule: string): string[] {
  return new BedrockChecks()
    .validateScope(scope)
    .violations.filter((v) => v.ruleName.startsWith(`SecureLLM-${rule}`))
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
}

function newStack(strict: boolean): Stack {
  const stack = new Stack(new App(), 'Test');
  if (strict) {
    stack.templateOptions.metadata = { [PROFILE_METADATA_KEY]: 'strict' };
  }
  return stack;
}

function inlineFunction(stack: Stack, id: string, codeSigningConfigArn?: string): lambda.CfnFunction {
  return new lambda.CfnFunction(stack, id, {
    code: { zipFile: 'exports.handler = async () => 1;' },
    role: 'arn:aws:iam::111122223333:role/r',
    runtime: 'nodejs22.x',
    handler: 'index.handler',
    codeSigningConfigArn,
  });
}

function signingConfig(stack: Stack, id: string, untrusted: 'Enforce' | 'Warn'): lambda.CfnCodeSigningConfig {
  return new lambda.CfnCodeSigningConfig(stack, id, {
    allowedPublishers: { signingProfileVersionArns: [PROFILE] },
    codeSigningPolicies: { untrustedArtifactOnDeployment: untrusted },
  });
}

describe('FunctionCodeSigningStrict', () => {
  test('a function with an Enforce code-signing configuration of its stack, or an imported one, is compliant under the strict profile', () => {
    // GIVEN
    const stack = newStack(true);
    inlineFunction(stack, 'Signed', signingConfig(stack, 'Config', 'Enforce').attrCodeSigningConfigArn);
    inlineFunction(stack, 'Imported', 'arn:aws:lambda:eu-west-1:111122223333:code-signing-config:csc-0123456789abcdef0');
    // THEN
    expect(findings(stack, 'FunctionCodeSigningStrict')).toEqual([]);
  });

  test('outside the strict profile, a function without code signing is not a finding', () => {
    const stack = newStack(false);
    inlineFunction(stack, 'Unsigned');
    expect(findings(stack, 'FunctionCodeSigningStrict')).toEqual([]);
  });

  test('fails if a function of a strict stack has no code-signing configuration or one that only warns', () => {
    // GIVEN
    const stack = newStack(true);
    inlineFunction(stack, 'Unsigned');
    inlineFunction(stack, 'Warned', signingConfig(stack, 'WarnConfig', 'Warn').attrCodeSigningConfigArn);
    // THEN
    expect(findings(stack, 'FunctionCodeSigningStrict')).toEqual([
      'SecureLLM-FunctionCodeSigningStrict at Test/Unsigned',
      'SecureLLM-FunctionCodeSigningStrict at Test/Warned',
    ]);
  });
});

describe('TrainingBucketObjectLock', () => {
  /** What `Tags.of(bucket).add(TRAINING_DATA_TAG_KEY, TRAINING_DATA_TAG_VALUE)` does at synthesis (the pack runs here without it). */
  const markTraining = (bucket: s3.Bucket) => (bucket.node.defaultChild as s3.CfnBucket).tags.setTag(TRAINING_DATA_TAG_KEY, TRAINING_DATA_TAG_VALUE);

  test('a training bucket with Object Lock and a default retention is compliant; an untagged bucket is not checked', () => {
    // GIVEN
    const stack = newStack(false);
    const vault = new s3.Bucket(stack, 'Vault', { objectLockEnabled: true, objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(365)) });
    markTraining(vault);
    new s3.Bucket(stack, 'Other');
    // THEN
    expect(findings(stack, 'TrainingBucketObjectLock')).toEqual([]);
  });

  test('fails if a training bucket has no Object Lock, or Object Lock without a default retention', () => {
    // GIVEN
    const stack = newStack(false);
    for (const [id, props] of [['NoLock', {}], ['NoRetention', { objectLockEnabled: true }]] as const) {
      markTraining(new s3.Bucket(stack, id, props));
    }
    // THEN
    expect(findings(stack, 'TrainingBucketObjectLock')).toEqual([
      'SecureLLM-TrainingBucketObjectLock at Test/NoLock/Resource',
      'SecureLLM-TrainingBucketObjectLock at Test/NoRetention/Resource',
    ]);
  });
});

describe('CustomizationJobVpcKms', () => {
  const task = (parameters: Record<string, unknown>) => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::bedrock:createModelCustomizationJob.sync',
    Parameters: { JobName: 'job', BaseModelIdentifier: 'amazon.nova-lite-v1:0', ...parameters },
    End: true,
  });
  const VPC = { SubnetIds: ['subnet-1'], SecurityGroupIds: ['sg-1'] };

  /** A state machine whose definition is an Fn::Join with a token inside, as CDK renders one. */
  function machine(stack: Stack, id: string, states: Record<string, unknown>): void {
    const json = JSON.stringify({ StartAt: Object.keys(states)[0], States: states });
    const [before, after] = json.split('"KEY_ARN"');
    new sfn.CfnStateMachine(stack, id, {
      roleArn: 'arn:aws:iam::111122223333:role/sfn',
      definitionString: after === undefined ? json : Fn.join('', [before!, '"', Fn.importValue('CustomModelKeyArn'), '"', after]),
    });
  }

  test('a job with VpcConfig and CustomModelKmsKeyId (literal, token or from the input) is compliant, in a Parallel branch too', () => {
    // GIVEN
    const stack = newStack(false);
    machine(stack, 'Literal', { Start: task({ VpcConfig: VPC, CustomModelKmsKeyId: 'KEY_ARN' }) });
    machine(stack, 'FromInput', {
      Branches: {
        Type: 'Parallel',
        End: true,
        Branches: [{ StartAt: 'Job', States: { Job: task({ 'VpcConfig.$': '$.vpc', 'CustomModelKmsKeyId.$': '$.key' }) } }],
      },
    });
    machine(stack, 'NoJob', { Wait: { Type: 'Wait', Seconds: 1, End: true } });
    // THEN
    expect(findings(stack, 'CustomizationJobVpcKms')).toEqual([]);
  });

  test('fails if a job has no VpcConfig, an empty one, or no CustomModelKmsKeyId, naming the state', () => {
    // GIVEN
    const stack = newStack(false);
    machine(stack, 'NoVpc', { Train: task({ CustomModelKmsKeyId: 'KEY_ARN' }) });
    machine(stack, 'EmptyVpc', { Train: task({ VpcConfig: { SubnetIds: [], SecurityGroupIds: ['sg-1'] }, CustomModelKmsKeyId: 'KEY_ARN' }) });
    machine(stack, 'NoKey', {
      Map: { Type: 'Map', End: true, ItemProcessor: { StartAt: 'Inner', States: { Inner: task({ VpcConfig: VPC }) } } },
    });
    // THEN
    expect(findings(stack, 'CustomizationJobVpcKms')).toEqual([
      'SecureLLM-CustomizationJobVpcKms[State::Train] at Test/NoVpc',
      'SecureLLM-CustomizationJobVpcKms[State::Train] at Test/EmptyVpc',
      'SecureLLM-CustomizationJobVpcKms[State::Inner] at Test/NoKey',
    ]);
  });

  test('fails if a definition that calls the job cannot be parsed', () => {
    const stack = newStack(false);
    new sfn.CfnStateMachine(stack, 'Broken', {
      roleArn: 'arn:aws:iam::111122223333:role/sfn',
      definitionString: '{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::bedrock:createModelCustomizationJob",',
    });
    expect(findings(stack, 'CustomizationJobVpcKms')).toEqual(['SecureLLM-CustomizationJobVpcKms[Definition::unparsable] at Test/Broken']);
  });
});
