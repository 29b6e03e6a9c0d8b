// Known bug classes that can be planted into the design on purpose, so the
// randomized safety test (safety.sim.test.ts) can be measured against them:
// how many runs until each is caught. A test asks for them through the role
// factory (roles.ts `makeRoles({ planted: [...] })`), which hands them to the
// nodes it builds; nothing global, so a run with a planted bug cannot leak
// into another, and the design as started by main.ts has none.
export const PLANTED_BUGS = {
  /** The primary answers reads from its own copy instead of forwarding them (a deposed primary serves stale data). */
  localReads: 'the primary answers reads from its own copy',
  /** A backup applies any forward once it has been synced, whatever the view and sender. */
  backupAnyView: 'a synced backup applies forwards of any view from anyone',
  /** A coordinator retries an operation under a fresh (client, seq), defeating the duplicate table. */
  retryNewIdentity: 'a coordinator retries under a fresh (client, seq)',
} as const;

export type PlantedBug = keyof typeof PLANTED_BUGS;

/** Which bugs a node was built with (all false: the design as written). */
export type Planted = Readonly<Record<PlantedBug, boolean>>;

export function isPlantedBug(name: string): name is PlantedBug {
  return Object.hasOwn(PLANTED_BUGS, name);
}

export function plantedSet(names: readonly PlantedBug[] = []): Planted {
  return { localReads: names.includes('localReads'), backupAnyView: names.includes('backupAnyView'), retryNewIdentity: names.includes('retryNewIdentity') };
}
