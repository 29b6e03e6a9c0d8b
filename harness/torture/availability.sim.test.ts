// The lecture's last question, answered by experiment (simulated, so it is
// quick and the same every time): with its view server gone and a server
// failing too, the 6.824 design stays safe but stops answering, which it
// does not claim otherwise, so the gate does not fail it; the design whose
// view service is replicated by consensus stays available through the loss
// of a view-service replica and a server.
import { describe, expect, it } from 'vitest';
import { loadSystem } from '../system/definition.ts';
import { judge } from './gate.ts';
import { defaultWorkload } from './matrix.ts';
import { runOnce } from './run.ts';

const sim = (system: string, nemesis: string, seed: number) =>
  runOnce({ ...defaultWorkload, rate: 200, concurrency: 8, system: loadSystem(system), nemesis, seed, runDir: '', command: 'test', engine: 'sim', keepFiles: 'never', explain: false });

describe('what happens if the view server fails', () => {
  it('6.824: safe, but unavailable once a server fails too; not claimed, so not a gate failure', { timeout: 120_000 }, async () => {
    let unavailable = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const r = await sim('viewserver', 'isolate-viewserver+kill', seed);
      expect(r.valid).toBe(true);
      expect(r.availabilityFailure).toBeNull();
      expect(judge([{ system: 'viewserver', repetition: 0, expected: true, valid: r.valid, availabilityFailure: r.availabilityFailure }]).pass).toBe(true);
      if (r.availabilityShortfall !== null) unavailable++;
    }
    // Whenever the kill hits the primary, no view can change without the view server: nothing is served.
    expect(unavailable).toBeGreaterThan(0);
  });

  it('raftvs: the view service survives losing a replica, and the system a server with it', { timeout: 120_000 }, async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const r = await sim('raftvs', 'kill-viewserver+kill', seed);
      expect({ seed, valid: r.valid, shortfall: r.availabilityShortfall }).toEqual({ seed, valid: true, shortfall: null });
    }
  });
});
