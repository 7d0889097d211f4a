import * as fc from 'fast-check';
import { MAX_GROWTH, workGrowth } from '../../helpers/scaling';
import { measureWork } from '../../../lambda/shared/screening/work';
import { screenOutput, ScreenOutputOptions } from '../../../lambda/shared/screening/output';
import { DEFAULT_HOLD_BACK_CHARS, DEFAULT_MIN_SCREEN_STEP_CHARS, StreamRelease, StreamScreen } from '../../../lambda/gateway/stream-screen';
import { FAKE_AWS_ACCESS_KEY_ID, FAKE_AWS_SECRET_ACCESS_KEY } from '../../helpers/fake-credentials';
import { GENERATORS, seeded } from '../../fixtures/secrets-eval/generate';

const CANARY = 'CNRY7F3K2QZ9XW4M';
const OPTS: ScreenOutputOptions = { canary: CANARY, allowedLinkHosts: ['docs.example.com'] };
const BENIGN = 'The quarterly report covers revenue, costs and the outlook for next year. ';
/** Benign prose in paragraphs, with a link to an allowed host. */
const PARAGRAPH = `${BENIGN.repeat(4)}See [the guide](https://docs.example.com/guide) and https://docs.example.com/faq for more.\n\n`;

/** Feeds `chunks` through a new stream screen; returns what was released and how the stream ended. */
function run(chunks: readonly string[], opts: Partial<ConstructorParameters<typeof StreamScreen>[0]> = {}): {
  released: string;
  blocked?: readonly string[];
  releases: string[];
} {
  const screen = new StreamScreen({ ...OPTS, ...opts });
  const releases: string[] = [];
  const take = (r: StreamRelease): readonly string[] | undefined => {
    if (r.blocked) return r.reasons;
    if (r.text.length > 0) releases.push(r.text);
    return undefined;
  };
  for (const c of chunks) {
    const blocked = take(screen.push(c));
    if (blocked) return { released: releases.join(''), blocked, releases };
  }
  const blocked = take(screen.finish());
  return { released: releases.join(''), ...(blocked ? { blocked } : {}), releases };
}

