// A primary and two backups (the `backups` setting, system-2backups.json), on
// the simulation engine: an acknowledged write survives the loss of two
// servers at the same instant, before the view service has reacted to
// either, where one backup cannot (both holders of the state gone: the
// service waits, unavailable but never wrong). The targeted safety rotation
// runs with two backups too (safety.sim.test.ts).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { read, Session, startSim, stopClusters, write } from '../../harness/engine/testkit.ts';
import type { SimCluster } from '../../harness/sim/simCluster.ts';
import type { ViewService } from './viewservice.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

afterEach(stopClusters);

async function cluster(file: string): Promise<{ c: SimCluster; s: Session; view: () => ViewService['view'] }> {
  const c = await startSim(join(here, file));
  await c.clock.sleep(2000);
  return { c, s: new Session(c), view: () => c.net.node<ViewService>('vs').view };
}

/** Writes through c1 until one succeeds or `maxMs` of virtual time pass. */
async function writeEventually(c: SimCluster, s: Session, value: number, maxMs: number): Promise<boolean> {
  const t0 = c.clock.now();
  const c1 = s.client('c1');
  while (c.clock.now() - t0 < maxMs) if ((await c1.run(write('a', value), 3000)).type === 'ok') return true;
  return false;
}

describe('two backups per view', () => {
  // Killed in the same instant, or the second backup one ping interval later: then, when the
  // primary is judged dead, that backup still looks alive, and must not be the one promoted.
  for (const gapMs of [0, 100]) {
    it(`forms views with a primary and two backups, and survives losing the primary and a backup ${gapMs} ms apart`, async () => {
      const { c, s, view } = await cluster('system-2backups.json');
      const { primary: p, backups } = view();
      expect(backups).toHaveLength(2);
      const [b1, b2] = backups;
      expect(await s.client('c1').run(write('a', 1))).toMatchObject({ type: 'ok' });
      await c.kill(p!);
      await c.clock.sleep(gapMs);
      await c.kill(b1);
      expect(await writeEventually(c, s, 2, 8000)).toBe(true);
      expect(view()).toMatchObject({ primary: b2 });
      expect(await s.client('c2').run(read('a'))).toEqual({ type: 'ok', value: 2 });
      // The two come back empty and are made backups again, each given the whole state (a backup
      // its primary found unreachable waits out its shun first: SHUN_TICKS).
      await c.restart(p!);
      await c.restart(b1);
      await c.clock.sleep(4000);
      expect(view()).toMatchObject({ primary: b2 });
      expect([...view().backups].sort()).toEqual([p, b1].sort());
      await c.kill(b2);
      expect(await writeEventually(c, s, 3, 8000)).toBe(true);
      expect(await s.client('c2').run(read('a'))).toEqual({ type: 'ok', value: 3 });
      expect((await s.verdict()).valid).toBe(true);
    });
  }

  // The backup first, then its primary one ping interval later (as the real-process test once
  // saw under load): the service noticed the backup's death while the primary was already silent,
  // and used to form a view of the dead primary with one backup fewer, which it could never leave.
  for (const gapMs of [100, 200]) {
    it(`survives losing a backup and then, ${gapMs} ms later, the primary`, async () => {
      const { c, s, view } = await cluster('system-2backups.json');
      const { primary: p, backups } = view();
      const [b1, b2] = backups;
      expect(await s.client('c1').run(write('a', 1))).toMatchObject({ type: 'ok' });
      await c.kill(b1);
      await c.clock.sleep(gapMs);
      await c.kill(p!);
      expect(await writeEventually(c, s, 2, 8000)).toBe(true);
      expect(view()).toMatchObject({ primary: b2 });
      expect(await s.client('c2').run(read('a'))).toEqual({ type: 'ok', value: 2 });
    });
  }

  it('with one backup, the same double failure leaves no one with the state: nothing is served, nothing wrong', async () => {
    const { c, s, view } = await cluster('system.json');
    const before = view();
    expect(before.backups).toHaveLength(1);
    expect(await s.client('c1').run(write('a', 1))).toMatchObject({ type: 'ok' });
    await c.kill(before.primary!);
    await c.kill(before.backups[0]);
    expect(await writeEventually(c, s, 2, 8000)).toBe(false);
    expect(view()).toMatchObject({ primary: before.primary, backups: before.backups });
    expect((await s.client('c2').run(read('a'), 3000)).type).not.toBe('ok');
    expect((await s.verdict()).valid).toBe(true);
  });
});
