// `npm run -s proxy -- [--host H] [--port P] [--config FILE]`: runs the
// Toxiproxy-compatible server on its own until SIGINT or SIGTERM, then closes
// every proxy and exits 0. Prints one line on stdout once listening:
// "toxiproxy listening on http://HOST:PORT". Flags also take toxiproxy-server's
// single-dash spelling (-host, -port, -config).
import { readFile } from 'node:fs/promises';
import { startToxiproxyServer } from './server.ts';
import { VERSION } from './api.ts';
import { ApiError } from './errors.ts';

const USAGE = `usage: npm run -s proxy -- [--host HOST] [--port PORT] [--config FILE] [--verbose]

Runs splitbrain's Toxiproxy-compatible fault proxy (API of Toxiproxy ${VERSION}).
  --host HOST    address of the HTTP API (default 127.0.0.1)
  --port PORT    port of the HTTP API (default 8474; 0 picks a free one)
  --config FILE  create proxies from a JSON file at start, as POST /populate does
  --verbose      log proxy events (unreachable upstreams, ...) to stderr
Stops cleanly on SIGINT or SIGTERM.
`;

interface Options {
  host: string;
  port: number;
  config: string | undefined;
  verbose: boolean;
}

function parseArgs(argv: string[]): Options | string {
  const opts: Options = { host: '127.0.0.1', port: 8474, config: undefined, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const [spelled, inline] = arg.startsWith('-') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const flag = /^-[a-z]{2,}$/.test(spelled) ? `-${spelled}` : spelled;
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
      } else if (flag === '--config') opts.config = value();
      else if (flag === '--verbose') opts.verbose = true;
      else return `unknown argument '${arg}'`;
    } catch (e) {
      return (e as Error).message;
    }
  }
  return opts;
}

/** Creates the proxies a config file lists; a message for the user when it cannot. */
async function populateFromFile(
  proxies: { populate(body: unknown): Promise<{ name: string; listen: string }[]> },
  file: string,
): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return `cannot read config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return `config ${file} is not valid JSON: ${(e as Error).message}`;
  }
  try {
    const created = await proxies.populate(body);
    for (const p of created) process.stderr.write(`toxiproxy: proxy ${p.name} listening on ${p.listen}\n`);
    return undefined;
  } catch (e) {
    if (e instanceof ApiError) return `config ${file}: ${e.message}`;
    throw e;
  }
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
  if (opts.config !== undefined) {
    const problem = await populateFromFile(server.proxies, opts.config);
    if (problem !== undefined) {
      process.stderr.write(`proxy: ${problem}\n`);
      await server.close();
      return 2;
    }
  }
  process.stdout.write(`toxiproxy listening on ${server.url}\n`);
  let stopListening = () => {};
  let firstSignalAt = 0;
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      // Ctrl-C reaches both tsx and this process, so one duplicate is normal;
      // a signal repeated later means "stop now".
      if (firstSignalAt === 0) {
        firstSignalAt = Date.now();
        resolve(sig);
      } else if (Date.now() - firstSignalAt > 1000) {
        process.stderr.write(`toxiproxy: ${sig} again, exiting without cleanup\n`);
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    stopListening = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  });
  process.stderr.write(`toxiproxy: ${signal}, shutting down\n`);
  await server.close();
  stopListening();
  return 0;
}
