/**
 * Provider token formats the credential detector ({@link redactSecrets} in `secrets.ts`) recognizes by their shape.
 * Data only: the matching lives in `secrets.ts`.
 *
 * Sources. Where a rule follows secretlint's recommended preset (`@secretlint/secretlint-rule-preset-recommend`
 * 12.0.0, MIT licence, https://github.com/secretlint/secretlint), its `source` says `secretlint <rule>`; the
 * patterns were rewritten with bounded quantifiers and ASCII boundaries so that they run synchronously in linear time
 * (secretlint's API is asynchronous, see bench/secrets.bench.ts). Other rules follow the provider's documented format.
 *
 * Every pattern must: be global (`g`); start at its trigger (see {@link SecretTrigger}) behind a boundary
 * lookbehind on its own alphabet, so no attempt starts inside a run an earlier attempt already read; keep every
 * quantifier bounded.
 */

/**
 * A literal every match contains: the detector runs the pattern only where the literal occurs (one native scan for
 * `literal[anchor]`, a character chosen to be rare in ordinary text), at `back` characters before it.
 */
export interface SecretTrigger {
  readonly literal: string;
  readonly anchor: number;
  readonly back: number;
}

/** One provider token format. */
export interface SecretRule {
  /** The `<kind>` of the `[REDACTED:<kind>]` placeholder. */
  readonly kind: string;
  /** The format; global, bounded quantifiers. */
  readonly pattern: RegExp;
  /** Capture group holding the secret (the rest of the match is kept); 0 for the whole match. */
  readonly group: number;
  /** Where matches can start (see {@link SecretTrigger}); empty: the whole text is scanned when `hint` matches. */
  readonly triggers: readonly SecretTrigger[];
  /** For rules without triggers: a cheap test that must hold for the pattern to be run at all. */
  readonly hint?: RegExp;
  /** Where the format comes from. */
  readonly source: string;
}

const at = (literal: string, anchor = 0, back = 0): SecretTrigger => ({ literal, anchor, back });

