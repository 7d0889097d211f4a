/**
 * The caller and what they may do, from the gateway's REQUEST authorizer's policy context.
 *
 * API Gateway (REST, proxy integration) puts the context the authorizer returned (`lambda/authorizer`, contract in
 * `lambda/shared/gateway-contract.ts`) in `event.requestContext.authorizer`, every value a string: `kind`
 * (`user`, `client` or `key`), `subject`, `team`, space-separated `groups`, `models` and `scopes`, and a key's budgets.
 *
 * Users and clients: a caller in several groups gets the union of their aliases; for one alias, the largest daily
 * quota and output cap among the groups that allow that alias. Groups the configuration does not know are ignored.
 * Keys have no groups: a key may use exactly the aliases of its allow-list that the configuration knows (a key for one
 * model cannot call another), with the largest quota and output cap any configured group has for that alias
 * (an alias no group allows is refused: the configuration sets no limits for it). Pure.
 *
 * @module
 */
import { CALLER_KINDS, type CallerKind } from '../shared/gateway-contract';
import { AuthenticationError, NotFoundError, PermissionDeniedError } from './errors';
import type { GatewayStaticConfig } from './runtime-config';

export type { CallerKind };

/** The authenticated caller. */
export interface Caller {
  /** What credential the caller presented: a person's access token, a machine client's, or a gateway API key. */
  readonly kind: CallerKind;
  /** A stable id: the Cognito `sub` of a user, the app client id of a client, the key id of a key. Never a secret. */
  readonly subject: string;
  /** The caller's team, when the credential names one. */
  readonly team?: string;
  /** The caller's groups (de-duplicated, in order); empty for keys. */
  readonly groups: readonly string[];
  /** The aliases a key may use (its allow-list); undefined for users and clients (their groups decide). */
  readonly models?: readonly string[];
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
  /** The model can be forced to one tool, which structured output (`response_format`) needs. */
  readonly forcedToolChoice: boolean;
  /** The model accepts image content. */
  readonly imageInput: boolean;
  /** `embedding` for an embedding model, `chat` otherwise. */
  readonly kind: 'chat' | 'embedding';
}

/** The subset of an API Gateway proxy event this module reads. */
export interface AuthorizerContextSource {
  readonly requestContext?: { readonly authorizer?: Readonly<Record<string, unknown>> | null } | null;
}

const MAX_SUBJECT_LENGTH = 512;
const MAX_GROUPS = 100;
/** A separator or a quotation mark: the claim lists or quotes its groups. */
const GROUP_LIST_SYNTAX = /[\s,"]/;

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
    // One group (the usual claim) has nothing to split or unquote: no split and no per-name replace.
    names = GROUP_LIST_SYNTAX.test(text) ? text.split(/[\s,]+/).map((n) => n.replace(/^"(.*)"$/, '$1')) : [text];
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
 * Reads the caller from the authorizer's context.
 *
 * @throws AuthenticationError (401) when there is no context, or no known `kind` or usable `subject`
 */
export function callerFromEvent(event: AuthorizerContextSource): Caller {
  const context = event.requestContext?.authorizer;
  if (typeof context !== 'object' || context === null) throw new AuthenticationError();
  const kind = context.kind;
  const subject = context.subject;
  if (typeof kind !== 'string' || !(CALLER_KINDS as readonly string[]).includes(kind)) throw new AuthenticationError();
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH) throw new AuthenticationError();
  const team = typeof context.team === 'string' && context.team.length > 0 ? context.team.slice(0, 128) : undefined;
  if (kind === 'key') {
    return { kind, subject, ...(team !== undefined ? { team } : {}), groups: [], models: parseGroups(context.models) };
  }
  return { kind: kind as CallerKind, subject, ...(team !== undefined ? { team } : {}), groups: parseGroups(context.groups) };
}

/**
 * The id the caller's token quota is counted under: a user's `sub` as before (existing counters stay valid), and
 * `client:<id>` / `key:<id>` for the other kinds, so a key id can never collide with a user's `sub`.
 */
export function quotaSubject(caller: Caller): string {
  return caller.kind === 'user' ? caller.subject : `${caller.kind}:${caller.subject}`;
}

/** The groups whose limits apply to `alias` for this caller: its own groups, or for a key every configured group. */
function limitingGroups(caller: Caller, alias: string, config: Catalogue): string[] {
  if (caller.models !== undefined) {
    if (!caller.models.includes(alias)) return [];
    return Object.keys(config.groups).filter((g) => config.groups[g]!.models.includes(alias));
  }
  return caller.groups.filter((g) => Object.prototype.hasOwnProperty.call(config.groups, g) && config.groups[g]!.models.includes(alias));
}

type Catalogue = Pick<GatewayStaticConfig, 'models' | 'groups'>;

/** The aliases the caller may use, sorted. */
export function allowedAliases(caller: Caller, config: Catalogue): string[] {
  const out = new Set<string>();
  if (caller.models !== undefined) {
    return Object.keys(config.models)
      .filter((alias) => limitingGroups(caller, alias, config).length > 0)
      .sort();
  }
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
 * @throws PermissionDeniedError (403) when none of the caller's groups allows it, or it is not on a key's allow-list
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
  for (const g of limitingGroups(caller, alias, config)) {
    const spec = config.groups[g]!;
    viaGroups.push(g);
    quota = Math.max(quota, spec.dailyTokenQuota);
    cap = Math.max(cap, spec.maxOutputTokens);
  }
  if (viaGroups.length === 0) {
    throw new PermissionDeniedError(`You are not allowed to use the model ${JSON.stringify(alias)}.`, { code: 'model_not_allowed', param: 'model' });
  }
  return {
    alias,
    modelId: model.modelId,
    dailyTokenQuota: quota,
    maxOutputTokens: Math.min(cap, model.maxOutputTokens),
    viaGroups,
    forcedToolChoice: model.forcedToolChoice === true,
    imageInput: model.imageInput === true,
    kind: model.kind === 'embedding' ? 'embedding' : 'chat',
  };
}
