// failover's anomaly, provoked on purpose: a coordinator that loses its primary
// fails over to the backup while the old primary is still serving the other
// coordinator. Two primaries; a completed write is then missing from a read.
import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../runtime/simnet.ts';
import type { Body } from '../runtime/env.ts';
import { checkLinearizable, type RecordedOp } from '../testing/linearizability.ts';
import { roles } from './roles.ts';
import type { FailoverCoordinator } from './coordinator.ts';

describe('failover design (in-memory network)', () => {
  it('ends up with two primaries under a partition, and a read misses a completed write', () => {
    const net = new SimNetwork({ seed: 1 });
    net.add('s1', ['s2'], roles.server);
    net.add('s2', ['s1'], roles.server);
    net.add('c1', ['s1', 's2'], roles.coordinator);
    net.add('c2', ['s1', 's2'], roles.coordinator);
    const history: RecordedOp[] = [];
    let msg = 1;
    const run = (client: string, coordinator: string, body: Omit<Body, 'msg_id'>, f: RecordedOp['f'], input: RecordedOp['input']): Body | null => {
      const op: RecordedOp = { process: history.length, f, key: 'x', input, output: null, status: 'info', call: net.now, return: Infinity };
      history.push(op);
      const id = msg++;
      net.send(client, coordinator, { ...body, msg_id: id } as Body);
      for (let t = 0; t < 3000; t += 10) {
        const reply = net.take(client).find((b) => b.in_reply_to === id);
        if (reply !== undefined) {
          op.return = net.now;
          if (reply.type !== 'error') op.status = 'ok';
          if (reply.type === 'read_ok') op.output = reply.value as number;
          return reply;
        }
        net.advance(10);
      }
      return null;
    };

    expect(run('p1', 'c1', { type: 'write', key: 'x', value: 1 }, 'write', 1)?.type).toBe('write_ok');
    // c1 loses s1, and s1 loses s2; c2 still reaches s1.
    net.cut('c1', 's1');
    net.cut('s1', 's2');
    expect(run('p1', 'c1', { type: 'write', key: 'x', value: 2 }, 'write', 2)).toMatchObject({ type: 'error', code: 0 });
    expect(net.node<FailoverCoordinator>('c1').current).toBe('s2');
    expect(net.node<FailoverCoordinator>('c2').current).toBe('s1');
    expect(run('p1', 'c1', { type: 'write', key: 'x', value: 3 }, 'write', 3)?.type).toBe('write_ok');
    // The write of 3 has completed, yet c2's primary never heard of it.
    expect(run('p2', 'c2', { type: 'read', key: 'x' }, 'read', null)).toMatchObject({ type: 'read_ok', value: 1 });
    expect(checkLinearizable(history).ok).toBe(false);
  });
});
