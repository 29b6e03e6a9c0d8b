// 6.824's TestPartition1 and TestPartition2, and a paused primary, with real
// processes behind the fault proxy: an old primary that the view server has
// replaced must never answer a read with the old state, whether it is cut off
// (drop or reset) or was stopped with SIGSTOP and wakes up.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessCluster } from '../../harness/cluster/cluster.ts';
import { nodeLogs, read, Session, startProcesses, stopClusters, waitFor, write } from '../../harness/engine/testkit.ts';
import { askView, dump, staleRead, waitReady, type ViewInfo } from './testkit.ts';

const SYSTEM_JSON = join(fileURLToPath(new URL('.', import.meta.url)), 'system.json');

afterEach(stopClusters);

/** A cluster with a = 1 written and a ready primary/backup pair. */
async function ready(): Promise<{ c: ProcessCluster; v: ViewInfo; s: Session }> {
  const c = await startProcesses(SYSTEM_JSON);
  const v = await waitReady(c);
  const s = new Session(c);
  expect(await s.client('c1').run(write('a', 1)), nodeLogs(c)).toMatchObject({ type: 'ok' });
  return { c, v, s };
}

/**
 * Waits until the view server has replaced the old primary and the new primary has synced its
 * backup: only then is a client's write expected to succeed promptly (on a loaded machine the
 * state transfer can outlast one request's timeout).
 */
async function replaced(c: ProcessCluster, v: ViewInfo): Promise<ViewInfo> {
  const now = await waitFor(c, 'the view server to replace the old primary', async () => {
    const view = await askView(c);
    return view !== null && view.primary !== null && view.primary !== v.primary ? view : false;
  });
  return waitReady(c, 'the new primary and a synced backup', now.view - 1);
}

describe('an old primary never serves stale data (real processes)', () => {
  it('cut off from the view server only (drop): its read goes through the new primary and fails (TestPartition1)', async () => {
    const { c, v, s } = await ready();
    await c.cut([[v.primary!, 'vs']], 'drop');
    await replaced(c, v);
    expect(await s.client('c2').run(write('a', 2)), nodeLogs(c)).toMatchObject({ type: 'ok' });
    expect((await dump(c, v.primary!))!.view).toMatchObject({ primary: v.primary }); // it still thinks it is primary
    const outcome = await staleRead(c, v.primary!, 'a');
    expect(outcome === null || outcome.type === 'error', JSON.stringify(outcome)).toBe(true);
    // c1's cache still names the old primary; it must get the new value anyway.
    expect(await s.client('c1').run(read('a'))).toEqual({ type: 'ok', value: 2 });
    expect((await s.verdict()).valid).toBe(true);
  });

  it('cut off from the view server and the other servers (reset): answers nothing (TestPartition2)', async () => {
    const { c, v, s } = await ready();
    await c.cut(['vs', 's1', 's2', 's3'].filter((o) => o !== v.primary).map((o): [string, string] => [v.primary!, o]), 'reset');
    await replaced(c, v);
    expect(await s.client('c2').run(write('a', 2)), nodeLogs(c)).toMatchObject({ type: 'ok' });
    const outcome = await staleRead(c, v.primary!, 'a');
    expect(outcome?.type === 'read_ok', JSON.stringify(outcome)).toBe(false);
    await c.healNetwork();
    expect(await s.client('c1').run(read('a'))).toEqual({ type: 'ok', value: 2 });
    expect((await s.verdict()).valid).toBe(true);
  });

  it('paused (SIGSTOP) and replaced, it wakes up and cannot serve the old state', async () => {
    const { c, v, s } = await ready();
    await c.pause(v.primary!);
    await replaced(c, v);
    expect(await s.client('c2').run(write('a', 2)), nodeLogs(c)).toMatchObject({ type: 'ok' });
    const pending = staleRead(c, v.primary!, 'a'); // queued in its socket while it sleeps
    await c.resume(v.primary!);
    const outcome = await pending;
    expect(outcome?.type === 'read_ok' && outcome.value === 1, JSON.stringify(outcome)).toBe(false);
    expect(await s.client('c1').run(read('a'))).toEqual({ type: 'ok', value: 2 });
    expect((await s.verdict()).valid).toBe(true);
  });
});
