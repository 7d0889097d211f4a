/**
 * The authorizer's decision, free of I/O: what a credential may call, as an IAM policy and a policy context.
 *
 * 1. The `Authorization` header must be `Bearer <credential>` (any case of the header name and scheme); otherwise
 *    the caller is unauthenticated: {@link UnauthorizedError}, which API Gateway answers with 401.
 * 2. A credential starting `sk-sllm-` is a gateway API key: it must be well-formed (else 401), and its key id must
 *    name an active, unexpired key whose stored MAC equals the MAC of the presented key (compared in constant time).
 *    Unknown, revoked, expired or wrong-secret keys get a policy allowing nothing (API Gateway answers 403); the MAC
 *    is computed even for an unknown key id, so the answer's timing does not tell which key ids exist.
 * 3. Anything else is a JWT: a Cognito **access** token of an accepted app client, verified by aws-jwt-verify
 *    (signature against the pool's JWKS, `alg` RS256, issuer, `token_use`, `client_id`, `exp`, `iat`/`nbf`); any
 *    failure is 401. Its scopes decide which routes it may call (`<resourceServerId>/chat`,
 *    `<resourceServerId>/models.read`).
 * 4. A person's token (not a client-credentials token) is checked against the user pool on every decision
 *    (`AdminGetUser` for its `username`): the user must exist, be enabled and be CONFIRMED (or EXTERNAL_PROVIDER when
 *    federated), else a policy allowing nothing (403); any error asking Cognito is 401 (fail closed, and API Gateway
 *    does not cache it). The user's team is their `custom:team` attribute. With API Gateway's cache of at most 60 s,
 *    a disabled or deleted user loses access within 60 s although their access token stays valid for up to an hour.
 *
 * The policy allows exactly the method ARNs (this API and stage) of the routes the credential may call, and nothing
 * else: API Gateway caches it per `Authorization` header value and reuses it for that credential's later calls to
 * any route, so it must be complete for the credential and never broader. A credential that may call no route gets
 * an explicit Deny of every route. The context carries the principal (see `AuthorizerContext`).
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { looksLikeApiKey, parseApiKey } from '../shared/api-key';
import type { AuthorizerContext, CallerKind } from '../shared/gateway-contract';
import { ADMITTED_USER_STATUSES, GATEWAY_ROUTES, GatewayScope, GATEWAY_SCOPES, TEAM_PATTERN, matchRoute } from '../shared/gateway-contract';
import type { KeyRecord } from '../shared/key-store';
import type { PoolUser } from './pool-users';

/** The caller presented no usable credential. API Gateway answers 401 when an authorizer fails with exactly "Unauthorized". */
export class UnauthorizedError extends Error {
  constructor(
    /** Why, for the authorizer's log (never the credential). */
    public readonly reason: string,
  ) {
    super('Unauthorized');
    this.name = 'UnauthorizedError';
  }
}

/** Entitlements of one machine client (client-credentials flow), from configuration. */
export interface MachineClient {
  readonly groups: readonly string[];
  readonly team: string;
}

/** What the decision needs from the outside world. */
export interface AuthorizerDeps {
  /** Verifies a Cognito access token and returns its payload; throws when it is not valid. */
  readonly verifyAccessToken: (token: string) => Promise<Record<string, unknown>>;
  /** The resource server's identifier (scopes arrive as `<id>/<scope>`). */
  readonly resourceServerId: string;
  /** Machine clients by app client id. */
  readonly machineClients: Readonly<Record<string, MachineClient>>;
  /** The key with this id, or `undefined`. */
  readonly getKey: (keyId: string) => Promise<KeyRecord | undefined>;
  /**
   * The pool user with this username, or `undefined` when there is none; throws when Cognito cannot answer.
   * Asked only for people's tokens.
   */
  readonly getUser: (username: string) => Promise<PoolUser | undefined>;
  /** The MAC of a whole key under the keys' HMAC key. */
  readonly macOf: (key: string) => Promise<Buffer>;
  /** Now, epoch milliseconds. */
  readonly now: () => number;
}

/** The subset of a REQUEST authorizer event the decision reads. */
export interface AuthorizerEventSource {
  readonly methodArn: string;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
}

/** The decision and what the log may say about it (never the credential). */
export interface Decision {
  readonly result: APIGatewayAuthorizerResult;
  /** `allow` when at least one route is allowed. */
  readonly outcome: 'allow' | 'deny';
  /** Why a deny, for the log. */
  readonly reason?: string;
}

