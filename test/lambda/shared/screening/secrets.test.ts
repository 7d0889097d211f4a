import * as fc from 'fast-check';
import { ASSIGNMENT, assignmentCandidates, countLeakedSecrets, countSecrets, documentationPlaceholder } from '../../../../lambda/shared/screening/secrets';
import { SECRET_RULES } from '../../../../lambda/shared/screening/secret-rules';
import { GENERATORS, loadSecretCases, seeded } from '../../../fixtures/secrets-eval/generate';
import { MAX_GROWTH, workGrowth } from '../../../helpers/scaling';

/** A value of generator `name`, from `seed`. */
const value = (name: string, seed = 1): string => GENERATORS[name]!(seeded(seed));

describe('countSecrets', () => {
  describe('defaults', () => {
    test('finds a generated JWT whose signature happens to hold "xxXX" (a mask is written in one case)', () => {
      const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxNDI5ODI0OCIsIm5hbWUiOiJ2aW9sZXQiLCJpYXQiOjE3MDc3MzMzNTd9.KCYzQKF9zqIdzZ0BOurVBk3pxxXXiDvnhIK0rTIXxy4';
      expect(countLeakedSecrets(`Here it is: ${jwt} - keep it safe.`)).toBe(1);
      expect(countSecrets(`Here it is: ${jwt} - keep it safe.`)).toBe(1);
    });

    test.each([
      ['GitHub classic token', 'github-classic'],
      ['GitHub fine-grained token', 'github-fine-grained'],
      ['GitLab token', 'gitlab-pat'],
      ['Slack bot token', 'slack-bot'],
      ['Slack webhook', 'slack-webhook'],
      ['Stripe live key', 'stripe-secret'],
      ['Stripe restricted key', 'stripe-restricted'],
      ['Google API key', 'google-api-key'],
      ['OpenAI project key', 'openai-project'],
      ['Anthropic key', 'anthropic'],
      ['npm token', 'npm'],
      ['PyPI token', 'pypi'],
      ['AWS access key id', 'aws-access-key-id'],
      ['Azure storage connection string', 'azure-storage'],
      ['SendGrid key', 'sendgrid'],
      ['Twilio API key', 'twilio-api-key'],
      ['Mailgun key', 'mailgun'],
      ['Hugging Face token', 'huggingface'],
      ['JWT', 'jwt'],
      ['OpenSSH private key', 'openssh-private-key'],
    ])('finds a %s in prose, whatever its random part (seeded values)', (_name, generator) => {
      fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        expect(countSecrets(`Here it is: ${value(generator, seed)} - keep it safe.`)).toBe(1);
      }), { numRuns: 25 });
    });

    test.each([
      ['Shopify access token', 'shopify-access'],
      ['Databricks token', 'databricks'],
      ['DigitalOcean token', 'digitalocean-pat'],
      ['Discord webhook', 'discord-webhook'],
      ['Telegram bot token', 'telegram-bot'],
      ['Google OAuth client secret', 'google-oauth-secret'],
      ['Google OAuth access token', 'google-oauth-access'],
      ['Square access token', 'square-access'],
      ['Atlassian API token', 'atlassian-api'],
      ['Linear API key', 'linear-api'],
      ['Postman API key', 'postman-api'],
      ['Doppler token', 'doppler-personal'],
      ['Grafana Cloud token', 'grafana-cloud'],
      ['Grafana service account token', 'grafana-service-account'],
      ['New Relic user key', 'newrelic-user'],
      ['Sentry user token', 'sentry-user'],
      ['Vault token', 'vault-service'],
      ['Terraform Cloud token', 'terraform-cloud'],
      ['age identity', 'age-identity'],
      ['PlanetScale token', 'planetscale-token'],
      ['Supabase access token', 'supabase-access'],
      ['Alibaba Cloud AccessKey id', 'alibaba-key-id'],
      ['Mailchimp key', 'mailchimp'],
      ['Entra ID client secret', 'azure-ad-secret'],
      ['Heroku API key', 'heroku-v2'],
      ['Fly.io token', 'flyio-token'],
      ['Notion token', 'notion-token'],
      ['Groq key', 'groq'],
      ['Stripe test key', 'stripe-test'],
      ['GitLab runner registration token', 'gitlab-runner-registration'],
      ['1Password service account token', 'onepassword-service-account'],
    ])('finds a %s by its documented prefix alone, in prose and in a log line (seeded values)', (_name, generator) => {
      fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        expect(countSecrets(`Here it is: ${value(generator, seed)} - keep it safe.`)).toBe(1);
        expect(countSecrets(`2025-03-02T10:00:01Z DEBUG upstream call with ${value(generator, seed)} returned 401`)).toBe(1);
      }), { numRuns: 25 });
    });

    test.each([
      ['a Go short variable declaration', (v: string) => `apiToken := "${v}"`],
      ['a Makefile conditional assignment', (v: string) => `DEPLOY_TOKEN ?= "${v}"`],
      ['a Makefile append', (v: string) => `AUTH_TOKEN += ${v}`],
      ['a Makefile immediate assignment', (v: string) => `CI_TOKEN ::= ${v}`],
      ['a Telegram Bot API URL', () => `GET https://api.telegram.org/bot${value('telegram-bot', 5)}/getMe`],
    ])('finds %s', (_name, make) => {
      expect(countSecrets(make(value('password-plain', 3)))).toBe(1);
    });

    test.each([
      ['a Slack placeholder token', 'SLACK_BOT_TOKEN=xoxb-not-a-real-token'],
      ['Slack prefixes followed by words', 'Use xoxb-my-bot-token or xoxb-12345-abcd234 in the example.'],
      ['a masked New Relic key', 'NEW_RELIC_USER_KEY=NRAK-XXXXXXXXXXXXXXXXXXXXXXXXXXX'],
      ['a documented webhook URL template', 'Post to https://discord.com/api/webhooks/{webhook.id}/{webhook.token}.'],
      ['a key truncated by an ellipsis', 'OP_SERVICE_ACCOUNT_TOKEN=ops_eyJzaWduSW5BZGRyZXNzIjoiaHR0cHM6...'],
      ['member expressions named like a legacy Vault token', 's.ConnectionTimeoutSeconds = cfg.timeout; s.MaxIdleConnections = 10'],
      ['numbers before a colon and a capitalized word', 'order 1234567890:Approved by finance, shipment 9876543210:Awaiting pickup'],
      ['prose naming token prefixes', 'Shopify admin tokens start with shpat_ and Google access tokens with ya29. and expire.'],
      ['a field named key whose value is a header name', '"key": "x-api-key", "value": "{{postman_api_key}}"'],
      ['a comparison, not an assignment', 'if token == "expired-session" { retry() }'],
      ['a variable appended to a password', 'url.password += encodedCodePoints;'],
    ])('leaves %s alone', (_name, text) => {
      expect(countSecrets(text)).toBe(0);
    });

    test.each([
      ['a .env password with a prefixed key', (v: string) => `DB_PASSWORD=${v}`],
      ['a camel-case key in JSON', (v: string) => `{"dbPassword": "${v}"}`],
      ['a dotted Java property', (v: string) => `spring.datasource.password=${v}`],
      ['a password in a database URL', (v: string) => `postgres://app:${encodeURIComponent(v)}@db.internal:5432/app`],
      ['a password in prose', (v: string) => `the VPN password is ${v} for now`],
      ['a .NET appSettings entry', (v: string) => `<add key="SmtpPassword" value="${v}" />`],
    ])('finds %s', (_name, make) => {
      expect(countSecrets(make(value('password', 3)))).toBe(1);
    });

    test.each([
      ['AWS documented example key id', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE'],
      ['AWS documented example secret', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
      ['masked OpenAI key', 'OPENAI_API_KEY=sk-...xxxx'],
      ['template slot', 'token: <your-token>'],
      ['a token of one repeated letter', 'GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
      ['the word password as a URL password', 'postgres://user:password@localhost:5432/db'],
      ['a counter named like a token', 'max_token=4096'],
      ['a git SHA', `commit ${value('git-sha')}`],
      ['a SHA-256 digest', `sha256:${value('sha256')}`],
      ['a UUID', `request_id=${value('uuid')}`],
      ['an SSH public key', value('ssh-public-key')],
      ['a certificate', value('certificate')],
      ['a truncated key', `The key ${value('truncated-stripe')} was rolled.`],
      ['prose about passwords', 'The password policy requires 12 characters; the password is required.'],
    ])('leaves %s alone', (_name, text) => {
      expect(countSecrets(text)).toBe(0);
    });

    test('finds at least 80 % of the secrets and flags at most 5 % of the look-alikes of both corpus splits', () => {
      // GIVEN the generated corpus of test/fixtures/secrets-eval (the per-family figures: npm run bench:secrets)
      for (const split of ['dev', 'holdout'] as const) {
        const cases = loadSecretCases(split);
        const secrets = cases.filter((c) => c.label === 'secret');
        const lookalikes = cases.filter((c) => c.label === 'lookalike');
        // WHEN
        const found = secrets.filter((c) => countSecrets(c.text) > 0).length;
        const flagged = lookalikes.filter((c) => countSecrets(c.text) > 0).length;
        // THEN
        expect(found / secrets.length).toBeGreaterThanOrEqual(0.8);
        expect(flagged / lookalikes.length).toBeLessThanOrEqual(0.05);
      }
    });
  });

  describe('validation', () => {
    test.each(SECRET_RULES.map((r) => [r.kind, r] as const))('rule %s is global and names its source', (_kind, rule) => {
      expect(rule.pattern.flags).toContain('g');
      expect(rule.source.length).toBeGreaterThan(0);
      expect(rule.triggers.length > 0 || rule.hint !== undefined).toBe(true);
    });
  });

  describe('assignment candidates', () => {
    const sticky = new RegExp(ASSIGNMENT.source, 'iy');
    const piece = fc.constantFrom('password', 'Pass', 'api_key', 'API-KEY', 'token', 'Secret', 'credentials', 'db_', 'x', '.', '-',
      ':', '=', '==', ':=', ' ', '\t', '     ', '"', "'", '\n', ',', ')', 'value', 'Xy7!', '12', 'é');
    const text = fc.array(piece, { maxLength: 30 }).map((p) => p.join(''));

    test('include every position where the assignment pattern matches', () => {
      fc.assert(fc.property(text, (t) => {
        // GIVEN every position where the pattern matches
        const matches: number[] = [];
        for (let p = 0; p < t.length; p++) {
          sticky.lastIndex = p;
          if (sticky.test(t)) matches.push(p);
        }
        // THEN each is a candidate
        const candidates = new Set(assignmentCandidates(t));
        for (const p of matches) expect(candidates.has(p)).toBe(true);
      }), { numRuns: 5000 });
    });

    test.each([
      ['separators only', '='.repeat(10_000)],
      ['keys that name no credential', 'a:'.repeat(5_000)],
      ['redacted userinfo', 'https://a:[REDACTED:password]@'.repeat(500)],
      ['doubled separators', 'password=='.repeat(1_000)],
      ['separators before no value', 'password=,'.repeat(1_000)],
    ])('are none where the pattern cannot match: %s', (_name, t) => {
      expect(assignmentCandidates(t)).toEqual([]);
    });
  });

  describe('linear time', () => {
    // Counted work from 32 KB to 256 KB, not time: the speed figures are in bench/secrets.bench.ts.
    const fill = (unit: string) => (size: number): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
    test.each([
      ['token prefixes', fill('ghp_glpat-xoxb-sk-AKIASG.npm_hf_SKkey-')],
      ['Stripe prefixes', fill('sk_live_')],
      ['hyphens (Mailgun trigger)', fill('0123456789abcdef-')],
      ['URL userinfo', fill('https://a:b@')],
      ['unterminated userinfo', fill('://aaaaaaaaaa:')],
      ['connection-string keys', fill('AccountKey=')],
      ['prefixed assignments', fill('DB_PASSWORD=')],
      ['long identifiers before separators', fill(`${'a_'.repeat(40)}password:`)],
      ['passwords in prose', fill('password is ')],
      ['appSettings keys', fill('key="DbPassword" value="')],
      ['placeholder-looking values', fill('api_key=xxxx ')],
      ['dense assignments', fill('password=')],
      ['dense separators', fill('=')],
      ['dense key-value pairs', fill('a:')],
      ['prefixes at one per 32 characters', fill('ghp_sk-AKIAxoxb-glpat-SG.npm_hf_')],
      ['vendor prefixes', fill('shpat_dapidop_v1_GOCSPX-ya29.EAAAATATT3lin_api_PMAK-dp.pt.glc_NRAK-hvs.AGE-SECRET-KEY-1pscale_tkn_sbp_LTAIQ~:A')],
      ['Telegram bot id triggers', fill('12345678:A')],
      ['suffix triggers', fill('0123456789abcdef0123456789abcdef-us1 NRAL _mmk ')],
      ['Makefile operators', fill('TOKEN ?= a\nTOKEN := b\n')],
    ])('counts %s in work linear in its size (256 KB)', (_name, make) => {
      expect(workGrowth((text: string) => countSecrets(text), make)).toBeLessThanOrEqual(MAX_GROWTH);
    });
  });
});

