/**
 * `secure-llm-keys keys create|list|revoke|rotate`: gateway API key administration, run by an administrator with their
 * own AWS credentials (the SDK's default chain) and the stack's `KeysAdminPolicyArn` attached. The secret of a new or
 * rotated key is printed once and never stored: the table keeps only its KMS HMAC. Pure apart from the injected
 * store, MAC and clock, so tests run it against dynalite and a loopback KMS.
 *
 * @module
 */
import { newApiKey } from '../lambda/shared/api-key';
import { API_KEY_ID_PATTERN } from '../lambda/shared/gateway-contract';
import { KeyNotFoundError, KeyStore } from '../lambda/shared/key-store';

/** What the commands need. */
export interface KeysCliDeps {
  readonly store: Pick<KeyStore, 'create' | 'list' | 'revoke' | 'rotate'>;
  readonly macOf: (key: string) => Promise<Buffer>;
  readonly now: () => Date;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** A usage error: the message says what to write instead. */
export class UsageError extends Error {}

export const USAGE = `Usage:
  secure-llm-keys keys create --owner <who> --team <team> --models <alias,alias> [--expires-days <1-366, default 90>]
                              [--daily-budget-usd <n>] [--monthly-budget-usd <n>]
  secure-llm-keys keys list
  secure-llm-keys keys revoke <keyId>
  secure-llm-keys keys rotate <keyId>
Options for every command (or the environment variable):
  --table <name>        SECURE_LLM_KEYS_TABLE    the stack output KeysTableName
  --mac-key <arn>       SECURE_LLM_KEYS_MAC_KEY  the stack output KeysMacKeyArn
  --region <region>     AWS_REGION`;

/** Splits `--name value` options from positional arguments. */
export function parseArgs(argv: readonly string[]): { positional: string[]; options: Record<string, string> } {
  const positional: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${a} needs a value`);
      options[a.slice(2)] = value;
      i++;
    } else {
      positional.push(a);
    }
  }
  return { positional, options };
}

function budget(options: Record<string, string>, name: string): number | undefined {
  const text = options[name];
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 1_000_000) throw new UsageError(`--${name} must be a positive number of USD up to 1000000, got ${JSON.stringify(text)}`);
  return n;
}

function keyIdArg(positional: string[]): string {
  const keyId = positional[2];
  if (keyId === undefined || !API_KEY_ID_PATTERN.test(keyId)) throw new UsageError(`a key id (12 letters and digits, as keys list shows) is required, got ${JSON.stringify(keyId ?? '')}`);
  return keyId;
}

/** Runs one command; resolves with the exit code. */
export async function runKeysCli(argv: readonly string[], deps: KeysCliDeps): Promise<number> {
  try {
    const { positional, options } = parseArgs(argv);
    if (positional[0] !== 'keys') throw new UsageError(`unknown command ${JSON.stringify(positional[0] ?? '')}`);
    const now = deps.now();
    switch (positional[1]) {
      case 'create': {
        const owner = options.owner;
        const team = options.team;
        const models = (options.models ?? '').split(',').map((m) => m.trim()).filter((m) => m.length > 0);
        if (!owner || owner.length > 256) throw new UsageError('--owner is required (who the key is for, e.g. an email address)');
        if (team === undefined || !/^\S{1,128}$/.test(team)) throw new UsageError('--team is required: 1-128 characters without spaces');
        if (models.length === 0 || models.some((m) => !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(m))) {
          throw new UsageError(`--models must list the model aliases the key may call, comma-separated (e.g. nova-lite), got ${JSON.stringify(options.models ?? '')}`);
        }
        const days = Number(options['expires-days'] ?? '90');
        if (!Number.isInteger(days) || days < 1 || days > 366) throw new UsageError(`--expires-days must be a whole number from 1 to 366, got ${JSON.stringify(options['expires-days'])}`);
        const dailyBudgetUsd = budget(options, 'daily-budget-usd');
        const monthlyBudgetUsd = budget(options, 'monthly-budget-usd');
        const { keyId, key } = newApiKey();
        await deps.store.create({
          keyId,
          mac: (await deps.macOf(key)).toString('base64'),
          owner,
          team,
          models,
          expiresAt: Math.floor(now.getTime() / 1000) + days * 86_400,
          status: 'active',
          createdAt: now.toISOString(),
          ...(dailyBudgetUsd !== undefined ? { dailyBudgetUsd } : {}),
          ...(monthlyBudgetUsd !== undefined ? { monthlyBudgetUsd } : {}),
        });
        deps.out(`keyId: ${keyId}`);
        deps.out(`key: ${key}`);
        deps.err('The key is shown once and not stored; hand it over securely. Revoke it with: secure-llm-keys keys revoke ' + keyId);
        return 0;
      }
      case 'list': {
        for (const k of await deps.store.list()) {
          const expired = k.expiresAt * 1000 <= now.getTime();
          deps.out(
            [k.keyId, k.status === 'active' && expired ? 'expired' : k.status, k.owner, k.team, k.models.join(','), new Date(k.expiresAt * 1000).toISOString()].join('\t'),
          );
        }
        return 0;
      }
      case 'revoke': {
        const keyId = keyIdArg(positional);
        await deps.store.revoke(keyId, now);
        deps.out(`revoked ${keyId} (API Gateway may serve a cached decision for up to the authorizer cache TTL, at most 60 s)`);
        return 0;
      }
      case 'rotate': {
        const keyId = keyIdArg(positional);
        const { key } = newApiKey(keyId);
        await deps.store.rotate(keyId, (await deps.macOf(key)).toString('base64'), now);
        deps.out(`keyId: ${keyId}`);
        deps.out(`key: ${key}`);
        deps.err('The old secret stops working (within the authorizer cache TTL); the new key is shown once.');
        return 0;
      }
      default:
        throw new UsageError(`unknown keys command ${JSON.stringify(positional[1] ?? '')}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      deps.err(`secure-llm-keys: ${e.message}\n${USAGE}`);
      return 2;
    }
    if (e instanceof KeyNotFoundError) {
      deps.err(`secure-llm-keys: ${e.message} (or it is revoked: a revoked key cannot be rotated)`);
      return 1;
    }
    throw e;
  }
}
