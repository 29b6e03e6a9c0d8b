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
    expect(problem({ ...valid(), nodes: { n1: node({ command: ['x', '{listen}', '{port}'] }) } })).toMatch(/unknown placeholder \{port\}/);
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
