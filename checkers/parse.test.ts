// Bad input: every mistake the issue lists gets a HistoryError naming file and line.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstNonBlankLine, looksLikeEdn } from './importers/edn.ts';
import { checkHistory, HistoryError, pairOperations, parseHistoryText, renderFailureText, toJsonReport, type HistoryEvent } from './index.ts';

const ev = (o: Record<string, unknown>): string => JSON.stringify(o);
const inv = (i: number, p: number, f = 'write', value: unknown = 1, time = i) => ev({ index: i, time, process: p, type: 'invoke', f, key: 'x', value });
const done = (i: number, p: number, type = 'ok', f = 'write', value: unknown = 1, time = i) => ev({ index: i, time, process: p, type, f, key: 'x', value });

function errorOf(text: string, format?: 'jsonl' | 'jepsen' | 'edn'): HistoryError {
  try {
    parseHistoryText(text, { file: 'h.jsonl', format });
  } catch (e) {
    if (e instanceof HistoryError) return e;
    throw e;
  }
  throw new Error('expected a HistoryError');
}

describe('JSONL validation', () => {
  it('accepts a well-formed history, nemesis events and blank lines', () => {
    const text = [inv(0, 0), '', ev({ index: 1, time: 1, process: 'nemesis', type: 'info', f: 'start-partition', value: { n1: ['n2'] } }), done(2, 0)].join('\n');
    const events = parseHistoryText(text);
    expect(events).toHaveLength(3);
    expect(pairOperations(events)).toMatchObject([{ process: 0, f: 'write', key: 'x', input: 1, status: 'ok', call: 0, return: 2 }]);
  });

  it.each([
    ['malformed JSON', `${inv(0, 0)}\n{"index":1,`, 2, /malformed JSON/],
    ['unknown type', `${inv(0, 0)}\n${done(1, 0, 'done')}`, 2, /unknown "type" "done"/],
    ['unknown f', inv(0, 0, 'delete'), 1, /unknown "f" "delete"/],
    ['a cas value that is not [from, to]', inv(0, 0, 'cas', 3), 1, /cas "value" must be \[from, to\]/],
    ['a completion with no invoke', `${inv(0, 0)}\n${done(1, 0)}\n${done(2, 1)}`, 3, /no matching invoke/],
    ['a process invoking while it has an open op', `${inv(0, 0)}\n${inv(1, 0)}`, 2, /has not completed/],
    ['a retired process invoking again', `${inv(0, 0)}\n${done(1, 0, 'info')}\n${inv(2, 0)}`, 3, /retired/],
    ['time going backwards', `${inv(0, 0, 'write', 1, 50)}\n${done(1, 0, 'ok', 'write', 1, 40)}`, 2, /time goes backwards/],
    ['a completion of another function', `${inv(0, 0)}\n${done(1, 0, 'ok', 'read')}`, 2, /does not match its invoke/],
    ['a non-integer process', ev({ index: 0, time: 0, process: 'c1', type: 'invoke', f: 'read', value: null }), 1, /"process" must be/],
    // An ok read that does not say what it read tests nothing; read as null, it could pass or fail a history at random.
    ['an ok read without "value"', `${inv(0, 0, 'read', null)}\n${ev({ index: 1, time: 1, process: 0, type: 'ok', f: 'read', key: 'x' })}`, 2, /an ok read must carry the "value" it read/],
    // JSON.parse reads 1e400 as Infinity, which JSON.stringify used to print as "got null".
    ['a time out of range', '{"index":0,"time":1e400,"process":0,"type":"invoke","f":"read","key":"x","value":null}', 1, /"time" must be a non-negative number, got a number out of range/],
    ['a key that is neither a string nor an integer', ev({ index: 0, time: 0, process: 0, type: 'invoke', f: 'read', key: 1.5, value: null }), 1, /"key" must be a string or an integer, got 1\.5/],
  ])('rejects %s with file and line', (_name, text, line, message) => {
    const e = errorOf(text);
    expect(e.file).toBe('h.jsonl');
    expect(e.line).toBe(line);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(`h.jsonl:${line}: `)).toBe(true);
  });

  it('treats an op with no completion as indeterminate (returns at infinity)', () => {
    const ops = pairOperations(parseHistoryText(inv(0, 0)));
    expect(ops[0]).toMatchObject({ status: 'info', return: Infinity, completeIndex: null });
  });

  it('pairOperations on event objects reports the event position as the line', () => {
    const events = [JSON.parse(done(0, 3)) as HistoryEvent];
    expect(() => pairOperations(events)).toThrow(/<history>:1: .*no matching invoke/);
  });
});

