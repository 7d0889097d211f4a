import { App, CfnParameter, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AlertTopic } from '../../../constructs/alert-topic';
import { Finding, formatFindings, newConstructTestApp, synthWithCompliance } from '../../helpers/compliance';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

function topicPolicyStatements(template: Template): Statement[] {
  const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
  expect(policies).toHaveLength(1);
  return policies[0]!.Properties.PolicyDocument.Statement as Statement[];
}

function keyPolicyStatements(template: Template): Statement[] {
  const keys = Object.values(template.findResources('AWS::KMS::Key'));
  expect(keys).toHaveLength(1);
  return keys[0]!.Properties.KeyPolicy.Statement as Statement[];
}

function newStackWithTopic(props: ConstructorParameters<typeof AlertTopic>[2] = {}): { stack: Stack; alerts: AlertTopic } {
  const stack = new Stack();
  return { stack, alerts: new AlertTopic(stack, 'Alerts', props) };
}

describe('AlertTopic', () => {
  describe('defaults', () => {
    let template: Template;
    let findings: Finding[];

    beforeAll(() => {
      // GIVEN
      const app = newConstructTestApp();
      const stack = new Stack(app, 'Test');
      // WHEN
      new AlertTopic(stack, 'Alerts', { emailSubscriptions: ['secops@example.com'] });
      // THEN (synthesized once for every test in this block)
      const result = synthWithCompliance(app);
      findings = result.findings;
      template = Template.fromJSON(result.assembly.getStackByName('Test').template);
    });

    test('passes every compliance check', () => {
      expect(formatFindings(findings)).toBe('');
    });

    test('encrypts the topic with a new rotating customer-managed key that is retained', () => {
      template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsKey'), 'Arn'] },
      });
      template.hasResource('AWS::KMS::Key', {
        Properties: Match.objectLike({ EnableKeyRotation: true }),
        DeletionPolicy: 'Retain',
      });
    });

    test('lets no source queue redrive into the dead-letter queue', () => {
      // SNS and EventBridge dead-letter delivery is sqs:SendMessage, not SQS redrive.
      template.hasResourceProperties('AWS::SQS::Queue', {
        RedriveAllowPolicy: { redrivePermission: 'denyAll' },
      });
    });

    test('denies publishing without TLS', () => {
      expect(topicPolicyStatements(template)).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    });

    test.each(['events.amazonaws.com', 'cloudwatch.amazonaws.com'])(
      'lets %s publish only on behalf of this account',
      (service) => {
        expect(topicPolicyStatements(template)).toContainEqual(
          expect.objectContaining({
            Effect: 'Allow',
            Principal: { Service: service },
            Action: 'sns:Publish',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        );
      },
    );

    test('grants publish to no one without a condition, and to no wildcard principal', () => {
      const allows = topicPolicyStatements(template).filter((s) => s.Effect === 'Allow');
      expect(allows).toHaveLength(2);
      for (const statement of allows) {
        expect(statement.Condition).toBeDefined();
        expect(JSON.stringify(statement.Principal)).not.toContain('*');
      }
    });

    test('lets EventBridge use the key only for topics and queues of this account, without aws:SourceAccount', () => {
      const statements = keyPolicyStatements(template).filter(
        (s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'events.amazonaws.com' }),
      );
      expect(statements.map((s) => Object.keys(s.Condition?.ArnLike ?? {})).flat().sort()).toEqual([
        'kms:EncryptionContext:aws:sns:topicArn',
        'kms:EncryptionContext:aws:sqs:arn',
      ]);
      for (const statement of statements) {
        expect(statement.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
        // The SNS guide: aws:SourceAccount/aws:SourceArn break EventBridge delivery to encrypted topics.
        expect(JSON.stringify(statement.Condition)).not.toContain('aws:Source');
        expect(JSON.stringify(statement.Condition)).toContain('"AWS::AccountId"');
      }
    });

    test('lets CloudWatch alarms use the key only for this account', () => {
      expect(keyPolicyStatements(template)).toContainEqual(
        expect.objectContaining({
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'kms:EncryptionContext:aws:sns:topicArn': expect.anything() },
          },
        }),
      );
    });

    test('keeps undeliverable alerts in an encrypted, TLS-only, retained dead-letter queue', () => {
      template.hasResource('AWS::SQS::Queue', {
        Properties: Match.objectLike({
          KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsKey'), 'Arn'] },
          MessageRetentionPeriod: 1209600,
        }),
        DeletionPolicy: 'Retain',
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Condition: { ArnEquals: { 'aws:SourceArn': { Ref: Match.stringLikeRegexp('^Alerts') } } },
            }),
          ]),
        },
      });
    });

    test('subscribes the email address with the dead-letter queue as its redrive target', () => {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'secops@example.com',
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsDeadLetterQueue'), 'Arn'] } },
      });
    });
  });

  describe('encryption', () => {
    test('uses a given key and adds the service statements to it', () => {
      // GIVEN
      const stack = new Stack();
      const key = new kms.Key(stack, 'SharedKey', { enableKeyRotation: true });
      // WHEN
      const alerts = new AlertTopic(stack, 'Alerts', { encryptionKey: key });
      // THEN
      expect(alerts.encryptionKey).toBe(key);
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::KMS::Key', 1);
      template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SharedKey'), 'Arn'] },
      });
      const sids = keyPolicyStatements(template).map((s) => s.Sid);
      expect(sids).toEqual(
        expect.arrayContaining([
          'AllowEventBridgeForTopicsOfThisAccount',
          'AllowEventBridgeForQueuesOfThisAccount',
          'AllowCloudWatchAlarmsForTopicsOfThisAccount',
          'AllowSnsDeadLettersForQueuesOfThisAccount',
        ]),
      );
    });

    test('warns that an imported key must already carry the service statements', () => {
      // GIVEN
      const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
      const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
      // WHEN
      new AlertTopic(stack, 'Alerts', { encryptionKey: key });
      // THEN
      Annotations.fromStack(stack).hasWarning('/Test/Alerts', Match.stringLikeRegexp('must already let events.amazonaws.com'));
    });

    test('keeps a caller-chosen removal policy for the key and the queue', () => {
      const { stack } = newStackWithTopic({ removalPolicy: RemovalPolicy.DESTROY });
      const template = Template.fromStack(stack);
      template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
      template.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Delete' });
    });
  });

  describe('grants', () => {
    test('grantPublish gives sns:Publish on the topic and use of its key through SNS only', () => {
      // GIVEN
      const { stack, alerts } = newStackWithTopic();
      const role = new iam.Role(stack, 'Reporter', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      // WHEN
      alerts.grantPublish(role);
      // THEN
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: 'sns:Publish', Resource: { Ref: Match.stringLikeRegexp('^Alerts') } }),
            Match.objectLike({
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsKey'), 'Arn'] },
              Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
            }),
          ]),
        },
      });
    });

    test('addEmail subscribes another address with the dead-letter queue', () => {
      // GIVEN
      const { stack, alerts } = newStackWithTopic({ emailSubscriptions: ['one@example.com'] });
      // WHEN
      const subscription = alerts.addEmail('two@example.com');
      // THEN
      expect(subscription.deadLetterQueue).toBe(alerts.deadLetterQueue);
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SNS::Subscription', 2);
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Endpoint: 'two@example.com',
        RedrivePolicy: Match.objectLike({ deadLetterTargetArn: Match.anyValue() }),
      });
    });

    test('topicArn is the topic\'s ARN', () => {
      const { alerts } = newStackWithTopic();
      expect(alerts.topicArn).toBe(alerts.topic.topicArn);
    });
  });

  describe('existing topic', () => {
    const ARN = 'arn:aws:sns:eu-west-1:123456789012:org-security-alerts';

    test('topicArn uses that topic: no topic, no policy, no queue until something needs one, and a warning on its policies', () => {
      // WHEN
      const { stack, alerts } = newStackWithTopic({ topicArn: ARN });
      // THEN
      const template = Template.fromStack(stack);
      expect(alerts.topicArn).toBe(ARN);
      for (const type of ['AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::SQS::Queue']) {
        template.resourceCountIs(type, 0);
      }
      Annotations.fromStack(stack).hasWarning(
        '/Default/Alerts',
        Match.stringLikeRegexp(`The existing topic ${ARN} must already let events.amazonaws.com and cloudwatch.amazonaws.com publish`),
      );
    });

    test('an email subscription to an existing topic gets the encrypted dead-letter queue', () => {
      // WHEN
      const { stack } = newStackWithTopic({ topicArn: ARN, emailSubscriptions: ['secops@example.com'] });
      // THEN
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: ARN, Protocol: 'email', RedrivePolicy: Match.anyValue() });
      template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue(), RedriveAllowPolicy: { redrivePermission: 'denyAll' } });
    });

    test('fails if topicArn is not a standard SNS topic ARN', () => {
      for (const arn of ['arn:aws:sqs:eu-west-1:123456789012:alerts', 'arn:aws:sns:eu-west-1:123456789012:alerts.fifo', 'org-security-alerts']) {
        expect(() => newStackWithTopic({ topicArn: arn })).toThrow(`topicArn must be the ARN of a standard SNS topic like "arn:aws:sns:eu-west-1:123456789012:security-alerts", got "${arn}"`);
      }
    });

    test('fails if topicName or displayName is given with topicArn', () => {
      expect(() => newStackWithTopic({ topicArn: ARN, displayName: 'Security' })).toThrow(/topicName and displayName only apply to a new topic/);
    });
  });

  describe('validation', () => {
    test('fails if emailSubscriptions holds something that is not an email address', () => {
      expect(() => newStackWithTopic({ emailSubscriptions: ['ok@example.com', 'secops.example.com'] })).toThrow(
        /emailSubscriptions must contain email addresses .* got "secops.example.com"/,
      );
    });

    test('fails if addEmail is given something that is not an email address', () => {
      const { alerts } = newStackWithTopic();
      expect(() => alerts.addEmail('secops @example.com')).toThrow(/address must contain email addresses .* got "secops @example.com"/);
    });

    test('fails if topicName has characters SNS does not allow', () => {
      expect(() => newStackWithTopic({ topicName: 'security alerts' })).toThrow(/topicName must be .* got "security alerts"/);
    });

    test('fails if displayName is longer than 100 characters', () => {
      expect(() => newStackWithTopic({ displayName: 'x'.repeat(101) })).toThrow(/displayName must be at most 100 characters, got 101/);
    });

    test('accepts an email address that is a token', () => {
      // GIVEN
      const stack = new Stack();
      const email = new CfnParameter(stack, 'AlertEmail').valueAsString;
      // WHEN
      new AlertTopic(stack, 'Alerts', { emailSubscriptions: [email] });
      // THEN
      Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { Endpoint: { Ref: 'AlertEmail' } });
    });
  });
});