describe('countLeakedSecrets', () => {
  describe('defaults', () => {
    test.each([
      ['an alphabetic run in an OpenAI-shaped key', 'OPENAI_API_KEY=sk-abcdefghijklmnop1234'],
      ['a numeric and alphabetic run in a GitHub-shaped token', 'export GITHUB_TOKEN=ghp_1234567890abcdefghijklmnopqrstuvwxyz'],
      ['interleaved short runs', 'api_key: "sk-proj-abc123def456ghi789jkl012"'],
      ['a Slack-shaped token of zeros and one letter', 'SLACK_BOT_TOKEN=xoxb-0000000000-0000000000-aaaaaaaaaaaaaaaaaaaaaaaa'],
      ['a stand-in word', 'STRIPE_KEY=sk_live_fakefakefakeKEY4242abcd'],
      ['the jwt.io example token', 'Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'],
      ['a low-diversity password', 'DB_PASSWORD=ab1c2dab1c2dab1c'],
      ['a type annotation', 'class Settings(BaseSettings):\n    anthropic_api_key: SecretStr'],
      ['the working directory of a sudo log line', 'Mar 3 09:12:40 web-2 sudo: ana : TTY=pts/3 ; PWD=/var/www/shop ; USER=root ; COMMAND=/bin/ls'],
      ['a path to a key file', 'api_key=/srv/keys/shop'],
      ['a base64 Secret value that decodes to a placeholder', 'kind: Secret\ndata:\n  password: Q0hBTkdFLU1FLUJFRk9SRS1ERVBMT1k='],
      ['a secret built of words and a short number', 'SESSION_SECRET=local-dev-only-42'],
      ['a token named by words', 'event=token.rotate token=nightly-build'],
      ['a URL password that is a word', 'DATABASE_URL=postgres://app:app@db:5432/app'],
      ['a placeholder password in another language', "user.password = 'mot_de_passe'"],
    ])('leaves a documentation placeholder alone: %s, which the output screen still redacts', (_name, text) => {
      expect(countLeakedSecrets(text)).toBe(0);
      expect(countSecrets(text)).toBeGreaterThan(0);
    });

    test.each([
      ['GitHub classic token', 'github-classic'],
      ['OpenAI project key', 'openai-project'],
      ['Anthropic key', 'anthropic'],
      ['AWS access key id', 'aws-access-key-id'],
      ['Slack bot token', 'slack-bot'],
      ['Stripe live key', 'stripe-secret'],
      ['Mailgun key', 'mailgun'],
      ['JWT', 'jwt'],
    ])('finds a real-format %s, whatever its random part (seeded values)', (_name, generator) => {
      fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        expect(countLeakedSecrets(`Here it is: ${value(generator, seed)} - keep it safe.`)).toBe(1);
      }), { numRuns: 50 });
    });

    test.each([
      ['a log line in inline code ending a sentence', 'Check its log for `finishSecret: success`.'],
      ['a command in inline code after a colon', 'Restart so pods pick up the new credentials: `kubectl rollout restart deploy/orders-api`.'],
    ])('does not read a value across an inline-code mark: %s', (_name, text) => {
      expect(countLeakedSecrets(text)).toBe(0);
    });

    test.each([
      ['an assignment in inline code', 'Set `API_KEY=9fQ2xLk8PzR4wT7b` in the environment.'],
      ['a password after a colon, in inline code', 'The service account is `svc-orders`, password: `Tq8#mZ2vLp9!`.'],
    ])('fails if a credential written in inline code is not counted: %s', (_name, text) => {
      expect(countLeakedSecrets(text)).toBe(1);
    });

    test.each([
      ['a base64 Secret value that decodes to a password', 'kind: Secret\ndata:\n  password: VHE4I21aMnZMcDkheFI0dw=='],
      ['a password of mixed case that holds slashes', 'DB_PASSWORD=/Tq8/mZ2v/Lp9x'],
      ['a secret of lower-case letters longer than a word', 'CLIENT_SECRET=qzmvtrkwplxbhnde'],
      ['a token whose segments mix letters and digits', 'API_TOKEN=kx7q-mq9z-zt4w-ab2v'],
      ['a password of capitalized words', 'DB_PASSWORD=Summer-Breeze-Lake'],
      ['a secret with a long number', 'APP_SECRET=orders-20240917'],
    ])('fails if a credential that is neither a placeholder nor a path is not counted: %s', (_name, text) => {
      expect(countLeakedSecrets(text)).toBe(1);
    });

    test('finds the credentials of the dev corpus that countSecrets finds and flags none of its look-alikes', () => {
      // GIVEN the dev split of test/fixtures/secrets-eval
      const cases = loadSecretCases('dev');
      // WHEN
      const missed = cases.filter((c) => c.label === 'secret' && countSecrets(c.text) > 0 && countLeakedSecrets(c.text) === 0);
      const flagged = cases.filter((c) => c.label === 'lookalike' && countLeakedSecrets(c.text) > 0);
      // THEN
      expect(missed).toEqual([]);
      expect(flagged).toEqual([]);
    });
  });

  describe('linear time', () => {
    const fill = (unit: string) => (size: number): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
    test.each([
      ['base64 values that decode to placeholders', fill('password: Q0hBTkdFLU1FLUJFRk9SRS1ERVBMT1k=\n')],
      ['long base64 values', fill(`password: ${'QUJD'.repeat(400)}\n`)],
      ['path values', fill('PWD=/var/www/shop ; ')],
    ])('counts %s in work linear in its size (256 KB)', (_name, make) => {
      expect(workGrowth((text: string) => countLeakedSecrets(text), make)).toBeLessThanOrEqual(MAX_GROWTH);
    });
  });

  describe('validation', () => {
    test('fails if a generated key reads as a placeholder more than once in 500 draws of each real format', () => {
      const formats = ['github-classic', 'github-fine-grained', 'openai-project', 'anthropic', 'stripe-secret-long', 'aws-secret-access-key', 'hex32', 'mailgun', 'sendgrid', 'huggingface',
        'shopify-access', 'databricks', 'telegram-bot', 'square-access', 'linear-api', 'doppler-personal', 'grafana-cloud', 'newrelic-user', 'vault-service', 'azure-ad-secret', 'mailchimp', 'groq'];
      for (const name of formats) {
        const rng = seeded(42);
        let placeholders = 0;
        for (let i = 0; i < 500; i++) if (documentationPlaceholder(GENERATORS[name]!(rng))) placeholders++;
        expect([name, placeholders <= 1]).toEqual([name, true]);
      }
    });
  });
});
