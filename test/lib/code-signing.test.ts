import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { readManifest, signableBundles } from '../../bin/sign-cli';
import { SignedArtifacts } from '../../constructs/shared/signed-artifacts';
import { Blueprint, buildBlueprint, buildCodeSigningProfile } from '../../lib/blueprint';
import { PROFILE_METADATA_KEY } from '../../lib/blueprint-stack';
import { BlueprintConfigInput, parseConfig } from '../../lib/config';
import { newTemplateApp } from '../helpers/compliance';
import { SIGNED_CODE_BUCKET, recordStagedCodeAsSigned } from '../helpers/signed-code';

/**
 * The strict profile with code signing, synthesized the way an operator runs it: once unsigned (synthesis fails and
 * stages the code), then signed (secure-llm-sign's discovery of the staged bundles; the Signer calls themselves are
 * tested in test/bin/sign-cli.test.ts) and synthesized again. The templates alone are read here: the strict profile
 * with code signing passes every compliance check in the environment test of config/strict.json
 * (test/lib/environments), which signs its code the same way.
 */
const MANIFEST = path.join(__dirname, '..', '..', 'dist', 'bundles', 'manifest.json');
const BUCKET = SIGNED_CODE_BUCKET;

let dir: string;
let unsigned: { app: App; blueprint: Blueprint };
let signedFile: string;
let signed: { blueprint: Blueprint; artifacts: SignedArtifacts };

function strictConfig(signedArtifactsFile: string): BlueprintConfigInput {
  return {
    profile: 'strict',
    env: { account: '111122223333', region: 'us-east-1', availabilityZones: ['us-east-1a', 'us-east-1b'] },
    baseline: {
      alertEmails: ['security-alerts@example.com'],
      enforcedGuardrail: { guardrailIdentifier: 'arn:aws:bedrock:us-east-1:111122223333:guardrail/abc123def456', guardrailVersion: '1' },
    },
    codeSigning: { signedArtifactsFile },
  };
}

function stacksOf(b: Blueprint): Stack[] {
  return [b.baseline, b.gateway, ...(b.codeSigning ? [b.codeSigning] : [])];
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'code-signing-'));
  signedFile = path.join(dir, 'signed-artifacts.json');

  // GIVEN an app whose code is not signed yet
  const app = newTemplateApp();
  unsigned = { app, blueprint: buildBlueprint(app, parseConfig(strictConfig(signedFile)), { compliance: false }) };

  // WHEN its staged bundles are signed
  const artifacts = recordStagedCodeAsSigned(app.outdir, signedFile);
  const signedApp = newTemplateApp();
  const blueprint = buildBlueprint(signedApp, parseConfig(strictConfig(signedFile)), { compliance: false });
  signedApp.synth();
  signed = { blueprint, artifacts };
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('defaults', () => {
  test('every Lambda function of every stack carries the stack\'s code-signing configuration and deploys its signed object', () => {
    // THEN
    const functions = stacksOf(signed.blueprint).flatMap((stack) =>
      Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map(([id, r]) => ({ stack, id, r })),
    );
    expect(functions.length).toBeGreaterThanOrEqual(5);
    for (const { stack, id, r } of functions) {
      const configs = Object.keys(Template.fromStack(stack).findResources('AWS::Lambda::CodeSigningConfig'));
      expect([id, r.Properties.CodeSigningConfigArn]).toEqual([id, { 'Fn::GetAtt': [configs[0], 'CodeSigningConfigArn'] }]);
      const recorded = signed.artifacts.artifacts.find((a) => a.key === r.Properties.Code.S3Key);
      expect([id, r.Properties.Code]).toEqual([id, { S3Bucket: BUCKET, S3Key: recorded?.key, S3ObjectVersion: recorded?.objectVersion }]);
    }
  });

  test('the code-signing configurations enforce the blueprint signing profile', () => {
    for (const stack of [signed.blueprint.baseline, signed.blueprint.gateway]) {
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::CodeSigningConfig', {
        CodeSigningPolicies: { UntrustedArtifactOnDeployment: 'Enforce' },
        // The profile of the CodeSigning stack, by cross-stack reference.
        AllowedPublishers: { SigningProfileVersionArns: [Match.objectLike({ 'Fn::GetStackOutput': Match.objectLike({ StackName: 'SecureLlmCodeSigning' }) })] },
      });
    }
    Template.fromStack(signed.blueprint.codeSigning!).hasResourceProperties('AWS::Signer::SigningProfile', {
      PlatformId: 'AWSLambda-SHA384-ECDSA',
      SignatureValidityPeriod: { Type: 'DAYS', Value: 365 },
    });
  });

  test('the strict profile is named in each template\'s Metadata', () => {
    for (const stack of stacksOf(signed.blueprint)) {
      expect(Template.fromStack(stack).toJSON().Metadata).toMatchObject({ [PROFILE_METADATA_KEY]: 'strict' });
    }
  });
});

