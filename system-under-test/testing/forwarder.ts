// A tiny TCP forwarder for real-process tests: one per A->B link, so a test
// can cut or slow a link the way the harness's fault proxy will.
// - `cut('reset')` destroys every connection and refuses new ones;
// - `cut('drop')` keeps connections open but silently discards bytes (like a
//   DROP firewall rule), both ways or in one direction (`'back'` = B's replies);
// - `delay(ms)` holds every chunk for `ms` before passing it on, in order;
// - `heal()` restores plain forwarding (bytes discarded meanwhile stay lost).
import net from 'node:net';

export type CutMode = 'reset' | 'drop';
/** forward: A -> B bytes; back: B -> A bytes. */
export type Direction = 'both' | 'forward' | 'back';

export class Forwarder {
  private server: net.Server | null = null;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private refuse = false;
  private dropForward = false;
  private dropBack = false;
  private delayMs = 0;
  port = 0;

  constructor(
    readonly name: string,
    private targetPort: number,
  ) {}

  /** New connections go to `port` from now on (the node behind it moved). */
  retarget(port: number): void {
    this.targetPort = port;
  }

  /** Listens on `port` (0: any free port). */
  async start(port = 0): Promise<number> {
    this.server = net.createServer((inbound) => {
      if (this.refuse) {
        inbound.on('error', () => {});
        inbound.resetAndDestroy();
        return;
      }
      const outbound = net.connect({ host: '127.0.0.1', port: this.targetPort });
      inbound.setNoDelay(true);
      outbound.setNoDelay(true);
      const pair: [net.Socket, net.Socket] = [inbound, outbound];
      this.pairs.add(pair);
      this.pipe(inbound, outbound, () => this.dropForward);
      this.pipe(outbound, inbound, () => this.dropBack);
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
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server!.address() as net.AddressInfo).port;
    return this.port;
  }

  private pipe(from: net.Socket, to: net.Socket, dropping: () => boolean): void {
    // Deadlines never decrease, so delayed chunks leave in the order they came.
    let lastAt = 0;
    from.on('data', (chunk) => {
      if (dropping() || this.refuse) return;
      const write = () => {
        if (!to.destroyed && !dropping() && !this.refuse) to.write(chunk);
      };
      if (this.delayMs === 0) return write();
      const at = Math.max(Date.now() + this.delayMs, lastAt);
      lastAt = at;
      setTimeout(write, at - Date.now());
    });
  }

  cut(mode: CutMode, direction: Direction = 'both'): void {
    if (mode === 'reset') {
      this.refuse = true;
      for (const [a, b] of this.pairs) (a.resetAndDestroy(), b.destroy());
      return;
    }
    if (direction !== 'back') this.dropForward = true;
    if (direction !== 'forward') this.dropBack = true;
  }

  delay(ms: number): void {
    this.delayMs = ms;
  }

  heal(): void {
    this.refuse = false;
    this.dropForward = false;
    this.dropBack = false;
    this.delayMs = 0;
  }

  async stop(): Promise<void> {
    for (const [a, b] of this.pairs) (a.destroy(), b.destroy());
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
