// A promise-chain mutex: API operations that change a proxy run one at a
// time, as Toxiproxy serialises them with sync.Mutex.
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
