import { CfnOutput, Duration } from 'aws-cdk-lib';
import * as signer from 'aws-cdk-lib/aws-signer';
import { Construct } from 'constructs';
import { BlueprintStack, BlueprintStackProps } from './blueprint-stack';

/** Properties of {@link CodeSigningStack}. */
export interface CodeSigningStackProps extends BlueprintStackProps {
  /**
   * How long a signature of the profile stays valid: Lambda refuses to deploy code whose signature has expired.
   * @default Duration.days(365)
   */
  readonly signatureValidity?: Duration;
}

/**
 * The AWS Signer profile (platform AWSLambda-SHA384-ECDSA) that signs the blueprint's Lambda code. A stack of its own,
 * deployed before the others: code is signed with the profile (`secure-llm-sign`) before the stacks that deploy the
 * functions, whose code-signing configurations accept only this profile's signatures. It holds no data and no
 * function, so it has nothing to sign itself.
 */
export class CodeSigningStack extends BlueprintStack {
  /** The signing profile. */
  public readonly signingProfile: signer.SigningProfile;

  constructor(scope: Construct, id: string, props: CodeSigningStackProps = {}) {
    super(scope, id, props);
    this.signingProfile = new signer.SigningProfile(this, 'Profile', {
      platform: signer.Platform.AWS_LAMBDA_SHA384_ECDSA,
      signatureValidity: props.signatureValidity ?? Duration.days(365),
    });
    new CfnOutput(this, 'SigningProfileName', {
      value: this.signingProfile.signingProfileName,
      description: 'secure-llm-sign --profile-name: the Signer profile that signs the Lambda code',
    });
    new CfnOutput(this, 'SigningProfileVersionArn', {
      value: this.signingProfile.signingProfileVersionArn,
      description: 'The profile version whose signatures the code-signing configurations accept',
    });
  }
}
