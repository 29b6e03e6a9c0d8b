// Helpers for tests that drive a system by hand through the Cluster
// interface, on either engine (the store's scenario tests, real processes or
// simulated): start it from its definition, run client operations that are
// recorded and classified exactly as a torture run records them (the gate's
// ok/fail/info rules, register.ts), judge the history with the real checker,
// and wait for what a test needs to see. Time is always the cluster's clock,
// so the same test code runs in virtual time under simulation.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHistory, renderFailureText } from '../../checkers/index.ts';
import type { Value } from '../../checkers/types.ts';
import type { Reply } from '../client/wireConnection.ts';
import { ProcessCluster } from '../cluster/cluster.ts';
import { HistoryRecorder } from '../recorder.ts';
import { loadSimRoles } from '../sim/roles.ts';
import { SimCluster } from '../sim/simCluster.ts';
import { loadSystem, type SystemDefinition } from '../system/definition.ts';
import { invoke, type Completion, type ProcessState, type RegisterOp, type WorkloadStats } from '../workloads/register.ts';
import type { Cluster } from './cluster.ts';

const owned: Array<{ cluster: Cluster; dir: string | null }> = [];

const definition = (system: string | SystemDefinition) => (typeof system === 'string' ? loadSystem(system) : system);

/** Real processes behind the fault proxy, logs and data in a fresh folder; `stopClusters` stops them. */
export async function startProcesses(system: string | SystemDefinition): Promise<ProcessCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-test-cluster-'));
  const cluster = await ProcessCluster.start(definition(system), { logDir: join(dir, 'nodes'), dataDir: join(dir, 'data') });
  owned.push({ cluster, dir });
  return cluster;
}

/** The definition's Env roles in the simulator, seeded. */
export async function startSim(system: string | SystemDefinition, seed = 1): Promise<SimCluster> {
  const def = definition(system);
  const cluster = await SimCluster.start(def, { seed, roles: await loadSimRoles(def) });
  owned.push({ cluster, dir: null });
  return cluster;
}

/** Stops every cluster started here (call it from afterEach) and removes their folders. */
export async function stopClusters(): Promise<void> {
  for (const { cluster, dir } of owned.splice(0)) {
    await cluster.stop();
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }
}

/** The last lines of every node's log, for a failing assertion's message. */
export function nodeLogs(cluster: ProcessCluster, lines = 40): string {
  return cluster.nodeIds().map((id) => `--- ${id}\n${cluster.log(id).trimEnd().split('\n').slice(-lines).join('\n')}`).join('\n');
}

/** Polls `check` on the cluster's clock until it gives a value other than undefined/false; throws after `timeoutMs` naming what it waited for. */
export async function waitFor<T>(cluster: Pick<Cluster, 'clock'>, what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = cluster.clock.now() + timeoutMs;
  for (;;) {
    const got = await check();
    if (got !== undefined && got !== false) return got;
    if (cluster.clock.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await cluster.clock.sleep(everyMs);
  }
}

/** A node's answer to one request sent to it directly, or null (no answer, connection refused). */
export async function askNode(cluster: Cluster, node: string, body: Record<string, unknown>, timeoutMs = 2000): Promise<Reply | null> {
  const out = await cluster.ask(node, body, timeoutMs);
  return out.kind === 'reply' ? out.body : null;
}

export const read = (key: string): RegisterOp => ({ f: 'read', key, value: null, delayMs: 0 });
export const write = (key: string, value: Value): RegisterOp => ({ f: 'write', key, value, delayMs: 0 });
export const cas = (key: string, from: Value, to: Value): RegisterOp => ({ f: 'cas', key, value: [from, to], delayMs: 0 });

/** One logical client bound to one client node; after an `info` it goes on as a fresh process on a fresh connection, as in a torture run. */
export interface TestClient {
  run(op: RegisterOp, timeoutMs?: number): Promise<Completion>;
  close(): void;
}

/** The history of a test's client operations, on the cluster's clock. */
export class Session {
  readonly recorder: HistoryRecorder;
  readonly stats: WorkloadStats = { invoked: 0, ok: 0, fail: 0, info: 0 };
  private nextProcess = 0;

  constructor(readonly cluster: Cluster) {
    this.recorder = new HistoryRecorder(null, cluster.clock);
  }

  client(node: string): TestClient {
    const proc: ProcessState = { id: this.nextProcess++, endpoint: 0, conn: null };
    const opts = { cluster: this.cluster, endpoints: [node], recorder: this.recorder, stats: this.stats, opTimeoutMs: 5000 };
    return {
      run: async (op, timeoutMs = 5000) => {
        const done = await invoke(proc, op, { ...opts, opTimeoutMs: timeoutMs });
        if (done.type === 'info') {
          proc.conn?.close();
          proc.conn = null;
          proc.id = this.nextProcess++;
        }
        return done;
      },
      close: () => proc.conn?.close(),
    };
  }

  /** Random reads, writes (unique values) and cas over `keys` until `stop()` says so. */
  async loop(client: TestClient, keys: string[], stop: () => boolean, values: { next: number }, random: () => number): Promise<void> {
    while (!stop()) {
      const key = keys[Math.floor(random() * keys.length)];
      const dice = random();
      if (dice < 0.4) await client.run(read(key));
      else if (dice < 0.75) await client.run(write(key, values.next++));
      else await client.run(cas(key, Math.max(1, values.next - 1 - Math.floor(random() * 3)), values.next++));
    }
  }

  /** The checker's verdict on the history so far, and its explanation when it is not linearizable. */
  async verdict(): Promise<{ valid: boolean | 'unknown'; explanation: string }> {
    const result = await checkHistory(this.recorder.events, { timeoutMs: 60_000 });
    return { valid: result.valid, explanation: result.valid === true ? '' : renderFailureText('test history', result, 'ns') };
  }
}
