import type { NodeFactory } from '../runtime/env.ts';
import { ViewServerCoordinator } from './coordinator.ts';
import { ViewServerReplica } from './server.ts';
import { ViewService } from './viewservice.ts';

export const roles: Record<string, NodeFactory> = {
  viewserver: (env) => new ViewService(env),
  server: (env) => new ViewServerReplica(env),
  coordinator: (env) => new ViewServerCoordinator(env),
};
