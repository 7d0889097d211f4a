import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import {
  BedrockChecks,
  BedrockEndpointPolicy,
  HOLDS_PROMPTS_MARKER,
  InvocationLogDataProtection,
} from '../../../../lib/compliance/bedrock';

/** The pack's findings for one rule, as `<rule id>[<finding>] at <construct path>`. */
function findings(scope: IConstruct, rule: string): string[] {
  return new BedrockChecks()
    .validateScope(scope)
    .violations.filter((v) => v.ruleName.startsWith(`SecureLLM-${rule}`))
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
}

function newStack(): Stack {
  return new Stack(new App(), 'Test');
}

describe('BedrockEndpointPolicy', () => {
  function newVpc(stack: Stack): ec2.Vpc {
    return new ec2.Vpc(stack, 'Vpc', {
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
  }

  test('passes a Bedrock endpoint whose policy names principals and actions, or conditions everyone', () => {
    // GIVEN
    const stack = newStack();
    const vpc = newVpc(stack);
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN
    const runtime = vpc.addInterfaceEndpoint('Runtime', { service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME });
    runtime.addToPolicy(new iam.PolicyStatement({ principals: [role], actions: ['bedrock:InvokeModel'], resources: ['arn:aws:bedrock:*::foundation-model/a.b'] }));
    const control = vpc.addInterfaceEndpoint('Control', { service: ec2.InterfaceVpcEndpointAwsService.BEDROCK });
    control.addToPolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:PrincipalAccount': stack.account } },
      }),
    );
    // THEN
    for (const endpoint of [runtime, control]) {
      expect(BedrockEndpointPolicy(endpoint.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.COMPLIANT);
    }
    expect(findings(stack, 'BedrockEndpointPolicy')).toEqual([]);
  });

  test('fails if a Bedrock endpoint has no policy or the full-access one; other services are not checked', () => {
    // GIVEN
    const stack = newStack();
    const vpc = newVpc(stack);
    // WHEN
    vpc.addInterfaceEndpoint('Runtime', { service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME });
    vpc.addInterfaceEndpoint('AgentRuntime', { service: new ec2.InterfaceVpcEndpointService('com.amazonaws.eu-west-1.bedrock-agent-runtime', 443) });
    const open = vpc.addInterfaceEndpoint('Agent', { service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_AGENT });
    open.addToPolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['*'], resources: ['*'] }));
    const sts = vpc.addInterfaceEndpoint('Sts', { service: ec2.InterfaceVpcEndpointAwsService.STS });
    // THEN
    expect(findings(stack, 'BedrockEndpointPolicy').sort()).toEqual([
      'SecureLLM-BedrockEndpointPolicy at Test/Vpc/Agent/Resource',
      'SecureLLM-BedrockEndpointPolicy at Test/Vpc/AgentRuntime/Resource',
      'SecureLLM-BedrockEndpointPolicy at Test/Vpc/Runtime/Resource',
    ]);
    expect(BedrockEndpointPolicy(sts.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  });
});

describe('InvocationLogDataProtection', () => {
  function loggingResource(stack: Stack, logGroup: logs.ILogGroup): CfnResource {
    return new CfnResource(stack, 'InvocationLogging', {
      type: 'Custom::BedrockModelInvocationLogging',
      properties: { ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:handler', LogGroupName: logGroup.logGroupName },
    });
  }

  test('passes an invocation log group with a masking data-protection policy', () => {
    // GIVEN
    const stack = newStack();
    const logGroup = new logs.LogGroup(stack, 'Logs', {
      dataProtectionPolicy: new logs.DataProtectionPolicy({ identifiers: [logs.DataIdentifier.AWSSECRETKEY] }),
    });
    // WHEN
    loggingResource(stack, logGroup);
    // THEN
    expect(InvocationLogDataProtection(logGroup.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.COMPLIANT);
    expect(findings(stack, 'InvocationLogDataProtection')).toEqual([]);
  });

  test('leaves log groups alone that hold no prompts, even those of functions that call Bedrock', () => {
    // GIVEN
    const stack = newStack();
    const logGroup = new logs.LogGroup(stack, 'FunctionLogs');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN the log group is written by a role that also invokes models, and named by an unrelated custom resource
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:PutLogEvents', 'bedrock:InvokeModel'], resources: [logGroup.logGroupArn] }));
    new CfnResource(stack, 'Other', { type: 'Custom::Other', properties: { ServiceToken: 'x', LogGroupName: logGroup.logGroupName } });
    // THEN
    expect(InvocationLogDataProtection(logGroup.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  });

  test('fails if the log group of an invocation-logging custom resource has no data-protection policy', () => {
    // GIVEN
    const stack = newStack();
    const logGroup = new logs.LogGroup(stack, 'Logs');
    // WHEN
    loggingResource(stack, logGroup);
    // THEN
    expect(findings(stack, 'InvocationLogDataProtection')).toEqual(['SecureLLM-InvocationLogDataProtection at Test/Logs/Resource']);
  });

  test('fails if an AwsCustomResource configures invocation logging to the log group', () => {
    // GIVEN
    const stack = newStack();
    const logGroup = new logs.LogGroup(stack, 'Logs');
    // WHEN
    new cr.AwsCustomResource(stack, 'PutLogging', {
      onUpdate: {
        service: 'Bedrock',
        action: 'putModelInvocationLoggingConfiguration',
        parameters: { loggingConfig: { cloudWatchConfig: { logGroupName: logGroup.logGroupName, roleArn: 'arn:aws:iam::111122223333:role/delivery' } } },
        physicalResourceId: cr.PhysicalResourceId.of('logging'),
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['bedrock:PutModelInvocationLoggingConfiguration'], resources: ['*'] }),
      ]),
      installLatestAwsSdk: false,
    });
    // THEN
    expect(findings(stack, 'InvocationLogDataProtection')).toEqual(['SecureLLM-InvocationLogDataProtection at Test/Logs/Resource']);
  });

  test('fails if a role Bedrock assumes writes to the log group', () => {
    // GIVEN
    const stack = newStack();
    const logGroup = new logs.LogGroup(stack, 'Logs');
    // WHEN
    const delivery = new iam.Role(stack, 'Delivery', { assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com') });
    logGroup.grantWrite(delivery);
    // THEN
    expect(findings(stack, 'InvocationLogDataProtection')).toEqual(['SecureLLM-InvocationLogDataProtection at Test/Logs/Resource']);
  });

  test('fails if a marked log group has no policy, or one that only audits', () => {
    // GIVEN
    const stack = newStack();
    // WHEN one is marked by metadata, one by a tag on the L1
    const byMetadata = new logs.LogGroup(stack, 'ByMetadata');
    byMetadata.node.addMetadata(HOLDS_PROMPTS_MARKER, true);
    const byTag = new logs.CfnLogGroup(stack, 'ByTag', {
      dataProtectionPolicy: {
        Name: 'audit-only',
        Version: '2021-06-01',
        Statement: [
          {
            Sid: 'audit',
            DataIdentifier: ['arn:aws:dataprotection::aws:data-identifier/EmailAddress'],
            Operation: { Audit: { FindingsDestination: {} } },
          },
        ],
      },
    });
    byTag.tags.setTag(HOLDS_PROMPTS_MARKER, 'true');
    // THEN
    expect(findings(stack, 'InvocationLogDataProtection').sort()).toEqual([
      'SecureLLM-InvocationLogDataProtection at Test/ByMetadata/Resource',
      'SecureLLM-InvocationLogDataProtection at Test/ByTag',
    ]);
  });
});
