import { Fn, Stack, StackProps, Token, Validations } from 'aws-cdk-lib';
import { LAMBDA_CODE_SIGNING_ID, LambdaCodeSigning } from '../constructs/code-signing/lambda-code-signing';
import { PROFILE_METADATA_KEY } from './compliance/bedrock/function-code-signing-strict';
import { Construct } from 'constructs';

/** Properties shared by the blueprint's stacks. */
export interface BlueprintStackProps extends StackProps {
  /**
   * The Availability Zones of the stack's region, in the order its networks use them (a network
   * with `maxAzs: 2` takes the first two).
   * @default - the first two zones of the region, resolved by CloudFormation at deploy time
   *   (`Fn::GetAZs`), whether or not account and region are pinned: never a context lookup
   */
  readonly availabilityZones?: string[];
  /**
   * Sign the stack's Lambda functions: with signedArtifactsFile, a {@link LambdaCodeSigning} (Enforce) for this
   * Signer profile version covers every function of the stack.
   * @default - no code signing
   */
  readonly signingProfileVersionArn?: string;
  /**
   * The signed-artifacts file `secure-llm-sign` wrote (with signingProfileVersionArn).
   * @default - no code signing
   */
  readonly signedArtifactsFile?: string;
  /**
   * The stack is deployed under the "strict" profile: its template says so in its Metadata
   * ({@link PROFILE_METADATA_KEY}), where SecureLLM rules that apply only under that profile look.
   * @default false
   */
  readonly strictProfile?: boolean;
  /**
   * With code signing, fail synthesis when a function has no signed code (see `LambdaCodeSigning.requireSignedCode`).
   * @default true
   */
  readonly requireSignedCode?: boolean;
}

/** The template Metadata key that names the profile a stack was deployed under (`"strict"`, or absent). */
export { PROFILE_METADATA_KEY };

/**
 * A stack that never looks its Availability Zones up, so an account- and region-pinned app
 * synthesizes without AWS credentials. CDK's `Stack.availabilityZones` (which `ec2.Vpc` reads even
 * when given its zones) makes a context lookup when account and region are both known; CDK
 * documents overriding it for another strategy. Here: the configured zones, else the two
 * deploy-time zones an environment-agnostic stack gets.
 */
export abstract class BlueprintStack extends Stack {
  private readonly configuredAvailabilityZones?: string[];
  private literalZonesAcknowledged = false;

  constructor(scope: Construct, id: string, props: BlueprintStackProps = {}) {
    super(scope, id, props);
    this.configuredAvailabilityZones = props.availabilityZones ? [...props.availabilityZones] : undefined;
    if (props.strictProfile === true) {
      this.templateOptions.metadata = { ...this.templateOptions.metadata, [PROFILE_METADATA_KEY]: 'strict' };
    }
    if ((props.signingProfileVersionArn === undefined) !== (props.signedArtifactsFile === undefined)) {
      throw new Error(
        'signingProfileVersionArn and signedArtifactsFile sign the functions together; set both or neither, got ' +
          `signingProfileVersionArn ${JSON.stringify(props.signingProfileVersionArn)} and signedArtifactsFile ${JSON.stringify(props.signedArtifactsFile)}`,
      );
    }
    if (props.signingProfileVersionArn !== undefined && props.signedArtifactsFile !== undefined) {
      // Created before any construct of the subclass, so every function finds it when it binds its code.
      new LambdaCodeSigning(this, LAMBDA_CODE_SIGNING_ID, {
        signingProfileVersionArn: props.signingProfileVersionArn,
        signedArtifactsFile: props.signedArtifactsFile,
        signedArtifactsKey: 'codeSigning.signedArtifactsFile',
        requireSignedCode: props.requireSignedCode,
      });
    }
  }

  /** The configured zones, else the first two zones of the region at deploy time. */
  public override get availabilityZones(): string[] {
    if (this.configuredAvailabilityZones) {
      if (!this.literalZonesAcknowledged) {
        this.literalZonesAcknowledged = true;
        // What aws-cdk-lib acknowledges itself when stack.availabilityZones returns looked-up names.
        Validations.of(this).acknowledge({
          id: 'CloudFormation-Validate::W3010',
          reason:
            'The zone names are the ones the configuration lists in env.availabilityZones for this account and region, chosen on purpose ' +
            '(for example where the Bedrock endpoint service is offered); subnets must name them.',
        });
      }
      return [...this.configuredAvailabilityZones];
    }
    if (!Token.isUnresolved(this.account) && !Token.isUnresolved(this.region)) {
      return [0, 1].map((i) => Fn.select(i, Fn.getAzs()));
    }
    return super.availabilityZones;
  }
}
