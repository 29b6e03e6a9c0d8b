#!/usr/bin/env node
// One CLI entry: `splitbrain <command> [args]`. Each command lives in its own
// module exporting `main(argv): Promise<number>` (the exit code); this file
// only dispatches, and loads just the one command it runs (a fast --help).
// The package's bin is the build of this file (dist/bin/splitbrain.js); in a
// checkout, the npm scripts run it as TypeScript.
import { realpathSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { packageRoot } from '../harness/packageRoot.ts';

// A command runs once, cold. V8's default tier-up budget sends every loop that
// runs a few thousand times to TurboFan, whose compiles (on the same two
// cores) cost a short check more than the optimized code saves it; a larger
// budget leaves short work to the interpreter and the baseline compiler and
// still optimizes what runs long. Set before any command module is loaded
// (the budget is read as functions are compiled); process-wide, so the API
// (index.ts) leaves it alone. Figures: `npm run bench -- checker`, cold section.
setFlagsFromString('--interrupt-budget=400000');
// The same for the checker's WebAssembly kernel: by default V8 recompiles its
// hot functions with TurboFan a few milliseconds into a check, on background
// threads that, on a busy two-core machine, take the core the check needs (a
// 3,000-op check took twice as long beside a compiler run). Ten times the
// budget still optimizes a check that runs long (measured: 50,000 ops on one
// key, unchanged) and spares the short ones.
setFlagsFromString('--wasm-tiering-budget=18000000');

/**
 * `npm run -s check -- FILE` runs this from the package root, wherever the
 * user typed it; npm names the user's folder in INIT_CWD. Paths on the
 * command line are the user's, so every command works from there. Only when
 * npm started this very command at the root: a child process inheriting
 * another script's INIT_CWD (a test started by `npm test`) stays put.
 */
function enterCallersFolder(command: string): void {
  const callers = process.env.INIT_CWD;
  if (callers === undefined || process.env.npm_lifecycle_event !== command) return;
  try {
    if (realpathSync(process.cwd()) === realpathSync(packageRoot)) process.chdir(callers);
  } catch {
    // The caller's folder is gone or unreadable: paths resolve from the root, as before.
  }
}

type Command = { main: (argv: string[]) => Promise<number> };

// Literal import paths: the build rewrites them to the .js files beside this one.
const commands: Record<string, { load: () => Promise<Command>; summary: string }> = {
  check: { load: () => import('../checkers/cli.ts'), summary: 'check histories for linearizability' },
  torture: { load: () => import('../harness/torture/cli.ts'), summary: 'run a system under faults and check it' },
  inspect: { load: () => import('../harness/report/cli.ts'), summary: 'write the HTML report of a run or history' },
  proxy: { load: () => import('../harness/toxiproxy/cli.ts'), summary: 'run the Toxiproxy-compatible fault proxy' },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(9)}${c.summary}`);
  return `usage: splitbrain <command> [--help] [args]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    process.stderr.write(`splitbrain: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  if (name === 'check' || name === 'inspect') {
    // Both read a history once and keep nearly all of it. V8 grows the young generation as
    // that history survives, and every page it grows into is a fresh page fault (10-20 us each on
    // the machines measured, hundreds per check); kept at its first size, the young generation
    // reuses pages already touched and the history moves on to the old generation, where it
    // would end up anyway. Figures: `npm run bench -- checker`, cold section (inspect of 50,000
    // ops: 1.57 s -> 1.41 s, medians of 3).
    setFlagsFromString('--semi-space-growth-factor=1');
  }
  const mod = await command.load();
  enterCallersFolder(name);
  return mod.main(rest);
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // A crash here is our bug, not the user's: show it in full.
    process.stderr.write(`splitbrain: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  },
);
