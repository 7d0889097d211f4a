/**
 * The gateway's Lambda REQUEST authorizer. API Gateway calls it with the `Authorization` header (its identity source,
 * so API Gateway caches the answer per header value) and the method ARN; it answers with an IAM policy for the
 * routes the credential may call and the policy context the gateway function reads (see `authorize.ts` for the
 * decision, `../shared/gateway-contract.ts` for the context).
 *
 * Cognito access tokens are verified with aws-jwt-verify against the pool's JWKS, fetched from Cognito over HTTPS
 * once per execution environment (the function runs outside the VPC for it, see the construct; tests point it at a
 * loopback server instead, see `jwks.ts`); a person's token also costs one `AdminGetUser` per decision, so a disabled
 * user is refused at the next uncached decision (`pool-users.ts`). Gateway API keys are
 * looked up in the keys table (DynamoDB, strongly consistent) and their MAC made by the KMS HMAC key. Nothing here
 * logs a credential: the log holds the outcome, the kind, the key id or `sub`, and the reason of a refusal.
 *
 * @module
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { AUTHORIZER_ENV, AUTHORIZER_SERVICE_NAME } from '../shared/gateway-contract';
import { KeyStore } from '../shared/key-store';
import { KmsMac } from '../shared/kms-mac';
import { AuthorizerDeps, MachineClient, UnauthorizedError, decide } from './authorize';
import { jwksCacheFor, parseJwksOverride } from './jwks';
import { PoolUsers } from './pool-users';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.length === 0) throw new Error(`The authorizer's environment lacks ${name}`);
  return value;
}

/** Parses the machine clients' configuration (`MACHINE_CLIENTS`). @throws when it is not the expected JSON */
export function parseMachineClients(text: string | undefined): Record<string, MachineClient> {
  if (text === undefined || text.length === 0) return {};
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${AUTHORIZER_ENV.machineClients} must be a JSON object`);
  const out: Record<string, MachineClient> = {};
  for (const [id, spec] of Object.entries(parsed as Record<string, unknown>)) {
    const s = spec as { groups?: unknown; team?: unknown };
    if (!Array.isArray(s.groups) || !s.groups.every((g) => typeof g === 'string') || typeof s.team !== 'string') {
      throw new Error(`${AUTHORIZER_ENV.machineClients}.${id} must be { "groups": string[], "team": string }`);
    }
    out[id] = { groups: s.groups as string[], team: s.team };
  }
  return out;
}

/** Builds the dependencies from the environment (module scope: once per execution environment). */
export function depsFromEnvironment(env: NodeJS.ProcessEnv = process.env): AuthorizerDeps {
  const region = required('AWS_REGION');
  const verifier = CognitoJwtVerifier.create(
    {
      userPoolId: required(AUTHORIZER_ENV.userPoolId),
      tokenUse: 'access',
      clientId: required(AUTHORIZER_ENV.clientIds).split(' '),
    },
    jwksCacheFor(parseJwksOverride(env[AUTHORIZER_ENV.jwksUri])),
  );
  const store = new KeyStore(new DynamoDBClient({ region, maxAttempts: 2 }), required(AUTHORIZER_ENV.keysTableName));
  // The SDK reads AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER itself (tests point it at a loopback fake).
  const users = new PoolUsers(new CognitoIdentityProviderClient({ region, maxAttempts: 2 }), required(AUTHORIZER_ENV.userPoolId));
  const kms = new KmsMac({ keyId: required(AUTHORIZER_ENV.keysMacKeyId), region, ...(env.AWS_ENDPOINT_URL_KMS ? { endpoint: env.AWS_ENDPOINT_URL_KMS } : {}) });
  return {
    verifyAccessToken: async (token) => (await verifier.verify(token)) as unknown as Record<string, unknown>,
    resourceServerId: required(AUTHORIZER_ENV.resourceServerId),
    machineClients: parseMachineClients(env[AUTHORIZER_ENV.machineClients]),
    getKey: (keyId) => store.get(keyId),
    getUser: (username) => users.get(username),
    macOf: (key) => kms.generateMac(key),
    now: () => Date.now(),
  };
}

const logger = new Logger({ serviceName: process.env[AUTHORIZER_ENV.serviceName] ?? AUTHORIZER_SERVICE_NAME });
let deps: AuthorizerDeps | undefined;

/** Lambda entry point. */
export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  deps ??= depsFromEnvironment();
  try {
    const decision = await decide(event, deps);
    const context = decision.result.context ?? {};
    logger.info('authorizer decision', { outcome: decision.outcome, kind: context.kind, subject: context.subject, reason: decision.reason });
    return decision.result;
  } catch (e) {
    if (e instanceof UnauthorizedError) {
      logger.info('authorizer decision', { outcome: 'unauthenticated', reason: e.reason });
      throw e;
    }
    logger.error('authorizer failure', { error: e instanceof Error ? e.name : 'unknown' });
    throw e;
  }
}
