import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AlertTopic } from '../../../constructs/alert-topic';
import { SecureKnowledgeBase } from '../../../constructs/knowledge-base';
import { PrivateNetwork } from '../../../constructs/private-network';
import { SecureKey } from '../../../constructs/secure-key';
import { assertNoUnacknowledgedFindings, newConstructTestApp, synthWithCompliance } from '../../helpers/compliance';

describe('compliance', () => {
  test('a knowledge base in a private network passes every pack with no unacknowledged finding', () => {
    // GIVEN
    const app = newConstructTestApp();
    const stack = new Stack(app, 'Kb');
    const network = new PrivateNetwork(stack, 'Network');
    const dataKey = new SecureKey(stack, 'DataKey').key;
    const dataBucket = new s3.Bucket(stack, 'Documents', { encryption: s3.BucketEncryption.KMS, encryptionKey: dataKey });
    const alerts = new AlertTopic(stack, 'Alerts');

    // WHEN
    new SecureKnowledgeBase(stack, 'KnowledgeBase', {
      dataBucket,
      dataKey,
      alarmTopic: alerts.topic,
      vpc: network.vpc,
      s3PrefixListId: network.guard!.prefixListIdOf(ec2.GatewayVpcEndpointAwsService.S3),
    });
    const result = synthWithCompliance(app);

    // THEN (the document bucket here is a stand-in: only the knowledge base's resources are judged)
    const own = result.findings.filter((f) => f.path.includes('/KnowledgeBase/'));
    assertNoUnacknowledgedFindings(own);
  });
});
