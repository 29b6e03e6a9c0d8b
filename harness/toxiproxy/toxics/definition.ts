// The shape of a toxic type: its wire name, its attributes (Go field types,
// for Toxiproxy-identical JSON and error messages) and a factory for its
// behaviour. One file per toxic implements it; registry.ts collects them.
import type { ToxicImpl } from '../stub.ts';

/** Go types of attributes, as Toxiproxy declares them (all integers). */
export type AttributeType = 'int' | 'int64';

export type Attributes = Record<string, number>;

export interface ToxicDefinition {
  type: string;
  /** Attribute names in Toxiproxy's JSON order, with their Go types. */
  attributes: Record<string, AttributeType>;
  create(attributes: Attributes): ToxicImpl;
  /** Per-connection state that survives updates (Toxiproxy's StatefulToxic). */
  newState?(): unknown;
  /** Extra validation after parsing; a message means 400 "bad request body: <message>". */
  validate?(attributes: Attributes): string | undefined;
}
