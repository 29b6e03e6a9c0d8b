// `--bin CMD --node-count N` as a definition: Maelstrom's command line, read
// the way a shell would read the program's words.
import { describe, expect, it } from 'vitest';
import { binSystem, splitCommand } from './binSystem.ts';
import { DefinitionError } from './definition.ts';

describe('--bin', () => {
  it('splits the program like a shell: spaces, quotes, backslashes', () => {
    expect(splitCommand('python3 my_node.py')).toEqual(['python3', 'my_node.py']);
    expect(splitCommand(`  ./node --name 'two words' "say \\"hi\\"" a\\ b ''  `)).toEqual(['./node', '--name', 'two words', 'say "hi"', 'a b', '']);
    expect(() => splitCommand('ruby "unclosed')).toThrow(DefinitionError);
    expect(() => splitCommand("ruby 'unclosed")).toThrow(/--bin: unterminated ' in/);
  });

  it('means nodes n1..nN running the program from the working folder, all client nodes, all peers', () => {
    const def = binSystem({ command: 'python3 ./demo/lin_kv.py', nodeCount: 3, claims: 'not-linearizable', cwd: '/home/me/kv' });
    expect(def).toMatchObject({ name: 'lin_kv', claims: 'not-linearizable', protocol: 'maelstrom', dir: '/home/me/kv', clientNodes: ['n1', 'n2', 'n3'] });
    expect(def.bin).toEqual({ command: 'python3 ./demo/lin_kv.py', nodeCount: 3 });
    expect(def.nodes.map((n) => [n.id, n.connectsTo, n.command])).toEqual([
      ['n1', ['n2', 'n3'], ['python3', './demo/lin_kv.py']],
      ['n2', ['n1', 'n3'], ['python3', './demo/lin_kv.py']],
      ['n3', ['n1', 'n2'], ['python3', './demo/lin_kv.py']],
    ]);
    expect(binSystem({ command: 'target/release/my-node', nodeCount: 1, claims: 'linearizable', cwd: '/x' }).name).toBe('my-node');
    expect(() => binSystem({ command: '   ', nodeCount: 1, claims: 'linearizable', cwd: '/x' })).toThrow(/--bin: needs a program/);
  });
});
