#!/usr/bin/env node
// A small replicated key-value store of "a user's own", written without any
// splitbrain code, to show what the harness needs from a system: listen where
// it is told ({listen}), reach peers where it is told ({peers}), and speak the
// client wire protocol (one JSON object per line; README, "Client wire
// protocol").
//
// Design: a static primary (--primary, default the first node) holds the
// truth and applies every operation in arrival order. Other nodes forward
// client requests to it and relay the reply. The primary also pushes each
// write to the others, fire-and-forget, so they hold a (possibly stale) copy.
// With --stale-reads a non-primary answers reads from that copy: fast, and
// not linearizable, which the harness catches under partitions or latency.
//
// Two more bugs can be planted in the primary, ones that need no fault at
// all, only concurrency (the hot default workload exists to catch these):
// --racy-cas compares and sets on different turns of the event loop, so two
// cas racing on one key can both succeed (a non-atomic read-modify-write);
// --lost-update acknowledges a write at once and applies it a moment later,
// in no particular order, so a write acknowledged earlier can land after a
// later one (a lost update).
//
// usage: node server.js --id ID --listen HOST:PORT [--peers ID=HOST:PORT,...]
//                       [--primary ID] [--stale-reads] [--racy-cas] [--lost-update]
import net from 'node:net';

function parseArgs(argv) {
  const opts = { id: '', listen: '', peers: {}, primary: '', staleReads: false, racyCas: false, lostUpdate: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--id') opts.id = argv[++i];
    else if (a === '--listen') opts.listen = argv[++i];
    else if (a === '--primary') opts.primary = argv[++i];
    else if (a === '--stale-reads') opts.staleReads = true;
    else if (a === '--racy-cas') opts.racyCas = true;
    else if (a === '--lost-update') opts.lostUpdate = true;
    else if (a === '--peers') {
      for (const entry of (argv[++i] || '').split(',').filter(Boolean)) {
        const [id, addr] = entry.split('=');
        opts.peers[id] = addr;
      }
    } else {
      process.stderr.write(`unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  if (!opts.id || !opts.listen) {
    process.stderr.write('usage: server.js --id ID --listen HOST:PORT [--peers ID=HOST:PORT,...] [--primary ID] [--stale-reads] [--racy-cas] [--lost-update]\n');
    process.exit(2);
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const isPrimary = opts.primary === '' || opts.primary === opts.id;
const data = new Map();
const log = (msg) => process.stderr.write(`[${opts.id}] ${msg}\n`);

// ---- line-delimited JSON over TCP ------------------------------------------

function onLines(socket, handle) {
  let buf = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim() === '') continue;
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      handle(msg);
    }
  });
}

// A connection to a peer, opened on demand; requests on it are matched by msg_id.
class Peer {
  constructor(id, addr) {
    this.id = id;
    const i = addr.lastIndexOf(':');
    this.host = addr.slice(0, i);
    this.port = Number(addr.slice(i + 1));
    this.socket = null;
    this.pending = new Map();
    this.nextId = 1;
  }

  ensure() {
    if (this.socket) return this.socket;
    const s = net.connect({ host: this.host, port: this.port });
    this.socket = s;
    onLines(s, (msg) => {
      const cb = this.pending.get(msg.in_reply_to);
      if (cb) {
        this.pending.delete(msg.in_reply_to);
        cb(msg);
      }
    });
    const gone = () => {
      if (this.socket !== s) return;
      this.socket = null;
      for (const [, cb] of this.pending) cb(null);
      this.pending.clear();
      s.destroy();
    };
    s.on('error', gone);
    s.on('close', gone);
    return s;
  }

  // Calls back with the reply, or null if the connection failed or timed out.
  request(body, timeoutMs, cb) {
    const id = this.nextId++;
    const timer = setTimeout(() => {
      if (this.pending.delete(id)) cb(null);
    }, timeoutMs);
    this.pending.set(id, (reply) => {
      clearTimeout(timer);
      cb(reply);
    });
    this.ensure().write(JSON.stringify({ ...body, msg_id: id }) + '\n');
  }

  send(body) {
    this.ensure().write(JSON.stringify(body) + '\n');
  }
}

const peers = Object.fromEntries(Object.entries(opts.peers).map(([id, addr]) => [id, new Peer(id, addr)]));

// ---- the state machine (primary only) --------------------------------------

function apply(body, reply) {
  const key = String(body.key);
  switch (body.type) {
    case 'read':
      return reply(data.has(key) ? { type: 'read_ok', value: data.get(key) } : { type: 'error', code: 20, text: 'key does not exist' });
    case 'write':
      if (opts.lostUpdate) {
        // Planted bug: acknowledged now, applied up to 5 ms later, whatever came meanwhile.
        setTimeout(() => {
          data.set(key, body.value);
          replicate(key);
        }, Math.random() * 5);
        return reply({ type: 'write_ok' });
      }
      data.set(key, body.value);
      replicate(key);
      return reply({ type: 'write_ok' });
    case 'cas': {
      if (!data.has(key)) return reply({ type: 'error', code: 20, text: 'key does not exist' });
      const current = data.get(key);
      const finish = () => {
        if (current !== body.from) return reply({ type: 'error', code: 22, text: `expected ${body.from}, have ${current}` });
        data.set(key, body.to);
        replicate(key);
        reply({ type: 'cas_ok' });
      };
      // Planted bug: the value compared was read on an earlier turn; another cas may have set it since.
      return opts.racyCas ? setTimeout(finish, Math.random() * 5) : finish();
    }
    default:
      return reply({ type: 'error', code: 10, text: `unsupported request ${body.type}` });
  }
}

function replicate(key) {
  for (const p of Object.values(peers)) p.send({ type: 'replicate', key, value: data.get(key) });
}

// ---- request handling --------------------------------------------------------

function handle(body, reply) {
  if (body.type === 'replicate') {
    if (!isPrimary) data.set(body.key, body.value);
    return;
  }
  if (body.type === 'primary') return reply({ type: 'primary_ok', primary: opts.primary || opts.id });
  if (isPrimary) return apply(body, reply);
  if (body.type === 'read' && opts.staleReads) {
    const key = String(body.key);
    return reply(data.has(key) ? { type: 'read_ok', value: data.get(key) } : { type: 'error', code: 20, text: 'key does not exist' });
  }
  const primary = peers[opts.primary];
  if (!primary) return reply({ type: 'error', code: 11, text: `no link to primary ${opts.primary}` });
  const { msg_id: _ignored, ...forward } = body;
  primary.request(forward, 1000, (answer) => {
    if (answer === null) {
      // The primary may or may not have applied it: say so (indefinite), unless it was a read.
      return reply(body.type === 'read' ? { type: 'error', code: 11, text: 'primary unreachable' } : { type: 'error', code: 0, text: 'primary did not answer' });
    }
    const { in_reply_to: _i, msg_id: _m, ...rest } = answer;
    reply(rest);
  });
}

const [host, port] = [opts.listen.slice(0, opts.listen.lastIndexOf(':')), Number(opts.listen.slice(opts.listen.lastIndexOf(':') + 1))];
const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  onLines(socket, (msg) => {
    handle(msg, (answer) => {
      if (msg.msg_id !== undefined && !socket.destroyed) socket.write(JSON.stringify({ ...answer, in_reply_to: msg.msg_id }) + '\n');
    });
  });
});
server.listen(port, host, () => log(`listening on ${opts.listen} as ${isPrimary ? 'primary' : `backup of ${opts.primary}`}`));
process.on('SIGTERM', () => process.exit(0));
