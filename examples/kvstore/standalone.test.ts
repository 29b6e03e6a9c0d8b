// The example is what a user's own system looks like to splitbrain: a
// program that shares nothing with it but the wire protocol and a system
// definition. Keep it that way.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSystem } from '../../harness/system/definition.ts';

const here = dirname(fileURLToPath(import.meta.url));

describe('examples/kvstore', () => {
  it('imports nothing but Node.js built-ins', () => {
    const source = readFileSync(join(here, 'server.js'), 'utf8');
    const imports = [...source.matchAll(/(?:import\s[^'"]*|require\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((s) => !s.startsWith('node:'))).toEqual([]);
  });

  it('both definitions load, run the same program, and differ only in the claim and --stale-reads', () => {
    const good = loadSystem(join(here, 'system.json'));
    const stale = loadSystem(join(here, 'system-stale-reads.json'));
    expect(good.claims).toBe('linearizable');
    expect(stale.claims).toBe('not-linearizable');
    for (const [i, n] of good.nodes.entries()) {
      expect(stale.nodes[i].command).toEqual([...n.command, '--stale-reads']);
      expect(n.command).toContain('server.js');
    }
  });
});
