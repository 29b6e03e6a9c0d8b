// The toxic registry: every toxic type the server knows, by wire name.
import type { ToxicDefinition } from './definition.ts';
import { bandwidth } from './bandwidth.ts';
import { latency } from './latency.ts';
import { limitData } from './limit_data.ts';
import { noop } from './noop.ts';
import { resetPeer } from './reset_peer.ts';
import { slicer } from './slicer.ts';
import { slowClose } from './slow_close.ts';
import { timeout } from './timeout.ts';

const registry = new Map<string, ToxicDefinition>();

export function register(def: ToxicDefinition): void {
  if (registry.has(def.type)) throw new Error(`toxic type ${def.type} registered twice`);
  registry.set(def.type, def);
}

export function lookupToxic(type: string): ToxicDefinition | undefined {
  return registry.get(type);
}

export function toxicTypes(): string[] {
  return [...registry.keys()];
}

for (const def of [noop, latency, bandwidth, slowClose, timeout, resetPeer, slicer, limitData]) register(def);
