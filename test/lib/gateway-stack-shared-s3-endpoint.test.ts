import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config';
import { GatewayStack } from '../../lib/gateway-stack';
import { newTemplateApp } from '../helpers/compliance';

const RETRIEVAL_CONFIG = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'config', 'retrieval.json'), 'utf8'));

describe('GatewayStack with retrieval (config/retrieval.json) and customization together', () => {
  let template: Template;
  beforeAll(() => {
    // GIVEN the committed retrieval configuration with customization added: both need S3 from the same isolated subnets
    const app = newTemplateApp();
    const config = parseConfig({
      ...RETRIEVAL_CONFIG,
      customization: { baseModelId: 'amazon.nova-micro-v1:0:128k', dataWriterRoleArns: [`arn:aws:iam::${RETRIEVAL_CONFIG.env.account}:role/data-owner`] },
    });
    // WHEN
    const stack = new GatewayStack(app, 'Gateway', {
      env: { account: config.env!.account, region: config.env!.region },
      config: config.gateway,
      customization: config.customization,
      keyAdministratorRoleArns: config.keyAdministratorRoleArns,
    });
    template = Template.fromStack(stack);
  });

  describe('defaults', () => {
    test('each VPC has exactly one S3 gateway endpoint (a route table takes one route per prefix list), whose policy covers documents, chunks and the vault', () => {
      // THEN
      const vpcs = Object.keys(template.findResources('AWS::EC2::VPC'));
      expect(vpcs.length).toBeGreaterThan(0);
      const s3Gateways = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } })).filter((e) =>
        JSON.stringify(e.Properties.ServiceName).endsWith('.s3"]]}'),
      );
      for (const vpc of vpcs) {
        expect(s3Gateways.filter((e) => JSON.stringify(e.Properties.VpcId) === JSON.stringify({ Ref: vpc }))).toHaveLength(1);
      }
      expect(s3Gateways).toHaveLength(vpcs.length);
      const text = JSON.stringify(s3Gateways[0]!.Properties.PolicyDocument);
      for (const bucket of ['DocumentsBucket', 'KnowledgeBaseIntermediateBucket', 'CustomizationVault']) {
        expect(text).toMatch(new RegExp(`"${bucket}[0-9A-F]{8}"`));
      }
      // Every statement names its resources: no statement opens the endpoint to all of S3.
      expect(text).not.toMatch(/"Resource":"\*"/);
    });
  });
});
