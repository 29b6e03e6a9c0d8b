// Plain-words explanations and shrinking, on small hand-made histories and
// on a real run whose shrinking once produced an artifact.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Closure } from './closure.ts';
import { repoRoot } from './corpus-path.ts';
import { explain, minimize } from './explain.ts';
import { checkOperationsSync, loadHistoryFile, pairOperations, renderFailureText, type Operation, type Value } from './index.ts';

let nextId = 0;
/** An op on key x; call and ret in seconds (histories hold ns). */
function op(f: Operation['f'], status: Operation['status'], call: number, ret: number, input: Operation['input'], output: Value = null, process = nextId): Operation {
  const id = nextId++;
  return { id, process, f, key: 'x', input, output, status, call: call * 1e9, return: status === 'info' ? Infinity : ret * 1e9, invokeIndex: id, completeIndex: null };
}

function failureOf(ops: Operation[], initialValue: Value = null) {
  const result = checkOperationsSync(ops, { initialValue });
  expect(result.valid).toBe(false);
  return result.failures[0];
}

describe('explanations', () => {
  it('a stale read names the newer acknowledged write', () => {
    const f = failureOf([op('write', 'ok', 0, 1, 3, null, 1), op('write', 'ok', 2, 3, 5, null, 2), op('read', 'ok', 4, 5, null, 3, 7)]);
    expect(f.explanation).toBe(
      'A read of key "x" by process 7 returned 3, but 5 was written by process 2 and acknowledged at 3.000 s, before the read began at 4.000 s, after the only write of 3 had completed; nothing wrote 3 since.',
    );
  });

  it('a read of a value nobody wrote says so', () => {
    const f = failureOf([op('write', 'ok', 0, 1, 1, null, 1), op('read', 'ok', 2, 3, null, 9, 4)]);
    expect(f.explanation).toMatch(/returned 9, but no operation wrote 9 and it is not the initial value/);
    expect(f.minimal.map((o) => o.output)).toEqual([9]);
  });

  it('a stale read shown by a read in between, when the overwrite was concurrent with the write', () => {
    const f = failureOf([op('write', 'ok', 0, 2, 0, null, 1), op('write', 'ok', 1, 2, 9, null, 2), op('read', 'ok', 3, 4, null, 9, 3), op('read', 'ok', 5, 6, null, 0, 4)]);
    expect(f.explanation).toBe(
      'A read of key "x" by process 4 returned 0, but a read by process 3 returned 9 and completed at 4.000 s, before this read began at 5.000 s; that read began after the only write of 0 had completed; nothing wrote 0 since.',
    );
  });

  it('a read from the future', () => {
    const f = failureOf([op('read', 'ok', 0, 1, null, 4, 1), op('write', 'ok', 2, 3, 4, null, 2)]);
    expect(f.explanation).toMatch(/the only write of 4 \(write of 4 by process 2\) began at 2\.000 s, after the read had completed at 1\.000 s: the read saw a value from the future/);
  });

  it('never calls a write "the only" one when the history has others', () => {
    // The sub-history alone (read of 6, then a write of 6) would read as a
    // value from the future; the earlier write of 6 makes the read fine.
    const history = [op('write', 'ok', 0, 1, 6, null, 1), op('read', 'ok', 2, 3, null, 6, 7), op('write', 'ok', 4, 5, 6, null, 2)];
    expect(explain('x', [history[1], history[2]], null, { history })).not.toMatch(/only write|future/);
    expect(checkOperationsSync(history).valid).toBe(true);
  });

  it('times are seconds, or line numbers for imported logs', () => {
    const ops = [op('read', 'ok', 0, 1, null, 4, 1), op('write', 'ok', 2, 3, 4, null, 2)];
    expect(failureOf(ops).explanation).toMatch(/at 2\.000 s/);
    const result = checkOperationsSync(ops, { timeUnit: 'line' });
    expect(result.failures[0].explanation).toMatch(/began at line 2000000000, after the read had completed at line 1000000000/);
    expect(renderFailureText('h', checkOperationsSync(ops))).toContain('read by process 1 returned 4 [0.000 s, 1.000 s]');
    // Times closer than a millisecond get the digits that tell them apart.
    const close = [op('read', 'ok', 0, 1e-6, null, 4, 1), op('write', 'ok', 2e-6, 3e-6, 4, null, 2)];
    expect(renderFailureText('h', checkOperationsSync(close))).toContain('read by process 1 returned 4 [0.000000 s, 0.000001 s]');
  });

  it('a lost update between two successful cas ops', () => {
    const f = failureOf([op('write', 'ok', 0, 1, 0), op('cas', 'ok', 2, 5, [0, 1]), op('cas', 'ok', 3, 6, [0, 2])]);
    expect(f.explanation).toMatch(/both saw 0, .*lost update/);
  });

  it('a read missing an acknowledged append', () => {
    const f = failureOf([op('append', 'ok', 0, 1, 'a'), op('append', 'ok', 2, 3, 'b', null, 5), op('read', 'ok', 4, 5, null, 'a', 6)], '');
    expect(f.explanation).toBe('A read of key "x" by process 6 returned "a", but the append of "b" by process 5 was acknowledged before the read began, and the value read does not contain it.');
  });

  it('otherwise lists the minimal operations', () => {
    const both = [op('cas', 'ok', 0, 1, [4, 0]), op('cas', 'ok', 0, 1, [0, 4])];
    expect(explain('x', both, null, { history: both })).toMatch(/^No single order of these 2 operations on key "x"/);
  });

  it('uses the initial value', () => {
    expect(checkOperationsSync([op('read', 'ok', 0, 1, null, '')], { initialValue: '' }).valid).toBe(true);
    expect(failureOf([op('read', 'ok', 0, 1, null, null)], '').explanation).toMatch(/returned nil, but no operation wrote nil/);
  });
});

