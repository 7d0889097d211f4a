import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenOnLoopback } from './listen';

/** One request the loopback server received. */
export interface CapturedRequest {
  readonly method: string;
  /** Path and query string, as sent. */
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** How the loopback server answers one request. */
export interface LoopbackReply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Never answer: the connection stays open until the client gives up or the server closes. */
  readonly hang?: boolean;
}

/** Chooses the reply for a request. */
export type LoopbackRoute = (req: CapturedRequest) => LoopbackReply | Promise<LoopbackReply>;

/**
 * A plain HTTP/1.1 server bound to 127.0.0.1 on an ephemeral port, for running real clients
 * (the AWS SDK, `node:https`-style uploaders) against scripted answers without a network.
 *
 * @example
 * const server = await LoopbackServer.start(() => ({ status: 200, body: '{}' }));
 * process.env.AWS_ENDPOINT_URL_BEDROCK = server.url;
 * // ... exercise the client, then inspect server.requests
 * await server.close();
 */
export class LoopbackServer {
  /** Starts a server answering with `route` (404 for everything when omitted). */
  public static async start(route?: LoopbackRoute): Promise<LoopbackServer> {
    const server = new LoopbackServer(route ?? (() => ({ status: 404 })));
    await listenOnLoopback(server.server);
    return server;
  }

  /** Every request received so far, oldest first. */
  public readonly requests: CapturedRequest[] = [];
  /** The answering function; replace it between tests. */
  public route: LoopbackRoute;
  private readonly server: http.Server;

  private constructor(route: LoopbackRoute) {
    this.route = route;
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const captured: CapturedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(captured);
        Promise.resolve(this.route(captured))
          .then((reply) => {
            if (reply.hang) {
              return;
            }
            res.writeHead(reply.status, reply.headers ?? {});
            res.end(reply.body ?? '');
          })
          .catch((err: unknown) => {
            res.writeHead(500);
            res.end(String(err));
          });
      });
    });
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  public get url(): string {
    const address = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  /** Requests received for a method and path (query string ignored). */
  public requestsTo(method: string, path: string): CapturedRequest[] {
    return this.requests.filter((r) => r.method === method && r.url.split('?')[0] === path);
  }

  /** Forgets the recorded requests. */
  public reset(): void {
    this.requests.length = 0;
  }

  /** Stops listening and drops every open connection (including hanging ones). */
  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
