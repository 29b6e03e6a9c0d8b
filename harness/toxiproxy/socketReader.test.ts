// SocketReader: reads land in the reader's own memory (Node's onread), on
// accepted and on connecting sockets, and the buffer grows while reads fill it.
import net, { type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SocketReader } from './socketReader.ts';
import { connect, tcpServer, type TcpServer } from './testkit.ts';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A server whose accepted sockets are handed to `onAccepted`. */
async function acceptor(options: net.ServerOpts, onAccepted: (s: Socket) => void): Promise<number> {
  const server = net.createServer(options, onAccepted);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as net.AddressInfo).port;
}

/** Collects what `reader` receives, and whether each read was in the reader's own memory. */
function record(reader: SocketReader) {
  const texts: string[] = [];
  const own: boolean[] = [];
  reader.onRead = (view) => {
    own.push(view.buffer === reader.options.buffer().buffer);
    texts.push(view.toString());
  };
  return { text: () => texts.join(''), own };
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

describe('SocketReader', () => {
  it('takes over a paused accepted socket and reads into its own buffer', async () => {
    const reader = new SocketReader();
    const got = record(reader);
    let adopted: Socket | undefined;
    let original: Socket | undefined;
    const port = await acceptor({ pauseOnConnect: true }, (s) => {
      original = s;
      adopted = reader.adopt(s);
      adopted.on('error', () => {});
      adopted.resume();
    });
    const client = await connect(port);
    closers.push(() => void client.destroy());
    client.write('hello through onread');
    await until(() => got.text() === 'hello through onread');
    expect(adopted).not.toBe(original);
    expect(got.own.every(Boolean)).toBe(true);
    // Writing back works on the adopted socket, and ending it ends the client.
    const echoed = new Promise<string>((r) => client.once('data', (b: Buffer) => r(b.toString())));
    adopted!.end('bye');
    expect(await echoed).toBe('bye');
  });

  it('falls back to data events for a socket that is already reading', async () => {
    const reader = new SocketReader();
    const got = record(reader);
    let adopted: Socket | undefined;
    let original: Socket | undefined;
    const port = await acceptor({}, (s) => {
      original = s;
      adopted = reader.adopt(s);
    });
    const client = await connect(port);
    closers.push(() => void client.destroy());
    client.write('plain');
    await until(() => got.text() === 'plain');
    expect(adopted).toBe(original);
    adopted!.destroy();
  });

  it('reads a connecting socket into its own buffer', async () => {
    const server: TcpServer = await tcpServer((s) => s.end('from the server'));
    closers.push(() => server.close());
    const reader = new SocketReader();
    const got = record(reader);
    const s = reader.connect({ host: '127.0.0.1', port: server.port });
    s.on('error', () => {});
    closers.push(() => void s.destroy());
    await until(() => got.text() === 'from the server');
    expect(got.own.every(Boolean)).toBe(true);
  });

  it('doubles its buffer after a full read, up to 1 MiB, and keeps it after partial reads', () => {
    const reader = new SocketReader();
    const sizes = [reader.options.buffer().length];
    for (let i = 0; i < 10; i++) {
      const buf = reader.options.buffer();
      reader.options.callback(buf.length, buf);
      sizes.push(reader.options.buffer().length);
    }
    expect(sizes).toEqual([16, 32, 64, 128, 256, 512, 1024, 1024, 1024, 1024, 1024].map((k) => k * 1024));
    const buf = reader.options.buffer();
    reader.options.callback(10, buf);
    expect(reader.options.buffer()).toBe(buf);
  });
});