describe('shrinking', () => {
  // Noise around a stale read: concurrent reads and writes of other values.
  const history = [
    op('write', 'ok', 0, 1, 1),
    op('read', 'ok', 0, 2, null, 1),
    op('write', 'ok', 3, 4, 2),
    op('write', 'info', 3, 0, 8),
    op('read', 'ok', 5, 6, null, 2),
    op('read', 'ok', 7, 8, null, 1),
    op('read', 'ok', 7, 9, null, 2),
  ];

  it('keeps the stale read, the write it saw and the write that overwrote it', () => {
    const stuck = history[5];
    const m = minimize(history, stuck, null, performance.now() + 5_000);
    expect(m.oneMinimal).toBe(true);
    expect(m.ops.map((o) => [o.f, o.input ?? o.output])).toEqual([
      ['write', 1],
      ['write', 2],
      ['read', 1],
    ]);
  });

  it('keeps the write the stale read saw when it may have been the last one', () => {
    // The writes of 1 and 2 overlap; the read of 2 orders them.
    const overlapping = [
      op('write', 'ok', 0, 1, 5),
      op('write', 'ok', 2, 4, 1),
      op('write', 'ok', 3, 4, 2),
      op('read', 'ok', 2, 6, null, 5),
      op('read', 'ok', 5, 6, null, 2),
      op('read', 'ok', 7, 8, null, 1),
    ];
    const m = minimize(overlapping, overlapping[5], null, performance.now() + 5_000);
    expect(m.oneMinimal).toBe(true);
    expect(m.ops.map((o) => [o.f, o.input ?? o.output])).toEqual([
      ['write', 1],
      ['write', 2],
      ['read', 2],
      ['read', 1],
    ]);
  });

  it('in a long history, finds the stale read, the write it saw long before and the overwrite', () => {
    // 400 sequential writes and reads of fresh values, then a read of the very first value: the
    // first cuts (the few ops before the stuck one, with the writers of what they saw) reach back
    // to that write.
    const long: Operation[] = [];
    for (let i = 0; i < 200; i++) {
      long.push(op('write', 'ok', 4 * i, 4 * i + 1, i + 1, null, 1));
      long.push(op('read', 'ok', 4 * i + 2, 4 * i + 3, null, i + 1, 2));
    }
    const stale = op('read', 'ok', 1000, 1001, null, 1, 3);
    long.push(stale);
    const m = minimize(long, stale, null, performance.now() + 5_000);
    expect(m.oneMinimal).toBe(true);
    expect(new Closure(long).isClosed(m.ops)).toBe(true);
    expect(m.ops).toContain(stale);
    // The write of 1, one of the writes acknowledged after it (any will do), the read.
    const [w1, overwrite, read] = m.ops;
    expect(m.ops).toHaveLength(3);
    expect([w1.f, w1.input]).toEqual(['write', 1]);
    expect(overwrite.f).toBe('write');
    expect(overwrite.call).toBeGreaterThan(w1.return);
    expect(read).toBe(stale);
  });

  it('says when it ran out of time', () => {
    expect(minimize(history, history[5], null, performance.now() - 1).oneMinimal).toBe(false);
  });

  it('starts from the op the search got stuck on, and stays closed', () => {
    const result = checkOperationsSync(history);
    const f = result.failures[0];
    expect(f.minimal).toContain(f.stuck);
    expect(new Closure(history).isClosed(f.minimal)).toBe(true);
  });
});

