// Datadriven tests in the style of etcd raft's interaction tests: a testdata
// file is a sequence of commands, each followed by `----` and the transcript
// it must produce (blank line ends it; `#` lines are comments). Each design's
// suite supplies a scene and one handler file per command; run with
// SPLITBRAIN_REWRITE=1 to regenerate the transcripts after a deliberate change.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';

export type Handler<Scene> = (scene: Scene, args: string[]) => string;

export interface Case {
  line: number;
  command: string;
  expected: string;
}

/** Splits a testdata file into commands and their expected transcripts. */
export function parseCases(text: string): Case[] {
  const lines = text.split('\n');
  const cases: Case[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    if (lines[i + 1]?.trim() !== '----') throw new Error(`line ${i + 2}: expected ---- after the command '${line}'`);
    const out: string[] = [];
    let j = i + 2;
    while (j < lines.length && lines[j].trim() !== '') out.push(lines[j++]);
    cases.push({ line: i + 1, command: line, expected: out.join('\n') });
    i = j;
  }
  return cases;
}

/** Writes cases back with new transcripts, keeping comments before each command. */
export function rewrite(text: string, actual: Map<number, string>): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const got = actual.get(i + 1);
    if (got === undefined) {
      out.push(lines[i]);
      continue;
    }
    out.push(lines[i], '----', ...(got === '' ? [] : got.split('\n')));
    let j = i + 2;
    while (j < lines.length && lines[j].trim() !== '') j++;
    i = j - 1;
  }
  return out.join('\n');
}

/** One vitest case per `*.txt` in `dir`, each played on a fresh scene. Call inside a describe. */
export function runTranscripts<Scene>(dir: string, newScene: () => Scene, commands: Record<string, Handler<Scene>>): void {
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
}
