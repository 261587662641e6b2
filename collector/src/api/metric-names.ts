/**
 * The metric-name grammar of DESIGN.md ("Metric names"), resolved against the catalog.
 *
 * Interface names may contain `_` and protocol names too (`HTTP_Proxy`), so a name is never
 * split on `_`: known interfaces, hosts and protocols are matched as whole strings, longest
 * first, and a name that does not resolve yields an error naming the part that did not match.
 */
import ipaddr from 'ipaddr.js';
import type { CatalogSnapshot } from '../store/catalog';

export type Unit = 'bps' | 'pps' | 'decbytes' | 'short';
export type Scope = 'interface' | 'host';
export type MetricKind =
  | 'traffic_bps'
  | 'traffic_sent_bps'
  | 'traffic_rcvd_bps'
  | 'traffic_pps'
  | 'traffic_total_bytes'
  | 'traffic_total_packets'
  | 'allprotocols_bps'
  | 'allcategories_bps'
  | 'tophosts_bps'
  | 'protocol_bps';

export interface MetricFamily {
  scope: Scope;
  kind: MetricKind;
  /** How the family is written, e.g. `interface_<if>_traffic_bps`. */
  pattern: string;
  unit: Unit;
  series: 'single' | 'multi';
  description: string;
}

const F = (
  scope: Scope,
  kind: MetricKind,
  unit: Unit,
  series: 'single' | 'multi',
  description: string,
): MetricFamily => ({
  scope,
  kind,
  pattern: `${scope === 'host' ? 'host_<ip>_interface_<if>' : 'interface_<if>'}_${kind === 'protocol_bps' ? 'protocol_<Proto>_bps' : kind}`,
  unit,
  series,
  description,
});

export const METRIC_FAMILIES: readonly MetricFamily[] = [
  F('interface', 'traffic_bps', 'bps', 'single', 'Interface traffic, bits per second'),
  F('interface', 'traffic_pps', 'pps', 'single', 'Interface traffic, packets per second'),
  F('interface', 'traffic_total_bytes', 'decbytes', 'single', 'Interface bytes since the start of the range'),
  F(
    'interface',
    'traffic_total_packets',
    'short',
    'single',
    'Interface packets since the start of the range',
  ),
  F(
    'interface',
    'allprotocols_bps',
    'bps',
    'multi',
    'Interface traffic per application protocol, top N + Other',
  ),
  F('interface', 'allcategories_bps', 'bps', 'multi', 'Interface traffic per nDPI category, top N + Other'),
  F('interface', 'protocol_bps', 'bps', 'single', 'Interface traffic of one application protocol'),
  F('interface', 'tophosts_bps', 'bps', 'multi', 'Traffic per local host on the interface, top N + Other'),
  F('host', 'traffic_bps', 'bps', 'single', 'Host traffic (sent + received), bits per second'),
  F('host', 'traffic_sent_bps', 'bps', 'single', 'Host traffic sent, bits per second'),
  F('host', 'traffic_rcvd_bps', 'bps', 'single', 'Host traffic received, bits per second'),
  F('host', 'traffic_pps', 'pps', 'single', 'Host traffic (sent + received), packets per second'),
  F(
    'host',
    'traffic_total_bytes',
    'decbytes',
    'single',
    'Host bytes (sent + received) since the start of the range',
  ),
  F('host', 'allprotocols_bps', 'bps', 'multi', 'Host traffic per application protocol, top N + Other'),
  F('host', 'allcategories_bps', 'bps', 'multi', 'Host traffic per nDPI category, top N + Other'),
  F('host', 'protocol_bps', 'bps', 'single', 'Host traffic of one application protocol'),
];

const familyOf = new Map(METRIC_FAMILIES.map((f) => [`${f.scope}:${f.kind}`, f]));

export function metricFamily(scope: Scope, kind: MetricKind): MetricFamily {
  const family = familyOf.get(`${scope}:${kind}`);
  if (!family) throw new Error(`no metric family ${scope}:${kind}`);
  return family;
}

