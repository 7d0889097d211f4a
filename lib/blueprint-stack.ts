import { Fn, Stack, StackProps, Token, Validations } from 'aws-cdk-lib';
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
}

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
