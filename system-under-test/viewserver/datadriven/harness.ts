// Datadriven view-service tests (etcd raft's interaction tests): each file in
// ../testdata is a sequence of commands, each followed by `----` and the
// transcript it must produce. One handler file per command. Run with
// SPLITBRAIN_REWRITE=1 to regenerate the transcripts after a deliberate change.
import { SimNetwork } from '../../runtime/simnet.ts';
import { ViewService } from '../viewservice.ts';

export interface Scene {
  net: SimNetwork;
  /** The view number each server last got back, for `ack` pings. */
  held: Map<string, number>;
}

export function newScene(): Scene {
  const net = new SimNetwork({ seed: 1 });
  net.add('vs', [], (env) => new ViewService(env));
  return { net, held: new Map() };
}

export type Handler = (scene: Scene, args: string[]) => string;

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
