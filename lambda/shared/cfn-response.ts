import * as http from 'node:http';
import * as https from 'node:https';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';

/** CloudFormation rejects response bodies larger than 4096 bytes. */
export const MAX_RESPONSE_BYTES = 4096;

/** What the handler decided for one request. */
export interface Outcome {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalResourceId: string;
  /** Why it failed (or a short note on success). Never contains the response URL. */
  readonly reason?: string;
  /** Attributes for `Fn::GetAtt` (success only); the whole response must still fit {@link MAX_RESPONSE_BYTES}. */
  readonly data?: Readonly<Record<string, string>>;
}

/**
 * Builds the JSON document CloudFormation expects at the pre-signed response URL. The reason is
 * truncated so that the whole body stays under {@link MAX_RESPONSE_BYTES}.
 */
export function buildResponse(event: CloudFormationCustomResourceEvent, outcome: Outcome): CloudFormationCustomResourceResponse {
  const base = {
    Status: outcome.status,
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    ...(outcome.data !== undefined && outcome.status === 'SUCCESS' ? { Data: outcome.data } : {}),
  };
  let reason = outcome.reason ?? (outcome.status === 'SUCCESS' ? 'OK' : 'Unknown error');
  const overhead = Buffer.byteLength(JSON.stringify({ ...base, Reason: '' }));
  const budget = MAX_RESPONSE_BYTES - overhead;
  if (Buffer.byteLength(JSON.stringify(reason)) - 2 > budget) {
    // Cut by characters until the JSON-escaped reason fits (escaping can only grow the length).
    const marker = ' [truncated]';
    let keep = Math.max(0, budget - marker.length);
    while (keep > 0 && Buffer.byteLength(JSON.stringify(reason.slice(0, keep) + marker)) - 2 > budget) {
      keep = Math.floor(keep * 0.9);
    }
    reason = reason.slice(0, keep) + marker;
  }
  return { ...base, Reason: reason } as CloudFormationCustomResourceResponse;
}

/** The response URL is a bearer capability: it must go to S3 over TLS (plain HTTP only to loopback, for tests). */
export function assertResponseUrl(responseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(responseUrl);
  } catch {
    throw new Error('ResponseURL is not a valid URL');
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`ResponseURL must use https (got ${url.protocol})`);
  }
  return url;
}

/** Bounds on delivering the response. */
export interface SendOptions {
  /** Per-attempt limit, covering connect, upload and the status line. */
  readonly timeoutMs: number;
  /** Attempts in total (network errors and 5xx are retried). */
  readonly attempts: number;
  /** Pause before the second attempt; doubled after each further attempt. */
  readonly backoffMs: number;
}

/** Default bounds: at most 3 × 5 s plus 1.5 s of pauses. */
export const DEFAULT_SEND_OPTIONS: SendOptions = { timeoutMs: 5_000, attempts: 3, backoffMs: 500 };

/**
 * PUTs the response to the pre-signed URL. The request carries an empty Content-Type, as the
 * URL's signature expects. Every attempt is bounded by {@link SendOptions.timeoutMs}; the
 * promise rejects once all attempts have failed, so the caller never waits unboundedly.
 */
export async function sendResponse(
  responseUrl: string,
  response: CloudFormationCustomResourceResponse,
  options: SendOptions = DEFAULT_SEND_OPTIONS,
): Promise<void> {
  const url = assertResponseUrl(responseUrl);
  const body = JSON.stringify(response);
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    try {
      const status = await putOnce(url, body, options.timeoutMs);
      if (status >= 200 && status < 300) {
        return;
      }
      lastError = new Error(`response upload answered HTTP ${status}`);
      if (status < 500) {
        break; // 4xx (expired or tampered URL) will not get better by retrying
      }
    } catch (err) {
      lastError = err instanceof Error ? err : new Error(String(err));
    }
    if (attempt < options.attempts) {
      await new Promise((resolve) => setTimeout(resolve, options.backoffMs * 2 ** (attempt - 1)));
    }
  }
  throw new Error(`Could not deliver the CloudFormation response after ${options.attempts} attempt(s): ${lastError?.message}`);
}

function putOnce(url: URL, body: string, timeoutMs: number): Promise<number> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<number>((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        res.resume(); // drain; S3 answers with an empty body or a short XML error
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', (err: Error) =>
      reject(err.name === 'AbortError' || err.name === 'TimeoutError' ? new Error(`timed out after ${timeoutMs} ms`) : err),
    );
    req.end(body);
  });
}

/** The two log calls {@link reportOutcome} makes (Powertools' `Logger` fits). */
export interface OutcomeLogger {
  info(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

/**
 * Logs the decision (never the response URL) and sends it to CloudFormation. A failed delivery is logged and rethrown,
 * so the asynchronous invocation is retried and, failing that, lands in the dead-letter queue.
 */
export async function reportOutcome(
  event: CloudFormationCustomResourceEvent,
  outcome: Outcome,
  logger: OutcomeLogger,
  options: SendOptions = DEFAULT_SEND_OPTIONS,
): Promise<void> {
  const request = { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId };
  logger.info('decision', {
    ...request,
    status: outcome.status,
    physicalResourceId: outcome.physicalResourceId,
    reason: outcome.reason,
    ...(outcome.data === undefined ? {} : { data: outcome.data }),
  });
  try {
    await sendResponse(event.ResponseURL, buildResponse(event, outcome), options);
  } catch (err) {
    logger.error('could not deliver the CloudFormation response', { ...request, error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}
