// Known bug classes that can be planted into the view-server designs on
// purpose, so the randomized safety tests (safety.sim.test.ts here and in
// raftvs/) can be measured against them: how many runs until each is caught.
// A test asks for them through the role factory (`makeRoles({ planted: [...]
// })` in each design's roles.ts), which hands them to the nodes it builds;
// nothing global, so a run with a planted bug cannot leak into another, and
// the design as started by main.ts has none.
export const PLANTED_BUGS = {
  localReads: { where: 'server', what: 'the primary answers reads from its own copy instead of forwarding them (a deposed primary serves stale data)' },
  backupAnyView: { where: 'server', what: 'a synced backup applies any forward, whatever the view and sender' },
  retryNewIdentity: { where: 'coordinator', what: 'a coordinator retries an operation under a fresh (client, seq), defeating the duplicate table' },
  applyUncommitted: { where: 'replicated view service', what: 'a view-service replica applies (and tells) log entries as soon as they are appended, before they commit' },
  forgetfulDisk: { where: 'replicated view service', what: 'a view-service replica never persists its term, vote and log' },
} as const;

export type PlantedBug = keyof typeof PLANTED_BUGS;

/** Which bugs a node was built with (all false: the design as written). */
export type Planted = Readonly<Record<PlantedBug, boolean>>;

export function isPlantedBug(name: string): name is PlantedBug {
  return Object.hasOwn(PLANTED_BUGS, name);
}

/** The bugs that can be planted into a design: a single view server has no replicated service to break. */
export function plantableBugs(replicatedViewService: boolean): PlantedBug[] {
  return (Object.keys(PLANTED_BUGS) as PlantedBug[]).filter((b) => replicatedViewService || PLANTED_BUGS[b].where !== 'replicated view service');
}

export function plantedSet(names: readonly PlantedBug[] = []): Planted {
  return Object.fromEntries((Object.keys(PLANTED_BUGS) as PlantedBug[]).map((b) => [b, names.includes(b)])) as Record<PlantedBug, boolean>;
}
