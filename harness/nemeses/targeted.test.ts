// The targeted nemeses against the view-server design in simulation: each
// finds the primary by asking, and breaks exactly the links or node it names.
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, stopClusters } from '../engine/testkit.ts';
import { parseNemesis } from './index.ts';
import type { NemesisContext } from './nemesis.ts';

afterEach(stopClusters);

async function started(name: string, picks = [0]) {
  const c = await startSim('viewserver');
  await c.clock.sleep(1500);
  const primary = (await c.primary())!;
  const [nemesis] = parseNemesis(name, c.def, 'sim');
  let i = 0;
  const ctx: NemesisContext = { cluster: c, pick: (n) => picks[i++ % picks.length] % n };
  return { c, primary, fault: await nemesis.start(ctx) };
}

describe('targeted nemeses', () => {
  it('depose cuts the primary from the view server and one client node only', async () => {
    const { c, primary, fault } = await started('depose');
    expect(fault.value).toMatchObject({ primary, viewservers: ['vs'], clientNode: 'c1' });
    expect([...(fault.value.cut as string[])].sort()).toEqual([`${primary}->vs`, `c1->${primary}`].sort());
    await fault.heal();
    expect(c.activeNetworkFaults()).toEqual([]);
  });

  it('split-primary puts the primary and one client node against everything else', async () => {
    const { primary, fault } = await started('split-primary');
    const [near, far] = fault.value.halves as string[][];
    expect(near).toEqual([primary, 'c1']);
    expect([...far].sort()).toEqual(['c2', 's1', 's2', 's3', 'vs'].filter((n) => n !== primary).sort());
  });

  it('pause-primary pauses the primary, and resumes it on heal', async () => {
    const { c, primary, fault } = await started('pause-primary');
    expect(fault.value).toEqual({ node: primary });
    expect((await c.ask(primary, { type: 'dump' }, 500)).kind).toBe('timeout');
    await fault.heal();
    expect((await c.ask(primary, { type: 'dump' }, 500)).kind).toBe('reply');
  });

  it("lose-answers acts on the client nodes' links, and is refused on real processes", async () => {
    const { c, fault } = await started('lose-answers');
    expect((fault.value.links as string[]).every((l) => /^c[12]->/.test(l))).toBe(true);
    expect(c.activeNetworkFaults().length).toBeGreaterThan(0);
    expect(() => parseNemesis('lose-answers', c.def, 'processes')).toThrow(/simulator/);
  });
});
