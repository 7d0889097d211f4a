#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addCompliancePacks } from 'secure-llm-blueprint';
import { TEAM_SUPPORT_LLM, TeamLlmStack } from '../lib/team-llm-stack';

const app = new App();
new TeamLlmStack(app, 'TeamSupportLlm', TEAM_SUPPORT_LLM);

// Five cdk-nag packs, the SecureLLM pack and cfn-guard: `cdk synth` fails on any unacknowledged finding.
addCompliancePacks(app);
