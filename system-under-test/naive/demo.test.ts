// naive's anomaly, provoked on purpose: two concurrent writes reach the two
// replicas in opposite orders, both succeed, and from then on reads disagree.
import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../runtime/simnet.ts';
import type { Body } from '../runtime/env.ts';
import { checkLinearizable, type RecordedOp } from '../testing/linearizability.ts';
import { roles } from './roles.ts';

describe('naive design (in-memory network)', () => {
  it('lets two replicas apply concurrent writes in opposite orders, so reads disagree', () => {
    const net = new SimNetwork({ seed: 1 });
    net.add('r1', [], roles.replica);
    net.add('r2', [], roles.replica);
    net.add('c1', ['r1', 'r2'], roles.coordinator);
    net.add('c2', ['r1', 'r2'], roles.coordinator);
    const history: RecordedOp[] = [];
    const op = (process: number, f: RecordedOp['f'], input: RecordedOp['input'], call: number): RecordedOp => {
      const o: RecordedOp = { process, f, key: 'x', input, output: null, status: 'info', call, return: Infinity };
      history.push(o);
      return o;
    };
    const w1 = op(1, 'write', 1, net.now);
    const w2 = op(2, 'write', 2, net.now);
    net.send('p1', 'c1', { type: 'write', msg_id: 1, key: 'x', value: 1 });
    net.send('p2', 'c2', { type: 'write', msg_id: 1, key: 'x', value: 2 });
    net.deliverWhere((m) => m.to === 'c1');
    net.deliverWhere((m) => m.to === 'c2');
    // r1 sees 1 then 2; r2 sees 2 then 1.
    net.deliverWhere((m) => m.from === 'c1' && m.to === 'r1');
    net.deliverWhere((m) => m.from === 'c2' && m.to === 'r1');
    net.deliverWhere((m) => m.from === 'c2' && m.to === 'r2');
    net.deliverWhere((m) => m.from === 'c1' && m.to === 'r2');
    net.stabilize();
    net.advance(1);
    expect(net.take('p1')).toMatchObject([{ type: 'write_ok' }]);
    expect(net.take('p2')).toMatchObject([{ type: 'write_ok' }]);
    w1.status = w2.status = 'ok';
    w1.return = w2.return = net.now;

    const seen = new Set<unknown>();
    for (let i = 0; i < 20; i++) {
      net.advance(1);
      const r = op(1, 'read', null, net.now);
      net.send('p1', 'c1', { type: 'read', msg_id: 10 + i, key: 'x' });
      net.stabilize();
      const reply = net.take('p1')[0] as Body;
      r.status = 'ok';
      r.output = reply.value as number;
      r.return = net.now;
      seen.add(reply.value);
    }
    expect([...seen].sort()).toEqual([1, 2]);
    expect(checkLinearizable(history).ok).toBe(false);
  });
});
