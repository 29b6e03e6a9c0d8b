// Messages arrive in chunks (a pipe read, a socket read) of many lines, and
// each line is routed on its own; a write(2) per line would make the relay
// cost a system call per message on each side. Corking a stream until the
// next tick turns everything written to it while one chunk is handled into a
// single writev(2), as a proxy forwards a chunk with one write.
import type { Writable } from 'node:stream';

export function writeBatched(stream: Writable, data: string): void {
  if (stream.writableCorked === 0) {
    stream.cork();
    process.nextTick(() => stream.uncork());
  }
  stream.write(data);
}
