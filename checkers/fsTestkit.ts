// For tests: node:fs with permission errors injected on chosen paths. Tests
// run as root here, where chmod cannot make anything unreadable. Use as
//   const denied = vi.hoisted(() => new Set<string>());
//   vi.mock('node:fs', async (importOriginal) => (await import('./fsTestkit.ts')).denyingFs(importOriginal, denied));
// (vi.mock is hoisted above the imports, hence vi.hoisted and the dynamic import).
type Fs = typeof import('node:fs');

export async function denyingFs(importOriginal: () => Promise<unknown>, denied: ReadonlySet<string>): Promise<Fs> {
  const fs = (await importOriginal()) as Fs;
  const refuse = (path: unknown): void => {
    if (denied.has(String(path))) throw Object.assign(new Error(`EACCES: permission denied, '${String(path)}'`), { code: 'EACCES' });
  };
  type Any = (...args: unknown[]) => unknown;
  const guard = <F>(f: F): F => ((path: unknown, ...rest: unknown[]) => (refuse(path), (f as Any)(path, ...rest))) as F;
  return { ...fs, readdirSync: guard(fs.readdirSync), openSync: guard(fs.openSync), readFileSync: guard(fs.readFileSync) };
}
