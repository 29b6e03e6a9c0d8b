// `npm run -s proxy -- [--host H] [--port P]`: runs the Toxiproxy-compatible
// server on its own until SIGINT or SIGTERM, then closes every proxy and exits 0.
// Prints one line on stdout once listening: "toxiproxy listening on http://HOST:PORT".
import { startToxiproxyServer } from './server.ts';
import { VERSION } from './api.ts';

const USAGE = `usage: npm run -s proxy -- [--host HOST] [--port PORT] [--verbose]

Runs splitbrain's Toxiproxy-compatible fault proxy (API of Toxiproxy ${VERSION}).
  --host HOST   address of the HTTP API (default 127.0.0.1)
  --port PORT   port of the HTTP API (default 8474; 0 picks a free one)
  --verbose     log proxy events (unreachable upstreams, ...) to stderr
Stops cleanly on SIGINT or SIGTERM.
`;

interface Options {
  host: string;
  port: number;
  verbose: boolean;
}

function parseArgs(argv: string[]): Options | string {
  const opts: Options = { host: '127.0.0.1', port: 8474, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    try {
      if (flag === '--host') opts.host = value();
      else if (flag === '--port') {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) > 65535) return `--port must be a number from 0 to 65535, not '${v}'`;
        opts.port = Number(v);
      } else if (flag === '--verbose') opts.verbose = true;
      else return `unknown argument '${arg}'`;
    } catch (e) {
      return (e as Error).message;
    }
  }
  return opts;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const opts = parseArgs(argv);
  if (typeof opts === 'string') {
    process.stderr.write(`proxy: ${opts}\n\n${USAGE}`);
    return 2;
  }
  let server;
  try {
    server = await startToxiproxyServer({
      host: opts.host,
      port: opts.port,
      log: opts.verbose ? (line) => process.stderr.write(`toxiproxy: ${line}\n`) : undefined,
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(`proxy: cannot listen on ${opts.host}:${opts.port}: ${err.code ?? err.message}\n`);
    return 1;
  }
  process.stdout.write(`toxiproxy listening on ${server.url}\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (sig: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(sig);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stderr.write(`toxiproxy: ${signal}, shutting down\n`);
  await server.close();
  return 0;
}
