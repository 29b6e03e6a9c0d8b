/** How deep the report may find a nemesis event's free-form value nested; deeper is bad input, not a crash in a recursive printer. */
export const MAX_NEMESIS_VALUE_DEPTH = 32;

/** Whether `v` nests arrays or objects more than `limit` levels deep. Iterative: the value may be deeper than the call stack. */
export function nestsDeeperThan(v: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [x, depth] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(x)) stack.push([child, depth + 1]);
  }
  return false;
}