/** Suffixes after `interface_<if>_` / `host_<ip>_interface_<if>_` that take no protocol. */
export const INTERFACE_SUFFIXES: readonly MetricKind[] = METRIC_FAMILIES.filter(
  (f) => f.scope === 'interface' && f.kind !== 'protocol_bps',
).map((f) => f.kind);
export const HOST_SUFFIXES: readonly MetricKind[] = METRIC_FAMILIES.filter(
  (f) => f.scope === 'host' && f.kind !== 'protocol_bps',
).map((f) => f.kind);

export const INTERFACE_PREFIX = 'interface_';
export const HOST_PREFIX = 'host_';
const HOST_INTERFACE_SEP = '_interface_';
const PROTOCOL_PREFIX = 'protocol_';
const BPS_SUFFIX = '_bps';

export function protocolSuffix(proto: string): string {
  return `${PROTOCOL_PREFIX}${proto}${BPS_SUFFIX}`;
}

export function interfaceMetricName(ifname: string, suffix: string): string {
  return `${INTERFACE_PREFIX}${ifname}_${suffix}`;
}

export function hostMetricName(host: string, ifname: string, suffix: string): string {
  return `${HOST_PREFIX}${host}${HOST_INTERFACE_SEP}${ifname}_${suffix}`;
}

export interface ResolvedMetric {
  name: string;
  family: MetricFamily;
  ifname: string;
  host?: string;
  proto?: string;
}

export type ParseResult = { ok: true; metric: ResolvedMetric } | { ok: false; error: string };

/** Lookup tables over one catalog snapshot, built once per snapshot. */
class CatalogLookup {
  readonly interfacesLongestFirst: string[];
  readonly hostsByIf = new Map<string, Set<string>>();
  readonly allHosts = new Set<string>();
  readonly protocolsByIf = new Map<string, Set<string>>();

  constructor(readonly snapshot: CatalogSnapshot) {
    this.interfacesLongestFirst = [...snapshot.interfaces].sort(
      (a, b) => b.length - a.length || (a < b ? -1 : 1),
    );
    for (const ifname of snapshot.interfaces) {
      const hosts = new Set(snapshot.hosts.get(ifname) ?? []);
      this.hostsByIf.set(ifname, hosts);
      for (const h of hosts) this.allHosts.add(h);
      this.protocolsByIf.set(ifname, new Set(snapshot.protocols.get(ifname) ?? []));
    }
  }
}

const lookups = new WeakMap<CatalogSnapshot, CatalogLookup>();

function lookupFor(snapshot: CatalogSnapshot): CatalogLookup {
  let lookup = lookups.get(snapshot);
  if (!lookup) {
    lookup = new CatalogLookup(snapshot);
    lookups.set(snapshot, lookup);
  }
  return lookup;
}

const q = (s: string): string => JSON.stringify(s);

function listSome(values: Iterable<string>, max = 8): string {
  const all = [...values];
  if (all.length === 0) return 'none';
  const shown = all.slice(0, max).map(q).join(', ');
  return all.length > max ? `${shown}, ... (${all.length} in all)` : shown;
}

/** Resolves a metric name against the catalog. */
export function parseMetricName(name: string, snapshot: CatalogSnapshot): ParseResult {
  const lookup = lookupFor(snapshot);
  if (name.startsWith(INTERFACE_PREFIX))
    return parseAfterInterfacePrefix(
      name,
      name.slice(INTERFACE_PREFIX.length),
      'interface',
      undefined,
      lookup,
    );
  if (name.startsWith(HOST_PREFIX)) return parseHost(name, lookup);
  return {
    ok: false,
    error: `metric ${q(name)} must start with "interface_" or "host_"`,
  };
}

function parseHost(name: string, lookup: CatalogLookup): ParseResult {
  const rest = name.slice(HOST_PREFIX.length);
  const sep = rest.indexOf(HOST_INTERFACE_SEP);
  // An address never contains `_`, so the host part ends at the first `_interface_`.
  if (sep < 0)
    return {
      ok: false,
      error: `metric ${q(name)}: expected "host_<ip>_interface_<if>_..." but found no "_interface_"`,
    };
  let host = rest.slice(0, sep);
  if (!lookup.allHosts.has(host)) {
    if (!ipaddr.isValid(host))
      return { ok: false, error: `metric ${q(name)}: host ${q(host)} is not an IP address` };
    const canonical = ipaddr.parse(host).toString();
    if (!lookup.allHosts.has(canonical))
      return { ok: false, error: `metric ${q(name)}: unknown host ${q(host)} (no traffic recorded for it)` };
    host = canonical;
  }
  return parseAfterInterfacePrefix(name, rest.slice(sep + HOST_INTERFACE_SEP.length), 'host', host, lookup);
}

