// Which view-service replica a server pings and a coordinator asks. With one
// view server that is always it. With a replicated service it is the leader
// when known: every replica's answer names the leader it knows (`leader`),
// and the locator follows that hint; a replica that names none, or that has
// not answered for `patienceMs` since it became the target, is passed over
// for the next one. Any replica's answer is usable (raftvs/replica.ts argues
// why), so following hints only makes the answers fresher and the pings count.
export class Locator {
  private index = 0;
  /** Since when the current target has been silent (reset by any answer from it, or by a move). */
  private silentSince: number;

  constructor(
    private readonly replicas: readonly string[],
    private readonly now: () => number,
    private readonly patienceMs: number,
  ) {
    if (replicas.length === 0) throw new Error('locator: no view-service replicas');
    this.silentSince = now();
  }

  /** Whom to talk to now. */
  target(): string {
    if (this.replicas.length > 1 && this.now() - this.silentSince > this.patienceMs) this.move(this.index + 1);
    return this.replicas[this.index];
  }

  /** A replica answered; `leader` is whom it names as leader (undefined: a service without leaders). */
  heard(from: string, leader: unknown): void {
    if (from !== this.replicas[this.index]) return;
    this.silentSince = this.now();
    if (leader === undefined || leader === from) return;
    const hinted = typeof leader === 'string' ? this.replicas.indexOf(leader) : -1;
    this.move(hinted >= 0 ? hinted : this.index + 1);
  }

  private move(to: number): void {
    this.index = to % this.replicas.length;
    this.silentSince = this.now();
  }
}
