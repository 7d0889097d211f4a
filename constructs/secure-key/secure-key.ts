import { Annotations, ArnFormat, DefaultStackSynthesizer, Duration, Fn, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

const LOGS_ALLOWED = new WeakSet<kms.IKey>();
/** The SecureKey that defined each key, so helpers given a plain `kms.IKey` can still extend its policy. */
const SECURE_KEYS = new WeakMap<kms.IKey, SecureKey>();

/**
 * What a key administrator may do: manage, describe, rotate, tag and schedule deletion of the key,
 * but not use it. `Describe*` and `Get*` also cover `kms:DescribeKey`, which CloudFormation needs.
 */
/** The MAC operations of an HMAC key. */
export const MAC_ACTIONS = ['kms:GenerateMac', 'kms:VerifyMac'] as const;

export const KEY_ADMINISTRATION_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
] as const;

/** What IAM principals of this account may do with the key through an AWS service they call. */
const USE_THROUGH_SERVICE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
  'kms:CreateGrant',
];

/** An IAM role ARN, possibly with a path: `arn:<partition>:iam::<12 digits>:role/<path/>name`. */
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
/** The service-name part of a `kms:ViaService` value, e.g. `dynamodb` in `dynamodb.eu-west-1.amazonaws.com`. */
const SERVICE_NAME = /^[a-z0-9-]{2,40}$/;

/**
 * Why an administrator role ARN is not acceptable, or undefined when it is (tokens are accepted).
 * @param account the account the key belongs to, when known at synth
 */
export function keyAdministratorArnProblem(arn: string, account?: string): string | undefined {
  if (Token.isUnresolved(arn)) {
    return undefined;
  }
  const match = ROLE_ARN.exec(arn);
  if (!match) {
    return 'must be an IAM role ARN such as arn:aws:iam::111122223333:role/KeyAdmins';
  }
  if (account !== undefined && !Token.isUnresolved(account) && match[2] !== account) {
    return `must be a role of the key's account ${account} (the key policy admits this account's principals only), not of ${match[2]}`;
  }
  return undefined;
}

/** Properties for {@link SecureKey}. */
export interface SecureKeyProps {
  /**
   * A description of what the key protects, shown in the KMS console.
   * @default - "Customer-managed key for <construct path>"
   */
  readonly description?: string;

  /**
   * An alias for the key, without the `alias/` prefix.
   * @default - no alias
   */
  readonly alias?: string;

  /**
   * What happens to the key when it is removed from the stack. Keys default to RETAIN:
   * destroying a key makes every log, trail and object encrypted with it unreadable.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Waiting period before a key scheduled for deletion is destroyed (7 to 30 days).
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;

  /**
   * IAM roles of the key's account that may administer the key (manage its policy, rotation, tags and
   * deletion, but not use it), in addition to the CloudFormation execution role that deploys the stack,
   * which always keeps that right so later deployments can update the key policy. Matched on
   * `aws:PrincipalArn`, so a role that does not exist yet does not make the key policy invalid.
   * @default - only the stack's CloudFormation execution role (`DefaultStackSynthesizer`)
   */
  readonly administratorRoleArns?: string[];

  /**
   * The key's type. Automatic rotation applies to symmetric encryption keys only; KMS cannot rotate other key specs.
   * @default kms.KeySpec.SYMMETRIC_DEFAULT
   */
  readonly keySpec?: kms.KeySpec;

  /**
   * What the key is for (`GENERATE_VERIFY_MAC` for an HMAC key spec).
   * @default kms.KeyUsage.ENCRYPT_DECRYPT
   */
  readonly keyUsage?: kms.KeyUsage;
}

/**
 * A customer-managed KMS key with automatic rotation, a retained removal policy and a key
 * policy that confines grant creation to AWS services (Control Tower CT.KMS.PR.3).
 *
 * The key policy replaces CDK's default (the account root with `kms:*`, which lets any IAM policy of
 * the account use and administer the key) with a split between administration and use:
 * - administration ({@link KEY_ADMINISTRATION_ACTIONS}, no encrypt or decrypt) for the stack's
 *   CloudFormation execution role and {@link SecureKeyProps.administratorRoleArns} only, as the
 *   account root under an `aws:PrincipalArn` condition;
 * - use by IAM principals of this account only through the AWS services registered with
 *   {@link SecureKey.grantViaService} or {@link SecureKey.allowUseThroughService} (`kms:ViaService`
 *   and `kms:CallerAccount`), so no identity policy can make the key usable directly.
 *
 * Service principals are admitted one at a time with scoped conditions:
 * {@link SecureKey.allowCloudWatchLogs} binds the CloudWatch Logs service to this account's
 * log groups through `kms:EncryptionContext:aws:logs:arn`, and
 * {@link SecureKey.allowServiceUse} binds another service to a source ARN or account.
 *
 * @example
 * const key = new SecureKey(this, 'Key', { alias: 'llm/logs' });
 * key.allowCloudWatchLogs();
 */
