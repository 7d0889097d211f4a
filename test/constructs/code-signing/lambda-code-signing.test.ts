import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LAMBDA_CODE_SIGNING_ID, LambdaCodeSigning } from '../../../constructs/code-signing';
import { latestNodeRuntime, prebuiltCode, prebuiltCodeWithFile } from '../../../constructs/shared/lambda-bundle';
import { contentSha256, SignedArtifacts } from '../../../constructs/shared/signed-artifacts';

const PROFILE = 'arn:aws:signer:eu-west-1:123456789012:/signing-profiles/SecureLlm/AbCdEf1234';
const BUNDLES = path.join(__dirname, '..', '..', '..', 'dist', 'bundles');
/** Every file a function's bundle deploys: its `index.js` and, for the gateway, the modules it loads on first use. */
const bundleFiles = (fn: string) => fs.readdirSync(path.join(BUNDLES, fn)).map((name) => ({ name, contents: fs.readFileSync(path.join(BUNDLES, fn, name)) }));

/**
 * An app without the validate-against-default-rules flag, where aws-cdk-lib's CloudFormation validator could only
 * warn; it is left out, since loading it costs about ten seconds of CPU per test file.
 */
const newApp = () => new App({ builtinCloudFormationValidation: false });

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-code-signing-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function artifactsFile(name: string, artifacts: SignedArtifacts['artifacts']): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({ version: 1, signingProfileName: 'SecureLlm', artifacts }));
  return file;
}

const entry = (fn: string, sourceSha256: string) => ({
  function: fn,
  sourceSha256,
  bundleSha256: contentSha256([]),
  bucket: 'signed-code',
  key: `signed/${fn}.zip`,
  objectVersion: 'v1',
  signingJobId: 'job-1',
});

/** A function deep in a construct tree, with its code from the bundle helper, as every construct of the package does it. */
function functionIn(scope: Construct, code: lambda.Code): lambda.Function {
  return new lambda.Function(new Construct(new Construct(scope, 'A'), 'B'), 'Fn', { code, handler: 'index.handler', runtime: latestNodeRuntime() });
}

describe('defaults', () => {
  test('a function of the package anywhere below the code signing deploys the signed object and carries the Enforce configuration', () => {
    // GIVEN
    const stack = new Stack(newApp(), 'S');
    const file = artifactsFile('ok.json', [entry('authorizer', contentSha256(bundleFiles('authorizer')))]);
    const signing = new LambdaCodeSigning(stack, LAMBDA_CODE_SIGNING_ID, { signingProfileVersionArn: PROFILE, signedArtifactsFile: file });
    // WHEN
    const fn = functionIn(stack, prebuiltCode('authorizer'));
    // THEN
    expect(LambdaCodeSigning.of(fn)).toBe(signing);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Code: { S3Bucket: 'signed-code', S3Key: 'signed/authorizer.zip', S3ObjectVersion: 'v1' },
      CodeSigningConfigArn: { 'Fn::GetAtt': [stack.getLogicalId(signing.codeSigningConfig), 'CodeSigningConfigArn'] },
    });
    template.hasResourceProperties('AWS::Lambda::CodeSigningConfig', {
      AllowedPublishers: { SigningProfileVersionArns: [PROFILE] },
      CodeSigningPolicies: { UntrustedArtifactOnDeployment: 'Enforce' },
    });
  });

  test('without code signing, the bundle deploys as an asset with no code-signing configuration', () => {
    const stack = new Stack(newApp(), 'S');
    functionIn(stack, prebuiltCode('authorizer'));
    const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0]!;
    expect(fn.Properties.CodeSigningConfigArn).toBeUndefined();
    expect(fn.Properties.Code.S3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
  });

  test('the digest of a function with a data file covers the file and every file of the bundle: the signed gateway matches only its own configuration', () => {
    // GIVEN
    const stack = new Stack(newApp(), 'S');
    const sha = contentSha256([...bundleFiles('gateway'), { name: 'config.json', contents: '{"a":1}' }]);
    const file = artifactsFile('gateway.json', [entry('gateway', sha)]);
    new LambdaCodeSigning(stack, LAMBDA_CODE_SIGNING_ID, { signingProfileVersionArn: PROFILE, signedArtifactsFile: file });
    // WHEN
    functionIn(stack, prebuiltCodeWithFile('gateway', 'config.json', '{"a":1}'));
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Code: { S3Bucket: 'signed-code', S3Key: 'signed/gateway.zip', S3ObjectVersion: 'v1' } });
  });
});

