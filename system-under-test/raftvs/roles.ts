// The consensus-replicated view-server design's roles: the view-service
// replicas (vs1 vs2 vs3, each with its disk: `--data DIR`), and the
// view-server design's servers and coordinators, pointed at those replicas.
// Options as in ../viewserver/roles.ts: a test's planted bugs, `--backups N`.
import type { NodeFactory } from '../runtime/env.ts';
import { DEFAULT_BACKUPS } from '../viewserver/config.ts';
import { ViewServerCoordinator } from '../viewserver/coordinator.ts';
import { plantedSet } from '../viewserver/planted.ts';
import { parseDesignArgs, type DesignOptions } from '../viewserver/roles.ts';
import { ViewServerReplica } from '../viewserver/server.ts';
import { VIEW_SERVICE_REPLICAS } from './config.ts';
import { RaftViewService } from './replica.ts';

export function makeRoles(options: DesignOptions = {}): Record<string, NodeFactory> {
  const planted = plantedSet(options.planted);
  const backups = options.backups ?? DEFAULT_BACKUPS;
  const viewServers = VIEW_SERVICE_REPLICAS;
  return {
    viewserver: (env) => new RaftViewService(env, { members: viewServers, backups, planted }),
    server: (env) => new ViewServerReplica(env, { planted, viewServers }),
    coordinator: (env) => new ViewServerCoordinator(env, { planted, viewServers }),
  };
}

export const roles = makeRoles();
export const rolesFromArgs = (args: readonly string[]) => makeRoles(parseDesignArgs(args));
