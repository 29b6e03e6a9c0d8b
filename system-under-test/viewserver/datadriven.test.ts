// Runs every testdata/*.txt transcript (see datadriven/harness.ts).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commands } from './datadriven/commands.ts';
import { newScene, parseCases, rewrite } from './datadriven/harness.ts';

const dir = fileURLToPath(new URL('./testdata/', import.meta.url));

describe('view service transcripts (testdata/*.txt)', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
    it(file, () => {
      const text = readFileSync(dir + file, 'utf8');
      const scene = newScene();
      const actual = new Map<number, string>();
      for (const c of parseCases(text)) {
        const [name, ...args] = c.command.split(/\s+/);
        const handler = commands[name];
        if (handler === undefined) throw new Error(`${file}:${c.line}: unknown command '${name}' (known: ${Object.keys(commands).join(', ')})`);
        const got = handler(scene, args);
        actual.set(c.line, got);
        if (!process.env.SPLITBRAIN_REWRITE) expect(got, `${file}:${c.line}: ${c.command}`).toBe(c.expected);
      }
      if (process.env.SPLITBRAIN_REWRITE) writeFileSync(dir + file, rewrite(text, actual));
    });
  }
});
