// Loads the node factories a definition names for simulation
// (`"simulation": {"roles": "roles.ts"}`) and checks that every node's role
// is there, so `--sim` refuses a system it cannot run with one line.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { NodeFactory } from '../../system-under-test/runtime/env.ts';
import { DefinitionError, type SystemDefinition } from '../system/definition.ts';

// A module is loaded once per process: thousands of simulated runs share it.
const loaded = new Map<string, Promise<{ roles?: unknown }>>();

export async function loadSimRoles(def: SystemDefinition): Promise<Record<string, NodeFactory>> {
  if (def.simulation === undefined) {
    throw new DefinitionError(def.file, 'cannot run in simulation: its nodes are given only as commands (add "simulation": {"roles": "FILE"}, a module of node factories over Env)');
  }
  const file = def.simulation.roles;
  if (!existsSync(file)) throw new DefinitionError(def.file, `"simulation.roles": no such file ${file}`);
  let mod: { roles?: unknown; rolesFromArgs?: unknown };
  try {
    if (!loaded.has(file)) loaded.set(file, import(pathToFileURL(file).href) as Promise<{ roles?: unknown }>);
    mod = (await loaded.get(file)!) as typeof mod;
  } catch (err) {
    loaded.delete(file);
    throw new DefinitionError(def.file, `"simulation.roles": cannot load ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const args = def.simulation.args;
  if (args !== undefined && typeof mod.rolesFromArgs !== 'function') {
    throw new DefinitionError(def.file, `"simulation.args" needs ${file} to export rolesFromArgs(args), which it does not`);
  }
  let roles: unknown;
  try {
    roles = args !== undefined ? (mod.rolesFromArgs as (a: string[]) => unknown)(args) : mod.roles;
  } catch (err) {
    throw new DefinitionError(def.file, `"simulation.args" ${JSON.stringify(args)}: ${(err as Error).message}`);
  }
  if (typeof roles !== 'object' || roles === null || !Object.values(roles).every((f) => typeof f === 'function')) {
    throw new DefinitionError(def.file, `"simulation.roles": ${file} must export \`roles\`, an object of node factories (env) => node`);
  }
  const table = roles as Record<string, NodeFactory>;
  for (const node of def.nodes) {
    if (!Object.hasOwn(table, node.role)) {
      throw new DefinitionError(def.file, `nodes.${node.id}: role "${node.role}" has no factory in ${file} (it has: ${Object.keys(table).join(', ')})`);
    }
  }
  return table;
}