export class SecureKey extends Construct {
  /** The underlying KMS key. */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: SecureKeyProps = {}) {
    super(scope, id);

    const pendingWindow = props.pendingWindow ?? Duration.days(30);
    const days = pendingWindow.toDays();
    if (!Token.isUnresolved(days) && (days < 7 || days > 30)) {
      throw new Error(`pendingWindow must be between 7 and 30 days, got ${days} days; pass Duration.days(7..30)`);
    }
    if (props.alias !== undefined && !Token.isUnresolved(props.alias)) {
      if (!/^[a-zA-Z0-9/_-]{1,250}$/.test(props.alias) || props.alias.startsWith('aws/') || props.alias.startsWith('alias/')) {
        throw new Error(
          `alias must be 1-250 characters of [a-zA-Z0-9/_-] without the "alias/" prefix and not under "aws/", got "${props.alias}"`,
        );
      }
    }

    const stack = Stack.of(this);
    const administratorRoleArns = props.administratorRoleArns ?? [];
    administratorRoleArns.forEach((arn, i) => {
      const problem = keyAdministratorArnProblem(arn, stack.account);
      if (problem !== undefined) {
        throw new Error(`administratorRoleArns[${i}] ${problem}, got "${arn}"`);
      }
    });
    // The synthesizer's ARN holds ${AWS::Partition}/${AWS::AccountId}/${AWS::Region} placeholders for the
    // CLI; in a template they need Fn::Sub.
    const deployer =
      stack.synthesizer instanceof DefaultStackSynthesizer ? Fn.sub(stack.synthesizer.cloudFormationExecutionRoleArn) : undefined;
    if (deployer === undefined && administratorRoleArns.length === 0) {
      throw new Error(
        `administratorRoleArns must name the role that deploys ${this.node.path}, got none: the stack's synthesizer ` +
          `(${stack.synthesizer.constructor.name}) has no CloudFormation execution role, and a key policy without an administrator ` +
          'locks every later deployment out of the key. Pass administratorRoleArns, or deploy with the DefaultStackSynthesizer',
      );
    }

    const symmetric = props.keySpec === undefined || props.keySpec === kms.KeySpec.SYMMETRIC_DEFAULT;
    this.key = new kms.Key(this, 'Key', {
      description: props.description ?? `Customer-managed key for ${this.node.path}`,
      enableKeyRotation: symmetric,
      ...(props.keySpec === undefined ? {} : { keySpec: props.keySpec }),
      ...(props.keyUsage === undefined ? {} : { keyUsage: props.keyUsage }),
      pendingWindow,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      alias: props.alias,
      // A policy of our own replaces CDK's default statement (the account root with kms:*).
      policy: new iam.PolicyDocument(),
    });
    SECURE_KEYS.set(this.key, this);

    // Administration without use, for the deployer and the named administrators only. The principal
    // is the account root narrowed by aws:PrincipalArn rather than the roles themselves: KMS rejects
    // a policy naming a role that does not exist (yet), and a role deleted and re-created would
    // silently lose its entry. CloudFormation's role keeps kms:PutKeyPolicy, so the lockout safety
    // check passes and every later deployment can still update the policy.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'KeyAdministration',
        principals: [new iam.AccountRootPrincipal()],
        actions: [...KEY_ADMINISTRATION_ACTIONS],
        resources: ['*'],
        conditions: { ArnLike: { 'aws:PrincipalArn': [...(deployer ? [deployer] : []), ...administratorRoleArns] } },
      }),
    );

    // CT.KMS.PR.3: grants may only be created for AWS resources or by AWS services, so a
    // principal holding kms:CreateGrant cannot delegate the key to an arbitrary identity.
    SecureKey.restrictGrantsOn(this.key);
  }

  /**
   * Adds the Control Tower CT.KMS.PR.3 restriction to a key of your own defined in this app: a Deny of
   * `kms:CreateGrant` unless the grant is for an AWS resource or made by an AWS service. Every
   * SecureKey has it; call this on a `kms.Key` you create yourself before handing it to the
   * blueprint's constructs.
   */
  public static restrictGrantsOn(key: kms.Key): void {
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyGrantsNotForAwsResources',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: {
          BoolIfExists: {
            'kms:GrantIsForAWSResource': 'false',
            'aws:PrincipalIsAWSService': 'false',
          },
        },
      }),
    );
  }

  /** The key's ARN. */
  public get keyArn(): string {
    return this.key.keyArn;
  }

  private readonly viaServices: string[] = [];

  /**
   * Lets IAM principals of this account use the key through one AWS service of this region
   * (`kms:ViaService` = `<service>.<region>.amazonaws.com`, `kms:CallerAccount` = this account), as
   * far as their own IAM policies allow. Needed by whoever creates resources that take the key
   * through that service (CloudFormation creating a DynamoDB table or a Bedrock guardrail), and by
   * {@link SecureKey.grantViaService}. Idempotent.
   *
   * @param service the service's endpoint prefix, e.g. `dynamodb`, `s3`, `sns`, `sqs`, `bedrock`
   */
  public allowUseThroughService(service: string): void {
    if (!SERVICE_NAME.test(service)) {
      throw new Error(`service must be a service endpoint prefix such as "dynamodb" or "s3", got "${service}"`);
    }
    const stack = Stack.of(this);
    const viaService = `${service}.${stack.region}.amazonaws.com`;
    if (this.viaServices.some((v) => v === viaService)) {
      return;
    }
    this.viaServices.push(viaService);
    if (this.viaServices.length > 1) {
      return;
    }
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'UseThroughAwsServicesOfThisAccount',
        principals: [new iam.AccountRootPrincipal()],
        actions: USE_THROUGH_SERVICE_ACTIONS,
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:CallerAccount': stack.account,
            'kms:ViaService': Lazy.list({ produce: () => [...this.viaServices] }),
          },
        },
      }),
    );
  }

  /**
   * {@link SecureKey.allowUseThroughService} for any key: a key a SecureKey defined gets the
   * statement; another key's policy is left as it is (it must already let this account's principals
   * use it through that service, as CDK's default key policy does).
   */
  public static allowUseThroughServiceOn(key: kms.IKey, service: string): void {
    SECURE_KEYS.get(key)?.allowUseThroughService(service);
  }

  /**
   * Grants `actions` on this key to the grantee, only through one AWS service of this region: the
   * identity-policy statement carries `kms:ViaService`, and the key policy admits this account's
   * principals through that service ({@link SecureKey.allowUseThroughService}).
   *
   * @param actions specific KMS actions (no wildcard)
   * @param service the service's endpoint prefix, e.g. `dynamodb`
   */
  public grantViaService(grantee: iam.IGrantable, actions: string[], service: string): iam.Grant {
    return SecureKey.grantViaServiceOn(this.key, grantee, actions, service);
  }

  /**
   * {@link SecureKey.grantViaService} for any key of this app: the grantee's policy statement is
   * always scoped with `kms:ViaService`; the key policy is extended when a SecureKey defined the key.
   */
  public static grantViaServiceOn(key: kms.IKey, grantee: iam.IGrantable, actions: string[], service: string): iam.Grant {
    if (actions.length === 0 || actions.some((a) => !/^kms:[A-Za-z]+\*?$/.test(a) || a === 'kms:*')) {
      throw new Error(`actions must name specific KMS actions such as "kms:Decrypt", got [${actions.join(', ')}]`);
    }
    if (!SERVICE_NAME.test(service)) {
      throw new Error(`service must be a service endpoint prefix such as "dynamodb" or "s3", got "${service}"`);
    }
    SecureKey.allowUseThroughServiceOn(key, service);
    return iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `${service}.${Stack.of(key).region}.amazonaws.com` } },
    });
  }

  /**
   * For an HMAC key: lets IAM policies of this account grant `kms:GenerateMac` and `kms:VerifyMac` with HMAC-SHA-256,
   * and nothing else. MAC operations are made by the caller itself, never through an AWS service, so
   * {@link grantViaService} cannot express them: identity statements must carry the same `kms:MacAlgorithm` condition.
   */
  public allowMacThroughIam(): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'MacThroughIamPoliciesOfThisAccount',
        principals: [new iam.AccountRootPrincipal()],
        actions: [...MAC_ACTIONS],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:MacAlgorithm': 'HMAC_SHA_256' } },
      }),
    );
  }

  /**
   * Lets CloudWatch Logs in this stack's region use the key for log groups of this account only
   * (condition on `kms:EncryptionContext:aws:logs:arn`). Idempotent.
   */
  public allowCloudWatchLogs(): void {
    SecureKey.allowCloudWatchLogsOn(this.key);
  }

  /**
   * Adds the scoped CloudWatch Logs statement to any key defined in this app. For an imported
   * key the policy cannot be changed here: the statement must already be in its key policy,
   * and a warning says so. Idempotent per key.
   */
  public static allowCloudWatchLogsOn(key: kms.IKey): void {
    if (LOGS_ALLOWED.has(key)) {
      return;
    }
    LOGS_ALLOWED.add(key);
    const stack = Stack.of(key);
    const result = key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsForThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
      true,
    );
    if (!result.statementAdded) {
      Annotations.of(key).addWarningV2(
        'secure-llm-blueprint:importedKeyLogsPolicy',
        `The imported key ${key.node.path} must already allow logs.<region>.amazonaws.com with a kms:EncryptionContext:aws:logs:arn condition; its policy cannot be changed from this stack.`,
      );
    }
  }

  /**
   * Lets an AWS service principal use the key on behalf of this account only: the statement
   * carries `aws:SourceAccount` and, when given, `aws:SourceArn`.
   *
   * @param servicePrincipal e.g. `cloudtrail.amazonaws.com`
   * @param actions the KMS actions the service needs (no wildcard `kms:*`)
   * @param sourceArn the resource ARN the service acts for, when the service sends one
   */
  public allowServiceUse(servicePrincipal: string, actions: string[], sourceArn?: string): void {
    if (actions.length === 0 || actions.some((a) => a === 'kms:*' || a === '*')) {
      throw new Error(`actions must name specific KMS actions for ${servicePrincipal}, got [${actions.join(', ')}]`);
    }
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(servicePrincipal)],
        actions,
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ...(sourceArn ? { ArnLike: { 'aws:SourceArn': sourceArn } } : {}),
        },
      }),
    );
  }
}
