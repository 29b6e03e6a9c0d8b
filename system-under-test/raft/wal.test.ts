// The WAL round-trips what a Raft member persists, replays truncations, drops
// a torn last line (and rewrites the file so the next append starts clean),
// and refuses damage anywhere else.
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../runtime/storage.ts';
import { RaftWal } from './wal.ts';

const e = (index: number, term: number, data: unknown = null) => ({ index, term, data });

describe('raft WAL', () => {
  it('starts empty, and replays hard states and entries in order', () => {
    const disk = new MemoryStorage();
    const wal = new RaftWal(disk);
    expect(wal.load()).toMatchObject({ hardState: { term: 0, vote: null }, entries: [], tornTail: false });
    wal.save({ term: 1, vote: 'a' }, [e(1, 1), e(2, 1, 'x'), e(3, 1, 'y')]);
    wal.save(null, []); // nothing to persist: no write at all
    expect(disk.syncs).toBe(1);
    wal.save({ term: 2, vote: null }, [e(3, 2, 'z')]); // a follower's conflicting suffix replaced
    expect(new RaftWal(disk).load()).toMatchObject({ hardState: { term: 2, vote: null }, entries: [e(1, 1), e(2, 1, 'x'), e(3, 2, 'z')], records: 2 });
  });

  it('drops a torn last line and rewrites the file before anything follows it', () => {
    const disk = new MemoryStorage();
    const wal = new RaftWal(disk);
    wal.save({ term: 1, vote: 'a' }, [e(1, 1)]);
    disk.files.set('raft.wal', disk.files.get('raft.wal')! + '{"hs":{"term":2,"vo');
    const restored = new RaftWal(disk).load();
    expect(restored).toMatchObject({ hardState: { term: 1, vote: 'a' }, tornTail: true });
    wal.save({ term: 3, vote: null }, []);
    expect(new RaftWal(disk).load()).toMatchObject({ hardState: { term: 3, vote: null }, entries: [e(1, 1)], tornTail: false });
  });

  it('refuses a damaged line that is not the last, and an entry that does not follow the log', () => {
    const disk = new MemoryStorage();
    disk.files.set('raft.wal', 'garbage\n{"hs":{"term":1,"vote":null}}\n');
    expect(() => new RaftWal(disk).load()).toThrow(/line 1 is damaged/);
    disk.files.set('raft.wal', '{"entries":[{"index":2,"term":1,"data":null}]}\n');
    expect(() => new RaftWal(disk).load()).toThrow(/does not follow the log/);
  });
});
