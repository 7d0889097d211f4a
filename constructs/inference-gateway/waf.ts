import { ArnFormat, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { SecureLogGroup } from '../secure-log-group';

/** The request-body sizes API Gateway can forward to AWS WAF for inspection, in bytes, by setting name. */
export const WAF_BODY_INSPECTION_LIMITS: ReadonlyArray<readonly [string, number]> = [
  ['KB_16', 16 * 1024],
  ['KB_32', 32 * 1024],
  ['KB_48', 48 * 1024],
  ['KB_64', 64 * 1024],
];

/** The smallest API Gateway body inspection limit (`KB_16` … `KB_64`) that covers `maxBodyBytes`. */
export function bodyInspectionLimitFor(maxBodyBytes: number): string {
  const limit = WAF_BODY_INSPECTION_LIMITS.find(([, bytes]) => bytes >= maxBodyBytes);
  if (!limit) {
    throw new Error(`maxBodyBytes must be at most 65536 (the largest body AWS WAF inspects for API Gateway), got ${maxBodyBytes}`);
  }
  return limit[0];
}

/** The names of the web ACL's rules, in evaluation order. */
export const WEB_ACL_RULE_NAMES = {
  ipReputation: 'AWS-AWSManagedRulesAmazonIpReputationList',
  rateLimitPerIp: 'RateLimitPerIp',
  rateLimitPerCaller: 'RateLimitPerCaller',
  bodySize: 'BodySizeLimit',
  commonRuleSet: 'AWS-AWSManagedRulesCommonRuleSet',
  knownBadInputs: 'AWS-AWSManagedRulesKnownBadInputsRuleSet',
} as const;

/** Properties for {@link GatewayWebAcl}. */
export interface GatewayWebAclProps {
  /** The ARN of the API Gateway stage to protect. */
  readonly stageArn: string;
  /** Largest request body let through, in bytes (1024 to 65536). */
  readonly maxBodyBytes: number;
  /** Requests per IP address per 5-minute window before WAF blocks the address. */
  readonly rateLimitPerIp: number;
  /** Requests per `Authorization` header value (one caller's token) per 5-minute window before WAF blocks the token. */
  readonly rateLimitPerCaller: number;
  /** Key of the WAF log group. */
  readonly encryptionKey: kms.IKey;
  /** How long WAF log records are kept. */
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the WAF log group. */
  readonly removalPolicy: RemovalPolicy;
}

function visibility(metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

function managedRuleGroup(
  name: string,
  priority: number,
  ruleActionOverrides?: wafv2.CfnWebACL.RuleActionOverrideProperty[],
): wafv2.CfnWebACL.RuleProperty {
  return {
    name: `AWS-${name}`,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides } },
    visibilityConfig: visibility(`AWS-${name}`),
  };
}

/** An OpenAI-style error body for a status the web ACL answers itself. */
function errorBody(message: string, type: string): wafv2.CfnWebACL.CustomResponseBodyProperty {
  return { contentType: 'APPLICATION_JSON', content: JSON.stringify({ error: { message, type, code: type } }) };
}

/**
 * The regional AWS WAF web ACL in front of the gateway's API stage: Amazon IP reputation list,
 * a per-IP and a per-caller (per `Authorization` token) rate limit, a body-size limit that also blocks bodies too large to inspect, the Core
 * rule set (its 8 KB `SizeRestrictions_BODY` only counted, the size rule above replaces it) and
 * Known bad inputs. Logs go to a KMS-encrypted `aws-waf-logs-*` log group with the
 * `authorization` header redacted.
 */
