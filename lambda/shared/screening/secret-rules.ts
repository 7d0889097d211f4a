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
    pattern: /(?<![A-Za-z0-9_-])(?:gl(?:pat|rt|dt|ptt|ft|imt|agent|oas|soat|ffct|wt)-[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{9})?|glcbt-[0-9a-zA-Z]{1,5}_[A-Za-z0-9_-]{20,128}|GR1348941[A-Za-z0-9_-]{20,64})(?![A-Za-z0-9_-])/g,
    group: 0,
    triggers: [at('gl'), at('GR1348941', 2)],
    source: 'GitLab token prefixes (docs.gitlab.com/security/tokens: glpat-, glrt-, gldt-, glcbt-, glffct-, glsoat-, GR1348941 …, routable tokens\' .<base36> suffix); secretlint gitlab',
  },
  {
    kind: 'slack-token',
    // xox?-<team or user id digits>-…, ending with a letter or digit; app-level xapp-1-A…-<digits>-<hex>; configuration
    // tokens xoxe.xoxp-1-… and their refresh tokens xoxe-1-…. A bare `xoxb-` followed by words is a placeholder.
    pattern: /(?<![A-Za-z0-9.-])(?:xox[abposre]-(?:[0-9]-)?[0-9]{6,14}-[A-Za-z0-9-]{7,249}[A-Za-z0-9]|xapp-[0-9]-[A-Za-z0-9]{6,14}-[0-9]{6,14}-[A-Za-z0-9]{16,128}|xoxe\.xox[bp]-[0-9]-[A-Za-z0-9]{140,200}|xoxe-[0-9]-[A-Za-z0-9]{120,200})(?![A-Za-z0-9-])/g,
    group: 0,
    triggers: [at('xox'), at('xapp')],
    source: 'Slack token types (api.slack.com/authentication/token-types, config-tokens); secretlint slack',
  },
  {
    kind: 'slack-webhook',
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]{20,200}/g,
    group: 0,
    triggers: [at('https://hooks.slack.com/', 5)],
    source: 'Slack incoming webhooks; secretlint slack',
  },
  {
    kind: 'discord-webhook',
    // The id and token of the URL are the credential; the host is kept.
    pattern: /(?<![A-Za-z0-9-])discord(?:app)?\.com\/api\/webhooks\/([0-9]{17,20}\/[A-Za-z0-9_-]{60,68})(?![A-Za-z0-9_-])/g,
    group: 1,
    triggers: [at('com/api/webhooks/', 3, 8), at('com/api/webhooks/', 3, 11)],
    source: 'Discord webhook URLs (discord.com/developers/docs/resources/webhook: /api/webhooks/{id}/{token})',
  },
  {
    kind: 'teams-webhook',
    pattern: /(?<![A-Za-z0-9-])webhook\.office\.com\/webhookb2\/([A-Za-z0-9@/-]{80,300})/g,
    group: 1,
    triggers: [at('webhook.office.com/webhookb2/', 18)],
    source: 'Microsoft Teams incoming webhook URLs (learn.microsoft.com, Create incoming webhooks)',
  },
  {
    kind: 'telegram-bot-token',
    // <bot id>:<35-character secret>; the id has grown from 8 to 10 digits over the years.
    // Also in the Bot API's URLs: https://api.telegram.org/bot<token>/getMe.
    // The match starts at the colon (a literal-led scan); the bot id before it is public, the secret after it is redacted.
    pattern: /:(?<=(?:\/bot|(?<![A-Za-z0-9_:-]))[0-9]{8,10}:)(A[A-Za-z0-9_-]{34})(?![A-Za-z0-9_-])/g,
    group: 1,
    triggers: [at(':A', 1)],
    source: 'Telegram Bot API token (core.telegram.org/bots/api#authorizing-your-bot: <bot id>:<secret>)',
  },
  {
    kind: 'google-oauth',
    // OAuth client secrets (GOCSPX-), access tokens (ya29.) and refresh tokens (1//0…).
    pattern: /(?<![A-Za-z0-9_/.-])(?:GOCSPX-[A-Za-z0-9_-]{28}|ya29\.[A-Za-z0-9_-]{30,2048}|1\/\/0[A-Za-z0-9_-]{40,512})(?![A-Za-z0-9_-])/g,
    group: 0,
    triggers: [at('GOCSPX-', 5), at('ya29.', 3), at('1//0', 1)],
    source: 'Google OAuth 2.0 client secrets, access and refresh tokens (developers.google.com/identity/protocols/oauth2)',
  },
  {
    kind: 'azure-ad-client-secret',
    // Three characters, a digit, "Q~", then 31 to 34 characters.
    pattern: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g,
    group: 0,
    triggers: [at('Q~', 1, 4)],
    source: 'Microsoft Entra ID (Azure AD) client secret, Purview sensitive information type "Azure AD client secret"',
  },
  {
    kind: 'atlassian-token',
    pattern: /(?<![A-Za-z0-9_=-])ATATT3[A-Za-z0-9_=-]{150,250}(?![A-Za-z0-9_=-])/g,
    group: 0,
    triggers: [at('ATATT3', 3)],
    source: 'Atlassian API tokens (support.atlassian.com, Manage API tokens: ATATT3…)',
  },
  {
    kind: 'shopify-token',
    pattern: /(?<![A-Za-z0-9_-])shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![A-Za-z0-9_-])/g,
    group: 0,
    triggers: [at('shpat_', 5), at('shpca_', 5), at('shppa_', 5), at('shpss_', 5)],
    source: 'Shopify access tokens and shared secrets (shopify.dev: shpat_, shpca_, shppa_, shpss_)',
  },
  {
    kind: 'digitalocean-token',
    pattern: /(?<![A-Za-z0-9_-])do[opr]_v1_[a-f0-9]{64}(?![A-Za-z0-9_-])/g,
    group: 0,
    triggers: [at('_v1_', 0, 3)],
    source: 'DigitalOcean personal, OAuth and refresh tokens (docs.digitalocean.com, token prefixes dop_v1_, doo_v1_, dor_v1_)',
  },
  {
    kind: 'databricks-token',
    pattern: /(?<![A-Za-z0-9_-])dapi[a-f0-9]{32}(?:-[0-9])?(?![A-Za-z0-9_-])/g,
    group: 0,
    triggers: [at('dapi', 1)],
    source: 'Databricks personal access tokens (docs.databricks.com: dapi + 32 hex)',
  },
  {
    kind: 'hashicorp-token',
    // Vault service, batch and recovery tokens (hvs., hvb., hvr.).
    pattern: /(?<![A-Za-z0-9_.-])hv[sbr]\.[A-Za-z0-9_-]{90,400}(?![A-Za-z0-9_.-])/g,
    group: 0,
    triggers: [at('hvs.', 3), at('hvb.', 3), at('hvr.', 3)],
    source: 'Vault token prefixes (developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes)',
  },
  {
    kind: 'hashicorp-token',
    // Vault service tokens before 1.10: "s." and 24 base62 characters; with a digit, so that `s.AcceptanceTimeoutSeconds`
    // (a member expression) is none.
    pattern: /(?<![A-Za-z0-9_.$-])s\.(?=[A-Za-z]{0,23}[0-9])[A-Za-z0-9]{24}(?![A-Za-z0-9_.-])/g,
    group: 0,
    triggers: [at('s.', 1)],
    source: 'Vault service tokens before 1.10 (developer.hashicorp.com/vault/docs/concepts/tokens)',
  },
  {
    kind: 'hashicorp-token',
    // The match starts at ".atlasv1." (a literal-led scan); the token id before it stays, the secret after it is redacted.
    pattern: /\.atlasv1\.(?<=(?<![A-Za-z0-9])[A-Za-z0-9]{14}\.atlasv1\.)([A-Za-z0-9_=-]{60,70})(?![A-Za-z0-9_=-])/g,
    group: 1,
    triggers: [at('.atlasv1.', 6)],
    source: 'HCP Terraform / Terraform Enterprise API tokens (<id>.atlasv1.<secret>)',
  },
  {
    kind: 'age-secret-key',
    pattern: /(?<![A-Za-z0-9-])AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}(?![A-Za-z0-9])/g,
    group: 0,
    triggers: [at('AGE-SECRET-KEY-1', 4)],
    source: 'age X25519 identity (age-encryption.org/v1: Bech32, HRP AGE-SECRET-KEY-)',
  },
  {
    kind: 'onepassword-secret',
    pattern: /(?<![A-Za-z0-9_-])(?:A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}|ops_eyJ[A-Za-z0-9+/]{200,4096}={0,3})(?![A-Za-z0-9+/=_-])/g,
    group: 0,
    triggers: [at('A3-', 1), at('ops_eyJ', 6)],
    source: '1Password Secret Key (1Password security white paper) and service account tokens (developer.1password.com: ops_…)',
  },
  {
    kind: 'square-token',
    pattern: /(?<![A-Za-z0-9_-])(?:sq0(?:atp|csp|idp)-[A-Za-z0-9_-]{22,43}|EAAA[A-Za-z0-9_-]{60})(?![A-Za-z0-9_-])/g,
    group: 0,
    triggers: [at('sq0', 2), at('EAAA', 1)],
    source: 'Square access tokens and application secrets (developer.squareup.com: EAAA…, sq0atp-, sq0csp-)',
  },
  {
    kind: 'facebook-token',
    pattern: /(?<![A-Za-z0-9+/=])EAA[A-Za-z0-9]{90,400}(?![A-Za-z0-9+/=])/g,
    group: 0,
    triggers: [at('EAA', 1)],
    source: 'Meta Graph API access tokens (EAA…)',
  },
  {
    kind: 'api-key',
    // Developer-platform keys whose prefix holds a capital letter, a '~' or 'J' (rare in prose and code): the candidate scan stays sparse.
    pattern: /(?<![A-Za-z0-9_-])(?=[ACEFHLNPcesx])(?:AKCp[A-Za-z0-9]{69}|cmVmd[A-Za-z0-9]{59}|LTAI[A-Za-z0-9]{12,20}|CFPAT-[A-Za-z0-9_-]{43}|EZ[AT]K[A-Za-z0-9]{54}|FLWSECK(?:_TEST)?-[a-h0-9]{32}-X|HRKU-AA[A-Za-z0-9_-]{58}|NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9_-]{32}|API-(?=[A-Z]{0,25}[0-9])[A-Z0-9]{26}|sha256~[A-Za-z0-9_-]{43}|PMAK-[a-f0-9]{24}-[a-f0-9]{34}|sk\.eyJ[A-Za-z0-9_-]{50,400}\.[A-Za-z0-9_-]{20,100}|eyJrIjoi[A-Za-z0-9]{70,400}={0,2}|sntrys_eyJ[A-Za-z0-9+/=_]{60,600}|xai-[A-Za-z0-9]{80})(?![A-Za-z0-9_+/=-])/g,
    group: 0,
    triggers: [at('AKCp', 1), at('cmVmd', 2), at('LTAI', 0), at('CFPAT-', 1), at('EZ', 1), at('FLWSECK', 1), at('HRKU-', 1), at('NRAK-', 1), at('NRII-', 1), at('API-', 1), at('sha256~', 6), at('PMAK-', 1), at('sk.eyJ', 5), at('eyJrIjoi', 2), at('sntrys_eyJ', 9), at('xai-', 3)],
    source: 'Documented vendor token prefixes: JFrog Artifactory (AKCp, cmVmd), Alibaba Cloud AccessKey ID (LTAI), Contentful (CFPAT-), EasyPost (EZAK, EZTK), Flutterwave (FLWSECK), Heroku (HRKU-AA), New Relic (NRAK-, NRII-), Octopus Deploy (API-), OpenShift (sha256~), Postman (PMAK-), Mapbox secret tokens (sk.eyJ), Grafana API keys (eyJrIjoi), Sentry organization tokens (sntrys_), xAI (xai-)',
  },
  {
    kind: 'api-key',
    // Keys whose prefix ends with '_': sparse in prose, dense in code, where the scan of this pattern takes over.
    pattern: /(?<![A-Za-z0-9_-])(?=[dfglnprst])(?:dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,36}|duffel_(?:test|live)_[A-Za-z0-9_=-]{43}|figd_[A-Za-z0-9_-]{38,48}|fo1_[A-Za-z0-9_-]{43}|fm(?:2|1[ar])_[A-Za-z0-9+/]{100,2048}={0,3}|lin_(?:api|oauth)_[A-Za-z0-9]{40,64}|lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}|ntn_[0-9]{11}[A-Za-z0-9]{35}|pnu_[A-Za-z0-9]{36}|pscale_(?:tkn|oauth|pw)_[A-Za-z0-9_=.-]{31,63}[A-Za-z0-9_=-]|gsk_[A-Za-z0-9]{52}|r8_[A-Za-z0-9]{37}|rdme_[a-z0-9]{70}|rubygems_[a-f0-9]{48}|sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{20,80}|sntryu_[a-f0-9]{64}|sgp_(?:[a-f0-9]{16}_|local_)?[a-f0-9]{40}|shippo_(?:live|test)_[a-f0-9]{40}|sm_(?:pat|aat|sat)_[A-Za-z0-9]{16}|tfp_[A-Za-z0-9_.=-]{59}|glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})(?![A-Za-z0-9_+/=-])/g,
    group: 0,
    triggers: [at('dckr_', 4), at('duffel_', 6), at('figd_', 4), at('fo1_', 3), at('fm2_', 3), at('fm1a_', 4), at('fm1r_', 4), at('lin_', 3), at('lsv2_', 4), at('ntn_', 3), at('pnu_', 3), at('pscale_', 6), at('gsk_', 3), at('r8_', 2), at('rdme_', 4), at('rubygems_', 8), at('sbp_', 3), at('sb_secret_', 2), at('sntryu_', 6), at('sgp_', 3), at('shippo_', 6), at('sm_', 2), at('tfp_', 3), at('glc_', 3), at('glsa_', 4)],
    source: 'Documented vendor token prefixes: Docker Hub (dckr_pat_), Duffel, Figma (figd_), Fly.io (fo1_, fm1a_, fm1r_, fm2_), Linear (lin_api_), LangSmith (lsv2_), Notion (ntn_), Prefect (pnu_), PlanetScale (pscale_), Groq (gsk_), Replicate (r8_), ReadMe (rdme_), RubyGems (rubygems_), Supabase (sbp_, sb_secret_), Sentry user tokens (sntryu_), Sourcegraph (sgp_), Shippo, SettleMint (sm_), Typeform (tfp_), Grafana (glc_, glsa_)',
  },
  {
    kind: 'api-key',
    // Keys whose prefix is anchored on a '-' or a digit.
    pattern: /(?<![A-Za-z0-9_-])(?=[4dfipstvx])(?:p8e-[A-Za-z0-9]{32}|4b1d(?=[a-z0-9]{0,37}[A-Z])[A-Za-z0-9]{38}|v1\.0-[a-f0-9]{24}-[a-f0-9]{146}|dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}|fio-u-[A-Za-z0-9_=-]{64}|ico-[A-Za-z0-9]{32}|s-s4t2(?:ud|af)-[a-f0-9]{64}|pul-[a-f0-9]{40}|pplx-[A-Za-z0-9]{48}|tk-us-[A-Za-z0-9_-]{48}|xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}|tskey-(?:auth|api|client|webhook|scim)-[A-Za-z0-9]{8,20}-[A-Za-z0-9]{20,64})(?![A-Za-z0-9_+/=-])/g,
    group: 0,
    triggers: [at('p8e-', 1), at('4b1d', 0), at('v1.0-', 3), at('dt0c01.', 2), at('fio-u-', 3), at('ico-', 3), at('s-s4t2', 5), at('pul-', 3), at('pplx-', 4), at('tk-us-', 2), at('xkeysib-', 7), at('tskey-', 5)],
    source: 'Documented vendor token prefixes: Adobe (p8e-), ClickHouse Cloud (4b1d), Cloudflare Origin CA (v1.0-), Dynatrace (dt0c01.), Frame.io (fio-u-), Infracost (ico-), 42 Intra (s-s4t2), Pulumi (pul-), Perplexity (pplx-), Scalingo (tk-us-), Brevo/Sendinblue (xkeysib-), Tailscale (tskey-)',
  },
  {
    kind: 'api-key',
    // Doppler tokens: every character of 'dp.' is frequent in prose, so this pattern keeps its own (cheap, literal-led) scan.
    pattern: /(?<![A-Za-z0-9_-])(?:dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_-]{2,35}\.)?[A-Za-z0-9]{40,44})(?![A-Za-z0-9_+/=-])/g,
    group: 0,
    triggers: [at('dp.', 2)],
    source: 'Doppler (docs.doppler.com, token prefixes dp.pt., dp.st., dp.sa., dp.ct., dp.scim., dp.audit.)',
  },
  {
    kind: 'api-key',
    pattern: /(?<![A-Za-z0-9_-])[a-fA-F0-9]{36}NRAL(?![A-Za-z0-9_-])/g,
    group: 0,
    triggers: [at('NRAL', 1, 36)],
    source: 'New Relic license keys (docs.newrelic.com, API keys: 40 characters ending in NRAL)',
  },
  {
    kind: 'api-key',
    pattern: /(?<![A-Za-z0-9_-])[a-f0-9]{32}-us[0-9]{1,2}(?![A-Za-z0-9_-])/g,
    group: 0,
    triggers: [at('-us', 0, 32)],
    source: 'Mailchimp Marketing API keys (mailchimp.com/developer: <key>-<data center>)',
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
    pattern: /(?<![A-Za-z0-9_-])(?:[sr]k_(?:live|test)_[A-Za-z0-9]{16,247}|whsec_[A-Za-z0-9]{32,64})(?![A-Za-z0-9_-])/g,
    group: 0,
    triggers: [at('k_live_', 1, 1), at('k_test_', 1, 1), at('whsec_', 5)],
    source: 'Stripe API keys (docs.stripe.com/keys: sk_/rk_, live and test mode) and webhook signing secrets (whsec_)',
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
