// The nemesis registry and the LIST syntax of --nemesis:
//   LIST   = RUN ("," RUN)*        each RUN is one run of the matrix
//   RUN    = PART ("+" PART)*      parts start and stop together (composition)
//   PART   = NAME [":" MODE]       MODE = drop (default) | reset, for partitions
// `none` runs the workload with no faults.
import type { EngineName, PartitionMode } from '../engine/cluster.ts';
import type { SystemDefinition } from '../system/definition.ts';
import { bridge } from './bridge.ts';
import { depose } from './depose.ts';
import { isolateNode } from './isolateNode.ts';
import { isolatePrimary } from './isolatePrimary.ts';
import { isolateServices } from './isolateServices.ts';
import { kill } from './kill.ts';
import { latency } from './latency.ts';
import { loseAnswers } from './loseAnswers.ts';
import { duplicate, lose, reorder } from './messageFaults.ts';
import type { Nemesis, NemesisFactory } from './nemesis.ts';
import { partitionHalves } from './partitionHalves.ts';
import { pause } from './pause.ts';
import { pausePrimary } from './pausePrimary.ts';
import { primaryFromViewserver } from './primaryFromViewserver.ts';
import { splitPrimary } from './splitPrimary.ts';
import { isolateViewserver, killViewserver, pauseViewserver } from './viewserverFaults.ts';

export const nemesisRegistry: Record<string, NemesisFactory> = {
  partition: partitionHalves,
  isolate: isolateNode,
  'isolate-primary': isolatePrimary,
  'primary-viewserver': primaryFromViewserver,
  depose,
  'split-primary': splitPrimary,
  'isolate-services': isolateServices,
  bridge,
  latency,
  kill,
  pause,
  'pause-primary': pausePrimary,
  'kill-viewserver': killViewserver,
  'pause-viewserver': pauseViewserver,
  'isolate-viewserver': isolateViewserver,
  lose,
  'lose-answers': loseAnswers,
  duplicate,
  reorder,
};

export class NemesisSpecError extends Error {}

/** Parses one RUN (e.g. `isolate-primary:reset+kill`) into its parts; [] for `none`. */
export function parseNemesis(spec: string, def?: SystemDefinition, engine: EngineName = 'processes'): Nemesis[] {
  const trimmed = spec.trim();
  if (trimmed === 'none' || trimmed === '') return [];
  return trimmed.split('+').map((part) => {
    const [name, mode, extra] = part.trim().split(':');
    const factory = nemesisRegistry[name];
    if (!factory) {
      throw new NemesisSpecError(`unknown nemesis "${name}" (known: none, ${Object.keys(nemesisRegistry).join(', ')})`);
    }
    if (extra !== undefined || (mode !== undefined && mode !== 'drop' && mode !== 'reset')) {
      throw new NemesisSpecError(`"${part}": the mode after ":" must be drop or reset`);
    }
    if (mode !== undefined && !factory.partitionModes) {
      throw new NemesisSpecError(`"${part}": ${name} is not a partition, it takes no :drop/:reset mode`);
    }
    const problem = def && factory.unsupported?.(def, engine);
    if (problem) throw new NemesisSpecError(`nemesis "${name}" cannot run against ${def.name}${engine === 'sim' ? ' in simulation' : ''}: ${problem}`);
    return { name: part.trim(), ...factory.create((mode ?? 'drop') as PartitionMode) };
  });
}

/** Splits a --nemesis LIST into runs. */
export function splitNemesisList(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function describeNemeses(): string {
  return Object.entries(nemesisRegistry)
    .map(([name, f]) => `  ${(name + (f.partitionModes ? '[:drop|:reset]' : '')).padEnd(34)}${f.summary}`)
    .join('\n');
}
