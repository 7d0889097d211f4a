#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addCompliancePacks } from 'secure-llm-blueprint';
import { TeamLlmStack } from '../lib/team-llm-stack';

const app = new App();

// Pinned to the team's account and region; the VPC and its zones are written down, so synth needs no credentials.
new TeamLlmStack(app, 'TeamSupportLlm', {
  env: { account: '111122223333', region: 'eu-west-1' },
  vpc: {
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    cidr: '10.20.0.0/22',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    isolatedSubnetIds: ['subnet-0aaa1111bbbb2222c', 'subnet-0ddd3333eeee4444f'],
    isolatedSubnetRouteTableIds: ['rtb-0aaa1111bbbb2222c', 'rtb-0ddd3333eeee4444f'],
  },
  alertEmails: ['support-platform@example.com'],
});

// Five cdk-nag packs, the SecureLLM pack and cfn-guard: `cdk synth` fails on any unacknowledged finding.
addCompliancePacks(app);
