// The replicated design's randomized safety test is only worth its time if it
// catches what breaks a replicated view service. Planted (../viewserver/
// planted.ts): replicas that apply, and tell servers, log entries before they
// commit, so a minority leader's view reaches a primary while the majority
// decides another. Measured with `simhunt.ts --design raftvs`; the bound here
// is several times the worst start measured. (forgetfulDisk, the other bug
// of this design, needs three faults in a row; scenarios.sim.test.ts provokes
// it directly.)
import { describe, expect, it } from 'vitest';
import { runsUntilCaught } from '../viewserver/simproperty.ts';
import { raftDesign } from './simDesign.ts';

const CATCH_WITHIN = 150;

describe('the targeted safety schedules of raftvs', () => {
  it(`catch the planted bug applyUncommitted within ${CATCH_WITHIN} runs`, { timeout: 120_000 }, () => {
    expect(runsUntilCaught(1000, CATCH_WITHIN, raftDesign({ planted: ['applyUncommitted'] }), true)).not.toBeNull();
  });
});
