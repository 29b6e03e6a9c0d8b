// 6.824's TestPartition1 and TestPartition2, and a paused primary, with real
// processes: an old primary that the view server has replaced must never
// answer a read with the old state, whether it is cut off (drop or reset) or
// was stopped with SIGSTOP and wakes up.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Cluster, killAllNow } from '../testing/cluster.ts';
import { waitFor } from '../testing/wait.ts';
import { askView, dump, staleRead, SYSTEM_JSON, waitReady, type ViewInfo } from './testkit.ts';

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});
afterAll(killAllNow);

/** A cluster with a = 1 written and a ready primary/backup pair. */
async function ready(): Promise<{ c: Cluster; v: ViewInfo }> {
  cluster = await Cluster.start(SYSTEM_JSON);
  const v = await waitReady(cluster);
  const c1 = await cluster.client('c1');
  expect(await c1.request({ type: 'write', key: 'a', value: 1 }), cluster.logs()).toMatchObject({ type: 'write_ok' });
  return { c: cluster, v };
}

/**
 * Waits until the view server has replaced the old primary and the new primary has synced its
 * backup: only then is a client's write expected to succeed promptly (on a loaded machine the
 * state transfer can outlast one request's timeout, which made these tests flaky).
 */
async function replaced(c: Cluster, v: ViewInfo): Promise<ViewInfo> {
  const now = await waitFor('the view server to replace the old primary', async () => {
    const view = await askView(c);
    return view.primary !== null && view.primary !== v.primary ? view : false;
  });
  return waitReady(c, 'the new primary and a synced backup', now.view - 1);
}

describe('an old primary never serves stale data (real processes)', () => {
  it('cut off from the view server only (drop): its read goes through the new primary and fails (TestPartition1)', async () => {
    const { c, v } = await ready();
    c.cut(v.primary!, 'vs', 'drop');
    await replaced(c, v);
    const c2 = await c.client('c2');
    expect(await c2.request({ type: 'write', key: 'a', value: 2 }), c.logs()).toMatchObject({ type: 'write_ok' });
    expect((await dump(c, v.primary!))!.view).toMatchObject({ primary: v.primary }); // it still thinks it is primary
    const outcome = await staleRead(c, v.primary!, 'a');
    expect(outcome === null || outcome.type === 'error', JSON.stringify(outcome)).toBe(true);
    // c1's cache still names the old primary; it must get the new value anyway.
    const c1 = await c.client('c1');
    expect(await c1.request({ type: 'read', key: 'a' })).toMatchObject({ type: 'read_ok', value: 2 });
  });

  it('cut off from the view server and the other servers (reset): answers nothing (TestPartition2)', async () => {
    const { c, v } = await ready();
    for (const other of ['vs', 's1', 's2', 's3']) if (other !== v.primary) c.cut(v.primary!, other, 'reset');
    await replaced(c, v);
    const c2 = await c.client('c2');
    expect(await c2.request({ type: 'write', key: 'a', value: 2 }), c.logs()).toMatchObject({ type: 'write_ok' });
    const outcome = await staleRead(c, v.primary!, 'a');
    expect(outcome?.type === 'read_ok', JSON.stringify(outcome)).toBe(false);
    c.heal();
    const c1 = await c.client('c1');
    expect(await c1.request({ type: 'read', key: 'a' })).toMatchObject({ type: 'read_ok', value: 2 });
  });

  it('paused (SIGSTOP) and replaced, it wakes up and cannot serve the old state', async () => {
    const { c, v } = await ready();
    c.pause(v.primary!);
    await replaced(c, v);
    const c2 = await c.client('c2');
    expect(await c2.request({ type: 'write', key: 'a', value: 2 }), c.logs()).toMatchObject({ type: 'write_ok' });
    const pending = staleRead(c, v.primary!, 'a'); // queued in its socket while it sleeps
    c.resume(v.primary!);
    const outcome = await pending;
    expect(outcome?.type === 'read_ok' && outcome.value === 1, JSON.stringify(outcome)).toBe(false);
    const c1 = await c.client('c1');
    expect(await c1.request({ type: 'read', key: 'a' })).toMatchObject({ type: 'read_ok', value: 2 });
  });
});
