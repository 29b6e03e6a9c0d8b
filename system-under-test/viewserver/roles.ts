// The view-server design's roles. `makeRoles` builds them from options (a
// test's planted bugs, the number of backups per view); `rolesFromArgs` reads
// the options a system definition can give a node (`--backups N`), and
// `roles` is the design as written.
import type { NodeFactory } from '../runtime/env.ts';
import { UsageError } from '../runtime/args.ts';
import { DEFAULT_BACKUPS } from './config.ts';
import { ViewServerCoordinator } from './coordinator.ts';
import { plantedSet, type PlantedBug } from './planted.ts';
import { ViewServerReplica } from './server.ts';
import { ViewService } from './viewservice.ts';

export interface DesignOptions {
  /** Bugs to plant (planted.ts); none by default. */
  planted?: readonly PlantedBug[];
  /** Backups per view, as the view service forms them (default 1). */
  backups?: number;
}

export function makeRoles(options: DesignOptions = {}): Record<string, NodeFactory> {
  const planted = plantedSet(options.planted);
  const backups = options.backups ?? DEFAULT_BACKUPS;
  return {
    viewserver: (env) => new ViewService(env, { backups }),
    server: (env) => new ViewServerReplica(env, { planted }),
    coordinator: (env) => new ViewServerCoordinator(env, { planted }),
  };
}

/** `--backups N` (N >= 1), the only setting a node takes on the command line. */
export function parseDesignArgs(args: readonly string[]): DesignOptions {
  const options: DesignOptions = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    if (flag !== '--backups') throw new UsageError(`unknown option '${args[i]}' (the design takes --backups N)`);
    const value = inline ?? args[++i];
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--backups needs a whole number >= 1, got '${value ?? ''}'`);
    options.backups = n;
  }
  return options;
}

export const roles = makeRoles();
export const rolesFromArgs = (args: readonly string[]) => makeRoles(parseDesignArgs(args));