describe('Jepsen log import', () => {
  const log = (p: number, type: string, f: string, v: string) => `INFO  jepsen.util - ${p}\t:${type}\t:${f}\t${v}`;

  it('reads nil, integers, [from to] and :timed-out, and skips other log lines', () => {
    const text = [
      'INFO  jepsen.core - Running test',
      log(0, 'invoke', 'read', 'nil'),
      log(1, 'invoke', 'cas', '[1 4]'),
      log(0, 'ok', 'read', 'nil'),
      log(1, 'info', 'cas', ':timed-out'),
      log(2, 'invoke', 'read', 'nil'),
      log(2, 'fail', 'read', ':timed-out'),
    ].join('\n');
    const ops = pairOperations(parseHistoryText(text));
    expect(ops.map((o) => [o.f, o.status, o.input, o.output])).toEqual([
      ['read', 'ok', null, null],
      ['cas', 'info', [1, 4], null],
      ['read', 'fail', null, null],
    ]);
    expect(ops[1].return).toBe(Infinity);
  });

  it.each([
    ['an unknown type', log(0, 'done', 'read', 'nil'), /unknown type ":done"/],
    ['an unknown function', log(0, 'invoke', 'delete', 'nil'), /unknown function ":delete"/],
    ['an unreadable value', log(0, 'invoke', 'write', '{1 2}'), /cannot read value/],
    ['a bad cas value', log(0, 'invoke', 'cas', '[1]'), /must be \[from to\]/],
    ['a line cut short after its type', 'INFO  jepsen.util - 0\t:fail', /incomplete op line/],
    ['a line cut short after its process', 'INFO  jepsen.util - 12', /incomplete op line/],
  ])('rejects %s with its line', (_name, line, message) => {
    const e = errorOf(`INFO  jepsen.util - 9\t:invoke\t:read\tnil\n${line}`, 'jepsen');
    expect(e.line).toBe(2);
    expect(e.message).toMatch(message);
  });

  it('keeps nemesis lines as nemesis events (for the report) and checks as if they were not there', () => {
    const text = [
      log(0, 'invoke', 'write', '1'),
      'INFO  jepsen.util - :nemesis\t:info\t:start\tnil',
      'INFO  jepsen.util - :nemesis\t:info\t:start\t"Cut off {:n1 #{:n2}}"',
      log(0, 'ok', 'write', '1'),
      'INFO  jepsen.util - :nemesis\t:info\t:stop\t"fully connected"',
    ].join('\n');
    const events = parseHistoryText(text);
    expect(events.filter((e) => e.process === 'nemesis').map((e) => [e.f, e.time, e.value])).toEqual([
      ['start', 2, undefined],
      ['start', 3, '"Cut off {:n1 #{:n2}}"'],
      ['stop', 5, '"fully connected"'],
    ]);
    expect(pairOperations(events).map((o) => [o.f, o.status])).toEqual([['write', 'ok']]);
  });

  it('a cut-short :fail is bad input, not a write that may have happened', () => {
    // Skipped, the fail line left the write of 2 open (may have happened), which explained the read of 2.
    const text = [log(0, 'invoke', 'write', '1'), log(0, 'ok', 'write', '1'), log(1, 'invoke', 'write', '2'), 'INFO  jepsen.util - 1\t:fail', log(2, 'invoke', 'read', 'nil'), log(2, 'ok', 'read', '2')].join('\n');
    const e = errorOf(text, 'jepsen');
    expect(e.line).toBe(4);
  });

  it('applies the order rules too', () => {
    const e = errorOf([log(0, 'invoke', 'read', 'nil'), log(0, 'invoke', 'read', 'nil')].join('\n'));
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/has not completed/);
  });
});

