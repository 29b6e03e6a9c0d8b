// The definition behind `torture --bin CMD --node-count N`: Maelstrom's own
// command line (`maelstrom test -w lin-kv --bin CMD --node-count N`) read as
// a system definition. Nodes n1..nN all run CMD, all take clients, and may
// message each other; the claim is linearizable unless told otherwise.
import { basename, extname, join } from 'node:path';
import { DefinitionError, parseSystem, type Claim, type SystemDefinition } from './definition.ts';

export interface BinOptions {
  /** The program as typed, e.g. `python3 my_node.py`; split like a shell would (quotes, backslashes), never run by one. */
  command: string;
  nodeCount: number;
  claims: Claim;
  /** Where the command runs and relative paths resolve: the user's working folder. */
  cwd: string;
}

export function binSystem(opts: BinOptions): SystemDefinition {
  const argv = splitCommand(opts.command);
  if (argv.length === 0) throw new DefinitionError('--bin', 'needs a program, e.g. --bin "python3 my_node.py"');
  const nodes = Object.fromEntries(Array.from({ length: opts.nodeCount }, (_, i) => [`n${i + 1}`, { command: argv }]));
  const flags = `--bin ${opts.command} --node-count ${opts.nodeCount}`;
  // The file name only anchors the folder; the definition never existed as a file.
  const def = parseSystem({ name: programName(argv), claims: opts.claims, protocol: 'maelstrom', nodes }, join(opts.cwd, 'bin'));
  return { ...def, file: flags, bin: { command: opts.command, nodeCount: opts.nodeCount } };
}

/** `python3 ./my_node.py` -> `my_node`: the last word, without folder or extension, safe as a system name. */
function programName(argv: string[]): string {
  const last = basename(argv[argv.length - 1]);
  const name = last.slice(0, last.length - extname(last).length).replace(/[^A-Za-z0-9_.-]+/g, '_');
  return name.length > 0 && name !== '.' && name !== '..' ? name : 'maelstrom';
}

/** Splits a command line into argv: whitespace separates words, '...' is literal, "..." and \ escape. */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new DefinitionError('--bin', `unterminated ' in ${JSON.stringify(line)}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let quoted = '';
      for (i++; i < line.length && line[i] !== '"'; i++) quoted += line[i] === '\\' && i + 1 < line.length ? line[++i] : line[i];
      if (i >= line.length) throw new DefinitionError('--bin', `unterminated " in ${JSON.stringify(line)}`);
      word = (word ?? '') + quoted;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}
