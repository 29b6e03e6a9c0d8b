// Majority arithmetic, kept apart so it can be checked against a dumb version
// (quorum.test.ts), as etcd's quorum/quick_test.go does.

export function quorumSize(members: number): number {
  return Math.floor(members / 2) + 1;
}

/**
 * The highest index that a majority of members have reached, given each
 * member's highest matching index (the leader's own last index included).
 */
export function committedIndex(matches: readonly number[]): number {
  if (matches.length === 0) return 0;
  const sorted = [...matches].sort((a, b) => b - a);
  return sorted[quorumSize(matches.length) - 1];
}
