import {
  type PacketFluxVariableQuery,
  VARIABLE_QUERY_KINDS,
  type VariableQueryKind,
  type VariableQueryParse,
} from './types/variables';

const CALL = /^\s*(hosts|protocols|categories)\s*\(\s*([^()]*?)\s*\)\s*$/;

export const VARIABLE_QUERY_HELP = 'interfaces, hosts(<if>), protocols(<if>) or categories(<if>)';

/** Reads the text form of a variable query: `interfaces`, `hosts(eth0)`, `protocols($if)`. */
export function parseVariableQuery(text: string): VariableQueryParse {
  const trimmed = text.trim();
  if (trimmed === 'interfaces' || trimmed === 'interfaces()') {
    return { ok: true, query: { kind: 'interfaces' } };
  }
  const match = CALL.exec(trimmed);
  if (!match) {
    return { ok: false, reason: `"${trimmed}" is not a PacketFlux variable query: use ${VARIABLE_QUERY_HELP}` };
  }
  if (match[2] === '') {
    return { ok: false, reason: `${match[1]}() needs an interface, e.g. ${match[1]}(eth0) or ${match[1]}($if)` };
  }
  return { ok: true, query: { kind: match[1] as VariableQueryKind, ifname: match[2] } };
}

/** Writes the text form the API's `/api/variables?query=` takes. */
export function formatVariableQuery(query: Pick<PacketFluxVariableQuery, 'kind' | 'ifname'>): string {
  return query.kind === 'interfaces' ? 'interfaces' : `${query.kind}(${query.ifname ?? ''})`;
}

/**
 * Accepts what dashboards may have saved: the editor's object, an object with a `query` string
 * (provisioned or older dashboards), or a bare string.
 */
export function normalizeVariableQuery(saved: unknown): VariableQueryParse {
  if (typeof saved === 'string') {
    return parseVariableQuery(saved);
  }
  if (saved && typeof saved === 'object') {
    const obj = saved as Partial<PacketFluxVariableQuery> & { query?: unknown };
    if (obj.kind && (VARIABLE_QUERY_KINDS as readonly string[]).includes(obj.kind)) {
      if (obj.kind !== 'interfaces' && !obj.ifname?.trim()) {
        return { ok: false, reason: `${obj.kind} needs an interface` };
      }
      return {
        ok: true,
        query: { kind: obj.kind, ifname: obj.kind === 'interfaces' ? undefined : obj.ifname?.trim() },
      };
    }
    if (typeof obj.query === 'string') {
      return parseVariableQuery(obj.query);
    }
  }
  return { ok: false, reason: `empty variable query: use ${VARIABLE_QUERY_HELP}` };
}
