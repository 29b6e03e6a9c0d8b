import type { NodeFactory } from '../runtime/env.ts';
import { NaiveCoordinator } from './coordinator.ts';
import { NaiveReplica } from './replica.ts';

export const roles: Record<string, NodeFactory> = {
  replica: (env) => new NaiveReplica(env),
  coordinator: (env) => new NaiveCoordinator(env),
};
