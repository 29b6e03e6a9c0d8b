// Timing and membership of the consensus-replicated view service. Everything
// else (pings, dead intervals, views) is the view-server design's
// (../viewserver/config.ts).

/** The view service's replicas, by convention of system.json. */
export const VIEW_SERVICE_REPLICAS = ['vs1', 'vs2', 'vs3'] as const;

/** One Raft tick. */
export const RAFT_TICK_MS = 50;
/**
 * A follower that hears no leader for 10 to 20 ticks (0.5 to 1 s) campaigns;
 * a leader that hears no majority for 10 ticks steps down. Longer than a
 * heartbeat's round trip under the harness's latency nemesis (100 ± 100 ms a
 * link), and short beside the dead interval a new leader waits anyway.
 */
export const ELECTION_TICKS = 10;
/** A leader sends appends (heartbeats) every tick. */
export const HEARTBEAT_TICKS = 1;
