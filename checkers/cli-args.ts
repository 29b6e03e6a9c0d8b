// The argument handling every splitbrain command shares: `--flag`,
// `--option VALUE` and `--option=VALUE`, `--` ending the options, and one-line
// usage errors. Lives in checkers/ (which imports nothing) so harness commands
// can import it too.
import { FORMATS, type HistoryFormat } from './index.ts';
import { clip, escapeControl } from './quote.ts';

/** A mistake on the command line: the command prints one line and exits with its usage code. */
export class UsageError extends Error {}

export interface ParsedArgs {
  /** Options seen, by long name without dashes; flags map to 'true'. */
  options: Map<string, string>;
  positionals: string[];
  help: boolean;
}

/**
 * `spec` names each option (without dashes) and whether it takes a value.
 * Anything else starting with `-` is an unknown option, not a path: a mistyped
 * flag must not turn into "no such file".
 */
export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, 'flag' | 'value'>>): ParsedArgs {
  const parsed: ParsedArgs = { options: new Map(), positionals: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') {
      parsed.help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const spelled = eq > 0 ? arg.slice(0, eq) : arg;
    const name = spelled.startsWith('--') ? spelled.slice(2) : undefined;
    const kind = name === undefined ? undefined : spec[name];
    if (name === undefined || kind === undefined) throw new UsageError(`unknown option '${spelled}'`);
    if (kind === 'flag') {
      if (eq > 0) throw new UsageError(`${spelled} takes no value`);
      parsed.options.set(name, 'true');
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`${spelled} needs a value`);
    parsed.options.set(name, value);
  }
  return parsed;
}

/** `--timeout S` in milliseconds: a positive, finite number of seconds. */
export function timeoutMsOption(args: ParsedArgs, fallbackMs: number): number {
  const v = args.options.get('timeout');
  if (v === undefined) return fallbackMs;
  const s = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(s) || s <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got '${v}'`);
  return s * 1000;
}

/** `--format F`: one of the history formats the checker reads. */
export function formatOption(args: ParsedArgs): HistoryFormat | undefined {
  const v = args.options.get('format');
  if (v === undefined) return undefined;
  if (!(FORMATS as readonly string[]).includes(v)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${v}'`);
  return v as HistoryFormat;
}

/** The one line a usage error prints: what is wrong (it may echo an argument: escaped, cut if long), and where the full usage is. */
export function usageErrorLine(command: string, message: string): string {
  return `${command}: ${clip(escapeControl(message), 400)} (see --help)\n`;
}