describe('EDN import', () => {
  it('maps :get/:put/:append and keeps keys', () => {
    const text = [
      '{:process 0, :type :invoke, :f :put, :key "k", :value "a"}',
      '{:process 0, :type :ok, :f :put, :key "k", :value "a"}',
      '{:process 1, :type :invoke, :f :get, :key "k", :value nil}',
      '{:process 1, :type :ok, :f :get, :key "k", :value "a"}',
      '{:process 1, :type :invoke, :f :append, :key "k", :value "b"}',
    ].join('\n');
    const ops = pairOperations(parseHistoryText(text));
    expect(ops.map((o) => [o.f, o.key, o.input, o.output, o.status])).toEqual([
      ['write', 'k', 'a', null, 'ok'],
      ['read', 'k', null, 'a', 'ok'],
      ['append', 'k', 'b', null, 'info'],
    ]);
  });

  it('keeps :nemesis maps as nemesis events, with their :time and :value', () => {
    const text = [
      '{:process 0, :type :invoke, :f :put, :key "k", :value "a", :time 10}',
      '{:type :info, :f :start, :value [:isolated {"n1" #{"n2"}}], :process :nemesis, :time 20}',
      '{:process 0, :type :ok, :f :put, :key "k", :value "a", :time 30}',
      '{:type :info, :f :stop, :value nil, :process :nemesis, :time 40}',
    ].join('\n');
    const events = parseHistoryText(text);
    expect(events.filter((e) => e.process === 'nemesis').map((e) => [e.f, e.time, e.value])).toEqual([
      ['start', 20, ['isolated', { n1: { set: ['n2'] } }]],
      ['stop', 40, undefined],
    ]);
    expect(pairOperations(events)).toHaveLength(1);
  });

  it.each([
    ['a nemesis map without :f', '{:type :info, :process :nemesis}', /nemesis event needs an :f/],
    ['malformed EDN', '{:process 0, :type :invoke', /malformed EDN/],
    ['an unknown :type', '{:process 0, :type :started, :f :get, :key "k", :value nil}', /unknown :type "started"/],
    ['an unknown :f', '{:process 0, :type :invoke, :f :delete, :key "k", :value nil}', /unknown :f "delete"/],
    ['a completion with no invoke', '{:process 3, :type :ok, :f :get, :key "k", :value "a"}', /no matching invoke/],
    ['text after the map', '{:process 3, :type :invoke, :f :get, :key "k", :value nil} {:process 4}', /text after the map \(one map per line\): "\{:process 4\}"/],
    ['a stray bracket after the map', '{:process 3, :type :invoke, :f :get, :key "k", :value nil}}', /text after the map/],
    ['a map a comment leaves open', '{:process 3, :type :invoke ; :f :get}', /the map is not complete/],
    ['a key that is neither a string nor an integer', '{:process 3, :type :invoke, :f :get, :key [1], :value nil}', /:key must be a string or an integer, got \[1\]/],
  ])('rejects %s with its line', (_name, line, message) => {
    const e = errorOf(`{:process 9, :type :invoke, :f :get, :key "k", :value nil}\n${line}`, 'edn');
    expect(e.line).toBe(2);
    expect(e.message).toMatch(message);
  });
});