describe('closed sub-histories', () => {
  const w1 = op('write', 'ok', 0, 1, 1);
  const r1 = op('read', 'ok', 2, 3, null, 1);
  const r9 = op('read', 'ok', 2, 3, null, 9);
  const late1 = op('write', 'ok', 4, 5, 1);
  const w2 = op('write', 'ok', 1.5, 1.8, 2);

  it('drops reads whose possible sources were removed, keeps reads of values never written', () => {
    expect(new Closure([w1, r1, r9]).core([r1, r9])).toEqual([r9]);
  });

  it('needs no write that began after the read completed', () => {
    expect(new Closure([w1, r1, late1]).core([w1, r1])).toEqual([w1, r1]);
  });

  it('needs no write of the value that a later acknowledged write of it in the sub-history certainly replaced', () => {
    const again1 = op('write', 'ok', 1.5, 1.8, 1);
    const closure = new Closure([w1, again1, w2, r1]);
    expect(closure.core([again1, r1])).toEqual([again1, r1]);
    // Another value's write does not count: the counterexample keeps where the value came from.
    expect(new Closure([w1, w2, r1]).core([w2, r1])).toEqual([w2]);
  });

  it('a read of the initial value needs the writes of that value too', () => {
    const w0 = op('write', 'ok', 0, 1, null);
    const r0 = op('read', 'ok', 2, 3, null, null);
    expect(new Closure([w0, r0]).core([r0])).toEqual([]);
  });

  it('append keys: a read needs the appends its value contains', () => {
    const a = op('append', 'ok', 0, 1, 'a');
    const b = op('append', 'ok', 0, 1, 'b');
    const r = op('read', 'ok', 2, 3, null, 'ab');
    const closure = new Closure([a, b, r]);
    expect(closure.core([a, r])).toEqual([a]);
    expect(closure.isClosed([a, b, r])).toBe(true);
  });
});

describe('a real run (naive store) whose counterexample used to be a shrinking artifact', () => {
  // Shrinking used to remove the writes of 6 one at a time (each removal left
  // the read of 6 unexplained, so still non-linearizable), ending at "the only
  // write of 6 began after the read completed", false of the run, and about a
  // different op than the one the search got stuck on.
  const file = join(repoRoot, 'histories', 'examples', 'bad-naive-shrink-artifact.jsonl');
  const parsed = loadHistoryFile(file);
  const ops = pairOperations(parsed.events);
  const result = checkOperationsSync(ops, { initialValue: parsed.initialValue });
  const f = result.failures[0];
  const keyOps = ops.filter((o) => o.key === f.key);

  it('gives a closed counterexample around the stuck op', () => {
    expect(result.valid).toBe(false);
    expect(f.minimal).toContain(f.stuck);
    expect(new Closure(keyOps).isClosed(f.minimal)).toBe(true);
    expect(f.minimalIsOneMinimal).toBe(true);
  });

  it('says only what is true of the whole run', () => {
    expect(f.explanation).not.toMatch(/the only write of/);
    // The sentence counts the earlier writes of the value read: recount them here.
    const m = /returned (\d+), but .* all (\d+) earlier writes of \1 had completed/.exec(f.explanation);
    expect(m).not.toBeNull();
    const seen = Number(m![1]);
    const earlier = keyOps.filter((o) => o.status !== 'fail' && (o.f === 'write' ? o.input === seen : o.f === 'cas' && (o.input as Value[])[1] === seen) && o.call <= f.stuck.return);
    expect(earlier.length).toBe(Number(m![2]));
  });
});
