import type { DataQuery } from '@grafana/schema';

/** What a template variable lists; all but `interfaces` take an interface. */
export type VariableQueryKind = 'interfaces' | 'hosts' | 'protocols' | 'categories';

export const VARIABLE_QUERY_KINDS: readonly VariableQueryKind[] = ['interfaces', 'hosts', 'protocols', 'categories'];

/** A template variable's query as the variable editor saves it. */
export interface PacketFluxVariableQuery extends DataQuery {
  kind: VariableQueryKind;
  /** Interface for hosts, protocols and categories; may be a variable such as `$if`. */
  ifname?: string;
}

/** One value as the `variables` resource answers it. */
export interface VariableValue {
  text: string;
  value: string;
}

export type VariableQueryParse =
  { ok: true; query: Pick<PacketFluxVariableQuery, 'kind' | 'ifname'> } | { ok: false; reason: string };
