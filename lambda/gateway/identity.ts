/**
 * The caller and what they may do, from the API Gateway Cognito user-pool authorizer's claims.
 *
 * API Gateway (REST, proxy integration) puts the verified ID or access token's claims in
 * `event.requestContext.authorizer.claims`, every value as a string. `cognito:groups` arrives in several shapes
 * depending on the token and the integration: `"a,b"`, `"a b"`, `"[a b]"` or `'["a","b"]'`; all are accepted.
 *
 * A caller in several groups gets the union of their aliases; for one alias, the largest daily quota and output
 * cap among the groups that allow that alias. Groups the configuration does not know are ignored. Pure.
 *
 * @module
 */
import { AuthenticationError, NotFoundError, PermissionDeniedError } from './errors';
import type { GatewayStaticConfig } from './runtime-config';

/** How a caller authenticated (the authorizer context's `kind`): a person, a program's app client, a gateway API key. */
export type CallerKind = 'user' | 'client' | 'key';

/** The authenticated caller. */
export interface Caller {
  /** The Cognito `sub`: a stable user id, used for quotas and audit. */
  readonly sub: string;
  /** How the caller authenticated (authorizer context `kind`). @default 'user' when the context does not say */
  readonly kind?: CallerKind;
  /** The Cognito sub, app client id or key id (authorizer context `subject`). @default the `sub` */
  readonly subject?: string;
  /** The caller's team (authorizer context `team`), '' for none. @default '' */
  readonly team?: string;
  /** The caller's groups as the token lists them (de-duplicated, in order). */
  readonly groups: readonly string[];
}

/** What the caller may spend on one alias. */
export interface Entitlement {
  /** The alias. */
  readonly alias: string;
  /** The Bedrock model or inference-profile id behind it. */
  readonly modelId: string;
  /** Tokens per UTC day: the largest quota of the caller's groups that allow the alias. */
  readonly dailyTokenQuota: number;
  /** Output-token cap: min(model cap, the largest group cap among the caller's groups that allow the alias). */
  readonly maxOutputTokens: number;
  /** The caller's groups that allow the alias. */
  readonly viaGroups: readonly string[];
}

/** The subset of an API Gateway proxy event this module reads. */
export interface AuthorizerContextSource {
  readonly requestContext?: { readonly authorizer?: { readonly claims?: unknown; readonly [name: string]: unknown } | null } | null;
}

const MAX_SUB_LENGTH = 512;
const MAX_GROUPS = 100;

/**
 * Splits a `cognito:groups` claim value into group names.
 *
 * @param value - the claim as API Gateway passes it (a string), or an array if a future integration passes one
 */
export function parseGroups(value: unknown): string[] {
  let names: unknown[];
  if (Array.isArray(value)) {
    names = value;
  } else if (typeof value === 'string') {
    let text = value.trim();
    if (text.startsWith('[') && text.endsWith(']')) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (Array.isArray(parsed)) return parseGroups(parsed);
      } catch {
        // "[a b]" (API Gateway's rendering of a list) is not JSON: strip the brackets and split.
      }
      text = text.slice(1, -1);
    }
    names = text.split(/[\s,]+/).map((n) => n.replace(/^"(.*)"$/, '$1'));
  } else {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    if (typeof n === 'string' && n.length > 0 && n.length <= 128 && !out.includes(n)) out.push(n);
    if (out.length >= MAX_GROUPS) break;
  }
  return out;
}

/**
 * Reads the caller from the authorizer claims.
 *
 * @throws AuthenticationError (401) when there are no claims or no usable `sub`
 */
export function callerFromEvent(event: AuthorizerContextSource): Caller {
  const claims = event.requestContext?.authorizer?.claims;
  if (typeof claims !== 'object' || claims === null) throw new AuthenticationError();
  const record = claims as Record<string, unknown>;
  const sub = record.sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUB_LENGTH) throw new AuthenticationError();
  const context = event.requestContext?.authorizer ?? {};
  const kind = context.kind === 'client' || context.kind === 'key' ? context.kind : 'user';
  const subject = typeof context.subject === 'string' && context.subject.length > 0 && context.subject.length <= MAX_SUB_LENGTH ? context.subject : sub;
  const team = typeof context.team === 'string' && context.team.length <= 128 ? context.team : '';
  return { sub, kind, subject, team, groups: parseGroups(record['cognito:groups']) };
}

type Catalogue = Pick<GatewayStaticConfig, 'models' | 'groups'>;

/** The aliases the caller may use, sorted. */
export function allowedAliases(caller: Caller, config: Catalogue): string[] {
  const out = new Set<string>();
  for (const g of caller.groups) {
    const spec = Object.prototype.hasOwnProperty.call(config.groups, g) ? config.groups[g] : undefined;
    for (const alias of spec?.models ?? []) {
      if (Object.prototype.hasOwnProperty.call(config.models, alias)) out.add(alias);
    }
  }
  return [...out].sort();
}

/**
 * Decides whether the caller may use `alias`, and with which limits.
 *
 * @throws NotFoundError (404, `model_not_found`) when no such alias exists
 * @throws PermissionDeniedError (403) when none of the caller's groups allows it
 */
export function authorizeModel(caller: Caller, alias: string, config: Catalogue): Entitlement {
  const model = Object.prototype.hasOwnProperty.call(config.models, alias) ? config.models[alias] : undefined;
  if (model === undefined) {
    throw new NotFoundError(`The model ${JSON.stringify(alias.slice(0, 128))} does not exist. List the models you may use with GET /v1/models.`, {
      code: 'model_not_found',
      param: 'model',
    });
  }
  const viaGroups: string[] = [];
  let quota = 0;
  let cap = 0;
  for (const g of caller.groups) {
    const spec = Object.prototype.hasOwnProperty.call(config.groups, g) ? config.groups[g] : undefined;
    if (spec === undefined || !spec.models.includes(alias)) continue;
    viaGroups.push(g);
    quota = Math.max(quota, spec.dailyTokenQuota);
    cap = Math.max(cap, spec.maxOutputTokens);
  }
  if (viaGroups.length === 0) {
    throw new PermissionDeniedError(`You are not allowed to use the model ${JSON.stringify(alias)}.`, { code: 'model_not_allowed', param: 'model' });
  }
  return { alias, modelId: model.modelId, dailyTokenQuota: quota, maxOutputTokens: Math.min(cap, model.maxOutputTokens), viaGroups };
}
