import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Stage } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  AccessLogsBucket,
  AlertTopic,
  AuditTrail,
  DEFAULT_DATA_EVENT_RESOURCE_TYPES,
  INVOCATION_LOGGING_HANDLER_ACTIONS,
  ModelInvocationLogging,
  cloudFormationResponseObjectsArn,
  PrivateNetwork,
  SecureKey,
  ThreatDetection,
} from '../constructs';
import { BlueprintStack, BlueprintStackProps } from './blueprint-stack';
import { ensureAlertDestination } from './alert-destination';
import type { BlueprintConfig } from './config';
import type { PolicyDocumentJson } from './organization/service-control-policy';

/** Properties for {@link BaselineStack}. */
export interface BaselineStackProps extends BlueprintStackProps {
  /** The validated `baseline` section of the configuration. */
  readonly config: BlueprintConfig['baseline'];

  /**
   * Roles that may administer the stack's keys besides the CloudFormation execution role that deploys it.
   * @default - none
   */
  readonly keyAdministratorRoleArns?: string[];

  /**
   * The generated service control policy (`serviceControlPolicy` in `lib/organization`), needed when
   * `config.organizationPolicy.enabled`: written to the cloud assembly as `<stackName>.scp.json` and, with
   * `config.organizationPolicy.deploy`, deployed as an `AWS::Organizations::Policy`.
   * @default - none
   */
  readonly serviceControlPolicy?: PolicyDocumentJson;
}

const DATA_EVENT_TYPE_BY_SWITCH: Record<keyof BlueprintConfig['baseline']['trail']['dataEvents'], string> = {
  bedrockGuardrails: 'AWS::Bedrock::Guardrail',
  bedrockModels: 'AWS::Bedrock::Model',
  lambdaFunctions: 'AWS::Lambda::Function',
  s3Objects: 'AWS::S3::Object',
};

/**
 * The account security baseline, deployed once per account and region: the audit trail, threat
 * detection and alerting, and Bedrock model-invocation logging. Each of the three can be left to
 * the organization ("managed externally") in configuration; the alerting rules are always deployed.
 *
 * Two customer-managed keys, one per data class and its readers: the audit key (trail, its bucket and
 * log group, flow logs, the alert topic), read by the security team; and the payload-log key
 * (model-invocation log group, large-payload bucket, the logging handler's logs and dead letters),
 * which holds prompts and completions and is read by the few allowed to see them. One access-log
 * bucket receives the server access logs of the trail and large-payload buckets.
 */
export class BaselineStack extends BlueprintStack {
  /** The key of the audit data: trail, trail bucket and log group, flow logs, alert topic. */
  public readonly auditKey: SecureKey;
  /**
   * The key of the prompts and completions: model-invocation logs, large payloads, the logging
   * handler's logs and dead letters. Undefined when invocation logging is managed externally.
   */
  public readonly payloadLogKey?: SecureKey;
  /** Where security alerts go. */
  public readonly alertTopic: AlertTopic;
  /** The trail, unless managed externally. */
  public readonly auditTrail?: AuditTrail;
  /** GuardDuty (unless managed externally) and the alerting rules. */
  public readonly threatDetection: ThreatDetection;
  /** Bedrock model-invocation logging, unless managed externally. */
  public readonly invocationLogging?: ModelInvocationLogging;
  /** The private network hosting the invocation-logging custom resource, when there is one. */
  public readonly network?: PrivateNetwork;
  /** The server access logs of the trail and large-payload buckets, unless both parts are managed externally. */
  public readonly accessLogs?: AccessLogsBucket;
  /** The account-level enforced guardrail, when `enforcedGuardrail` is configured. */
  public readonly enforcedGuardrail?: bedrock.CfnEnforcedGuardrailConfiguration;
  /** The deployed service control policy, when `organizationPolicy.deploy`. */
  public readonly organizationPolicy?: organizations.CfnPolicy;
  /** Where the generated service control policy was written, when `organizationPolicy.enabled`. */
  public readonly serviceControlPolicyFile?: string;

