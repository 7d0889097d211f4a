import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  BEDROCK_NODE_ID,
  TemplateResource,
  CLIENT_NODE_ID,
  DIAGRAM_TITLE,
  Diagram,
  deriveDiagram,
  renderDot,
  scopeOf,
  synthesizeBlueprint,
} from '../../lib/diagram';
import { newTemplateApp } from '../helpers/compliance';

const COMMITTED_DOT = path.join(__dirname, '..', '..', 'docs', 'architecture.dot');

// The app of lib/diagram's synthesizeBlueprint turns @aws-cdk/core:validateAgainstDefaultRules off (it reads templates,
// it does not check them), so aws-cdk-lib's CloudFormation validator could only warn there; CDK_VALIDATION=false leaves
// it out, since loading it costs about ten seconds of CPU per test file. (jest gives each test file its own
// process.env.) The checks run on these configurations in test/lib/environments and test/lib/app-compliance.test.ts.
process.env.CDK_VALIDATION = 'false';

/** `from -> to` for every edge, to compare as a list. */
function arrows(diagram: Diagram): string[] {
  return diagram.edges.map((e) => `${e.from} -> ${e.to}`);
}

/** The diagram of one stack `Test` built by `build`, synthesized with construct paths. */
function diagramOfStack(build: (stack: Stack) => void): Diagram {
  const app = newTemplateApp({ 'aws:cdk:enable-path-metadata': true });
  const stack = new Stack(app, 'Test');
  build(stack);
  const template = app.synth().getStackByName('Test').template;
  return deriveDiagram([{ id: 'Test', stackName: 'Test', template }]);
}

/** The diagram of a hand-written template of stack `T`; `path` metadata is `T/<logical id>`. */
function diagramOfResources(resources: Record<string, Omit<TemplateResource, 'Metadata'>>): Diagram {
  const withPaths = Object.fromEntries(
    Object.entries(resources).map(([id, r]) => [id, { ...r, Metadata: { 'aws:cdk:path': `T/${id}/Resource` } }]),
  );
  return deriveDiagram([{ id: 'T', stackName: 'T', template: { Resources: withPaths } }]);
}

