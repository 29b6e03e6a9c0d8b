// Known bug classes that can be planted into the design on purpose, so the
// randomized safety test (safety.sim.test.ts) can be measured against them:
// how many runs until each is caught. All off by default; only the simulator's
// measurement (simhunt.ts, SIM_PLANT) turns one on, inside one process. Never
// set in production code or in the real-process tests.
export const planted = {
  /** The primary answers reads from its own copy instead of forwarding them (a deposed primary serves stale data). */
  localReads: false,
  /** A backup applies any forward once it has been synced, whatever the view and sender. */
  backupAnyView: false,
  /** A coordinator retries an operation under a fresh (client, seq), defeating the duplicate table. */
  retryNewIdentity: false,
};

export type PlantedBug = keyof typeof planted;

export function isPlantedBug(name: string): name is PlantedBug {
  return Object.hasOwn(planted, name);
}

/** Turns on exactly the named bugs (none: the design as written). */
export function plant(names: readonly PlantedBug[]): void {
  for (const k of Object.keys(planted) as PlantedBug[]) planted[k] = names.includes(k);
}
