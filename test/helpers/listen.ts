import type { AddressInfo, Server } from 'node:net';

/**
 * Starts `server` on a random port of 127.0.0.1 — never another address — and resolves with the
 * port; rejects if listening fails.
 */
export async function listenOnLoopback(server: Pick<Server, 'once' | 'off' | 'listen' | 'address'>): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