/** Token formats, in the order they are redacted (longer, more specific formats first). */
export const SECRET_RULES: readonly SecretRule[] = [
  {
    kind: 'jwt',
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{8,4096}(?![A-Za-z0-9_-])/g,
    group: 0,
    triggers: [at('eyJ', 2)],
    source: 'RFC 7519 compact serialization (base64url JSON header and payload)',
  },
  {
    kind: 'aws-access-key-id',
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    group: 0,
    triggers: [at('A')],
    source: 'AWS IAM unique identifier prefixes; secretlint aws',
  },
  {
    kind: 'github-token',
    pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])/g,
    group: 0,
    triggers: [at('_', 0, 3), at('_', 0, 6)],
    source: 'GitHub token formats (prefix, base62, CRC32); secretlint github',
  },
  {
    kind: 'gitlab-token',
    pattern: /(?<![A-Za-z0-9_-])gl(?:pat|rt|dt|ptt|ft|imt|agent|oas)-[A-Za-z0-9_-]{20,128}(?![A-Za-z0-9_-])/g,
    group: 0,
    triggers: [at('gl')],
    source: 'GitLab token prefixes; secretlint gitlab',
  },
  {
    kind: 'slack-token',
    pattern: /(?<![A-Za-z0-9-])(?:xox[abposr]|xapp)-[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])/g,
    group: 0,
    triggers: [at('xox'), at('xapp')],
    source: 'Slack token prefixes; secretlint slack',
  },
  {
    kind: 'slack-webhook',
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]{20,200}/g,
    group: 0,
    triggers: [at('https://hooks.slack.com/', 5)],
    source: 'Slack incoming webhooks; secretlint slack',
  },
  {
    kind: 'api-key',
    pattern: /(?<![A-Za-z0-9_-])(?:sk-(?:proj-|svcacct-|admin-|ant-[a-z0-9]{2,10}-)?[A-Za-z0-9_-]{20,200}|AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])/g,
    group: 0,
    triggers: [at('sk-', 2), at('AIza', 2)],
    source: 'OpenAI and Anthropic key prefixes (secretlint openai, anthropic); Google API keys',
  },
  {
    kind: 'stripe-key',
    pattern: /(?<![A-Za-z0-9_-])[sr]k_live_[A-Za-z0-9]{16,247}(?![A-Za-z0-9_-])/g,
    group: 0,
    triggers: [at('k_live_', 1, 1)],
    source: 'Stripe secret and restricted live keys',
  },
  {
    kind: 'npm-token',
    pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g,
    group: 0,
    triggers: [at('npm_', 3)],
    source: 'secretlint npm',
  },
  {
    kind: 'pypi-token',
    pattern: /(?<![A-Za-z0-9_-])pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,1000}(?![A-Za-z0-9_-])/g,
    group: 0,
    triggers: [at('pypi-AgEIcHlwaS5vcmc', 10)],
    source: 'PyPI API tokens (macaroon for pypi.org)',
  },
  {
    kind: 'huggingface-token',
    pattern: /(?<![A-Za-z0-9_])(?:hf|api_org)_[A-Za-z]{34}(?![A-Za-z0-9_])/g,
    group: 0,
    triggers: [at('_', 0, 2), at('_org_', 0, 3)],
    source: 'secretlint huggingface',
  },
  {
    kind: 'sendgrid-key',
    pattern: /(?<![A-Za-z0-9_-])SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}(?![A-Za-z0-9_-])/g,
    group: 0,
    triggers: [at('SG.', 1)],
    source: 'secretlint sendgrid',
  },
  {
    kind: 'twilio-key',
    pattern: /(?<![A-Za-z0-9])SK[0-9a-f]{32}(?![A-Za-z0-9])/g,
    group: 0,
    triggers: [at('SK', 1)],
    source: 'Twilio API key SIDs',
  },
  {
    kind: 'mailgun-key',
    pattern: /(?<![A-Za-z0-9-])(?:key-[0-9a-f]{32}|[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})(?![A-Za-z0-9-])/g,
    group: 0,
    triggers: [at('key-', 3), at('-', 0, 32)],
    source: 'Mailgun private API keys (legacy `key-` and current forms)',
  },
  {
    kind: 'azure-storage-key',
    pattern: /(?<![A-Za-z0-9])(AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{40,100}={0,2})(?![A-Za-z0-9+/=])/g,
    group: 2,
    triggers: [at('Key=', 0, 7), at('Key=', 0, 12)],
    source: 'Azure Storage and Service Bus connection strings',
  },
  {
    kind: 'password',
    // user:password@ in any URL (database URLs, basic auth); the host must follow. The password is the match's tail.
    pattern: /:\/\/([^\s:/?#@"'<>`]{1,128}):([^\s/?#@"'<>`]{1,256})(?=@[A-Za-z0-9[])/g,
    group: 2,
    triggers: [at('://')],
    source: 'RFC 3986 userinfo; secretlint basicauth, database-connection-string',
  },
  {
    kind: 'secret',
    // .NET configuration files: <add key="DbPassword" value="…" />. The value is the match's tail.
    pattern: /(?<![A-Za-z0-9_-])key=["'][A-Za-z0-9_.:-]{0,48}?(?:password|passwd|pwd|secret|token|api[_-]?key|apikey)["'][ \t]{1,8}value=["']([^"'\n]{4,256})(?=["'])/gi,
    group: 1,
    triggers: [],
    hint: /key=["']/i,
    source: '.NET appSettings and connectionStrings (`<add key=… value=…/>`)',
  },
  {
    kind: 'bearer-token',
    pattern: /(?<![A-Za-z0-9])bearer[ \t]{1,8}([A-Za-z0-9._~+/-]{16,4096}=*)/gi,
    group: 1,
    // Case-insensitive: a native scan for the first letters' case variants is not cheaper than the pattern itself.
    triggers: [],
    hint: /bearer[ \t]/i,
    source: 'RFC 6750 Authorization header',
  },
];
