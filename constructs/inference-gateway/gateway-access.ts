import { Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AUTHORIZER_ENV, AUTHORIZER_SERVICE_NAME, KEYS_ATTR } from '../../lambda/shared/gateway-contract';
import { SecureKey } from '../secure-key';
import { SecureFunction } from '../shared/secure-function';

/** The actions the key administration CLI (`secure-llm-keys`) calls on the keys table. */
export const KEYS_ADMIN_TABLE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Scan', 'dynamodb:DescribeTable'];

/** Properties of {@link GatewayAccess}. */
export interface GatewayAccessProps {
  /** The user pool whose access tokens are accepted. */
  readonly userPool: cognito.IUserPool;
  /** The app clients whose access tokens are accepted. */
  readonly userPoolClients: cognito.IUserPoolClient[];
  /** The resource server's identifier. */
  readonly resourceServerId: string;
  /** JSON of the machine clients' entitlements (`AUTHORIZER_ENV.machineClients`), or '' for none. */
  readonly machineClientsJson: string;
  /** Encrypts the keys table and the authorizer's logs. */
  readonly encryptionKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly reservedConcurrency: number;
  readonly removalPolicy: RemovalPolicy;
  /** Roles that may administer the HMAC key besides the CloudFormation execution role. */
  readonly keyAdministratorRoleArns?: string[];
}

/**
 * Who may call the gateway: the REQUEST authorizer function, the gateway API keys table, the KMS HMAC key the keys'
 * MACs are made with, and the managed policy key administrators need. Internal to {@link InferenceGateway}.
 *
 * The authorizer runs **outside the VPC**, on purpose: it verifies Cognito access tokens against the user pool's JWKS,
 * which Cognito publishes only on its public endpoint (`https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json`);
 * the isolated subnets have no route to it, and a pool with a sign-in domain cannot be reached through AWS
 * PrivateLink at all. Everything else it calls (DynamoDB `GetItem` on the keys table, KMS `GenerateMac` on the HMAC
 * key, Cognito `AdminGetUser` on the pool for each uncached decision on a person's token, so a disabled or deleted
 * user loses access within the cache TTL) is IAM-authorized on public AWS endpoints over TLS, so it needs no
 * interface endpoint either. It handles no
 * prompt or completion, only the `Authorization` header, and logs no credential.
 */
export class GatewayAccess extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.IRole;
  public readonly keysTable: dynamodb.Table;
  public readonly macKey: kms.Key;
  /** The HMAC key's {@link SecureKey} (its policy and grants). */
  public readonly macKeyConstruct: SecureKey;
  public readonly adminPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: GatewayAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.keysTable = new dynamodb.Table(this, 'KeysTable', {
      partitionKey: { name: KEYS_ATTR.keyId, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // Keys, their owners and their revocations outlive a deployment.
      removalPolicy: props.removalPolicy,
    });
    // Its daily AWS Backup plan is the gateway's (InferenceGateway backupEnabled).

    // HMAC keys cannot rotate in KMS (automatic rotation is for symmetric encryption keys only); rotating the
    // gateway keys themselves (keys rotate) replaces their MACs.
    const macKey = new SecureKey(this, 'MacKey', {
      description: `HMAC-SHA-256 of the gateway API keys of ${this.node.path}`,
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      administratorRoleArns: props.keyAdministratorRoleArns,
      // Without it every stored MAC, and so every issued key, is useless.
      removalPolicy: props.removalPolicy,
    });
    macKey.allowMacThroughIam();
    this.macKeyConstruct = macKey;
    this.macKey = macKey.key;

    // The keys table's key through DynamoDB only, and MACs of the gateway API keys with HMAC-SHA-256 only: for the
    // authorizer (which reads) and the key administrators (who also write).
    const keysTableKeyStatement = (actions: string[]): iam.PolicyStatement =>
      new iam.PolicyStatement({
        sid: 'KeysTableKeyThroughDynamoDb',
        actions,
        resources: [props.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
      });
    const makeKeyMacsStatement = (): iam.PolicyStatement =>
      new iam.PolicyStatement({
        sid: 'MakeKeyMacs',
        actions: ['kms:GenerateMac'],
        resources: [this.macKey.keyArn],
        conditions: { StringEquals: { 'kms:MacAlgorithm': 'HMAC_SHA_256' } },
      });
    const authorizer = new SecureFunction(this, 'Authorizer', {
      bundle: 'authorizer',
      description: 'LLM gateway REQUEST authorizer: Cognito access tokens with scopes and a user check, gateway API keys',
      roleDescription: `LLM gateway authorizer ${this.node.path}: reads gateway API keys, makes their MACs, checks users`,
      logEncryptionKey: props.encryptionKey,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      policyStatements: [
        new iam.PolicyStatement({ sid: 'ReadKeys', actions: ['dynamodb:GetItem'], resources: [this.keysTable.tableArn] }),
        // The per-decision user check (enabled, confirmed, team) of people's tokens: this pool only, read only.
        new iam.PolicyStatement({ sid: 'CheckUsers', actions: ['cognito-idp:AdminGetUser'], resources: [props.userPool.userPoolArn] }),
        keysTableKeyStatement(['kms:Decrypt', 'kms:DescribeKey']),
        makeKeyMacsStatement(),
      ],
      memorySize: 512,
      timeout: Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrency,
      outsideVpcReason:
        'The authorizer must reach the Cognito user pool\'s JWKS, which Cognito serves only on its public endpoint (a pool with a ' +
        'sign-in domain is not reachable through AWS PrivateLink). It handles only the Authorization header, never prompts or ' +
        'completions, and its other calls (DynamoDB GetItem on the keys table, KMS GenerateMac on the HMAC key, Cognito AdminGetUser on the pool) are IAM-authorized over TLS.',
      noDeadLetterQueueReason:
        'API Gateway, the only invoker the function\'s resource policy admits, calls its REQUEST authorizer synchronously and answers a ' +
        'failure with 401 or 500. A dead-letter queue receives only failed asynchronous invocations: it would stay empty.',
      environment: {
        [AUTHORIZER_ENV.userPoolId]: props.userPool.userPoolId,
        // Client ids are only known at deployment: one space-separated list.
        [AUTHORIZER_ENV.clientIds]: Fn.join(' ', props.userPoolClients.map((c) => c.userPoolClientId)),
        [AUTHORIZER_ENV.resourceServerId]: props.resourceServerId,
        [AUTHORIZER_ENV.machineClients]: props.machineClientsJson,
        [AUTHORIZER_ENV.keysTableName]: this.keysTable.tableName,
        [AUTHORIZER_ENV.keysMacKeyId]: this.macKey.keyArn,
        [AUTHORIZER_ENV.serviceName]: AUTHORIZER_SERVICE_NAME,
      },
    });
    this.function = authorizer;
    this.role = authorizer.executionRole.role;

    this.adminPolicy = new iam.ManagedPolicy(this, 'KeysAdminPolicy', {
      description: `Administer the gateway API keys of ${this.node.path} with the secure-llm-keys CLI`,
      statements: [
        new iam.PolicyStatement({ sid: 'ManageKeys', actions: KEYS_ADMIN_TABLE_ACTIONS, resources: [this.keysTable.tableArn] }),
        keysTableKeyStatement(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']),
        makeKeyMacsStatement(),
      ],
    });
  }
}
