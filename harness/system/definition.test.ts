import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinName, DefinitionError, loadSystem, parseSystem } from './definition.ts';

const node = (extra: object = {}) => ({ role: 'server', connectsTo: [], command: ['{node}', 'server.js', '--listen', '{listen}'], ...extra });
const valid = () => ({ name: 'mine', claims: 'linearizable', nodes: { n1: node({ connectsTo: ['n2'] }), n2: node() }, clientNodes: ['n1'] });

function problem(raw: unknown): string {
  try {
    parseSystem(raw, '/x/system.json');
  } catch (err) {
    expect(err).toBeInstanceOf(DefinitionError);
    expect((err as Error).message.startsWith('/x/system.json: ')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a DefinitionError');
}

describe('system definitions', () => {
  it('accepts a valid definition and anchors commands at its folder', () => {
    const def = parseSystem({ ...valid(), primary: { ask: 'n2' }, nemeses: ['partition'] }, '/x/system.json');
    expect(def.nodes.map((n) => n.id)).toEqual(['n1', 'n2']);
    expect(def.nodes[0].connectsTo).toEqual(['n2']);
    expect(def.primary).toEqual({ ask: 'n2' });
    expect(def.dir).toBe('/x');
  });

  it('names the field that is wrong', () => {
    expect(problem({ ...valid(), claims: 'mostly' })).toMatch(/"claims" must be/);
    expect(problem({ ...valid(), nodes: {} })).toMatch(/"nodes" must be an object with at least one node/);
    expect(problem({ ...valid(), nodes: { n1: node({ connectsTo: ['n9'] }) } })).toMatch(/nodes\.n1\.connectsTo names "n9", which is not a node/);
    expect(problem({ ...valid(), nodes: { n1: node({ command: ['server.js'] }) } })).toMatch(/nodes\.n1\.command never mentions \{listen\}/);
    expect(problem({ ...valid(), nodes: { n1: node({ command: ['x', '{listen}', '{prot}'] }) } })).toMatch(/unknown placeholder \{prot\}/);
    expect(problem({ ...valid(), nodes: { n1: node({ colour: 'red' }) } })).toMatch(/nodes\.n1: unknown field "colour"/);
    expect(problem({ ...valid(), clientNodes: ['n7'] })).toMatch(/"clientNodes" names "n7"/);
    expect(problem({ ...valid(), primary: { guess: 'n1' } })).toMatch(/"primary" must be/);
    expect(problem({ ...valid(), primary: { static: 'n8' } })).toMatch(/"primary\.static" must name a node/);
    expect(problem({ ...valid(), nemeses: 'kill' })).toMatch(/"nemeses" must be an array/);
    expect(problem({ ...valid(), extra: 1 })).toMatch(/unknown field "extra"/);
    expect(problem([])).toMatch(/top level must be a JSON object/);
  });

  it('takes braces that are not a placeholder word as the command\'s own (JSON arguments, scripts)', () => {
    const command = ['{node}', '-e', "require('x').on('line', (l) => { console.log(l) })", '--config', '{"a": 1}', '--listen', '{listen}'];
    expect(parseSystem({ ...valid(), nodes: { n1: node({ command }) } }, '/x/system.json').nodes[0].command).toEqual(command);
  });

  it('a Maelstrom system: nodes n1.., no {listen}, every node a peer and a client node unless said otherwise', () => {
    const def = parseSystem({ name: 'm', claims: 'linearizable', protocol: 'maelstrom', nodes: { n1: { command: ['./node'] }, n2: { command: ['./node'] } } }, '/x/system.json');
    expect(def.protocol).toBe('maelstrom');
    expect(def.nodes.map((n) => n.connectsTo)).toEqual([['n2'], ['n1']]);
    expect(def.clientNodes).toEqual(['n1', 'n2']);
    expect(parseSystem(valid(), '/x/system.json').protocol).toBe('tcp');
    const m = (nodes: object, extra: object = {}) => ({ name: 'm', claims: 'linearizable', protocol: 'maelstrom', nodes, ...extra });
    expect(problem(m({ server1: { command: ['./node'] } }))).toMatch(/node id "server1": Maelstrom nodes are named n1, n2, \.\.\./);
    expect(problem(m({ n1: { command: ['./node', '--listen', '{listen}'] } }))).toMatch(/nodes\.n1\.command uses \{listen\}, which a Maelstrom node has no use for/);
    expect(problem({ ...valid(), protocol: 'grpc' })).toMatch(/"protocol" must be "tcp" or "maelstrom", got "grpc"/);
  });

  it('node lifecycles: named ports, {members}, peer addresses, readiness, setup and teardown, the network backend', () => {
    const etcdLike = {
      name: 'db',
      claims: 'linearizable',
      network: 'kernel',
      ports: ['peer'],
      members: { each: '{id}=http://{host}:{port:peer}' },
      ready: 'client',
      client: { module: './system.json', options: { reads: 'serializable' } },
      nodes: {
        n1: { command: ['db', '--listen', '{listen}', '--peer', '{host}:{port:peer}', '--cluster', '{members}', '--primary-at', '{peer-host:n2}:{peer-port:n2}'], setup: [['sh', '-c', 'touch {dir}/x']], teardown: [['true']] },
        n2: { command: ['db', '--port', '{port}'], ports: ['admin'] },
      },
      clientNodes: ['n1', 'n2'],
    };
    const dir = mkdtempSync(join(tmpdir(), 'sb-def-'));
    writeFileSync(join(dir, 'system.json'), '{}');
    const def = parseSystem(etcdLike, join(dir, 'system.json'));
    expect(def.network).toBe('kernel');
    expect(def.members).toEqual({ each: '{id}=http://{host}:{port:peer}', join: ',' });
    expect(def.ready).toEqual({ client: true });
    expect(def.client).toEqual({ module: join(dir, 'system.json'), options: { reads: 'serializable' } });
    expect(def.nodes.map((n) => n.ports)).toEqual([['peer'], ['peer', 'admin']]);
    expect(def.nodes[0].setup).toEqual([['sh', '-c', 'touch {dir}/x']]);
    expect(parseSystem(valid(), '/x/system.json').network).toBe('proxy');
    const with_ = (extra: object, nodes?: object) => ({ ...valid(), ...extra, ...(nodes ? { nodes } : {}) });
    expect(problem(with_({ network: 'iptables' }))).toMatch(/"network" must be "proxy" or "kernel", got "iptables"/);
    expect(problem(with_({}, { n1: node({ command: ['x', '{listen}', '{port:peer}'] }) }))).toMatch(/nodes\.n1\.command uses \{port:peer\}, but the node has no port "peer" \(declare it in "ports"/);
    expect(problem(with_({ ports: ['peer'], members: { each: '{id}={port:admin}' } }))).toMatch(/"members\.each" uses \{port:admin\}, but not every node has a port "admin"/);
    expect(problem(with_({ members: { each: '{peers}' } }))).toMatch(/"members\.each" uses \{peers\}/);
    expect(problem(with_({}, { n1: node({ command: ['x', '{listen}', '{members}'] }) }))).toMatch(/nodes\.n1 uses \{members\}, but the definition has no "members" template/);
    // Behind proxies a node reaches only the peers it declares (there is a proxy only for those).
    expect(problem(with_({}, { n1: node({ command: ['x', '{listen}', '{peer-host:n2}'] }), n2: node() }))).toMatch(/\{peer-host:n2\}, but "n2" is not in its connectsTo/);
    expect(problem(with_({}, { n1: node({ command: ['x', '{listen}', '{peer-port:n9}'] }) }))).toMatch(/"n9" is not a node/);
    expect(problem(with_({ ready: 'tcp:admin' }))).toMatch(/"ready" must be "tcp".*"tcp:NAME"/);
    expect(parseSystem(with_({ ready: { command: ['sh', '-c', 'probe {host}:{port}'] } }), '/x/system.json').ready).toEqual({ command: ['sh', '-c', 'probe {host}:{port}'] });
    expect(problem(with_({ ready: { command: ['probe', '{port:admin}'] } }))).toMatch(/"ready\.command" uses \{port:admin\}, but the node has no port "admin".*\(for node n1\)/);
    expect(problem(with_({ ready: { command: [] } }))).toMatch(/or \{"command": ARGV\}/);
    expect(problem(with_({ client: './nowhere.ts' }))).toMatch(/"client" names \.\/nowhere\.ts, which does not exist/);
    expect(problem(with_({ client: 7 }))).toMatch(/"client" must be a driver module's path/);
    expect(() => parseSystem(with_({ client: './system.json', primary: { ask: 'n1' } }), join(dir, 'system.json'))).toThrow(/"primary\.ask" asks in the wire protocol/);
    expect(problem(with_({}, { n1: node({ setup: ['echo hi'] }) }))).toMatch(/nodes\.n1\.setup must be an array of commands, each a non-empty argv array/);
    expect(problem(with_({}, { n1: node({ teardown: [['x', '{nope}']] }) }))).toMatch(/nodes\.n1\.teardown\[0\] uses unknown placeholder \{nope\}/);
    expect(problem(with_({}, { n1: node({ command: ['server.js'] }) }))).toMatch(/never mentions \{listen\} \(or \{port\}\)/);
  });

  it('reports JSON syntax errors with the file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-def-'));
    const file = join(dir, 'system.json');
    writeFileSync(file, '{\n  "name": "x",\n  "claims": "linearizable",,\n}\n');
    expect(() => loadSystem(file)).toThrow(new RegExp(`${file}: not valid JSON: .*line 3`));
    expect(() => loadSystem(join(dir, 'missing.json'))).toThrow(/no such file, and not a built-in system/);
  });

  it('loads the shipped definitions: the built-in designs and the example', () => {
    for (const name of ['naive', 'failover', 'viewserver']) {
      const def = loadSystem(name);
      expect(builtinName(def)).toBe(name);
    }
    const example = loadSystem('examples/kvstore/system.json');
    expect(builtinName(example)).toBeUndefined();
    expect(example.claims).toBe('linearizable');
    expect(loadSystem('examples/kvstore/system-stale-reads.json').claims).toBe('not-linearizable');
  });
});