describe('validation', () => {
  test('fails if a function has no signed artifact: the error names the key, the file and the function, and the code is staged for signing', () => {
    // WHEN
    let message = '';
    try {
      unsigned.app.synth();
    } catch (e) {
      message = String(e);
    }
    // THEN synthesis fails, once per function
    for (const fn of ['gateway', 'authorizer', 'network-guard', 'invocation-logging']) {
      expect(message).toMatch(new RegExp(`codeSigning\\.signedArtifactsFile names .*signed-artifacts\\.json, which does not exist, so function "${fn}" \\(code SHA-256 [0-9a-f]{64}\\) has no signed code`));
    }
    expect(signableBundles(unsigned.app.outdir, readManifest(MANIFEST)).map((b) => b.function).sort()).toEqual(
      ['authorizer', 'gateway', 'invocation-logging', 'network-guard'],
    );
  });

  test('the profile stack alone synthesizes through every compliance check before anything is signed (the first step of a set-up)', () => {
    // GIVEN a configuration whose signed-artifacts file does not exist yet
    const app = newTemplateApp();
    // WHEN only the profile's stack is built, with the compliance gates, and synthesized
    const stack = buildCodeSigningProfile(app, parseConfig(strictConfig(path.join(dir, 'not-signed-yet.json'))));
    const assembly = app.synth();
    // THEN it is the one stack, holding the Signer profile, and nothing failed
    expect(assembly.stacks.map((s) => s.id)).toEqual(['CodeSigning']);
    Template.fromStack(stack).resourceCountIs('AWS::Signer::SigningProfile', 1);
  });

  test('fails if the profile stack alone is asked for without codeSigning, or with an existing profile, naming the context key and the fix', () => {
    const { codeSigning: _, profile: _p, ...withoutSigning } = strictConfig('x.json');
    expect(() => buildCodeSigningProfile(newTemplateApp(), parseConfig(withoutSigning), { compliance: false })).toThrow(
      /Invalid context "codeSigningProfileOnly": the configuration has no codeSigning.*set codeSigning\.signedArtifactsFile/,
    );
    const arn = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/SecureLlm/abcdefghij';
    expect(() => buildCodeSigningProfile(newTemplateApp(), parseConfig({ ...strictConfig('x.json'), codeSigning: { signedArtifactsFile: 'x.json', signingProfileVersionArn: arn } }), { compliance: false })).toThrow(
      /Invalid context "codeSigningProfileOnly": codeSigning\.signingProfileVersionArn names an existing profile .*drop -c codeSigningProfileOnly=true/,
    );
  });

  test('fails if the strict profile has no codeSigning', () => {
    const { codeSigning: _, ...config } = strictConfig('x.json');
    expect(() => parseConfig(config)).toThrow(/- codeSigning: is required under profile "strict".*signedArtifactsFile/);
  });

  test('fails if signingProfileVersionArn is not a profile version ARN', () => {
    const config = strictConfig('x.json');
    expect(() => parseConfig({ ...config, codeSigning: { signedArtifactsFile: 'x.json', signingProfileVersionArn: 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/SecureLlm' } })).toThrow(
      /- codeSigning\.signingProfileVersionArn: must be a Signer profile version ARN .*, got "arn:aws:signer:us-east-1:111122223333:\/signing-profiles\/SecureLlm"/,
    );
  });
});
