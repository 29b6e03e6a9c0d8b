// The fault proxy as the harness sees it: a Toxiproxy API URL driven only
// through toxiproxy-node-client, so the built-in server and a real Toxiproxy
// (`--toxiproxy URL` or TOXIPROXY_URL) are interchangeable.
import { Toxiproxy } from 'toxiproxy-node-client';
import { startToxiproxyServer } from '../toxiproxy/index.ts';

export interface FaultProxy {
  url: string;
  client: Toxiproxy;
  /** True when the harness started the server and must stop it. */
  owned: boolean;
  close(): Promise<void>;
}

export class FaultProxyError extends Error {}

export async function openFaultProxy(url?: string): Promise<FaultProxy> {
  if (url !== undefined && url !== '') {
    const client = new Toxiproxy(url.replace(/\/+$/, ''));
    try {
      await client.getVersion();
    } catch (err) {
      throw new FaultProxyError(`cannot reach the Toxiproxy API at ${url}: ${(err as Error).message}`);
    }
    return { url, client, owned: false, close: async () => {} };
  }
  const server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
  return {
    url: server.url,
    client: new Toxiproxy(server.url),
    owned: true,
    close: async () => {
      await server.close();
    },
  };
}
