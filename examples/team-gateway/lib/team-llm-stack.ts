import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  AlertTopic,
  InferenceGateway,
  ModelGuardrail,
  PrescreenMode,
  PrivateNetwork,
  SecureKey,
  SecurityMonitoring,
} from 'secure-llm-blueprint';

/** What the team decides for its own gateway. */
export interface TeamLlmStackProps extends StackProps {
  /** The VPC the network team gave us: its id, zones and isolated subnets (no lookup, so synth needs no credentials). */
  readonly vpc: {
    readonly vpcId: string;
    readonly cidr: string;
    readonly availabilityZones: string[];
    readonly isolatedSubnetIds: string[];
    readonly isolatedSubnetRouteTableIds: string[];
    /**
     * The region's AWS-managed DynamoDB prefix list (`aws ec2 describe-managed-prefix-lists --filters
     * Name=prefix-list-name,Values=com.amazonaws.<region>.dynamodb`): the gateway function's only DynamoDB destination.
     */
    readonly dynamoDbPrefixListId: string;
  };
  /** Who is told when an alarm fires. */
  readonly alertEmails: string[];
}

/** The team's own account, region, VPC and alert recipients, as `bin/app.ts` deploys them and the tests check them. */
export const TEAM_SUPPORT_LLM: TeamLlmStackProps = {
  // Pinned to the team's account and region; the VPC and its zones are written down, so synth needs no credentials.
  env: { account: '111122223333', region: 'eu-west-1' },
  vpc: {
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    cidr: '10.20.0.0/22',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    isolatedSubnetIds: ['subnet-0aaa1111bbbb2222c', 'subnet-0ddd3333eeee4444f'],
    isolatedSubnetRouteTableIds: ['rtb-0aaa1111bbbb2222c', 'rtb-0ddd3333eeee4444f'],
    dynamoDbPrefixListId: 'pl-b3a742da',
  },
  alertEmails: ['support-platform@example.com'],
};

/**
 * A platform team's LLM gateway in its own stack: its own (shared) VPC and its own key, the blueprint's
 * guardrail, gateway and monitoring with the team's settings.
 */
export class TeamLlmStack extends Stack {
  public readonly gateway: InferenceGateway;

  constructor(scope: Construct, id: string, props: TeamLlmStackProps) {
    super(scope, id, props);

    // The team's own key for everything the gateway stores; SecureKey only adds the blueprint's policy hardening.
    const key = new kms.Key(this, 'TeamKey', {
      alias: 'alias/team-support/llm',
      description: 'Support team LLM gateway: logs, usage table, guardrail, alerts',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    SecureKey.restrictGrantsOn(key);

    // The VPC comes from the network team's stack; the blueprint adds its endpoints to it.
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'SharedVpc', {
      vpcId: props.vpc.vpcId,
      vpcCidrBlock: props.vpc.cidr,
      availabilityZones: props.vpc.availabilityZones,
      isolatedSubnetIds: props.vpc.isolatedSubnetIds,
      isolatedSubnetRouteTableIds: props.vpc.isolatedSubnetRouteTableIds,
    });
    const network = new PrivateNetwork(this, 'Network', { vpc, dynamoDbPrefixListId: props.vpc.dynamoDbPrefixListId });

    const guardrail = new ModelGuardrail(this, 'Guardrail', {
      encryptionKey: key,
      deniedTopics: [
        {
          name: 'Legal advice',
          definition: 'Requests for legal opinions about contracts, liability or litigation.',
          examples: ['Is this clause enforceable?'],
        },
      ],
      blockedWords: ['project-nightingale'],
    });

    this.gateway = new InferenceGateway(this, 'Gateway', {
      network,
      guardrail,
      encryptionKey: key,
      models: [
        { alias: 'fast', modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 2048 },
        {
          alias: 'smart',
          modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
          inferenceProfileId: 'eu.anthropic.claude-3-5-haiku-20241022-v1:0',
          inferenceProfileRegions: ['eu-central-1', 'eu-west-1', 'eu-west-3'],
          maxOutputTokens: 4096,
        },
      ],
      groups: [
        { name: 'support-agents', models: ['fast'], dailyTokenQuota: 150_000, maxOutputTokens: 1024 },
        { name: 'support-leads', models: ['fast', 'smart'], dailyTokenQuota: 500_000, maxOutputTokens: 4096 },
      ],
      systemPrompt: 'You are the support assistant of Example Corp. Answer from the product documentation; say when you do not know.',
      allowedLinkHosts: ['docs.example.com'],
      prescreenMode: PrescreenMode.BLOCK,
      reservedConcurrency: 10,
      timeout: Duration.seconds(25),
      logRetention: logs.RetentionDays.TWO_YEARS,
    });

    const alerts = new AlertTopic(this, 'Alerts', { encryptionKey: key, emailSubscriptions: props.alertEmails });
    new SecurityMonitoring(this, 'Monitoring', {
      gateway: this.gateway,
      guardrail,
      alertTopic: alerts,
      dailyTokenBudget: 2_000_000,
    });
  }
}
