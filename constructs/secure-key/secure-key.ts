import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

const LOGS_ALLOWED = new WeakSet<kms.IKey>();

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
}

/**
 * A customer-managed KMS key with automatic rotation, a retained removal policy and a key
 * policy that confines grant creation to AWS services (Control Tower CT.KMS.PR.3).
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

    this.key = new kms.Key(this, 'Key', {
      description: props.description ?? `Customer-managed key for ${this.node.path}`,
      enableKeyRotation: true,
      pendingWindow,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      alias: props.alias,
    });

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
