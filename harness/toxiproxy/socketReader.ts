// Reading a socket into memory that is used again and again (Node's `onread`
// option) instead of a fresh buffer per read. Node's default read path
// allocates 64 KiB for every read; at bulk rates those short-lived buffers
// cost the proxy more CPU than the copying itself (page faults on new memory,
// and garbage collection), and 64 KiB is also the most one read can return.
// A SocketReader reads into one buffer per socket, which grows while reads
// fill it (a bulk stream gets large reads, an idle connection holds 16 KiB).
//
// Contract for the receiver of `onRead(view)`: the bytes of `view` are
// overwritten by the next read. A receiver that keeps them past its return
// (a write still pending, say) must pause the socket first, and resume it
// once it no longer needs them: a paused socket does not read.
import net, { type Socket } from 'node:net';

const MIN_BYTES = 16 * 1024;
const MAX_BYTES = 1024 * 1024;

export class SocketReader {
  /** Where reads go; set before the socket starts reading. */
  onRead: (view: Buffer) => void = () => {};
  private buf = Buffer.allocUnsafe(MIN_BYTES);

  /** The `onread` option of net.connect / new net.Socket. */
  readonly options = {
    buffer: (): Buffer => this.buf,
    // Always true: a receiver that must stop reading pauses the socket itself.
    callback: (n: number, buf: Buffer): boolean => {
      // A full read means more was waiting: read more at once next time.
      // The old buffer may still be held by a pending write; it is not reused.
      if (n === buf.length && buf.length < MAX_BYTES) this.buf = Buffer.allocUnsafe(buf.length * 2);
      this.onRead(buf.subarray(0, n));
      return true;
    },
  };

  /** Opens a connection that reads through this reader. */
  connect(options: net.TcpNetConnectOpts): Socket {
    return net.connect({ ...options, onread: this.options });
  }

  /**
   * An accepted socket (paused: the server must use `pauseOnConnect`), moved
   * into a Socket that reads through this reader. net.Server has no `onread`
   * option, so the handle is taken over the way Node's own server builds its
   * sockets (`new Socket({ handle })`), and the accepted Socket, left without
   * a handle, is destroyed (which settles the server's connection count). On
   * a Node that keeps the handle elsewhere, the accepted socket itself is
   * returned, its 'data' chunks passed to `onRead`.
   */
  adopt(accepted: Socket): Socket {
    const internal = accepted as unknown as { _handle?: { readStart?: unknown } | null };
    const handle = internal._handle;
    if (accepted.readableFlowing !== false || typeof handle?.readStart !== 'function') {
      accepted.on('data', (chunk: Buffer) => this.onRead(chunk));
      return accepted;
    }
    internal._handle = null;
    accepted.destroy();
    const options = { handle, onread: this.options, allowHalfOpen: accepted.allowHalfOpen, pauseOnCreate: true, readable: true, writable: true };
    return new net.Socket(options as net.SocketConstructorOpts);
  }
}
