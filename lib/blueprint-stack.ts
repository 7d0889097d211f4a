import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Properties shared by the blueprint's stacks. */
export interface BlueprintStackProps extends StackProps {
  /**
   * The Availability Zones of the stack's region, in the order its networks use them (a network
   * with `maxAzs: 2` takes the first two). Set them when account and region are both pinned:
   * CDK would otherwise look the zones up in the account, which needs AWS credentials at synth.
   * @default - CDK's choice: two zone tokens (`Fn::GetAZs`) when the account or region is not
   *   pinned; a context lookup (`availability-zones:account=…:region=…`) when both are
   */
  readonly availabilityZones?: string[];
}

/**
 * A stack whose Availability Zones can come from configuration instead of a context lookup, so
 * an account- and region-pinned app synthesizes without AWS credentials. CDK documents
 * overriding `Stack.availabilityZones` for this; `ec2.Vpc` reads it even when given its zones.
 */
export abstract class BlueprintStack extends Stack {
  private readonly configuredAvailabilityZones?: string[];

  constructor(scope: Construct, id: string, props: BlueprintStackProps = {}) {
    super(scope, id, props);
    this.configuredAvailabilityZones = props.availabilityZones ? [...props.availabilityZones] : undefined;
  }

  /** The configured zones, else CDK's (see {@link BlueprintStackProps.availabilityZones}). */
  public override get availabilityZones(): string[] {
    return this.configuredAvailabilityZones ?? super.availabilityZones;
  }
}
