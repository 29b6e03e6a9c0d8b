// Every verdict of the Porcupine corpus (../shared/corpus/porcupine/EXPECTED.tsv),
// reproduced. The corpus lives outside the repository; without it this suite
// skips and says so.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPorcupineCorpus, repoRoot } from './corpus-path.ts';
import { checkHistory, loadHistoryFile } from './index.ts';

const corpus = findPorcupineCorpus();
const rows = corpus === null ? [] : readFileSync(join(corpus, 'EXPECTED.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
const decided = rows.filter(([, expected]) => expected === 'linearizable' || expected === 'not');

if (corpus === null) {
  console.warn(`corpus.test.ts: SKIPPED, Porcupine corpus not found at ${join(repoRoot, '..', 'shared', 'corpus', 'porcupine')}`);
}

(corpus === null ? describe.skip : describe)('Porcupine corpus verdicts (EXPECTED.tsv)', () => {
  it('lists the 102 etcd and 6 kv histories with a verdict', () => {
    expect(decided.filter(([f]) => f.startsWith('jepsen/')).length).toBe(102);
    expect(decided.filter(([f]) => f.startsWith('kv/')).length).toBe(6);
  });

  it.each(decided)('%s is %s', async (file, expected) => {
    const history = loadHistoryFile(join(corpus!, file));
    const result = await checkHistory(history.events, { initialValue: history.initialValue, timeoutMs: 20_000, minimizeMs: 1_000 });
    expect(result.valid).toBe(expected === 'linearizable');
    if (result.valid === false) {
      const f = result.failures[0];
      expect(f.minimal.length).toBeGreaterThan(0);
      expect(f.explanation.length).toBeGreaterThan(20);
    }
  });

  it('reads the empty etcd_095 (no Go verdict) as an empty, linearizable history', async () => {
    const untested = rows.find(([, e]) => e === 'untested');
    expect(untested?.[0]).toBe('jepsen/etcd_095.log');
    const history = loadHistoryFile(join(corpus!, untested![0]));
    expect(history.events).toEqual([]);
    expect((await checkHistory(history.events)).valid).toBe(true);
  });
});