describe('validation', () => {
  test('fails if the recorded source SHA-256 differs from the current code, naming the key, the file and the function', () => {
    // GIVEN a file signed for another gateway configuration
    const app = newApp();
    const stack = new Stack(app, 'S');
    const sha = contentSha256([...bundleFiles('gateway'), { name: 'config.json', contents: '{"a":1}' }]);
    const file = artifactsFile('changed.json', [entry('gateway', sha)]);
    new LambdaCodeSigning(stack, LAMBDA_CODE_SIGNING_ID, { signingProfileVersionArn: PROFILE, signedArtifactsFile: file, signedArtifactsKey: 'codeSigning.signedArtifactsFile' });
    // WHEN the configuration changed
    functionIn(stack, prebuiltCodeWithFile('gateway', 'config.json', '{"a":2}'));
    // THEN
    expect(() => app.synth()).toThrow(
      new RegExp(`codeSigning\\.signedArtifactsFile \\(.*changed\\.json\\) records function "gateway" with source SHA-256 ${sha}, but its current code has SHA-256 [0-9a-f]{64}: the code changed since it was signed`),
    );
  });

  test('fails if the file has no artifact of the function', () => {
    const app = newApp();
    const stack = new Stack(app, 'S');
    const file = artifactsFile('other.json', [entry('authorizer', 'a'.repeat(64))]);
    new LambdaCodeSigning(stack, LAMBDA_CODE_SIGNING_ID, { signingProfileVersionArn: PROFILE, signedArtifactsFile: file });
    functionIn(stack, prebuiltCode('network-guard'));
    expect(() => app.synth()).toThrow(/signedArtifactsFile \(.*other\.json\) has no signed artifact of function "network-guard" \(code SHA-256 [0-9a-f]{64}\): sign the current code with secure-llm-sign/);
  });

  test('with requireSignedCode false (tools that never deploy), unsigned code is a warning and keeps the configuration', () => {
    // GIVEN
    const app = newApp();
    const stack = new Stack(app, 'S');
    new LambdaCodeSigning(stack, LAMBDA_CODE_SIGNING_ID, { signingProfileVersionArn: PROFILE, signedArtifactsFile: path.join(dir, 'absent.json'), requireSignedCode: false });
    // WHEN
    functionIn(stack, prebuiltCode('authorizer'));
    // THEN
    Annotations.fromStack(stack).hasWarning('/S/A/B/Fn', Match.stringLikeRegexp('absent\\.json, which does not exist, so function "authorizer".*this template cannot deploy'));
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { CodeSigningConfigArn: Match.anyValue() });
  });

  test('fails if the file is not a signed-artifacts file', () => {
    const stack = new Stack(newApp(), 'S');
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ version: 2, artifacts: [] }));
    new LambdaCodeSigning(stack, LAMBDA_CODE_SIGNING_ID, { signingProfileVersionArn: PROFILE, signedArtifactsFile: file });
    expect(() => functionIn(stack, prebuiltCode('authorizer'))).toThrow(/signedArtifactsFile names .*bad\.json, which is not a signed-artifacts file of version 1 \(version: .*\); write it again with secure-llm-sign/);
  });

  test('fails if signingProfileVersionArn is not a profile version ARN', () => {
    const stack = new Stack(newApp(), 'S');
    expect(() => new LambdaCodeSigning(stack, LAMBDA_CODE_SIGNING_ID, { signingProfileVersionArn: 'arn:aws:signer:eu-west-1:123456789012:/signing-profiles/SecureLlm', signedArtifactsFile: 'x.json' })).toThrow(
      /signingProfileVersionArn must be a Signer profile version ARN .*, got "arn:aws:signer:eu-west-1:123456789012:\/signing-profiles\/SecureLlm"/,
    );
  });
});
