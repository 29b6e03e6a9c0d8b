import type { NodeFactory } from '../runtime/env.ts';
import { FailoverCoordinator } from './coordinator.ts';
import { FailoverServer } from './server.ts';

export const roles: Record<string, NodeFactory> = {
  server: (env) => new FailoverServer(env),
  coordinator: (env) => new FailoverCoordinator(env),
};
