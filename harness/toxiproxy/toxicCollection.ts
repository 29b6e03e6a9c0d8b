// The toxics of one proxy: one chain per direction, in insertion order, and
// the live links they apply to. Modelled on Toxiproxy's toxic_collection.go:
// every change is made to the chain first (new connections see it at once),
// then to every open link of that direction.
import { ErrToxicAlreadyExists, ErrToxicNotFound } from './errors.ts';
import type { Direction, ToxicLink } from './link.ts';
import { parseNewToxic, parseToxicUpdate, type ToxicWrapper } from './toxic.ts';

export class ToxicCollection {
  readonly chain: Record<Direction, ToxicWrapper[]> = { upstream: [], downstream: [] };
  readonly links = new Set<ToxicLink>();

  list(): ToxicWrapper[] {
    return [...this.chain.upstream, ...this.chain.downstream];
  }

  find(name: string): ToxicWrapper | undefined {
    return this.chain.upstream.find((t) => t.name === name) ?? this.chain.downstream.find((t) => t.name === name);
  }

  get(name: string): ToxicWrapper {
    const t = this.find(name);
    if (t === undefined) throw ErrToxicNotFound;
    return t;
  }

  add(body: unknown): ToxicWrapper {
    const toxic = parseNewToxic(body, (n) => this.find(n) !== undefined, ErrToxicAlreadyExists);
    this.chain[toxic.direction].push(toxic);
    for (const link of this.links) if (link.direction === toxic.direction) link.addToxic(toxic);
    return toxic;
  }

  async update(name: string, body: unknown): Promise<ToxicWrapper> {
    const old = this.get(name);
    const toxic = parseToxicUpdate(old, body);
    const chain = this.chain[toxic.direction];
    const index = chain.indexOf(old);
    chain[index] = toxic;
    await Promise.all(this.linksOf(toxic.direction).map((l) => l.updateToxic(index, toxic)));
    return toxic;
  }

  async remove(name: string): Promise<void> {
    await this.removeToxic(this.get(name));
  }

  async reset(): Promise<void> {
    for (const dir of ['upstream', 'downstream'] as const) {
      while (this.chain[dir].length > 0) await this.removeToxic(this.chain[dir][0]!);
    }
  }

  private async removeToxic(toxic: ToxicWrapper): Promise<void> {
    const chain = this.chain[toxic.direction];
    const index = chain.indexOf(toxic);
    chain.splice(index, 1);
    await Promise.all(this.linksOf(toxic.direction).map((l) => l.removeToxic(index, toxic)));
  }

  private linksOf(direction: Direction): ToxicLink[] {
    return [...this.links].filter((l) => l.direction === direction);
  }
}