describe('architecture diagram', () => {
  describe('the committed diagram', () => {
    let dot: string;
    let diagram: Diagram;
    beforeAll(() => {
      // GIVEN the app exactly as `cdk synth` builds it (compliance plugins skipped: they only read)
      const stacks = synthesizeBlueprint();
      // WHEN
      diagram = deriveDiagram(stacks);
      dot = renderDot(diagram, DIAGRAM_TITLE);
    });

    test('docs/architecture.dot matches the synthesized app', () => {
      // THEN
      const committed = fs.existsSync(COMMITTED_DOT) ? fs.readFileSync(COMMITTED_DOT, 'utf8') : '';
      if (dot !== committed) {
        const a = committed.split('\n');
        const b = dot.split('\n');
        const line = b.findIndex((l, i) => l !== a[i]);
        throw new Error(
          'docs/architecture.dot no longer matches the synthesized app: run `npm run diagram` and commit ' +
            'docs/architecture.dot and docs/architecture.svg.\n' +
            `first difference at line ${line + 1}:\n  committed: ${a[line] ?? '(end of file)'}\n  generated: ${b[line] ?? '(end of file)'}`,
        );
      }
    });

    test('shows the request path: client → WAF → stage → API → function → bedrock-runtime endpoint → Amazon Bedrock', () => {
      expect(arrows(diagram)).toEqual(
        expect.arrayContaining([
          `${CLIENT_NODE_ID} -> Gateway/Gateway/Firewall/WebAcl`,
          'Gateway/Gateway/Firewall/WebAcl -> Gateway/Gateway/Api/DeploymentStage.prod',
          'Gateway/Gateway/Api/DeploymentStage.prod -> Gateway/Gateway/Api',
          'Gateway/Gateway/Api -> Gateway/Gateway/Function',
          'Gateway/Gateway/Api -> Gateway/Gateway/Access/Authorizer',
          'Gateway/Gateway/Access/Authorizer -> Gateway/Gateway/UserPool',
          'Gateway/Gateway/Function -> Gateway/Network/BedrockRuntime',
          `Gateway/Network/BedrockRuntime -> ${BEDROCK_NODE_ID}`,
        ]),
      );
    });

    test('shows the function\'s table and guardrail version, and the endpoint policy\'s guardrail', () => {
      expect(arrows(diagram)).toEqual(
        expect.arrayContaining([
          'Gateway/Gateway/Function -> Gateway/Gateway/UsageTable',
          'Gateway/Gateway/Function -> Gateway/Guardrail/Version',
          'Gateway/Guardrail/Version -> Gateway/Guardrail',
          'Gateway/Network/BedrockRuntime -> Gateway/Guardrail',
        ]),
      );
    });

    test('draws no plumbing and no hash', () => {
      for (const node of diagram.nodes) {
        expect(node.lines.join(' ')).not.toMatch(/IAM::|SecurityGroup|Subnet|RouteTable|Permission|[0-9a-f]{8}/);
      }
      expect(dot).not.toMatch(/[0-9A-F]{8}"|[0-9a-f]{12}/);
    });
  });

  describe('references', () => {
    test('a Ref or Fn::GetAtt from one resource to another becomes an edge; the IAM role and policy fold into the function', () => {
      // GIVEN a function that names a table in its environment and may write it
      const diagram = diagramOfStack((stack) => {
        const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
        const table = new dynamodb.Table(stack, 'Table', {
          partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
          encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
          encryptionKey: key,
        });
        const fn = new lambda.Function(stack, 'Function', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromInline('exports.handler = async () => {};'),
          environment: { TABLE: table.tableName },
          logGroup: new logs.LogGroup(stack, 'Logs', { encryptionKey: key }),
        });
        table.grantWriteData(fn);
      });
      // THEN
      expect(diagram.nodes.map((n) => n.id)).toEqual(['Test/Function', 'Test/Key', 'Test/Table', 'Test/log-groups']);
      expect(diagram.edges).toEqual([
        { from: 'Test/Function', to: 'Test/Key', kind: 'encryption' }, // from the role's policy
        { from: 'Test/Function', to: 'Test/Table', kind: 'uses' }, // environment and policy
        { from: 'Test/Function', to: 'Test/log-groups', kind: 'logs' },
        { from: 'Test/Table', to: 'Test/Key', kind: 'encryption' },
        { from: 'Test/log-groups', to: 'Test/Key', kind: 'encryption' },
      ]);
      expect(diagram.nodes.find((n) => n.id === 'Test/Key')!.lines).toEqual(['KMS key (rotation)', 'Key']);
      expect(diagram.nodes.find((n) => n.id === 'Test/log-groups')!.lines).toEqual(['1 log group (KMS)']);
    });

    test('Fn::Sub references are edges, its own variables are not', () => {
      // GIVEN
      const diagram = diagramOfResources({
        Topic: { Type: 'AWS::SNS::Topic' },
        Queue: { Type: 'AWS::SQS::Queue' },
        Rule: {
          Type: 'AWS::Events::Rule',
          Properties: { Targets: [{ Arn: { 'Fn::Sub': ['${Topic}-${Local}-${AWS::Region}', { Local: 'x' }] } }] },
        },
      });
      // THEN
      expect(arrows(diagram)).toEqual(['T/Rule -> T/Topic']);
    });

    test('references in Principal, Condition, descriptions and a resource\'s own name are not edges', () => {
      // GIVEN an endpoint policy that names the caller's role as principal and in a condition,
      // an alarm description that mentions a log group, and a log group named after a function
      const diagram = diagramOfResources({
        Function: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
        Role: { Type: 'AWS::IAM::Role' },
        Guardrail: { Type: 'AWS::Bedrock::Guardrail' },
        Endpoint: {
          Type: 'AWS::EC2::VPCEndpoint',
          Properties: {
            ServiceName: 'com.amazonaws.eu-west-1.dynamodb',
            PolicyDocument: {
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { AWS: { 'Fn::GetAtt': ['Role', 'Arn'] } },
                  Condition: { ArnEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': ['Role', 'Arn'] } } },
                  Resource: { 'Fn::GetAtt': ['Guardrail', 'GuardrailArn'] },
                },
              ],
            },
          },
        },
        Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmDescription: { 'Fn::Join': ['', ['see ', { Ref: 'Logs' }]] } } },
        Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/', { Ref: 'Function' }]] } } },
      });
      // THEN only the policy's Resource is an edge
      expect(arrows(diagram)).toEqual(['T/Endpoint -> T/Guardrail']);
    });

    test('an ARN built from a parent and a child names only the child', () => {
      // GIVEN a web ACL association with `…/restapis/${Api}/stages/${Stage}`
      const diagram = diagramOfResources({
        Api: { Type: 'AWS::ApiGateway::RestApi' },
        Stage: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Api' }, StageName: 'prod' } },
        Acl: { Type: 'AWS::WAFv2::WebACL' },
        Association: {
          Type: 'AWS::WAFv2::WebACLAssociation',
          Properties: {
            WebACLArn: { 'Fn::GetAtt': ['Acl', 'Arn'] },
            ResourceArn: { 'Fn::Join': ['', ['arn:aws:apigateway:eu-west-1::/restapis/', { Ref: 'Api' }, '/stages/', { Ref: 'Stage' }]] },
          },
        },
      });
      // THEN the association folds into the web ACL, which fronts the stage; the client enters there
      expect(arrows(diagram)).toEqual([`T/Acl -> T/Stage`, 'T/Stage -> T/Api', `${CLIENT_NODE_ID} -> T/Acl`]);
      expect(diagram.nodes.find((n) => n.id === 'T/Stage')!.lines).toEqual(['API stage "prod"', 'Stage']);
    });
  });

  describe('cross-stack references', () => {
    test('a reference to another stack\'s output, by Fn::GetStackOutput or Fn::ImportValue, points at the resource it names', () => {
      // GIVEN a producer stack whose outputs name a topic and a key, and a consumer that reads both
      const path = (stack: string, id: string) => ({ 'aws:cdk:path': `${stack}/${id}/Resource` });
      const diagram = deriveDiagram([
        {
          id: 'P',
          stackName: 'Producer',
          template: {
            Resources: { Topic: { Type: 'AWS::SNS::Topic', Metadata: path('P', 'Topic') }, Key: { Type: 'AWS::KMS::Key', Metadata: path('P', 'Key') } },
            Outputs: { TopicOut: { Value: { Ref: 'Topic' } }, KeyOut: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] }, Export: { Name: 'P:KeyArn' } } },
          },
        },
        {
          id: 'C',
          stackName: 'Consumer',
          template: {
            Resources: {
              Alarm: {
                Type: 'AWS::SNS::Topic',
                Metadata: path('C', 'Alarm'),
                Properties: {
                  Actions: [{ 'Fn::GetStackOutput': { StackName: 'Producer', OutputName: 'TopicOut', Region: { Ref: 'AWS::Region' } } }],
                  KmsMasterKeyId: { 'Fn::ImportValue': 'P:KeyArn' },
                },
              },
            },
          },
        },
      ]);
      // THEN
      expect(arrows(diagram)).toEqual(['C/Alarm -> P/Key', 'C/Alarm -> P/Topic']);
      expect(diagram.edges.find((e) => e.to === 'P/Key')!.kind).toBe('encryption');
    });
  });

  describe('plumbing', () => {
    let diagram: Diagram;
    beforeAll(() => {
      // GIVEN a function in an isolated VPC that reaches Bedrock through an interface endpoint
      diagram = diagramOfStack((stack) => {
        const vpc = new ec2.Vpc(stack, 'Vpc', {
          natGateways: 0,
          maxAzs: 2,
          subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
        });
        const endpoint = vpc.addInterfaceEndpoint('Bedrock', { service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME, open: false });
        const fn = new lambda.Function(stack, 'Function', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromInline('exports.handler = async () => {};'),
          vpc,
          vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        });
        endpoint.connections.allowDefaultPortFrom(fn);
      });
    });

    test('subnets, route tables, security groups, rules, roles and CDK\'s own providers are not drawn', () => {
      // THEN
      // (the function's CDK-managed log group is counted, not drawn on its own)
      expect(diagram.nodes.map((n) => n.id)).toEqual(['Test/Function', 'Test/Vpc', 'Test/Vpc/Bedrock', 'Test/log-groups', BEDROCK_NODE_ID]);
    });

    test('a security-group ingress rule becomes an edge from the source to the protected resource', () => {
      expect(arrows(diagram)).toEqual(['Test/Function -> Test/Vpc/Bedrock', `Test/Vpc/Bedrock -> ${BEDROCK_NODE_ID}`]);
    });

    test('what references a VPC is drawn inside it, and the VPC cluster counts its subnets', () => {
      expect(diagram.nodes.filter((n) => n.vpc === 'Test/Vpc').map((n) => n.id)).toEqual(['Test/Function', 'Test/Vpc', 'Test/Vpc/Bedrock']);
      expect(diagram.clusters).toEqual([
        { id: 'Test', label: 'Test', stack: 'Test' },
        { id: 'Test/Vpc:cluster', label: '2 subnets, no internet gateway, no NAT', vpc: 'Test/Vpc', stack: 'Test' },
      ]);
      expect(diagram.nodes.find((n) => n.id === 'Test/Vpc/Bedrock')!.lines[0]).toBe('VPC endpoint bedrock-runtime (interface)');
    });
  });

  describe('naming', () => {
    test('construct paths lose Resource/Default tails, repeated ids and content hashes', () => {
      expect(scopeOf('Gateway/Gateway/Api/Resource')).toBe('Gateway/Gateway/Api');
      expect(scopeOf('Baseline/Key/Key/Resource')).toBe('Baseline/Key');
      expect(scopeOf('Baseline/Alerts/Resource/Resource')).toBe('Baseline/Alerts');
      expect(scopeOf('Baseline/InvocationLogging/Resource/Default')).toBe('Baseline/InvocationLogging');
      expect(scopeOf('Gateway/Guardrail/Versionc65fce628b2e')).toBe('Gateway/Guardrail/Version');
      expect(scopeOf('Gateway/Network/Vpc/IsolatedSubnet1/Subnet')).toBe('Gateway/Network/Vpc/IsolatedSubnet1/Subnet');
    });

    test('two resources with one name are told apart in logical-id order', () => {
      const diagram = deriveDiagram([
        {
          id: 'T',
          stackName: 'T',
          template: {
            Resources: {
              VersionB: { Type: 'AWS::Bedrock::GuardrailVersion', Metadata: { 'aws:cdk:path': 'T/Guardrail/Version22222222bbbb' } },
              VersionA: { Type: 'AWS::Bedrock::GuardrailVersion', Metadata: { 'aws:cdk:path': 'T/Guardrail/Version11111111aaaa' } },
            },
          },
        },
      ]);
      expect(diagram.nodes.map((n) => n.id)).toEqual(['T/Guardrail/Version', 'T/Guardrail/Version#2']);
    });
  });

  describe('rendering', () => {
    test('the DOT text does not depend on the order of resources in the template', () => {
      // GIVEN one template, and the same with its resources reversed
      const resources: Record<string, TemplateResource> = {
        Key: { Type: 'AWS::KMS::Key', Metadata: { 'aws:cdk:path': 'T/Key/Resource' } },
        Table: { Type: 'AWS::DynamoDB::Table', Properties: { SSESpecification: { KMSMasterKeyId: { Ref: 'Key' } } }, Metadata: { 'aws:cdk:path': 'T/Table/Resource' } },
        LogsA: { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: { Ref: 'Key' } }, Metadata: { 'aws:cdk:path': 'T/A/Resource' } },
        LogsB: { Type: 'AWS::Logs::LogGroup', Metadata: { 'aws:cdk:path': 'T/B/Resource' } },
      };
      const reversed = Object.fromEntries(Object.entries(resources).reverse());
      // WHEN
      const a = renderDot(deriveDiagram([{ id: 'T', stackName: 'T', template: { Resources: resources } }]), 'title');
      const b = renderDot(deriveDiagram([{ id: 'T', stackName: 'T', template: { Resources: reversed } }]), 'title');
      // THEN
      expect(a).toBe(b);
      expect(a).toContain('"T/log-groups" [label="2 log groups (1 with KMS)"');
      expect(a).toContain('"T/Table" -> "T/Key" [style=dashed');
    });

    test('quotes and backslashes in labels are escaped', () => {
      const dot = renderDot({ clusters: [], nodes: [{ id: 'a"b\\c', lines: ['x', 'y'], category: 'other' }], edges: [] }, 't');
      expect(dot).toContain('"a\\"b\\\\c" [label="x\\ny"');
    });
  });
});
