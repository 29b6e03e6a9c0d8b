// The view-server design's roles. `makeRoles` builds them from options (
// planted bugs, the number of backups per view); `rolesFromArgs` reads the
// options a system definition can give a node (`--backups N`, `--plant BUG`,
// as its command's role options or its "simulation.args"), and `roles` is the
// design as written.
import type { NodeFactory } from '../runtime/env.ts';
import { UsageError } from '../runtime/args.ts';
import { DEFAULT_BACKUPS } from './config.ts';
import { ViewServerCoordinator } from './coordinator.ts';
import { isPlantedBug, PLANTED_BUGS, plantedSet, type PlantedBug } from './planted.ts';
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

/**
 * `--backups N` (N >= 1) and `--plant BUG` (repeatable; planted.ts), the
 * settings a node takes on the command line. Every node of a system must get
 * the same ones: a bug lives in the role that has it, so planting it in one
 * node's command only plants it there.
 */
export function parseDesignArgs(args: readonly string[]): DesignOptions {
  const options: DesignOptions = {};
  const planted: PlantedBug[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    if (flag !== '--backups' && flag !== '--plant') throw new UsageError(`unknown option '${args[i]}' (the design takes --backups N and --plant BUG)`);
    const value = inline ?? args[++i];
    if (flag === '--plant') {
      if (value === undefined || !isPlantedBug(value)) throw new UsageError(`--plant takes one of ${Object.keys(PLANTED_BUGS).join(', ')}, got '${value ?? ''}'`);
      planted.push(value);
      continue;
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--backups needs a whole number >= 1, got '${value ?? ''}'`);
    options.backups = n;
  }
  return planted.length > 0 ? { ...options, planted } : options;
}

export const roles = makeRoles();
export const rolesFromArgs = (args: readonly string[]) => makeRoles(parseDesignArgs(args));
