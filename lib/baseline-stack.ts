import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { BlueprintConfig } from './config';

/** Properties for {@link BaselineStack}. */
export interface BaselineStackProps extends StackProps {
  /** The validated `baseline` section of the configuration. */
  readonly config: BlueprintConfig['baseline'];
}

/**
 * The account security baseline, deployed once per account and region: the audit trail, threat
 * detection and alerting, and Bedrock model-invocation logging. Each part can be left to the
 * organization ("managed externally") in configuration.
 */
export class BaselineStack extends Stack {
  constructor(scope: Construct, id: string, props: BaselineStackProps) {
    super(scope, id, props);
  }
}
