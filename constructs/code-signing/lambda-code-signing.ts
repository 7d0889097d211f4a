import * as fs from 'node:fs';
import * as path from 'node:path';
import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { ArtifactLookup, SignedArtifacts, findSignedArtifact, readSignedArtifacts } from '../shared/signed-artifacts';

/** The child id under which {@link LambdaCodeSigning.of} finds the construct in a scope. */
export const LAMBDA_CODE_SIGNING_ID = 'LambdaCodeSigning';

/** A Signer profile version ARN: `arn:aws:signer:<region>:<account>:/signing-profiles/<name>/<version>`. */
const PROFILE_VERSION_ARN = /^arn:aws[a-z-]*:signer:[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d:\d{12}:\/signing-profiles\/[A-Za-z0-9_]{2,64}\/[A-Za-z0-9]{10}$/;

/** Properties of {@link LambdaCodeSigning}. */
export interface LambdaCodeSigningProps {
  /**
   * The AWS Signer profile version whose signatures Lambda accepts, e.g.
   * `arn:aws:signer:eu-west-1:123456789012:/signing-profiles/SecureLlm/AbCdEf1234` (a literal or the
   * `signingProfileVersionArn` of a `signer.SigningProfile`).
   */
  readonly signingProfileVersionArn: string;
  /**
   * The signed-artifacts file `secure-llm-sign` wrote (relative paths resolve from the working directory of `cdk synth`).
   * Every function of the scope that deploys a pre-built bundle of this package deploys the signed S3 object it records.
   */
  readonly signedArtifactsFile: string;
  /**
   * The configuration key or prop that names the file, quoted in error messages.
   * @default 'signedArtifactsFile'
   */
  readonly signedArtifactsKey?: string;
  /**
   * Fail synthesis when a function's current code has no signed artifact. Set false only in tools that read the
   * templates and never deploy them (cost, diagram): such a function then keeps its unsigned asset, which Lambda would
   * refuse, and gets a warning.
   * @default true
   */
  readonly requireSignedCode?: boolean;
}

/**
 * Lambda code signing for every function of a scope: an `AWS::Lambda::CodeSigningConfig` that accepts only code signed
 * by one AWS Signer profile and refuses anything else at deployment (`UntrustedArtifactOnDeployment: Enforce`), and the
 * signed code itself.
 *
 * Add it to a stack (id {@link LAMBDA_CODE_SIGNING_ID}) before the constructs whose functions it covers. Every function
 * whose code comes from this package's pre-built bundles (all of the blueprint's: the gateway, its authorizer, the
 * invocation-logging and network-guard handlers, the knowledge base's chunk screen and any later one) finds it with
 * {@link LambdaCodeSigning.of} when it binds its code: it takes the code-signing configuration and deploys the signed
 * zip recorded in the signed-artifacts file instead of an unsigned asset. No Aspect and no per-construct prop is
 * involved, so a new function of the package is covered without any wiring.
 *
 * A function whose current code has no signed artifact (never signed, or changed since) fails synthesis with an error
 * naming the function, the file and the fix; its unsigned code is still staged in the cloud assembly so that
 * `secure-llm-sign --assembly cdk.out` can sign exactly what would deploy.
 *
 * @example
 * const stack = new Stack(app, 'Llm');
 * new LambdaCodeSigning(stack, LAMBDA_CODE_SIGNING_ID, {
 *   signingProfileVersionArn: 'arn:aws:signer:eu-west-1:123456789012:/signing-profiles/SecureLlm/AbCdEf1234',
 *   signedArtifactsFile: 'signed-artifacts.json',
 * });
 * new InferenceGateway(stack, 'Gateway', { ... });
 */
export class LambdaCodeSigning extends Construct {
  /**
   * The code signing that covers `scope`: a {@link LambdaCodeSigning} with id {@link LAMBDA_CODE_SIGNING_ID} that is a
   * child of `scope` or of any construct above it, the nearest first; `undefined` when there is none.
   */
  public static of(scope: IConstruct): LambdaCodeSigning | undefined {
    for (const s of [...scope.node.scopes].reverse()) {
      const child = s.node.tryFindChild(LAMBDA_CODE_SIGNING_ID);
      if (child instanceof LambdaCodeSigning) {
        return child;
      }
    }
    return undefined;
  }

  /** The code-signing configuration (Enforce). */
  public readonly codeSigningConfig: lambda.CfnCodeSigningConfig;
  /** Its ARN, which every covered function sets as `CodeSigningConfigArn`. */
  public readonly codeSigningConfigArn: string;
  /** The signed-artifacts file, as given. */
  public readonly signedArtifactsFile: string;
  /** Whether a function without signed code fails synthesis (else it is a warning). */
  public readonly requireSignedCode: boolean;

  private readonly key: string;
  private artifacts?: SignedArtifacts;

  constructor(scope: Construct, id: string, props: LambdaCodeSigningProps) {
    super(scope, id);
    const arn = props.signingProfileVersionArn;
    if (!Token.isUnresolved(arn) && !PROFILE_VERSION_ARN.test(arn)) {
      throw new Error(
        `signingProfileVersionArn must be a Signer profile version ARN such as "arn:aws:signer:eu-west-1:123456789012:/signing-profiles/SecureLlm/AbCdEf1234" ` +
          `(aws signer get-signing-profile --profile-name <name> --query profileVersionArn), got ${JSON.stringify(arn)}`,
      );
    }
    if (props.signedArtifactsFile.trim() === '') {
      throw new Error('signedArtifactsFile must be the path of the file secure-llm-sign wrote, got ""');
    }
    this.signedArtifactsFile = props.signedArtifactsFile;
    this.key = props.signedArtifactsKey ?? 'signedArtifactsFile';
    this.requireSignedCode = props.requireSignedCode ?? true;

    this.codeSigningConfig = new lambda.CfnCodeSigningConfig(this, 'Config', {
      description: 'secure-llm-blueprint: deploy only code signed by the blueprint signing profile',
      allowedPublishers: { signingProfileVersionArns: [arn] },
      codeSigningPolicies: { untrustedArtifactOnDeployment: 'Enforce' },
    });
    this.codeSigningConfigArn = this.codeSigningConfig.attrCodeSigningConfigArn;
  }

  /**
   * The signed artifact of the function bundle `functionName` whose deployed files have the content digest
   * `sourceSha256` (see `contentSha256`), or the problem to report. Reads the file on first use.
   * @throws Error when the file cannot be read or is not a signed-artifacts file
   */
  public lookUp(functionName: string, sourceSha256: string): ArtifactLookup {
    const file = path.resolve(this.signedArtifactsFile);
    if (this.artifacts === undefined && !fs.existsSync(file)) {
      // Not signed yet: each function reports itself, and its unsigned code is staged for secure-llm-sign.
      return {
        problem:
          `${this.key} names ${file}, which does not exist, so function "${functionName}" (code SHA-256 ${sourceSha256}) has no signed code: ` +
          `synthesize once (this error stages the unsigned code in the cloud assembly), run "secure-llm-sign --assembly cdk.out --out ${this.signedArtifactsFile} ..." ` +
          '(see the README, "Supply chain") and synthesize again',
      };
    }
    this.artifacts ??= readSignedArtifacts(file, this.key);
    return findSignedArtifact(this.artifacts, functionName, sourceSha256, `${this.key} (${this.signedArtifactsFile})`);
  }
}
