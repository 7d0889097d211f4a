import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ApiMethodAuthorizer, ApiWafRateRule, BedrockChecks } from '../../../../lib/compliance/bedrock';

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

function newApi(stack: Stack, authorizationType: apigateway.AuthorizationType): apigateway.RestApi {
  const api = new apigateway.RestApi(stack, 'Api', {
    cloudWatchRole: false,
    defaultCorsPreflightOptions: { allowOrigins: ['https://example.com'] },
    defaultMethodOptions: { authorizationType },
  });
  api.root.addResource('chat').addMethod('POST', new apigateway.MockIntegration());
  return api;
}

function webAcl(stack: Stack, id: string, rules: wafv2.CfnWebACL.RuleProperty[]): wafv2.CfnWebACL {
  return new wafv2.CfnWebACL(stack, id, {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: id, sampledRequestsEnabled: true },
    rules,
  });
}

function rateRule(action: wafv2.CfnWebACL.RuleActionProperty): wafv2.CfnWebACL.RuleProperty {
  return {
    name: 'PerIp',
    priority: 0,
    action,
    statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: 1000 } },
    visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'PerIp', sampledRequestsEnabled: true },
  };
}

describe('ApiMethodAuthorizer', () => {
  test('passes authorized methods and skips CORS preflight', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const api = newApi(stack, apigateway.AuthorizationType.IAM);
    // THEN
    const methods = api.methods.map((m) => m.node.defaultChild as CfnResource);
    const options = methods.find((m) => stack.resolve((m as apigateway.CfnMethod).httpMethod) === 'OPTIONS')!;
    const post = methods.find((m) => stack.resolve((m as apigateway.CfnMethod).httpMethod) === 'POST')!;
    expect(ApiMethodAuthorizer(post)).toBe(NagRuleCompliance.COMPLIANT);
    expect(ApiMethodAuthorizer(options)).toBe(NagRuleCompliance.NOT_APPLICABLE);
    expect(findings(stack, 'ApiMethodAuthorizer')).toEqual([]);
  });

  test('fails if a method has no authorizer', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    newApi(stack, apigateway.AuthorizationType.NONE);
    // THEN only the POST method, not the OPTIONS preflights
    expect(findings(stack, 'ApiMethodAuthorizer')).toEqual(['SecureLLM-ApiMethodAuthorizer at Test/Api/Default/chat/POST/Resource']);
  });
});

describe('ApiWafRateRule', () => {
  test('passes a stage behind a web ACL with a blocking rate-based rule', () => {
    // GIVEN
    const stack = newStack();
    const api = newApi(stack, apigateway.AuthorizationType.IAM);
    const acl = webAcl(stack, 'Acl', [rateRule({ block: {} })]);
    // WHEN
    new wafv2.CfnWebACLAssociation(stack, 'Association', { resourceArn: api.deploymentStage.stageArn, webAclArn: acl.attrArn });
    // THEN
    expect(ApiWafRateRule(api.deploymentStage.node.defaultChild as CfnResource)).toBe(NagRuleCompliance.COMPLIANT);
    expect(findings(stack, 'ApiWafRateRule')).toEqual([]);
  });

  test.each([
    ['there is no web ACL', (_stack: Stack, _stage: apigateway.Stage) => undefined],
    [
      'the web ACL has no rate-based rule',
      (stack: Stack, stage: apigateway.Stage) => {
        const acl = webAcl(stack, 'Acl', []);
        new wafv2.CfnWebACLAssociation(stack, 'Association', { resourceArn: stage.stageArn, webAclArn: acl.attrArn });
      },
    ],
    [
      'the rate-based rule only counts',
      (stack: Stack, stage: apigateway.Stage) => {
        const acl = webAcl(stack, 'Acl', [rateRule({ count: {} })]);
        new wafv2.CfnWebACLAssociation(stack, 'Association', { resourceArn: stage.stageArn, webAclArn: acl.attrArn });
      },
    ],
    [
      'the web ACL is outside the stack',
      (stack: Stack, stage: apigateway.Stage) => {
        new wafv2.CfnWebACLAssociation(stack, 'Association', {
          resourceArn: stage.stageArn,
          webAclArn: 'arn:aws:wafv2:us-east-1:111122223333:regional/webacl/shared/abc',
        });
      },
    ],
    [
      'the web ACL protects another stage',
      (stack: Stack) => {
        const acl = webAcl(stack, 'Acl', [rateRule({ block: {} })]);
        new wafv2.CfnWebACLAssociation(stack, 'Association', {
          resourceArn: 'arn:aws:apigateway:us-east-1::/restapis/other/stages/prod',
          webAclArn: acl.attrArn,
        });
      },
    ],
  ])('fails if %s', (_why, protect) => {
    // GIVEN
    const stack = newStack();
    const api = newApi(stack, apigateway.AuthorizationType.IAM);
    // WHEN
    protect(stack, api.deploymentStage);
    // THEN
    expect(findings(stack, 'ApiWafRateRule')).toEqual(['SecureLLM-ApiWafRateRule at Test/Api/DeploymentStage.prod/Resource']);
  });
});
