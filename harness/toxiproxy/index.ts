// splitbrain's Toxiproxy-compatible fault proxy. Start it in-process with
// `startToxiproxyServer({ host, port })` (port 0 picks a free port) and drive
// it with toxiproxy-node-client or plain HTTP, exactly as a Toxiproxy 2.12
// server; or run it standalone with `npm run -s proxy`.
export { startToxiproxyServer, MAX_BODY_BYTES } from './server.ts';
export type { ToxiproxyServer, ToxiproxyServerOptions } from './server.ts';
export { VERSION } from './api.ts';
export { toxicTypes } from './toxics/registry.ts';
export { spawnToxiproxyServer } from './spawn.ts';
export type { SpawnedToxiproxy, SpawnOptions } from './spawn.ts';
export { seededRandom, realClock, FakeClock } from './clock.ts';
export type { Clock, Random } from './clock.ts';
