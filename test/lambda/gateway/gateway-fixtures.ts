/**
 * Shared fixtures of the gateway handler tests: a valid runtime configuration, an event builder, a stdout capture for
 * Powertools output and a response stream for the streaming entry point.
 */
import { Writable } from 'node:stream';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { GatewayHandler } from '../../../lambda/gateway/index';
import { GatewayRuntimeConfig, staticConfigSchema } from '../../../lambda/gateway/runtime-config';
import { Claims, fakeContext, toProxyEvent, userContext } from '../../helpers/lambda-http-adapter';

/** A configuration that exercises every feature; validated against the real schema below. */
export const TEST_CONFIG: GatewayRuntimeConfig = {
  systemPrompt: 'You are the test deployment assistant. Policy P-7 applies to every answer.',
  models: {
    'nova-lite': { modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 1000, forcedToolChoice: true, imageInput: true },
    // Without capabilities, as a model the catalogue does not list: structured output and images are refused.
    'nova-pro': { modelId: 'us.amazon.nova-pro-v1:0', maxOutputTokens: 300 },
  },
  groups: {
    users: { models: ['nova-lite'], dailyTokenQuota: 100_000, maxOutputTokens: 512 },
    power: { models: ['nova-lite', 'nova-pro'], dailyTokenQuota: 200_000, maxOutputTokens: 2048 },
    tiny: { models: ['nova-lite'], dailyTokenQuota: 1000, maxOutputTokens: 100 },
  },
  limits: { maxBodyBytes: 16_384, maxMessages: 20, maxMessageChars: 8000, maxImages: 4 },
  prescreenMode: 'block',
  output: { allowedLinkHosts: ['docs.example.com'], allowHtml: false, toolAllowedHosts: { post_webhook: ['hooks.example.com'] } },
  blockedInputMessage: 'BLOCKED-INPUT: this request was refused by the content policy.',
  blockedOutputMessage: 'BLOCKED-OUTPUT: the response was withheld by the content policy.',
  quotasEnabled: true,
  // Only bounds a hang: a short timeout would turn a loopback call on a busy machine into a 504. Tests of the
  // timeout set their own.
  bedrockTimeoutMs: 60_000,
  bedrockMaxAttempts: 3,
  guardrailId: 'arn:aws:bedrock:us-east-1:123456789012:guardrail/gr123abc',
  guardrailVersion: '7',
  quotaTableName: 'usage',
};

/** The static part of {@link TEST_CONFIG}, as `GATEWAY_CONFIG` carries it. */
export function staticConfigJson(overrides: Partial<GatewayRuntimeConfig> = {}): string {
  const { guardrailId: _g, guardrailVersion: _v, quotaTableName: _q, ...rest } = { ...TEST_CONFIG, ...overrides };
  return JSON.stringify(rest);
}

// Keep the fixture honest: it must satisfy the deployed schema.
staticConfigSchema().parse(JSON.parse(staticConfigJson()));

/** The authorizer context of a user in `groups`. */
export function claims(sub: string, groups: string): Claims {
  return userContext(sub, groups);
}

/** A parsed handler response. */
export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown> & { error?: { message: string; type: string; code: string | null; param: string | null } };
  readonly raw: APIGatewayProxyResult;
}

/** Options of {@link invoke}. */
export interface InvokeOptions {
  readonly method?: string;
  readonly path?: string;
  /** An object is JSON-encoded; a string is sent as is. */
  readonly body?: unknown;
  /** `null` sends no claims. @default a user in group `users` */
  readonly claims?: Claims | null;
  readonly isBase64Encoded?: boolean;
}

/** Calls `handler` with an API Gateway REST proxy event and parses the JSON response. */
export async function invoke(handler: GatewayHandler, options: InvokeOptions = {}): Promise<Reply> {
  const body = options.body === undefined ? '' : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const event = toProxyEvent(
    options.method ?? 'POST',
    options.path ?? '/v1/chat/completions',
    { 'content-type': 'application/json' },
    Buffer.from(body, 'utf8'),
    options.claims === null ? undefined : (options.claims ?? claims('user-users-1', 'users')),
  );
  if (options.isBase64Encoded) {
    event.body = Buffer.from(body, 'utf8').toString('base64');
    event.isBase64Encoded = true;
  }
  const raw = await handler(event, fakeContext());
  return {
    status: raw.statusCode,
    headers: Object.fromEntries(Object.entries(raw.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
    body: JSON.parse(raw.body) as Reply['body'],
    raw,
  };
}

/** A chat request body for `model` with one user message. */
export function chatBody(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'nova-lite', messages: [{ role: 'user', content }], ...extra };
}

/** Captures (and silences) everything written to process.stdout, where Powertools writes logs and EMF. */
export class StdoutCapture {
  readonly lines: string[] = [];
  private original?: typeof process.stdout.write;

  start(): void {
    this.original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      this.lines.push(...String(chunk).split('\n').filter((l) => l.length > 0));
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
  }

  stop(): void {
    if (this.original) process.stdout.write = this.original;
  }

  /** Parsed JSON lines. */
  json(): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const line of this.lines) {
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not JSON
      }
    }
    return out;
  }

  /** The audit record of `requestId`. */
  audit(requestId: string): Record<string, unknown> | undefined {
    const line = this.json().find((l) => l.message === 'audit' && (l.audit as { requestId?: string } | undefined)?.requestId === requestId);
    return line?.audit as Record<string, unknown> | undefined;
  }
}

/** A response stream for the streaming entry point that keeps what is written and notes when it finished. */
export class RecordingSink {
  body = '';
  finished = false;
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, callback) => {
      this.body += chunk.toString('utf8');
      callback();
    },
  });

  constructor() {
    this.stream.on('finish', () => {
      this.finished = true;
    });
  }
}