export class GatewayWebAcl extends Construct {
  /** The web ACL. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** The log group receiving the web ACL's traffic logs. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: GatewayWebAclProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const prefix = Names.uniqueResourceName(this, { maxLength: 40, separator: '-' });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: prefix,
      scope: 'REGIONAL',
      description: 'LLM gateway: IP reputation, per-IP and per-caller rate limits, body size, core rule set, known bad inputs',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`${prefix}-WebAcl`),
      // Bodies up to maxBodyBytes are inspected whole; larger ones are "oversize" and the
      // body-size rule matches them (OversizeHandling MATCH).
      associationConfig: {
        requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: bodyInspectionLimitFor(props.maxBodyBytes) } },
      },
      customResponseBodies: {
        TooLarge: errorBody(`Request body exceeds ${props.maxBodyBytes} bytes.`, 'request_too_large'),
        RateLimited: errorBody('Too many requests from this address; retry later.', 'rate_limit_exceeded'),
        CallerRateLimited: errorBody('Too many requests with this token; retry later.', 'rate_limit_exceeded'),
      },
      rules: [
        managedRuleGroup('AWSManagedRulesAmazonIpReputationList', 0),
        {
          name: WEB_ACL_RULE_NAMES.rateLimitPerIp,
          priority: 1,
          action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'RateLimited' } } },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: props.rateLimitPerIp, evaluationWindowSec: 300 } },
          visibilityConfig: visibility(WEB_ACL_RULE_NAMES.rateLimitPerIp),
        },
        // One caller spread over many addresses: the count is keyed on the whole Authorization
        // header (the caller's bearer token). WAF cannot verify the token, so a request with a
        // made-up token starts a fresh count; those are held by the per-IP rule above and refused
        // by the authorizer. Requests without the header are not counted here.
        {
          name: WEB_ACL_RULE_NAMES.rateLimitPerCaller,
          priority: 2,
          action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'CallerRateLimited' } } },
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'CUSTOM_KEYS',
              customKeys: [{ header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
              limit: props.rateLimitPerCaller,
              evaluationWindowSec: 300,
            },
          },
          visibilityConfig: visibility(WEB_ACL_RULE_NAMES.rateLimitPerCaller),
        },
        {
          name: WEB_ACL_RULE_NAMES.bodySize,
          priority: 3,
          action: { block: { customResponse: { responseCode: 413, customResponseBodyKey: 'TooLarge' } } },
          statement: {
            sizeConstraintStatement: {
              fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
              comparisonOperator: 'GT',
              size: props.maxBodyBytes,
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
          visibilityConfig: visibility(WEB_ACL_RULE_NAMES.bodySize),
        },
        // The core rule set blocks bodies over 8 KB; chat requests are larger, and BodySizeLimit
        // enforces the configured maximum instead.
        managedRuleGroup('AWSManagedRulesCommonRuleSet', 4, [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }]),
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 5),
      ],
    });

    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    // AWS WAF only delivers to log groups whose name starts with "aws-waf-logs-".
    const logGroupName = `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`;
    const logs = new SecureLogGroup(this, 'Logs', {
      logGroupName,
      encryptionKey: props.encryptionKey,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.logGroup = logs.logGroup;
    // WAF delivers through the CloudWatch Logs delivery service. Granting it here, for this log
    // group and this account's delivery sources only, keeps WAF from adding a statement of its own
    // when logging is enabled. CloudWatch Logs resource policies are account-level (at most 10 per
    // region), so each gateway stack uses one.
    const logGroupArn = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: logGroupName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const delivery = this.logGroup.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AWSLogDeliveryWrite',
        principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${logGroupArn}:log-stream:*`],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'logs', resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME }) },
        },
      }),
    );

    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // The log group's ARN without the ":*" that CloudFormation's Arn attribute appends.
      logDestinationConfigs: [logGroupArn],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
    logging.node.addDependency(this.logGroup);
    if (delivery.policyDependable) {
      logging.node.addDependency(delivery.policyDependable);
    }
  }

  /** The web ACL's name, the `WebACL` dimension of its CloudWatch metrics. */
  public get webAclName(): string {
    return this.webAcl.name!;
  }

  /**
   * Requests blocked by the web ACL (all rules), summed over 5 minutes.
   * @param rule a rule name from {@link WEB_ACL_RULE_NAMES} @default - every rule ("ALL")
   */
  public metricBlockedRequests(rule = 'ALL', props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: this.webAclName, Region: Stack.of(this).region, Rule: rule },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }
}
