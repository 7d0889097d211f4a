import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../lib/config';

function contextOf(values: Record<string, unknown>): (key: string) => unknown {
  return (key) => values[key];
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'slb-config-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const GUARDRAIL = { guardrailIdentifier: 'arn:aws:bedrock:us-east-1:111122223333:guardrail/abc123def456', guardrailVersion: '2' };
/** What profile "strict" requires besides the guardrail (see test/lib/code-signing.test.ts). */
const SIGNED_CODE = { signedArtifactsFile: 'signed-artifacts.json' };

describe('configuration', () => {
  describe('defaults', () => {
    test('profile "strict" locks the trail in COMPLIANCE mode, "standard" in GOVERNANCE, and the trail\'s own key wins', () => {
      expect(parseConfig({}).profile).toBe('standard');
      expect(parseConfig({}).baseline.trail.objectLockMode).toBe('GOVERNANCE');
      expect(parseConfig({ profile: 'strict', codeSigning: SIGNED_CODE, baseline: { enforcedGuardrail: GUARDRAIL } }).baseline.trail.objectLockMode).toBe('COMPLIANCE');
      expect(parseConfig({ profile: 'strict', codeSigning: SIGNED_CODE, baseline: { enforcedGuardrail: GUARDRAIL, trail: { objectLockMode: 'GOVERNANCE' } } }).baseline.trail.objectLockMode).toBe('GOVERNANCE');
      expect(parseConfig({ baseline: { trail: { objectLockMode: 'COMPLIANCE' } } }).baseline.trail.objectLockMode).toBe('COMPLIANCE');
    });

    test('fails if the profile or the Object Lock mode is not one of the offered values', () => {
      expect(() => parseConfig({ profile: 'paranoid' })).toThrow(/- profile: .*"standard".*"strict".*got "paranoid"/);
      expect(() => parseConfig({ baseline: { trail: { objectLockMode: 'compliance' } } })).toThrow(
        /- baseline\.trail\.objectLockMode: .*"GOVERNANCE".*"COMPLIANCE".*got "compliance"/,
      );
    });

    test('an alias bound to a knowledge base retrieves 5 chunks with no score floor unless told otherwise', () => {
      const config = parseConfig({
        gateway: { models: { handbook: { modelId: 'amazon.nova-lite-v1:0', retrieval: { knowledgeBaseId: 'ABCDE12345' } } }, groups: { users: { models: ['handbook'] } } },
      });
      expect(config.gateway.models.handbook!.retrieval).toEqual({ knowledgeBaseId: 'ABCDE12345', numberOfResults: 5 });
      expect(parseConfig({}).gateway.models['nova-lite']!.retrieval).toBeUndefined();
    });

    test('an empty configuration is valid, env-agnostic and creates every baseline part', () => {
      // WHEN
      const config = parseConfig({});
      // THEN
      expect(config.env).toBeUndefined();
      expect(config.keyAdministratorRoleArns).toEqual([]);
      expect(config.baseline.trail.managedExternally).toBe(false);
      expect(config.baseline.threatDetection.detectorManagedExternally).toBe(false);
      expect(config.baseline.invocationLogging.managedExternally).toBe(false);
      expect(config.baseline.invocationLogging.takeOverExisting).toBe(false);
      expect(config.baseline.logRetentionDays).toBe(365);
      expect(config.baseline.trail.dataEvents).toEqual({
        bedrockGuardrails: true,
        bedrockModels: true,
        lambdaFunctions: true,
        s3Objects: true,
      });
    });

    test('gateway monitoring names no recipient (the stack asks at deploy time), budgets 5,000,000 tokens a day and leaves thresholds to the construct', () => {
      const { monitoring } = parseConfig({}).gateway;
      expect(monitoring).toEqual({ alertEmails: [], alertsReachNobody: false, dailyTokenBudget: 5_000_000 });
      expect(monitoring.alertTopicArn).toBeUndefined();
    });

    test('the gateway backs its tables up daily at 03:00 UTC and keeps each backup 35 days', () => {
      expect(parseConfig({}).gateway.backup).toEqual({ enabled: true, retentionDays: 35, startHourUtc: 3 });
    });

    test('the gateway edge limits each caller to 300 requests per 5 minutes beside 1,000 per address', () => {
      expect(parseConfig({}).gateway.api).toEqual({
        throttleRateLimit: 50,
        throttleBurstLimit: 100,
        wafRateLimitPerIp: 1000,
        wafRateLimitPerCaller: 300,
        createAccountCloudWatchRole: true,
      });
    });

    test('gateway monitoring thresholds are kept as given', () => {
      const { monitoring } = parseConfig({
        gateway: { monitoring: { guardrailInterventionRatePercent: 12.5, wafBlockedRequestsPer5Min: 500 } },
      }).gateway;
      expect(monitoring).toMatchObject({ guardrailInterventionRatePercent: 12.5, wafBlockedRequestsPer5Min: 500 });
    });

    test('the committed cdk.json configuration is valid', () => {
      const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));
      expect(() => loadConfig(contextOf(cdkJson.context))).not.toThrow();
    });

    test('every example configuration in config/ is valid', () => {
      const dir = path.join(__dirname, '..', '..', 'config');
      const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) {
        expect(() => loadConfig(contextOf({ config: path.join(dir, f) }))).not.toThrow();
      }
    });
  });

  describe('loading', () => {
    test('without -c config=, the blueprint object of cdk.json context is the configuration', () => {
      const config = loadConfig(contextOf({ blueprint: { baseline: { alertEmails: ['sec@example.com'] } } }));
      expect(config.baseline.alertEmails).toEqual(['sec@example.com']);
    });

    test('a file chosen with -c config= replaces the blueprint object of cdk.json whole, so it can drop a model cdk.json defines', () => {
      // GIVEN
      const file = path.join(tmp, 'team.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          baseline: { trail: { managedExternally: true } },
          gateway: { models: { pro: { modelId: 'amazon.nova-pro-v1:0' } }, groups: { users: { models: ['pro'] } } },
        }),
      );
      const blueprint = {
        baseline: { alertEmails: ['sec@example.com'] },
        gateway: { models: { 'nova-lite': { modelId: 'amazon.nova-lite-v1:0' } }, groups: { users: { models: ['nova-lite'] } } },
      };
      // WHEN
      const config = loadConfig(contextOf({ blueprint, config: file }));
      // THEN
      expect(config.baseline.trail.managedExternally).toBe(true);
      expect(config.baseline.alertEmails).toEqual([]);
      expect(Object.keys(config.gateway.models)).toEqual(['pro']);
    });

    test('the committed cdk.json holds a blueprint object', () => {
      const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));
      expect(Object.keys(cdkJson.context.blueprint.gateway.models)).toEqual(['nova-lite']);
    });

    test('fails if the config file does not exist', () => {
      expect(() => loadConfig(contextOf({ config: '/nonexistent/x.json' }))).toThrow(
        /Invalid context "config": cannot read \/nonexistent\/x.json/,
      );
    });

    test('fails if the config file is not JSON', () => {
      const file = path.join(tmp, 'bad.json');
      fs.writeFileSync(file, '{ baseline: ');
      expect(() => loadConfig(contextOf({ config: file }))).toThrow(/not valid JSON/);
    });

    test('fails if config is not a string', () => {
      expect(() => loadConfig(contextOf({ config: 42 }))).toThrow(/must be the path of a JSON file, got 42/);
    });
  });

  describe('validation', () => {
    test('fails with one message, not two contradicting ones, if a network CIDR is not a CIDR of /16 to /24', () => {
      let message = '';
      try {
        parseConfig({ gateway: { vpcCidr: '10.65.0.0/33' } });
      } catch (e) {
        message = String(e);
      }
      expect(message.split('\n').filter((line) => line.includes('gateway.vpcCidr'))).toEqual(['- gateway.vpcCidr: must be an IPv4 CIDR with a prefix between /16 and /24, got "10.65.0.0/33"']);
    });

    test('fails if the configuration comes as text on the command line (-c blueprint=…), naming the fix', () => {
      const context: Record<string, unknown> = { blueprint: '{"gateway":{}}' };
      expect(() => loadConfig((key) => context[key])).toThrow(/Invalid context "blueprint": the command line gives it as text, got "\{\\"gateway\\":\{\}\}"; put the configuration in a JSON file and pass -c config=<file>/);
    });

    test('fails if a required key without a default is left out, naming it, what it takes and where', () => {
      expect(() => parseConfig({ gateway: { models: { x: {} } } })).toThrow(/- gateway\.models\.x\.modelId: is required \(a string\) when gateway\.models\.x is set; add it, got nothing/);
    });

    test('accepts every GuardDuty severity up to critical (10) as the alert threshold', () => {
      for (const minimumFindingSeverity of [1, 7, 9, 10]) {
        expect(parseConfig({ baseline: { threatDetection: { minimumFindingSeverity } } }).baseline.threatDetection.minimumFindingSeverity).toBe(minimumFindingSeverity);
      }
    });

    test.each([
      [{ baseline: { logRetentionDays: 30 } }, /baseline\.logRetentionDays: must be one of 365, .*got 30/],
      [{ baseline: { alertEmails: ['not-an-email'] } }, /baseline\.alertEmails\.0: must be an email address, got "not-an-email"/],
      [{ baseline: { trail: { managedExternally: 'yes' } } }, /baseline\.trail\.managedExternally: .*boolean.*got "yes"/],
      [{ baseline: { threatDetection: { minimumFindingSeverity: 10.5 } } }, /minimumFindingSeverity: .*got 10.5/],
      [{ baseline: { invocationLogging: { maxAzs: 1 } } }, /invocationLogging\.maxAzs: .*got 1/],
      [{ baseline: { invocationLogging: { vpcCidr: '10.0.0.0/8' } } }, /vpcCidr: must be an IPv4 CIDR .*got "10.0.0.0\/8"/],
      [
        { baseline: { invocationLogging: { managedExternally: true, takeOverExisting: true } } },
        /baseline\.invocationLogging\.takeOverExisting: contradicts managedExternally: true .*drop one of them, got/,
      ],
      [{ baseline: { invocationLogging: { s3PrefixListId: 'pl-xyz' } } }, /invocationLogging\.s3PrefixListId: must be an AWS-managed prefix-list id .*got "pl-xyz"/],
      [{ gateway: { dynamoDbPrefixListId: 'sg-0123456789abcdef0' } }, /gateway\.dynamoDbPrefixListId: must be an AWS-managed prefix-list id .*got "sg-0123456789abcdef0"/],
      [{ env: { account: '123' } }, /env\.account: must be a 12-digit AWS account id, got "123"/],
      [{ env: { region: 'mars-1' } }, /env\.region: must be an AWS region name .*got "mars-1"/],
      [{ baseline: { stackName: '1bad name' } }, /baseline\.stackName: must be a CloudFormation stack name, got "1bad name"/],
      [{ gateway: { monitoring: { alertEmails: ['ops'] } } }, /gateway\.monitoring\.alertEmails\.0: must be an email address, got "ops"/],
      [{ gateway: { lambda: { streamTimeoutSeconds: 901 } } }, /gateway\.lambda\.streamTimeoutSeconds: .*900.*got 901/],
      [{ gateway: { lambda: { timeoutSeconds: 20, streamTimeoutSeconds: 10 } } }, /gateway\.lambda\.streamTimeoutSeconds: is 10, shorter than timeoutSeconds \(20\).*set it to 20 or more/],
      [{ gateway: { monitoring: { guardrailInterventionRatePercent: 150 } } }, /gateway\.monitoring\.guardrailInterventionRatePercent: .*got 150/],
      [{ gateway: { monitoring: { guardrailInterventionRatePercent: 0 } } }, /gateway\.monitoring\.guardrailInterventionRatePercent: .*got 0/],
      [{ gateway: { monitoring: { api5xxPer5Min: -1 } } }, /gateway\.monitoring\.api5xxPer5Min: .*got -1/],
      [{ gateway: { monitoring: { quotaRejectionsPer5Min: 2.5 } } }, /gateway\.monitoring\.quotaRejectionsPer5Min: .*got 2.5/],
      [{ gateway: { monitoring: { dailyTokenBudget: 0 } } }, /gateway\.monitoring\.dailyTokenBudget: .*got 0/],
      [{ gateway: { backup: { retentionDays: 0 } } }, /gateway\.backup\.retentionDays: .*got 0/],
      [{ gateway: { backup: { retentionDays: 7.5 } } }, /gateway\.backup\.retentionDays: .*got 7.5/],
      [{ gateway: { backup: { startHourUtc: 24 } } }, /gateway\.backup\.startHourUtc: .*got 24/],
      [{ gateway: { backup: { enabled: 'no' } } }, /gateway\.backup\.enabled: .*boolean.*got "no"/],
      [{ gateway: { backup: { vault: 'x' } } }, /gateway\.backup\.vault: unknown key; remove it/],
      [{ gateway: { monitoring: { guardrailInterventionAnomalyStdDevs: -2 } } }, /gateway\.monitoring\.guardrailInterventionAnomalyStdDevs: .*got -2/],
      [{ gateway: { toolAllowedHosts: { 'post webhook': ['hooks.example.com'] } } }, /gateway\.toolAllowedHosts\["post webhook"\]: .*must be a tool name .*got "post webhook"/],
      [{ gateway: { toolAllowedHosts: { post_webhook: ['https://hooks.example.com'] } } }, /gateway\.toolAllowedHosts\.post_webhook\.0: must be a lowercase host name .*got "https:\/\/hooks.example.com"/],
      [{ gateway: { models: {} } }, /^- gateway\.models: must define at least one model alias, .*got \{\}$/m],
      [
        { customization: { baseModelId: 'amazon.nova-micro-v1:0:128k', hyperParameters: { epochCount: 2 } } },
        /customization\.hyperParameters\.epochCount: must be a string \(Bedrock takes every hyperparameter as text\), e\.g\. "2" rather than 2, got 2/,
      ],
      [
        { customization: { baseModelId: 'amazon.nova-micro-v1:0:128k', hyperParameters: { ' ': '2' } } },
        /customization\.hyperParameters\[" "\]: the name must be a hyperparameter name \(not empty\), e\.g\. "epochCount", got " "/,
      ],
      [
        { gateway: { models: { tuned: { modelId: 'amazon.nova-lite-v1:0', customModelDeploymentArn: 'arn:aws:bedrock:us-east-1:123456789012:custom-model/abc' } } } },
        /gateway\.models\.tuned\.customModelDeploymentArn: must be a custom-model deployment ARN such as "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment\/a1b2c3d4e5f6".*got "arn:aws:bedrock:us-east-1:123456789012:custom-model\/abc"/,
      ],
      [
        {
          gateway: {
            models: {
              tuned: {
                modelId: 'amazon.nova-lite-v1:0',
                customModelDeploymentArn: 'arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/a1b2c3d4e5f6',
                inferenceProfile: { id: 'us.amazon.nova-lite-v1:0', regions: ['us-east-1'] },
              },
            },
          },
        },
        /gateway\.models\.tuned\.customModelDeploymentArn: is called in its own region: a custom-model deployment takes no inference profile; remove inferenceProfile, got "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment\/a1b2c3d4e5f6"/,
      ],
      [
        {
          env: { account: '123456789012', region: 'eu-west-1' },
          baseline: { alertEmails: ['secops@example.com'] },
          gateway: { models: { tuned: { modelId: 'amazon.nova-lite-v1:0', customModelDeploymentArn: 'arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/a1b2c3d4e5f6' } }, groups: { users: { models: ['tuned'] } } },
        },
        /gateway\.models\.tuned\.customModelDeploymentArn: must be a deployment in env\.region eu-west-1 \(its region is us-east-1\); deploy the custom model in eu-west-1 or point env\.region at us-east-1, got "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment\/a1b2c3d4e5f6"/,
      ],
      [
        {
          gateway: {
            models: { tuned: { modelId: 'amazon.nova-lite-v1:0', customModelDeploymentArn: 'arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/a1b2c3d4e5f6' } },
            groups: { users: { models: ['tuned'], dailyBudgetUsd: 5 } },
          },
        },
        /gateway\.models\.tuned\.price: must be set: gateway\.groups\.users\.dailyBudgetUsd sets a spend budget, and a custom-model deployment has no default price/,
      ],
      [
        { gateway: { models: { handbook: { modelId: 'amazon.nova-lite-v1:0', retrieval: { knowledgeBaseId: 'kb-1234' } } } } },
        /gateway\.models\.handbook\.retrieval\.knowledgeBaseId: must be "blueprint" \(the knowledge base of gateway\.retrieval\) or a knowledge-base id of 10 uppercase letters or digits.*got "kb-1234"/,
      ],
      [
        { gateway: { models: { handbook: { modelId: 'amazon.nova-lite-v1:0', retrieval: { knowledgeBaseId: 'ABCDE12345', numberOfResults: 50 } } } } },
        /gateway\.models\.handbook\.retrieval\.numberOfResults: .*got 50/,
      ],
      [
        { gateway: { models: { handbook: { modelId: 'amazon.nova-lite-v1:0', retrieval: { knowledgeBaseId: 'ABCDE12345', tenantKey: 'team' } } } } },
        /gateway\.models\.handbook\.retrieval\.tenantKey: unknown key; remove it/,
      ],
      [
        {
          gateway: {
            models: { handbook: { modelId: 'amazon.nova-lite-v1:0', retrieval: { knowledgeBaseId: 'ABCDE12345' } } },
            groups: { users: { models: ['handbook'] } },
            guardrail: { groundingThreshold: 0 },
          },
        },
        /gateway\.guardrail\.groundingThreshold: is 0, which turns the contextual grounding check off, while gateway\.models\.handbook\.retrieval binds a knowledge base.*got 0/,
      ],
      [
        { gateway: { models: { vectors: { modelId: 'amazon.titan-embed-text-v2:0', kind: 'embedding', retrieval: { knowledgeBaseId: 'ABCDE12345' } } } } },
        /gateway\.models\.vectors\.retrieval: binds a knowledge base, which only a chat alias can use .*remove retrieval or bind a chat alias, got \{"knowledgeBaseId":"ABCDE12345"\}/,
      ],
      [{ gateway: { groups: {} } }, /^- gateway\.groups: must define at least one caller group, .*got \{\}$/m],
      [
        { gateway: { models: { 'Nova Lite': { modelId: 'amazon.nova-lite-v1:0' } } } },
        /gateway\.models\["Nova Lite"\]: the name must be 1-64 lowercase letters, digits, "\.", "_" or "-".*, got "Nova Lite"/,
      ],
      [
        { gateway: { groups: { 'data team': { models: ['nova-lite'] } } } },
        /gateway\.groups\["data team"\]: the name must be a Cognito group name: .*no spaces, got "data team"/,
      ],
      [
        { gateway: { groups: { users: { models: ['nova'] } } } },
        /gateway\.groups\.users\.models\.0: must name a model alias defined in gateway\.models \(nova-lite\), got "nova"/,
      ],
      [
        { gateway: { models: { n: { modelId: 'amazon.nova-lite-v1:0', inferenceProfile: { id: 'ca.amazon.nova-lite-v1:0', regions: ['ca-central-1'] } } }, groups: { u: { models: ['n'] } } } },
        /gateway\.models\.n\.inferenceProfile\.id: must be "<prefix>\.amazon\.nova-lite-v1:0" with a prefix among us, us-gov, eu, apac, jp, au, global .*allowUnlistedModelId: true, got "ca\.amazon\.nova-lite-v1:0"/,
      ],
      [
        { gateway: { models: { n: { modelId: 'amazon.nova-lite-v1:0', inferenceProfile: { id: 'us.amazon.nova-pro-v1:0', regions: ['us-east-1'] } } }, groups: { u: { models: ['n'] } } } },
        /gateway\.models\.n\.inferenceProfile\.id: must end with "\." and modelId .*got "us\.amazon\.nova-pro-v1:0"/,
      ],
      [{ env: { region: 'eu-west-1', availabilityZones: ['eu-west-1a', 'us-east-1b'] } }, /env\.availabilityZones\.1: must be a zone of env\.region eu-west-1, .*got "us-east-1b"/],
      [{ env: { region: 'eu-west-1', availabilityZones: ['eu-west-1a', 'eu-west-1a'] } }, /env\.availabilityZones\.1: is listed twice.*got "eu-west-1a"/],
      [{ env: { region: 'eu-west-1', availabilityZones: ['eu-west-1a'] } }, /env\.availabilityZones: .*got \["eu-west-1a"\]/],
      [{ env: { availabilityZones: ['eu-west-1a', 'eu-west-1b'] } }, /env\.availabilityZones: only applies with env\.region.*got \["eu-west-1a","eu-west-1b"\]/],
      [
        { env: { region: 'eu-west-1', availabilityZones: ['eu-west-1a', 'eu-west-1b'] }, gateway: { maxAzs: 3 } },
        /gateway\.maxAzs: must be at most the 2 zones listed in env\.availabilityZones \(eu-west-1a, eu-west-1b\).*got 3/,
      ],
      [
        { env: { account: '123456789012', region: 'eu-west-1' }, gateway: { maxAzs: 3 } },
        /gateway\.maxAzs: can only exceed 2 with the zones listed in env\.availabilityZones .*aws ec2 describe-availability-zones --region eu-west-1 .*got 3/,
      ],
      [{ gateway: { api: { throttleRateLimit: 500 } } }, /gateway\.api\.throttleBurstLimit: must be at least gateway\.api\.throttleRateLimit \(500\), got nothing: gateway\.api\.throttleBurstLimit is not set, so its default applies/],
      [{ gateway: { api: { wafRateLimitPerCaller: 5 } } }, /gateway\.api\.wafRateLimitPerCaller: .*10.*got 5/],
      [{ gateway: { vpcCidr: '10.65.0.1/22' } }, /gateway\.vpcCidr: must start on a \/22 boundary; use "10\.65\.0\.0\/22", got "10\.65\.0\.1\/22"/],
      [{ baseline: { invocationLogging: { vpcCidr: '10.64.300.0/24' } } }, /baseline\.invocationLogging\.vpcCidr: must be an IPv4 CIDR block .*got "10\.64\.300\.0\/24"/],
      [
        { gateway: { guardrail: { deniedTopics: [{ name: 'Advice', definition: 'a' }, { name: 'Advice', definition: 'b' }] } } },
        /gateway\.guardrail\.deniedTopics\.1\.name: must differ from the name of every other denied topic, got "Advice"/,
      ],
      [{ tags: { 'aws:owner': 'x' } }, /tags\["aws:owner"\]: the name must not start with "aws:".*got "aws:owner"/],
      [{ keyAdministratorRoleArns: ['KeyAdmins'] }, /keyAdministratorRoleArns\.0: must be an IAM role ARN such as arn:aws:iam::111122223333:role\/KeyAdmins, got "KeyAdmins"/],
      [
        { keyAdministratorRoleArns: ['arn:aws:iam::111122223333:user/alice'] },
        /keyAdministratorRoleArns\.0: must be an IAM role ARN .*got "arn:aws:iam::111122223333:user\/alice"/,
      ],
      [
        {
          env: { account: '111122223333', region: 'eu-west-1' },
          baseline: { alertsReachNobody: true },
          gateway: { monitoring: { alertsReachNobody: true } },
          keyAdministratorRoleArns: ['arn:aws:iam::444455556666:role/Admins'],
        },
        /keyAdministratorRoleArns\.0: must be a role of the key's account 111122223333 .*not of 444455556666, got "arn:aws:iam::444455556666:role\/Admins"/,
      ],
      [{ gateway: { access: { machineClients: { batch: { groups: ['admins'] } } } } }, /gateway\.access\.machineClients\.batch\.groups\.0: must name a configured group \(users\).*got "admins"/],
      [{ gateway: { access: { authorizerCacheTtlSeconds: 300 } } }, /gateway\.access\.authorizerCacheTtlSeconds: .*60.*got 300/],
      [{ gateway: { access: { signInDomainPrefix: 'acme-cognito' } } }, /gateway\.access\.signInDomainPrefix: must not contain "aws", "amazon" or "cognito".*got "acme-cognito"/],
      [{ gateway: { access: { federation: { cognitoSignIn: false } } } }, /gateway\.access\.federation\.cognitoSignIn: is false but no oidc or saml provider is configured.*set it to true/],
      [{ gateway: { access: { federation: { saml: { Google: { metadataUrl: 'https://idp.example.com/metadata.xml' } } } } } }, /gateway\.access\.federation\.saml\["Google"\]: the name must not be a name Cognito reserves, got "Google"/],
      [{ gateway: { access: { federation: { saml: { Entra: { metadataUrl: 'http://idp.example.com/metadata.xml' } } } } } }, /gateway\.access\.federation\.saml\.Entra\.metadataUrl: must be an https:\/\/ URL.*got "http:\/\/idp\.example\.com\/metadata\.xml"/],
      [
        { gateway: { access: { federation: { oidc: { Okta: { issuerUrl: 'https://acme.okta.com', clientId: 'abc', clientSecretArn: 'okta-secret' } } } } } },
        /gateway\.access\.federation\.oidc\.Okta\.clientSecretArn: must be a Secrets Manager secret ARN .*got "okta-secret"/,
      ],
      [{ gateway: { retrieval: { tenants: {} } } }, /gateway\.retrieval\.tenants: must name at least one tenant.*got \{\}/],
      [{ gateway: { retrieval: { tenants: { Acme: { uploaderRoleArns: ['arn:aws:iam::123456789012:role/Uploader'] } } } } }, /gateway\.retrieval\.tenants\["Acme"\]: the name must be 1-63 lowercase letters.*got "Acme"/],
      [{ gateway: { retrieval: { tenants: { acme: { uploaderRoleArns: [] } } } } }, /gateway\.retrieval\.tenants\.acme\.uploaderRoleArns: must name at least one uploader role, got \[\]/],
      [{ gateway: { retrieval: { tenants: { acme: { uploaderRoleArns: ['role/U'] } } } } }, /gateway\.retrieval\.tenants\.acme\.uploaderRoleArns\.0: must be an IAM role ARN.*got "role\/U"/],
      [{ gateway: { retrieval: { tenants: { acme: { uploaderRoleArns: ['arn:aws:iam::123456789012:role/Uploader'] } }, maxDocumentBytes: 10 } } }, /gateway\.retrieval\.maxDocumentBytes: must be between 1024 and 52428800 bytes.*got 10/],
    ])('fails if %j', (input, message) => {
      expect(() => parseConfig(input)).toThrow(ConfigError);
      expect(() => parseConfig(input)).toThrow(message);
    });


    test('fails if a budget is set and a model has neither a price nor a listed default, naming the key, the budget and the fix', () => {
      const input = {
        gateway: {
          models: { next: { modelId: 'amazon.nova-next-v9:0', allowUnlistedModelId: true }, lite: { modelId: 'amazon.nova-lite-v1:0' } },
          groups: { u: { models: ['next', 'lite'], dailyBudgetUsd: 5 } },
        },
      };
      expect(() => parseConfig(input)).toThrow(
        '- gateway.models.next.price: must be set: gateway.groups.u.dailyBudgetUsd sets a spend budget, and amazon.nova-next-v9:0 has no default price in ' +
          'constructs/inference-gateway/model-prices.json (read 2026-12-05); set {"inputUsdPerMillionTokens": …, "outputUsdPerMillionTokens": …} ' +
          'from the Amazon Bedrock pricing page, got nothing',
      );
      // A price of its own fixes it; the listed model takes its default.
      const fixed = parseConfig({ gateway: { ...input.gateway, models: { ...input.gateway.models, next: { ...input.gateway.models.next, price: { inputUsdPerMillionTokens: 1, outputUsdPerMillionTokens: 4.5 } } } } });
      expect(fixed.gateway.models.next!.price).toEqual({ inputUsdPerMillionTokens: 1, outputUsdPerMillionTokens: 4.5 });
    });

    test.each([
      [{ gateway: { teams: { research: { monthlyBudgetUsd: 0 } } } }, /gateway\.teams\.research\.monthlyBudgetUsd: must be greater than 0; leave the budget out for none, got 0/],
      [{ gateway: { groups: { users: { models: ['nova-lite'], dailyBudgetUsd: 0.0000001 } } } }, /gateway\.groups\.users\.dailyBudgetUsd: must have at most 6 decimals .*got 1e-7/],
      [{ gateway: { budgetAlertFraction: 1.5 } }, /gateway\.budgetAlertFraction: .*got 1\.5/],
      [{ gateway: { quotasEnabled: false, teams: { t: { dailyBudgetUsd: 1 } } } }, /gateway\.quotasEnabled: must be true: gateway\.teams\.t\.dailyBudgetUsd sets a spend budget.*got false/],
    ])('fails if budgets are %j', (input, message) => {
      expect(() => parseConfig(input)).toThrow(message);
    });

    test('budgets default to none and the alert fraction to 0.8', () => {
      const { gateway } = parseConfig({});
      expect(gateway.teams).toEqual({});
      expect(gateway.budgetAlertFraction).toBe(0.8);
      expect(gateway.groups.users!.dailyBudgetUsd).toBeUndefined();
    });

    test('fails if a model id is misspelt, naming the alias, the id and the three nearest known ids', () => {
      const input = { gateway: { models: { claude: { modelId: 'anthropic.claude-sonet-4-5-20250929-v1:0' } }, groups: { u: { models: ['claude'] } } } };
      expect(() => parseConfig(input)).toThrow(
        '- gateway.models.claude.modelId: must be a Bedrock model id the installed aws-cdk-lib lists (aws_bedrock.FoundationModelIdentifier); ' +
          'nearest: anthropic.claude-sonnet-4-5-20250929-v1:0, anthropic.claude-sonnet-4-20250514-v1:0, anthropic.claude-opus-4-1-20250805-v1:0; ' +
          'for a model newer than aws-cdk-lib set gateway.models.claude.allowUnlistedModelId: true, got "anthropic.claude-sonet-4-5-20250929-v1:0"',
      );
    });

    test('allowUnlistedModelId accepts a model id aws-cdk-lib does not list yet', () => {
      const config = parseConfig({
        gateway: { models: { next: { modelId: 'amazon.nova-next-v9:0', allowUnlistedModelId: true } }, groups: { u: { models: ['next'] } } },
      });
      expect(config.gateway.models.next).toMatchObject({ modelId: 'amazon.nova-next-v9:0', allowUnlistedModelId: true });
    });

    test('a global or us-gov inference profile is accepted', () => {
      for (const prefix of ['global', 'us-gov']) {
        const models = { n: { modelId: 'amazon.nova-lite-v1:0', inferenceProfile: { id: `${prefix}.amazon.nova-lite-v1:0`, regions: ['us-east-1'] } } };
        expect(() => parseConfig({ gateway: { models, groups: { u: { models: ['n'] } } } })).not.toThrow();
      }
    });

    test('fails if the account is pinned and no alert destination is named, saying how to choose', () => {
      // GIVEN a pinned account whose configuration names no alert recipient for either stack
      const input = { env: { account: '123456789012', region: 'eu-west-1' } };
      // THEN the baseline's destination is asked for, with the three ways out (the gateway's alarms go to the baseline's)
      expect(() => parseConfig(input, 'configuration team.json')).toThrow(ConfigError);
      let message = '';
      try {
        parseConfig(input, 'configuration team.json');
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toContain('- baseline.alertEmails: must name at least one recipient of security alerts: env.account 123456789012 is pinned');
      expect(message).toContain('baseline.alertTopicArn to an existing SNS topic, or baseline.alertsReachNobody: true to deploy without any (not recommended)');
      expect(message).not.toContain('gateway.monitoring');
      // AND naming one, an existing topic, or opting out loudly, is accepted
      for (const baseline of [{ alertEmails: ['secops@example.com'] }, { alertTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' }, { alertsReachNobody: true }]) {
        expect(() => parseConfig({ ...input, baseline })).not.toThrow();
      }
    });

    test('fails if alert recipients are named and alertsReachNobody is true', () => {
      expect(() => parseConfig({ baseline: { alertEmails: ['secops@example.com'], alertsReachNobody: true } })).toThrow(
        'baseline.alertsReachNobody: contradicts baseline.alertEmails: name one alert destination (alertEmails, alertTopicArn or alertsReachNobody); drop one of them, got true',
      );
    });

    test('fails if models is empty, without also blaming every group', () => {
      expect(() => parseConfig({ gateway: { models: {} } })).toThrow(/^Invalid configuration:\n- gateway\.models: [^\n]*$/);
    });

    test('fails if the default group names an alias the written models drop, naming the unset key instead of the default', () => {
      const input = { gateway: { models: { pro: { modelId: 'amazon.nova-pro-v1:0' } } } };
      expect(() => parseConfig(input)).toThrow(
        '- gateway.groups.users.models.0: must name a model alias defined in gateway.models (pro), got nothing: gateway.groups is not set, so its default applies; set gateway.groups',
      );
    });

    test('an account- and region-pinned environment without zones is valid: networks take two deploy-time zones', () => {
      const alerts = { baseline: { alertEmails: ['secops@example.com'] } };
      expect(parseConfig({ env: { account: '123456789012', region: 'eu-west-1' }, ...alerts }).env).toEqual({ account: '123456789012', region: 'eu-west-1' });
    });

    test('fails if the canary threshold is configured: any leak alarms', () => {
      expect(() => parseConfig({ gateway: { monitoring: { canaryLeaksPer5Min: 3 } } })).toThrow(/gateway\.monitoring\.canaryLeaksPer5Min: unknown key/);
    });

    test('fails if a key is unknown, naming it', () => {
      expect(() => parseConfig({ baseline: { trial: {} } })).toThrow(/baseline\.trial: unknown key/);
    });

    test('reports every problem at once', () => {
      try {
        parseConfig({ baseline: { logRetentionDays: 1, alertEmails: ['x'] } });
        throw new Error('expected a ConfigError');
      } catch (e) {
        expect((e as Error).message.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(2);
      }
    });
  });
  describe('account-wide guardrails', () => {
    test('no enforced guardrail and no organization policy by default', () => {
      const { baseline } = parseConfig({});
      expect(baseline.enforcedGuardrail).toBeUndefined();
      expect(baseline.organizationPolicy).toEqual({ enabled: false, deploy: false, targetIds: [], exemptRoleArnPatterns: [], deployRoleArnPatterns: ['arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*'] });
    });

    test('a guardrail id or ARN with a numeric version is accepted', () => {
      expect(parseConfig({ baseline: { enforcedGuardrail: GUARDRAIL } }).baseline.enforcedGuardrail).toEqual(GUARDRAIL);
      expect(parseConfig({ baseline: { enforcedGuardrail: { guardrailIdentifier: 'abc123def456', guardrailVersion: '12' } } }).baseline.enforcedGuardrail?.guardrailVersion).toBe('12');
    });

    test.each([
      [{ baseline: { enforcedGuardrail: { ...GUARDRAIL, guardrailVersion: 'DRAFT' } } }, /baseline\.enforcedGuardrail\.guardrailVersion: must be a published numeric guardrail version such as "1", never "DRAFT".*got "DRAFT"/],
      [{ baseline: { enforcedGuardrail: { ...GUARDRAIL, guardrailVersion: '0' } } }, /baseline\.enforcedGuardrail\.guardrailVersion: must be a published numeric guardrail version.*got "0"/],
      [{ baseline: { enforcedGuardrail: { ...GUARDRAIL, guardrailVersion: 1 } } }, /baseline\.enforcedGuardrail\.guardrailVersion: .*string.*got 1/],
      [{ baseline: { enforcedGuardrail: { ...GUARDRAIL, guardrailIdentifier: 'arn:aws:bedrock:us-east-1:111122223333:agent/abc' } } }, /baseline\.enforcedGuardrail\.guardrailIdentifier: must be a Bedrock guardrail ARN .*got "arn:aws:bedrock:us-east-1:111122223333:agent\/abc"/],
      [{ profile: 'strict' }, /baseline\.enforcedGuardrail: is required under profile "strict".*set it to \{ "guardrailIdentifier": "<guardrail ARN>", "guardrailVersion": "<published version>" \}.*or use profile "standard"/],
      [{ profile: 'strict', baseline: { enforcedGuardrail: GUARDRAIL } }, /^Invalid configuration:\n- codeSigning: is required under profile "strict", where every Lambda function deploys only signed code: set it to \{ "signedArtifactsFile": "signed-artifacts.json" \}.*or use profile "standard", got nothing/],
      [{ baseline: { organizationPolicy: { enabled: true } } }, /baseline\.organizationPolicy\.enabled: needs baseline\.enforcedGuardrail with a guardrail ARN.*got true/],
      [{ baseline: { enforcedGuardrail: { guardrailIdentifier: 'abc123def456', guardrailVersion: '1' }, organizationPolicy: { enabled: true } } }, /baseline\.organizationPolicy\.enabled: needs baseline\.enforcedGuardrail with a guardrail ARN/],
      [{ baseline: { enforcedGuardrail: GUARDRAIL, organizationPolicy: { deploy: true, targetIds: ['ou-ab12-cdef3456'] } } }, /baseline\.organizationPolicy\.deploy: needs baseline\.organizationPolicy\.enabled: true.*got true/],
      [{ baseline: { enforcedGuardrail: GUARDRAIL, organizationPolicy: { enabled: true, deploy: true } } }, /baseline\.organizationPolicy\.targetIds: must name at least one root, OU or account/],
      [{ baseline: { organizationPolicy: { targetIds: ['o-abcdefghij'] } } }, /baseline\.organizationPolicy\.targetIds\.0: must be a root id "r-…", an OU id "ou-…-…" or a 12-digit account id, got "o-abcdefghij"/],
      [{ baseline: { organizationPolicy: { exemptRoleArnPatterns: ['arn:aws:iam::*:user/admin'] } } }, /baseline\.organizationPolicy\.exemptRoleArnPatterns\.0: must be an IAM role ARN pattern .*got "arn:aws:iam::\*:user\/admin"/],
    ])('fails if %j', (input, message) => {
      expect(() => parseConfig(input)).toThrow(ConfigError);
      expect(() => parseConfig(input)).toThrow(message);
    });
  });
});