/** The parts of a method ARN: `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`. */
interface MethodArn {
  /** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>` */
  readonly stageArn: string;
  readonly method: string;
  readonly path: string;
}

const METHOD_ARN = /^(arn:[a-z-]+:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+\/[A-Za-z0-9_-]+)\/([A-Z]+)(\/.*)?$/;

/** Parses the event's method ARN. @throws UnauthorizedError when it is not one */
export function parseMethodArn(arn: string): MethodArn {
  const m = METHOD_ARN.exec(arn);
  if (!m) throw new UnauthorizedError('unparseable method ARN');
  return { stageArn: m[1]!, method: m[2]!, path: m[3] ?? '/' };
}

/** The method ARN pattern of a route: `{name}` segments become `*` (one segment of this route only). */
export function routeMethodArn(stageArn: string, route: (typeof GATEWAY_ROUTES)[number]): string {
  return `${stageArn}/${route.method}${route.path.replace(/\{[^/}]+\}/g, '*')}`;
}

/** The credential from `Authorization: Bearer <credential>`, or `undefined`. */
export function bearerCredential(headers: AuthorizerEventSource['headers']): string | undefined {
  if (!headers) return undefined;
  let value: string | undefined;
  for (const [name, v] of Object.entries(headers)) {
    if (name.toLowerCase() === 'authorization' && typeof v === 'string') value = v;
  }
  const m = value === undefined ? null : /^Bearer +(\S+) *$/i.exec(value);
  return m ? m[1] : undefined;
}

/** Scope names (without the resource-server id) among the token's `scope` claim, in {@link GATEWAY_SCOPES} order. */
export function gatewayScopes(scopeClaim: unknown, resourceServerId: string): GatewayScope[] {
  if (typeof scopeClaim !== 'string') return [];
  const granted = new Set(scopeClaim.split(' '));
  return GATEWAY_SCOPES.filter((s) => granted.has(`${resourceServerId}/${s}`));
}

function policy(principalId: string, stageArn: string, scopes: readonly GatewayScope[], context: AuthorizerContext): APIGatewayAuthorizerResult {
  const allowed = GATEWAY_ROUTES.filter((r) => scopes.includes(r.scope)).map((r) => routeMethodArn(stageArn, r));
  const statement =
    allowed.length > 0
      ? { Effect: 'Allow' as const, Action: 'execute-api:Invoke', Resource: allowed }
      : { Effect: 'Deny' as const, Action: 'execute-api:Invoke', Resource: GATEWAY_ROUTES.map((r) => routeMethodArn(stageArn, r)) };
  return {
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [statement] },
    context: { ...context },
  };
}

function denyAll(stageArn: string, principalId: string, kind: CallerKind, subject: string): APIGatewayAuthorizerResult {
  return policy(principalId, stageArn, [], {
    kind,
    subject,
    team: '',
    groups: '',
    models: '',
    scopes: '',
    dailyBudgetUsd: '',
    monthlyBudgetUsd: '',
  });
}

/** Group names from a `cognito:groups` claim (an array of strings in an access token). */
function groupsOf(claim: unknown): string[] {
  if (!Array.isArray(claim)) return [];
  return [...new Set(claim.filter((g): g is string => typeof g === 'string' && /^\S{1,128}$/.test(g)))];
}

/**
 * Decides what the credential in the event may call.
 *
 * @throws UnauthorizedError (401) for a missing, malformed or invalid credential
 */
export async function decide(event: AuthorizerEventSource, deps: AuthorizerDeps): Promise<Decision> {
  const arn = parseMethodArn(event.methodArn);
  if (matchRoute(arn.method, arn.path) === undefined) throw new UnauthorizedError('method ARN names no gateway route');
  const credential = bearerCredential(event.headers);
  if (credential === undefined) throw new UnauthorizedError('no Bearer credential');
  return looksLikeApiKey(credential) ? decideKey(credential, arn, deps) : decideToken(credential, arn, deps);
}

