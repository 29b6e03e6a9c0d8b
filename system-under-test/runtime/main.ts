// The process entry every design's system.json starts:
//   node --import tsx ../runtime/main.ts ROLE [ROLE OPTIONS] --id ID --listen 127.0.0.1:PORT --peers id=HOST:PORT,... [--data DIR]
// run from the design's folder, which holds roles.ts (a RolesModule, env.ts).
// In the package the build runs it as ../runtime/main.js, and the roles
// module beside it is roles.js (scripts/build.ts translates the definitions).
import { fileURLToPath, pathToFileURL } from 'node:url';
import { extname, resolve } from 'node:path';
import type { RolesModule } from './env.ts';
import { parseNodeArgs, UsageError } from './args.ts';
import { startHost, type RunningHost } from './host.ts';

/** The node cannot start for a reason outside its arguments (exit 1, no usage text). */
class StartError extends Error {}

const usage = `usage: node --import tsx ../runtime/main.ts ROLE [ROLE OPTIONS] [--roles FILE] --id ID --listen 127.0.0.1:PORT [--peers ID=HOST:PORT,...] [--data DIR]
  (or SPLITBRAIN_ID, SPLITBRAIN_LISTEN, SPLITBRAIN_PEERS, SPLITBRAIN_DATA in the environment)
  ROLE is one of the roles exported by FILE (default ./roles.ts, or roles.js from the package, in the working directory);
  ROLE OPTIONS are the design's settings, if it has any (e.g. --backups 2).
  --data DIR: where a node that keeps durable state keeps it (created if missing).
`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return 0;
  }
  const args = parseNodeArgs(argv, process.env);
  // The design's roles module in the language this runtime runs in.
  let rolesFile = `roles${extname(fileURLToPath(import.meta.url))}`;
  const rest = [...args.rest];
  const r = rest.indexOf('--roles');
  if (r >= 0) {
    rolesFile = rest[r + 1] ?? '';
    rest.splice(r, 2);
  }
  const [role, ...options] = rest;
  const mod = (await import(pathToFileURL(resolve(rolesFile)).href)) as RolesModule;
  if (options.length > 0 && mod.rolesFromArgs === undefined) throw new UsageError(`unexpected arguments: ${options.join(' ')}`);
  const roles = mod.rolesFromArgs === undefined ? mod.roles : mod.rolesFromArgs(options);
  const factory = role === undefined ? undefined : roles[role];
  if (factory === undefined) {
    throw new UsageError(`unknown role '${role ?? ''}'; ${rolesFile} has: ${Object.keys(roles).join(', ')}`);
  }
  let host: RunningHost;
  try {
    host = await startHost(args, factory);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new StartError(`[${args.id}] cannot listen on 127.0.0.1:${args.listen.port}: ${code === 'EADDRINUSE' ? 'address already in use' : 'permission denied'}`);
    }
    throw new StartError(`[${args.id}] cannot start: ${err instanceof Error ? err.message : String(err)}`);
  }
  const stop = () => {
    host.stop().finally(() => process.exit(0));
    // A wedged close must not keep a SIGTERMed node alive.
    setTimeout(() => process.exit(0), 500).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof StartError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n${usage}`);
      process.exit(2);
    }
    process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(70);
  },
);