describe('format detection', () => {
  it('finds the first non-blank line as splitting the whole text did', () => {
    // The reference is the former implementation; blanks include \r, tabs, a BOM and no-break spaces, as trim() has them.
    const reference = (text: string) => text.split('\n').find((l) => l.trim() !== '')?.trim();
    const text = fc.array(fc.constantFrom('\n', ' ', '\r', '\t', '\ufeff', '\u00a0', '{', ':', 'a', '0'), { maxLength: 40 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, (t) => firstNonBlankLine(t) === reference(t)),
      { seed: 20261202, numRuns: 3000, verbose: 1 },
    );
  });

  it('sees EDN after blank lines, and JSONL as not EDN', () => {
    expect(looksLikeEdn('\n  \r\n{:process 0, :type :invoke}\n')).toBe(true);
    expect(looksLikeEdn('{"index":0}\n{:process 0}')).toBe(false);
    expect(looksLikeEdn('')).toBe(false);
  });
});

describe('keys keep their type', () => {
  // Before: EDN keys went through String(), so :key 1 and :key "1" were one register and this history a violation.
  const edn = [
    '{:process 0, :type :invoke, :f :put, :key 1, :value "a"}',
    '{:process 0, :type :ok, :f :put, :key 1, :value "a"}',
    '{:process 1, :type :invoke, :f :put, :key "1", :value "b"}',
    '{:process 1, :type :ok, :f :put, :key "1", :value "b"}',
    '{:process 2, :type :invoke, :f :get, :key 1, :value nil}',
    '{:process 2, :type :ok, :f :get, :key 1, :value "a"}',
    '{:process 3, :type :invoke, :f :get, :key "1", :value nil}',
    '{:process 3, :type :ok, :f :get, :key "1", :value "b"}',
  ].join('\n');

  it('EDN :key 1 and :key "1" are two registers', async () => {
    const result = await checkHistory(parseHistoryText(edn), { initialValue: '' });
    expect(result).toMatchObject({ valid: true, keys: 2 });
  });

  it('JSONL "key": 1 and "key": "1" are two registers, named 1 and "1" in reports and typed in --json', async () => {
    const line = (index: number, process: number, type: string, f: string, key: unknown, value: unknown) => ev({ index, time: index, process, type, f, key, value });
    const text = [
      line(0, 0, 'invoke', 'write', 1, 5),
      line(1, 0, 'ok', 'write', 1, 5),
      line(2, 1, 'invoke', 'write', '1', 6),
      line(3, 1, 'ok', 'write', '1', 6),
      line(4, 2, 'invoke', 'read', 1, null),
      line(5, 2, 'ok', 'read', 1, 6), // a violation on the integer key only
      line(6, 3, 'invoke', 'read', '1', null),
      line(7, 3, 'ok', 'read', '1', 6),
    ].join('\n');
    const result = await checkHistory(parseHistoryText(text));
    expect(result.keys).toBe(2);
    expect(result.perKey.map((k) => [k.key, k.valid])).toEqual([
      ['"1"', true],
      ['1', false],
    ]);
    const shown = renderFailureText('h.jsonl', result);
    expect(shown).toMatch(/^ {2}key 1: not linearizable$/m);
    expect(shown).toMatch(/A read of key 1 by process 2 returned 6/);
    const json = toJsonReport({ file: 'h.jsonl', result }) as { failures: { key: unknown; stuck: { key: unknown } }[] };
    expect(json.failures.map((f) => [f.key, f.stuck.key])).toEqual([[1, 1]]);
  });

  it('a string key that reads like a name stays itself; one that reads like a number is shown quoted', async () => {
    const text = [ev({ index: 0, time: 0, process: 0, type: 'invoke', f: 'read', key: 'k1', value: null }), ev({ index: 1, time: 1, process: 1, type: 'invoke', f: 'read', key: '7', value: null })].join('\n');
    expect(pairOperations(parseHistoryText(text)).map((o) => o.key)).toEqual(['k1', '"7"']);
  });
});
