// The argument parser every command shares (check, inspect; proxy prints its errors the same way).
import { describe, expect, it } from 'vitest';
import { formatOption, parseArgs, timeoutMsOption, usageErrorLine, UsageError } from './cli-args.ts';

const spec = { json: 'flag', timeout: 'value', format: 'value' } as const;

describe('parseArgs', () => {
  it('reads flags, options in both spellings, and positionals in order', () => {
    const a = parseArgs(['a.jsonl', '--json', '--timeout', '5', '--format=edn', 'b.edn'], spec);
    expect(a.positionals).toEqual(['a.jsonl', 'b.edn']);
    expect(Object.fromEntries(a.options)).toEqual({ json: 'true', timeout: '5', format: 'edn' });
    expect(a.help).toBe(false);
  });

  it('takes everything after -- as a positional, and a lone - too', () => {
    expect(parseArgs(['--', '--json', '-x'], spec).positionals).toEqual(['--json', '-x']);
    expect(parseArgs(['-'], spec).positionals).toEqual(['-']);
  });

  it('recognises --help and -h anywhere', () => {
    expect(parseArgs(['x', '-h'], spec).help).toBe(true);
    expect(parseArgs(['--help', '--json'], spec).help).toBe(true);
  });

  it.each([
    [['--bogus'], "unknown option '--bogus'"],
    [['-x'], "unknown option '-x'"],
    [['--bogus=1'], "unknown option '--bogus'"],
    [['--json=yes'], '--json takes no value'],
    [['--timeout'], '--timeout needs a value'],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(() => parseArgs(argv, spec)).toThrow(new UsageError(message));
  });
});

describe('option values', () => {
  const timeout = (v: string) => timeoutMsOption(parseArgs(['--timeout', v], spec), 60_000);
  it('--timeout: positive finite seconds, in ms; default when absent', () => {
    expect(timeout('1.5')).toBe(1500);
    expect(timeoutMsOption(parseArgs([], spec), 60_000)).toBe(60_000);
    for (const bad of ['0', '-1', 'abc', '', ' ', 'Infinity', 'NaN']) expect(() => timeout(bad), bad).toThrow(UsageError);
  });

  it('--format: one of the history formats', () => {
    expect(formatOption(parseArgs(['--format', 'jepsen'], spec))).toBe('jepsen');
    expect(formatOption(parseArgs([], spec))).toBeUndefined();
    expect(() => formatOption(parseArgs(['--format', 'csv'], spec))).toThrow("--format must be one of jsonl, jepsen, edn, got 'csv'");
  });

  it('a usage error is one line', () => {
    expect(usageErrorLine('check', 'no history given')).toBe('check: no history given (see --help)\n');
  });
});
