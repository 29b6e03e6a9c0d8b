// The build's translation of definitions (scripts/build.ts), on every
// built-in design: a definition that names a file the build cannot translate
// fails here, not in a user's project.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { translateDefinition } from './build.ts';

const designs = resolve(import.meta.dirname, '..', 'system-under-test');

describe('translateDefinition', () => {
  it('runs the node runtime without tsx, and names the .js of every .ts', () => {
    const raw = {
      name: 'x',
      nodes: { a: { role: 'r', command: ['{node}', '--import', 'tsx', '../runtime/main.ts', 'r', '--roles', 'roles.ts', '--listen', '{listen}'] } },
      simulation: { roles: 'roles.ts', args: ['--backups', '2'] },
    };
    const out = translateDefinition(raw, 'x.json', () => true);
    expect(out.nodes).toEqual({ a: { role: 'r', command: ['{node}', '../runtime/main.js', 'r', '--roles', 'roles.js', '--listen', '{listen}'] } });
    expect(out.simulation).toEqual({ roles: 'roles.js', args: ['--backups', '2'] });
    expect(out.name).toBe('x');
  });

  it('fails the build, naming the definition and field, when the .js was not built', () => {
    expect(() => translateDefinition({ nodes: { a: { command: ['{node}', 'server.ts'] } } }, 'd/system.json', (p) => p !== 'server.js')).toThrow(
      'd/system.json: nodes.a.command names server.ts, but the build has no server.js',
    );
  });

  it('translates every built-in definition (each .ts it names is a source the build compiles)', () => {
    const files = readdirSync(designs, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(join(designs, d.name)).filter((f) => f.endsWith('.json')).map((f) => join(designs, d.name, f)));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const out = translateDefinition(JSON.parse(readFileSync(file, 'utf8')), file, (js) => existsSync(resolve(dirname(file), js.replace(/\.js$/, '.ts'))));
      expect(JSON.stringify(out)).not.toMatch(/tsx|\.ts"/);
    }
  });
});
