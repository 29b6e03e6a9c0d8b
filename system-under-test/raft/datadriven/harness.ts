// The scene of the Raft core's datadriven tests (../testdata, format in
// ../../datadriven/transcript.ts): a test network of cores (../network.ts)
// named by `members a b c` as the first command. One handler file per command.
import type { Handler as TranscriptHandler } from '../../datadriven/transcript.ts';
import type { Entry } from '../log.ts';
import { RaftNetwork } from '../network.ts';
import type { RaftMessage } from '../raft.ts';

export interface Scene {
  net: RaftNetwork | null;
}

export const newScene = (): Scene => ({ net: null });

export type Handler = TranscriptHandler<Scene>;

export function network(scene: Scene): RaftNetwork {
  if (scene.net === null) throw new Error('start with `members ID...`');
  return scene.net;
}

export const showEntry = (e: Entry) => `${e.index}/${e.term}${e.data === null ? '' : `:${String(e.data)}`}`;

/** One message, as etcd's transcripts print them. */
export function showMessage(m: RaftMessage): string {
  const head = `${m.from}->${m.to} ${m.type} term=${m.term}`;
  switch (m.type) {
    case 'vote':
      return `${head} last=${m.lastIndex}/${m.lastTerm}`;
    case 'voteResp':
      return `${head} ${m.granted ? 'granted' : 'rejected'}`;
    case 'app':
      return `${head} prev=${m.prevIndex}/${m.prevTerm} entries=[${m.entries.map(showEntry).join(' ')}] commit=${m.commit}`;
    case 'appResp':
      return `${head} ${m.success ? 'ok' : 'reject'} index=${m.index}`;
  }
}
