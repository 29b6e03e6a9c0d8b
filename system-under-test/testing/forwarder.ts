// A tiny TCP forwarder for real-process tests: one per A->B link, so a test
// can cut a link the way the harness's fault proxy will. `cut('reset')`
// destroys every connection and refuses new ones; `cut('drop')` keeps
// connections open but silently discards bytes both ways (like a DROP
// firewall rule). `heal()` restores forwarding for connections made from then
// on (and, in drop mode, for the held-open ones).
import net from 'node:net';

export type CutMode = 'reset' | 'drop';

export class Forwarder {
  private server: net.Server | null = null;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private mode: CutMode | null = null;
  port = 0;

  constructor(
    readonly name: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    this.server = net.createServer((inbound) => {
      if (this.mode === 'reset') {
        inbound.resetAndDestroy();
        return;
      }
      const outbound = net.connect({ host: '127.0.0.1', port: this.targetPort });
      const pair: [net.Socket, net.Socket] = [inbound, outbound];
      this.pairs.add(pair);
      const pipe = (from: net.Socket, to: net.Socket) => {
        from.on('data', (chunk) => {
          if (this.mode === null && !to.destroyed) to.write(chunk);
        });
      };
      pipe(inbound, outbound);
      pipe(outbound, inbound);
      const close = () => {
        this.pairs.delete(pair);
        inbound.destroy();
        outbound.destroy();
      };
      for (const s of pair) {
        s.on('error', close);
        s.on('close', close);
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as net.AddressInfo).port;
    return this.port;
  }

  cut(mode: CutMode): void {
    this.mode = mode;
    if (mode === 'reset') for (const [a, b] of this.pairs) (a.resetAndDestroy(), b.destroy());
  }

  heal(): void {
    this.mode = null;
  }

  async stop(): Promise<void> {
    for (const [a, b] of this.pairs) (a.destroy(), b.destroy());
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