function parseAfterInterfacePrefix(
  name: string,
  rest: string,
  scope: Scope,
  host: string | undefined,
  lookup: CatalogLookup,
): ParseResult {
  let firstFailure: ParseResult | undefined;
  for (const ifname of lookup.interfacesLongestFirst) {
    if (rest.length <= ifname.length + 1 || !rest.startsWith(ifname) || rest[ifname.length] !== '_') continue;
    const result = parseSuffix(name, rest.slice(ifname.length + 1), scope, ifname, host, lookup);
    if (result.ok) return result;
    firstFailure ??= result;
  }
  const guess = guessInterfacePart(rest, scope);
  const known = listSome(lookup.snapshot.interfaces);
  // A known interface may be a prefix of an unknown one (`br` of `br_wan`): when the name
  // ends like a metric, the part before that is the interface the user meant.
  if (firstFailure && (guess === undefined || lookup.hostsByIf.has(guess))) return firstFailure;
  if (guess !== undefined)
    return { ok: false, error: `metric ${q(name)}: unknown interface ${q(guess)} (known: ${known})` };
  return {
    ok: false,
    error: `metric ${q(name)}: no known interface after "${scope === 'host' ? 'host_<ip>_interface_' : 'interface_'}" (known: ${known})`,
  };
}

function parseSuffix(
  name: string,
  suffix: string,
  scope: Scope,
  ifname: string,
  host: string | undefined,
  lookup: CatalogLookup,
): ParseResult {
  const fixed = scope === 'interface' ? INTERFACE_SUFFIXES : HOST_SUFFIXES;
  if ((fixed as readonly string[]).includes(suffix)) {
    if (host !== undefined && !lookup.hostsByIf.get(ifname)?.has(host)) {
      return {
        ok: false,
        error: `metric ${q(name)}: host ${q(host)} has no traffic on interface ${q(ifname)}`,
      };
    }
    return { ok: true, metric: { name, family: metricFamily(scope, suffix as MetricKind), ifname, host } };
  }
  if (
    suffix.startsWith(PROTOCOL_PREFIX) &&
    suffix.endsWith(BPS_SUFFIX) &&
    suffix.length > PROTOCOL_PREFIX.length + BPS_SUFFIX.length
  ) {
    const proto = suffix.slice(PROTOCOL_PREFIX.length, -BPS_SUFFIX.length);
    if (host !== undefined && !lookup.hostsByIf.get(ifname)?.has(host)) {
      return {
        ok: false,
        error: `metric ${q(name)}: host ${q(host)} has no traffic on interface ${q(ifname)}`,
      };
    }
    if (!lookup.protocolsByIf.get(ifname)?.has(proto)) {
      return {
        ok: false,
        error: `metric ${q(name)}: unknown protocol ${q(proto)} on interface ${q(ifname)} (known: ${listSome(lookup.protocolsByIf.get(ifname) ?? [])})`,
      };
    }
    return { ok: true, metric: { name, family: metricFamily(scope, 'protocol_bps'), ifname, host, proto } };
  }
  return {
    ok: false,
    error: `metric ${q(name)}: unknown metric ${q(suffix)} after interface ${q(ifname)} (expected one of ${[...fixed, 'protocol_<Proto>_bps'].join(', ')})`,
  };
}

/** The interface part of an unresolved name, when the name ends like a known metric. */
function guessInterfacePart(rest: string, scope: Scope): string | undefined {
  const fixed = scope === 'interface' ? INTERFACE_SUFFIXES : HOST_SUFFIXES;
  for (const suffix of [...fixed].sort((a, b) => b.length - a.length)) {
    if (rest.endsWith(`_${suffix}`) && rest.length > suffix.length + 1)
      return rest.slice(0, -suffix.length - 1);
  }
  const at = rest.indexOf(`_${PROTOCOL_PREFIX}`);
  if (at > 0 && rest.endsWith(BPS_SUFFIX)) return rest.slice(0, at);
  return undefined;
}