/** Splits `text` into pieces of `size` characters. */
function chunked(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

describe('StreamScreen', () => {
  describe('defaults', () => {
    test('streamed text equals the screening of the whole text, for benign text in any chunking', () => {
      const text = `${BENIGN.repeat(40)}See [the guide](https://docs.example.com/guide).\n\n${BENIGN.repeat(10)}`;
      for (const size of [1, 7, 64, 1000]) {
        expect(run(chunked(text, size))).toMatchObject({ released: screenOutput(text, OPTS).text });
      }
    });

    test('releases text before the stream ends, holding back the last window', () => {
      // GIVEN 4 KB of benign text in small chunks
      const text = BENIGN.repeat(60);
      const screen = new StreamScreen(OPTS);
      let before = '';
      for (const c of chunked(text, 16)) {
        const r = screen.push(c);
        if (!r.blocked) before += r.text;
      }
      // THEN most of it left before the end, but never the held-back tail
      expect(before.length).toBeGreaterThan(text.length / 2);
      expect(before.length).toBeLessThanOrEqual(text.length - DEFAULT_HOLD_BACK_CHARS);
      const rest = screen.finish();
      expect(rest.blocked ? '' : before + rest.text).toBe(text);
    });
  });

  describe('validation', () => {
    test('fails if the system prompt\'s canary first appears after 2 KB of benign text: the stream is blocked and the canary never released', () => {
      const text = `${BENIGN.repeat(30)}My instructions say: ${CANARY} and more ${BENIGN}`;
      expect(text.indexOf(CANARY)).toBeGreaterThan(2048);
      for (const size of [3, 16, 100]) {
        const result = run(chunked(text, size));
        expect(result.blocked).toEqual(['canary-leak']);
        expect(result.released).not.toContain(CANARY.slice(0, 8));
        expect(text.startsWith(result.released)).toBe(true);
      }
    });

    test('fails if a secret is split across three chunks: it is redacted before release', () => {
      const key = FAKE_AWS_ACCESS_KEY_ID;
      const text = `${BENIGN.repeat(12)}Use the key ${key.slice(0, 6)}`;
      const result = run([text, key.slice(6, 13), `${key.slice(13)} to sign in. ${BENIGN.repeat(12)}`]);
      expect(result.blocked).toBeUndefined();
      expect(result.released).not.toContain(key);
      expect(result.released).not.toContain(key.slice(0, 6) + key.slice(6, 13));
      expect(result.released).toContain('[REDACTED:aws-access-key-id]');
    });

    test('fails if a link to another host is split across two chunks: it is removed before release', () => {
      const text = `${BENIGN.repeat(12)}Details at https://evil.exa`;
      const result = run([text, `mple/collect?d=secret and more. ${BENIGN.repeat(12)}`]);
      expect(result.blocked).toBeUndefined();
      expect(result.released).not.toMatch(/evil|collect\?d/);
      expect(result.released).toContain('[link removed]');
    });

    test('fails if a later screening would change text already released: the stream stops', () => {
      // GIVEN a reference-style link used early and defined (to another host) after more than the window
      const text = `See [the docs][1] first. ${BENIGN.repeat(20)}\n\n[1]: https://evil.example/x\n`;
      const result = run(chunked(text, 32), { holdBackChars: 64 });
      expect(result.blocked).toEqual(expect.arrayContaining(['prefix-changed']));
      expect(result.released).not.toContain('evil.example');
    });

    test('fails if the canary is spread wider than a window, letters apart: the stream is blocked and none of the canary released', () => {
      // GIVEN the canary's characters (forwards or reversed) 400 characters of punctuation apart, after 2 KB of benign text
      for (const key of [CANARY, [...CANARY].reverse().join('')]) {
        const spread = [...key].join(`${'. '.repeat(200)}`);
        const text = `${BENIGN.repeat(30)}${spread} and ${BENIGN.repeat(30)}`;
        for (const size of [1, 16, 4096]) {
          const result = run(chunked(text, size));
          // THEN the stream is blocked, and what left ends before the canary's first character
          expect(result.blocked).toEqual(['canary-leak']);
          expect(text.startsWith(result.released)).toBe(true);
          expect(result.released.length).toBeLessThanOrEqual(text.indexOf(spread));
        }
      }
    });

    test('holds back only what could begin the canary: the same spread of other letters is released as it streams', () => {
      // GIVEN other letters spread as the canary is above, then more benign text
      const spread = [...'QUARTERLYREPORTS'].join(`${'. '.repeat(200)}`);
      const text = `${BENIGN.repeat(30)}${spread} and ${BENIGN.repeat(30)}`;
      const screen = new StreamScreen(OPTS);
      let beforeEnd = '';
      for (const c of chunked(text, 16)) {
        const r = screen.push(c);
        if (!r.blocked) beforeEnd += r.text;
      }
      // THEN the spread is released before the stream ends, and the whole stream is the text
      expect(beforeEnd.length).toBeGreaterThan(text.indexOf(spread) + spread.length);
      const rest = screen.finish();
      expect(rest.blocked).toBe(false);
      expect(beforeEnd + (rest.blocked ? '' : rest.text)).toBe(text);
    });

    test('fails if a private key block longer than the window arrives in pieces: none of its body is released', () => {
      // GIVEN windows of 384 characters (128 of look-behind, hold-back and step each) and a key more than twice as long
      const small = { holdBackChars: 128, contextChars: 128, screenStepChars: 128 };
      const key = GENERATORS['rsa-private-key']!(seeded(7));
      expect(key.length).toBeGreaterThan(6 * 128);
      const text = `${PARAGRAPH.repeat(4)}Here is the key:\n${key}\n\n${PARAGRAPH.repeat(4)}`;
      const bodyLines = key.split('\n').slice(1, -1);
      for (const size of [1, 64, 4096]) {
        const result = run(chunked(text, size), small);
        for (const line of bodyLines) expect(result.released).not.toContain(line);
        if (result.blocked === undefined) expect(result.released).toBe(screenOutput(text, OPTS).text);
      }
    });

    test('fails if an AWS secret key follows its keyword across a window boundary: it is redacted before release', () => {
      const text = `${PARAGRAPH.repeat(6)}aws_secret_access_key is set below; keep it safe\n    ${FAKE_AWS_SECRET_ACCESS_KEY}\n\n${PARAGRAPH.repeat(6)}`;
      for (const size of [1, 7, 4096]) {
        const result = run(chunked(text, size));
        expect(result.released).not.toContain(FAKE_AWS_SECRET_ACCESS_KEY);
        if (result.blocked === undefined) expect(result.released).toBe(screenOutput(text, OPTS).text);
      }
    });

    test.each([
      [{ holdBackChars: -1 }, /holdBackChars must be a whole number of at least 0, got -1/],
      [{ minScreenStepChars: 0 }, /minScreenStepChars must be a whole number of at least 1, got 0/],
      [{ contextChars: 1.5 }, /contextChars must be a whole number of at least 0, got 1.5/],
      [{ canary: 'short' }, /canary/],
    ])('fails if the options are invalid (%o)', (opts, message) => {
      expect(() => new StreamScreen({ ...OPTS, ...opts })).toThrow(message);
    });
  });

  describe('properties', () => {
    test('for any text and chunking, an unblocked stream sends exactly the whole text\'s screening, and no stream sends the canary', () => {
      const piece = fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.constantFrom(' ', '\n', CANARY, 'https://evil.example/a?b=c ', '[x](https://evil.example) ', `${FAKE_AWS_ACCESS_KEY_ID} `, BENIGN),
      );
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 40 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 128 }), (pieces, size, holdBackChars) => {
          const text = pieces.join('');
          const whole = screenOutput(text, OPTS);
          const result = run(chunked(text, size), { holdBackChars, minScreenStepChars: 8 });
          // A stream that ends unblocked sent exactly the whole text's screening; a text the screen blocks is blocked.
          if (result.blocked === undefined) expect(result.released).toBe(whole.text);
          if (whole.blocked) expect(result.blocked).toBeDefined();
          expect(result.released.toUpperCase()).not.toContain(CANARY);
        }),
        { numRuns: 300 },
      );
    });
    test('for long texts in any chunking, a stream whose windows move on still sends exactly the whole text\'s screening, or is blocked', () => {
      const piece = fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(BENIGN, PARAGRAPH, '\n', ' ') },
        { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            CANARY, 'https://evil.example/a?b=c ', '[x](https://evil.example) ', `${FAKE_AWS_ACCESS_KEY_ID} `, '[1]: https://evil.example/x\n',
            'See [the docs][1]. ', `aws secret key = ${FAKE_AWS_SECRET_ACCESS_KEY}\n`, '<div>', 'caf\u00e9 ', 'password = "hunter2 and more"\n',
          ),
        },
      );
      fc.assert(
        fc.property(fc.array(piece, { minLength: 20, maxLength: 120 }), fc.constantFrom(1, 7, 64, 700, 4096), (pieces, size) => {
          const text = pieces.join('');
          const whole = screenOutput(text, OPTS);
          const result = run(chunked(text, size), { contextChars: 128, holdBackChars: 128, screenStepChars: 128 });
          if (result.blocked === undefined) expect(result.released).toBe(whole.text);
          if (whole.blocked) expect(result.blocked).toBeDefined();
          expect(result.released.toUpperCase()).not.toContain(CANARY);
          expect(result.released).not.toContain(FAKE_AWS_SECRET_ACCESS_KEY);
          expect(result.released).not.toContain('evil.example');
        }),
        { numRuns: 150 },
      );
    });
  });

  describe('linear work', () => {
    test('screens a 256 KB stream in 64-character chunks in work linear in its length', () => {
      const growth = workGrowth(
        (chunks: string[]) => {
          const screen = new StreamScreen(OPTS);
          for (const c of chunks) screen.push(c);
          return screen.finish();
        },
        (size) => chunked(BENIGN.repeat(Math.ceil(size / BENIGN.length)).slice(0, size), 64),
      );
      expect(growth).toBeLessThanOrEqual(MAX_GROWTH);
    });

    test.each([1, 7, 16])('screens a stream in %i-character chunks in work linear in its length', (size) => {
      const growth = workGrowth(
        (chunks: string[]) => {
          const screen = new StreamScreen(OPTS);
          for (const c of chunks) screen.push(c);
          return screen.finish();
        },
        (n) => chunked(BENIGN.repeat(Math.ceil(n / BENIGN.length)).slice(0, n), size),
        1 << 18,
      );
      expect(growth).toBeLessThanOrEqual(MAX_GROWTH);
    });

    test.each([1, 16, 100])('fails if the first release, in %i-character chunks, costs more than one screening of the text received', (size) => {
      // GIVEN benign text fed until the screen first releases something
      const screen = new StreamScreen(OPTS);
      let received = '';
      let released = '';
      const work = measureWork(() => {
        for (const c of chunked(BENIGN.repeat(40), size)) {
          received += c;
          const r = screen.push(c);
          if (r.blocked || r.text.length > 0) {
            released = r.blocked ? '' : r.text;
            break;
          }
        }
      });
      // THEN it came as soon as a step beyond the window had arrived, for the work of one screening of that text (plus
      // the scan for the last white space before the window): no screening ran while all of it was held back
      expect(released.length).toBeGreaterThan(0);
      expect(received.length).toBeLessThan(DEFAULT_HOLD_BACK_CHARS + DEFAULT_MIN_SCREEN_STEP_CHARS + size);
      const once = measureWork(() => screenOutput(received, OPTS));
      expect(work).toBeLessThanOrEqual(once + received.length);
    });

    test('fails if streaming a text costs more than 4.5 screenings of it, in 1-, 7- or 4096-character chunks, or one chunking more than 3 times another', () => {
      // GIVEN 64 KB of benign prose with allowed links, and the work of screening it once
      const text = PARAGRAPH.repeat(Math.ceil(65_536 / PARAGRAPH.length)).slice(0, 65_536);
      const once = measureWork(() => screenOutput(text, OPTS));
      // WHEN it is streamed in chunks of each size
      const work = [1, 7, 4096].map((size) => {
        const chunks = chunked(text, size);
        return measureWork(() => {
          const screen = new StreamScreen(OPTS);
          for (const c of chunks) screen.push(c);
          screen.finish();
        });
      });
      // THEN each stream costs a few screenings' worth (each character is screened in about three windows), whatever
      // the chunking; screening the whole text so far again at every step costs five to seven
      for (const w of work) expect(w).toBeLessThanOrEqual(4.5 * once);
      expect(Math.max(...work)).toBeLessThanOrEqual(3 * Math.min(...work));
    });

    test('holds text without white space back without rescanning it quadratically', () => {
      const growth = workGrowth(
        (chunks: string[]) => {
          const screen = new StreamScreen(OPTS);
          for (const c of chunks) screen.push(c);
          return screen.finish();
        },
        (size) => chunked('x'.repeat(size), 64),
      );
      expect(growth).toBeLessThanOrEqual(MAX_GROWTH);
    });
  });
});