async function decideKey(credential: string, arn: MethodArn, deps: AuthorizerDeps): Promise<Decision> {
  const parsed = parseApiKey(credential);
  if (parsed === undefined) throw new UnauthorizedError('malformed gateway API key');
  const principalId = `key:${parsed.keyId}`;
  const [record, mac] = await Promise.all([deps.getKey(parsed.keyId), deps.macOf(credential)]);
  const deny = (reason: string): Decision => ({ result: denyAll(arn.stageArn, principalId, 'key', parsed.keyId), outcome: 'deny', reason });
  if (record === undefined) return deny('unknown key id');
  const stored = Buffer.from(record.mac, 'base64');
  // Constant time: the comparison's duration does not depend on how many leading bytes match.
  if (stored.length !== mac.length || !timingSafeEqual(stored, mac)) return deny('wrong secret');
  if (record.status !== 'active') return deny('revoked');
  if (record.expiresAt * 1000 <= deps.now()) return deny('expired');
  if (record.models.length === 0) return deny('no models');
  const scopes = [...GATEWAY_SCOPES];
  return {
    outcome: 'allow',
    result: policy(principalId, arn.stageArn, scopes, {
      kind: 'key',
      subject: record.keyId,
      team: record.team,
      groups: '',
      models: record.models.join(' '),
      scopes: scopes.join(' '),
      dailyBudgetUsd: record.dailyBudgetUsd === undefined ? '' : String(record.dailyBudgetUsd),
      monthlyBudgetUsd: record.monthlyBudgetUsd === undefined ? '' : String(record.monthlyBudgetUsd),
    }),
  };
}

async function decideToken(credential: string, arn: MethodArn, deps: AuthorizerDeps): Promise<Decision> {
  let claims: Record<string, unknown>;
  try {
    claims = await deps.verifyAccessToken(credential);
  } catch (e) {
    throw new UnauthorizedError(`token refused: ${e instanceof Error ? e.name : 'error'}`);
  }
  const sub = claims.sub;
  const clientId = claims.client_id;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 512 || typeof clientId !== 'string') {
    throw new UnauthorizedError('token without sub or client_id');
  }
  const scopes = gatewayScopes(claims.scope, deps.resourceServerId);
  // Client-credentials tokens name no user: their sub is the app client id and they carry no username.
  const isClient = claims.username === undefined && sub === clientId;
  const machine = isClient && Object.prototype.hasOwnProperty.call(deps.machineClients, clientId) ? deps.machineClients[clientId] : undefined;
  if (isClient && machine === undefined) {
    return { result: denyAll(arn.stageArn, clientId, 'client', clientId), outcome: 'deny', reason: 'machine client not configured' };
  }
  const kind: CallerKind = isClient ? 'client' : 'user';
  let team = isClient ? machine!.team : '';
  if (!isClient) {
    const checked = await checkUser(claims.username, deps);
    if (checked.refusal !== undefined) return { result: denyAll(arn.stageArn, sub, 'user', sub), outcome: 'deny', reason: checked.refusal };
    team = checked.team;
  }
  const groups = isClient ? [...machine!.groups] : groupsOf(claims['cognito:groups']);
  const context: AuthorizerContext = {
    kind,
    subject: sub,
    team,
    groups: groups.join(' '),
    models: '',
    scopes: scopes.join(' '),
    dailyBudgetUsd: '',
    monthlyBudgetUsd: '',
  };
  const result = policy(sub, arn.stageArn, scopes, context);
  return scopes.length > 0 ? { result, outcome: 'allow' } : { result, outcome: 'deny', reason: 'no gateway scope' };
}

/**
 * Asks the user pool about the token's user: a refusal reason for the log when the user may not call, else their team.
 * @throws UnauthorizedError when the token names no username or Cognito cannot answer (fail closed)
 */
async function checkUser(username: unknown, deps: AuthorizerDeps): Promise<{ refusal?: string; team: string }> {
  if (typeof username !== 'string' || username.length === 0 || username.length > 128) throw new UnauthorizedError('user token without username');
  let user: PoolUser | undefined;
  try {
    user = await deps.getUser(username);
  } catch (e) {
    throw new UnauthorizedError(`user check failed: ${e instanceof Error ? e.name : 'error'}`);
  }
  if (user === undefined) return { refusal: 'user not found', team: '' };
  if (!user.enabled) return { refusal: 'user disabled', team: '' };
  if (!ADMITTED_USER_STATUSES.includes(user.status)) return { refusal: `user status ${user.status.slice(0, 32) || 'unknown'}`, team: '' };
  if (user.team !== '' && !TEAM_PATTERN.test(user.team)) return { refusal: 'custom:team attribute is not a team name', team: '' };
  return { team: user.team };
}
