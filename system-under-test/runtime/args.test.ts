import { describe, expect, it } from 'vitest';
import { parseNodeArgs, parsePeers, UsageError } from './args.ts';

describe('node arguments', () => {
  it('reads --id --listen --peers and keeps the rest', () => {
    const a = parseNodeArgs(['server', '--id', 's1', '--listen=127.0.0.1:4000', '--peers', 'vs=127.0.0.1:5000,s2=127.0.0.1:5001'], {});
    expect(a.id).toBe('s1');
    expect(a.listen).toEqual({ host: '127.0.0.1', port: 4000 });
    expect([...a.peers.entries()]).toEqual([
      ['vs', { host: '127.0.0.1', port: 5000 }],
      ['s2', { host: '127.0.0.1', port: 5001 }],
    ]);
    expect(a.rest).toEqual(['server']);
  });

  it('falls back to SPLITBRAIN_ID / _LISTEN / _PEERS, flags winning', () => {
    const env = { SPLITBRAIN_ID: 'c1', SPLITBRAIN_LISTEN: '127.0.0.1:1', SPLITBRAIN_PEERS: 'r1=127.0.0.1:2' };
    expect(parseNodeArgs([], env).peers.get('r1')).toEqual({ host: '127.0.0.1', port: 2 });
    expect(parseNodeArgs(['--id', 'c9'], env).id).toBe('c9');
    expect(parseNodeArgs([], { ...env, SPLITBRAIN_PEERS: '' }).peers.size).toBe(0);
  });

  it('reads the data directory from --data or SPLITBRAIN_DATA (none: null)', () => {
    const base = ['--id', 'vs1', '--listen', '127.0.0.1:1'];
    expect(parseNodeArgs(base, {}).data).toBeNull();
    expect(parseNodeArgs(base, { SPLITBRAIN_DATA: '/tmp/d1' }).data).toBe('/tmp/d1');
    expect(parseNodeArgs([...base, '--data=/tmp/d2'], { SPLITBRAIN_DATA: '/tmp/d1' }).data).toBe('/tmp/d2');
    expect(parseNodeArgs(['viewserver', '--backups', '2', ...base, '--data', '/tmp/d3'], {})).toMatchObject({ data: '/tmp/d3', rest: ['viewserver', '--backups', '2'] });
    expect(() => parseNodeArgs([...base, '--data', '{dir}'], {})).toThrow(/'\{dir\}' holds a placeholder the launcher did not fill in/);
  });

  it('says what is wrong with bad input', () => {
    expect(() => parseNodeArgs(['--listen', '127.0.0.1:1'], {})).toThrow(new UsageError('missing --id (or SPLITBRAIN_ID)'));
    expect(() => parseNodeArgs(['--id', 'a'], {})).toThrow(/missing --listen/);
    expect(() => parseNodeArgs(['--id', 'a', '--listen', '0.0.0.0:1'], {})).toThrow(/loopback only/);
    expect(() => parseNodeArgs(['--id', 'a', '--listen', 'nowhere'], {})).toThrow(/expected HOST:PORT/);
    expect(() => parsePeers('a=127.0.0.1:1,a=127.0.0.1:2')).toThrow(/'a' appears twice/);
    expect(() => parsePeers('127.0.0.1:1')).toThrow(/expected ID=HOST:PORT/);
    expect(() => parseNodeArgs(['--id'], {})).toThrow(/--id needs a value/);
  });
});