  constructor(scope: Construct, id: string, props: BaselineStackProps) {
    super(scope, id, props);
    const config = props.config;
    const retention = config.logRetentionDays as logs.RetentionDays;

    // 'Key' is the id the single key of earlier versions had: it stays the audit key, so the trail keeps its key.
    this.auditKey = new SecureKey(this, 'Key', {
      alias: `${this.stackName}/audit`,
      description: 'secure-llm-blueprint baseline audit data: trail, trail bucket and log group, flow logs, security alerts',
      administratorRoleArns: props.keyAdministratorRoleArns,
    });

    // An existing topic named by ARN is the destination itself; a topic of our own needs one.
    this.alertTopic = new AlertTopic(this, 'Alerts', { encryptionKey: this.auditKey.key, topicArn: config.alertTopicArn });
    if (config.alertTopicArn === undefined) {
      ensureAlertDestination(this.alertTopic, config.alertEmails, config.alertsReachNobody, 'baseline');
    }

    // One access-log bucket for every bucket of the baseline: its SSE-S3, replication, logging and
    // Object Lock acknowledgments then exist once.
    if (!config.trail.managedExternally || !config.invocationLogging.managedExternally) {
      this.accessLogs = new AccessLogsBucket(this, 'AccessLogs', { expiration: Duration.days(retention) });
    }

    if (!config.trail.managedExternally) {
      const dataEventResourceTypes = Object.entries(config.trail.dataEvents)
        .filter(([, on]) => on)
        .map(([name]) => DATA_EVENT_TYPE_BY_SWITCH[name as keyof typeof DATA_EVENT_TYPE_BY_SWITCH]);
      this.auditTrail = new AuditTrail(this, 'Trail', {
        encryptionKey: this.auditKey.key,
        logRetention: retention,
        dataEventResourceTypes: DEFAULT_DATA_EVENT_RESOURCE_TYPES.filter((t) => dataEventResourceTypes.includes(t)),
        serverAccessLogsBucket: this.accessLogs,
        objectLockMode: config.trail.objectLockMode === 'COMPLIANCE' ? s3.ObjectLockMode.COMPLIANCE : s3.ObjectLockMode.GOVERNANCE,
      });
    }

    this.threatDetection = new ThreatDetection(this, 'ThreatDetection', {
      alertTopic: this.alertTopic,
      createDetector: !config.threatDetection.detectorManagedExternally,
      minimumFindingSeverity: config.threatDetection.minimumFindingSeverity,
    });

    if (!config.invocationLogging.managedExternally) {
      // The custom resource that configures invocation logging runs in isolated subnets: it reaches
      // the Bedrock control plane through an interface endpoint and answers CloudFormation through
      // the S3 gateway endpoint, with no route to the internet.
      this.network = new PrivateNetwork(this, 'Network', {
        maxAzs: config.invocationLogging.maxAzs,
        cidr: config.invocationLogging.vpcCidr,
        flowLogEncryptionKey: this.auditKey.key,
        flowLogRetention: retention,
        s3PrefixListId: config.invocationLogging.s3PrefixListId,
      });
      this.payloadLogKey = new SecureKey(this, 'PayloadLogKey', {
        alias: `${this.stackName}/payload-logs`,
        description: 'secure-llm-blueprint baseline payload logs: Bedrock model-invocation logs and large payloads (prompts and completions)',
        administratorRoleArns: props.keyAdministratorRoleArns,
      });
      this.invocationLogging = new ModelInvocationLogging(this, 'InvocationLogging', {
        vpc: this.network.vpc,
        vpcSubnets: this.network.isolatedSubnets,
        encryptionKey: this.payloadLogKey.key,
        logRetention: retention,
        serverAccessLogsBucket: this.accessLogs,
        takeOverExisting: config.invocationLogging.takeOverExisting,
      });
      const handlerRole = this.invocationLogging.function.role!;
      const bedrockEndpoint = this.network.addInterfaceEndpoint('BedrockEndpoint', {
        service: ec2.InterfaceVpcEndpointAwsService.BEDROCK,
        consumers: [this.invocationLogging],
        principals: [handlerRole],
        actions: [...INVOCATION_LOGGING_HANDLER_ACTIONS],
        resources: ['*'],
      });
      // CloudFormation hands custom resources a pre-signed URL in its regional response bucket.
      // The policy names that exact bucket (a name AWS owns), not a `…-response-*` wildcard any
      // account could match by creating a bucket. It cannot also name the handler role or the
      // bucket's account: a pre-signed request is made with the credentials of the principal that
      // signed it, so aws:PrincipalArn is CloudFormation's signer, never the handler role, and
      // aws:ResourceAccount / s3:ResourceAccount would have to be an AWS-owned account that is not
      // published (this account's id would deny every response and hang the stack).
      const s3Endpoint = this.network.addGatewayEndpoint('S3Endpoint', {
        service: ec2.GatewayVpcEndpointAwsService.S3,
        actions: ['s3:PutObject'],
        resources: [cloudFormationResponseObjectsArn(this)],
        principals: [new iam.AnyPrincipal()],
        consumers: [this.invocationLogging],
      });
      // The endpoints must outlive the custom resource, or its Delete could not answer.
      this.invocationLogging.resource.node.addDependency(bedrockEndpoint, s3Endpoint);
    }

    // --- account-wide guardrail -------------------------------------------------------------
    if (config.enforcedGuardrail !== undefined) {
      // Bedrock applies it to every model call of every principal of this account and region (no ModelEnforcement:
      // all models), on top of any guardrail the caller names. A numeric version only: the configuration refuses DRAFT.
      this.enforcedGuardrail = new bedrock.CfnEnforcedGuardrailConfiguration(this, 'EnforcedGuardrail', {
        guardrailIdentifier: config.enforcedGuardrail.guardrailIdentifier,
        guardrailVersion: config.enforcedGuardrail.guardrailVersion,
      });
    }

    // --- service control policy for the organization ----------------------------------------
    if (config.organizationPolicy.enabled) {
      if (props.serviceControlPolicy === undefined) {
        throw new Error('baseline.organizationPolicy.enabled is true but the BaselineStack was given no serviceControlPolicy; build it with serviceControlPolicyOf(config)');
      }
      // Written beside the templates: the policy is made from this configuration (guardrail, models, roles), so
      // it belongs to this synthesis, and an organization administrator reviews and attaches it from there.
      const outdir = Stage.of(this)?.outdir;
      if (outdir !== undefined) {
        fs.mkdirSync(outdir, { recursive: true });
        this.serviceControlPolicyFile = path.join(outdir, `${this.stackName}.scp.json`);
        // Minified, as its size is checked against the limit of AWS Organizations.
        fs.writeFileSync(this.serviceControlPolicyFile, `${JSON.stringify(props.serviceControlPolicy)}\n`);
      }
      if (config.organizationPolicy.deploy) {
        // Only the management account (or a delegated administrator for policies) may create and attach it.
        this.organizationPolicy = new organizations.CfnPolicy(this, 'ServiceControlPolicy', {
          name: `${this.stackName}-bedrock-guardrails`,
          description: 'secure-llm-blueprint: model calls only with the enforced guardrail and to allow-listed models; no Bedrock API keys; logging and trail stay on',
          type: 'SERVICE_CONTROL_POLICY',
          content: props.serviceControlPolicy,
          targetIds: config.organizationPolicy.targetIds,
        });
      }
    }
  }
}
