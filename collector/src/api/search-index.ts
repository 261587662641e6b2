/**
 * In-memory index of every metric name for the entities in one catalog snapshot, for
 * `/search` and `/api/metrics`. Names are never all materialised: each name is a *stem*
 * (`interface_<if>_` or `host_<ip>_interface_<if>_`) followed by one of its interface's
 * *suffixes* (`traffic_bps`, `protocol_<Proto>_bps`, ...), so 10,000 hosts × 20 protocols are
 * 10,000 stems and a few suffix lists, and a search touches each stem at most a few times.
 *
 * Ranking, best first: (1) names that start with the query; (2) names with a part (interface,
 * host, protocol, keyword) that starts with the query; (3) names with a part that contains it;
 * (4) names that contain it anywhere. Matching ignores case.
 */
import type { CatalogSnapshot } from '../store/catalog';
import {
  HOST_PREFIX,
  HOST_SUFFIXES,
  INTERFACE_PREFIX,
  INTERFACE_SUFFIXES,
  hostMetricName,
  interfaceMetricName,
  protocolSuffix,
} from './metric-names';

interface SuffixList {
  names: string[];
  lower: string[];
  /** Protocol of each suffix (`''` for fixed suffixes). */
  protoLower: string[];
}

interface Stem {
  text: string;
  lower: string;
  ifIndex: number;
  /** Lowercase host for host stems, `''` for interface stems. */
  hostLower: string;
  suffixes: SuffixList;
}

/** Stems sharing one suffix list: the interface stem, or the host stems, of one interface. */
interface Group {
  list: SuffixList;
  stems: Stem[];
  ifIndex: number;
  keywords: string[];
}

export class SearchIndex {
  readonly version: number;
  /** Number of metric names the index answers for. */
  readonly size: number;
  /** Interface groups first, then host groups. */
  private readonly groups: Group[] = [];
  private readonly interfaceStems: Stem[] = [];
  /** Host stems sorted by their lowercase text, for prefix lookups by binary search. */
  private readonly hostStemsSorted: Stem[];
  private readonly hostStemByLower = new Map<string, Stem>();
  private readonly interfacesLower: string[];

  constructor(snapshot: CatalogSnapshot) {
    this.version = snapshot.version;
    this.interfacesLower = snapshot.interfaces.map((i) => i.toLowerCase());
    const hostGroups: Group[] = [];
    let size = 0;
    snapshot.interfaces.forEach((ifname, ifIndex) => {
      const protos = snapshot.protocols.get(ifname) ?? [];
      const ifList = makeSuffixList(INTERFACE_SUFFIXES, protos);
      const hostList = makeSuffixList(HOST_SUFFIXES, protos);
      const ifText = interfaceMetricName(ifname, '');
      const ifStem: Stem = {
        text: ifText,
        lower: ifText.toLowerCase(),
        ifIndex,
        hostLower: '',
        suffixes: ifList,
      };
      this.interfaceStems.push(ifStem);
      this.groups.push({ list: ifList, stems: [ifStem], ifIndex, keywords: ['interface'] });
      size += ifList.names.length;
      const stems: Stem[] = [];
      for (const host of snapshot.hosts.get(ifname) ?? []) {
        const text = hostMetricName(host, ifname, '');
        const stem: Stem = {
          text,
          lower: text.toLowerCase(),
          ifIndex,
          hostLower: host.toLowerCase(),
          suffixes: hostList,
        };
        stems.push(stem);
        this.hostStemByLower.set(stem.lower, stem);
        size += hostList.names.length;
      }
      hostGroups.push({ list: hostList, stems, ifIndex, keywords: ['host', 'interface'] });
    });
    this.groups.push(...hostGroups);
    this.hostStemsSorted = hostGroups
      .flatMap((g) => g.stems)
      .sort((a, b) => (a.lower < b.lower ? -1 : a.lower > b.lower ? 1 : 0));
    this.size = size;
  }

  /** At most `limit` names matching `query`, best first; with `prefixOnly`, only names starting with it. */
  search(query: string, limit = 100, options: { prefixOnly?: boolean } = {}): string[] {
    const ql = query.toLowerCase();
    const out: string[] = [];
    const seen = new Set<string>();
    const emit = (stem: Stem, i: number): boolean => {
      const name = stem.text + stem.suffixes.names[i];
      if (!seen.has(name)) {
        seen.add(name);
        out.push(name);
      }
      return out.length >= limit;
    };
    if (limit <= 0) return out;
    if (this.prefixTier(ql, emit)) return out;
    if (ql.length === 0 || options.prefixOnly) return out;
    if (this.partTier(ql, true, emit)) return out;
    if (this.partTier(ql, false, emit)) return out;
    if (ql.includes('_')) this.anywhereTier(ql, emit);
    return out;
  }

  /** Tier 1: the whole name starts with the query. */
  private prefixTier(ql: string, emit: Emit): boolean {
    if (INTERFACE_PREFIX.startsWith(ql) || ql.startsWith(INTERFACE_PREFIX)) {
      for (const stem of this.interfaceStems) if (emitPrefixed(stem, ql, emit)) return true;
    }
    if (HOST_PREFIX.startsWith(ql)) {
      for (const stem of this.hostStemsSorted) if (emitAll(stem, emit)) return true;
    } else if (ql.startsWith(HOST_PREFIX)) {
      // Stems the query runs past (it names the host and interface and part of the metric).
      for (let p = ql.indexOf('_'); p >= 0 && p < ql.length - 1; p = ql.indexOf('_', p + 1)) {
        const stem = this.hostStemByLower.get(ql.slice(0, p + 1));
        if (stem && emitPrefixed(stem, ql, emit)) return true;
      }
      // Stems that start with the query: one contiguous run of the sorted stems.
      const sorted = this.hostStemsSorted;
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid].lower < ql) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < sorted.length && sorted[i].lower.startsWith(ql); i++)
        if (emitAll(sorted[i], emit)) return true;
    }
    return false;
  }

  /**
   * Tiers 2 and 3: a part of the name starts with (`atStart`) or contains the query. Parts are
   * the interface, the host, the protocol and the words of the metric (`traffic`, `bps`, ...).
   * Interfaces rank first, then protocols, hosts and metric words.
   */
  private partTier(ql: string, atStart: boolean, emit: Emit): boolean {
    const hit = atStart ? (part: string) => part.startsWith(ql) : (part: string) => part.includes(ql);
    for (const group of this.groups) {
      if (!hit(this.interfacesLower[group.ifIndex])) continue;
      for (const stem of group.stems) if (emitAll(stem, emit)) return true;
    }
    for (const group of this.groups) {
      const indices = indicesWhere(group.list.protoLower, (p) => p !== '' && hit(p));
      if (indices.length === 0) continue;
      for (const stem of group.stems) for (const i of indices) if (emit(stem, i)) return true;
    }
    for (const group of this.groups) {
      for (const stem of group.stems)
        if (stem.hostLower !== '' && hit(stem.hostLower) && emitAll(stem, emit)) return true;
    }
    for (const group of this.groups) {
      const { lower, protoLower } = group.list;
      const indices = group.keywords.some(hit)
        ? lower.map((_, i) => i)
        : indicesWhere(lower, (suffix, i) =>
            (protoLower[i] === '' ? suffix : 'protocol_bps').split('_').some(hit),
          );
      if (indices.length === 0) continue;
      for (const stem of group.stems) for (const i of indices) if (emit(stem, i)) return true;
    }
    return false;
  }

  /**
   * Tier 4: the query (which contains `_`) appears anywhere, possibly across the stem and the
   * suffix. Which split points of the query can continue into a suffix depends only on the
   * suffix list, so it is worked out once per group rather than once per name.
   */
  private anywhereTier(ql: string, emit: Emit): void {
    for (const group of this.groups) {
      const { lower, names } = group.list;
      // Suffixes containing the query, and for each split point k the suffixes starting with
      // ql[k..], which match when the stem ends with ql[..k].
      const inside = indicesWhere(lower, (suffix) => suffix.includes(ql));
      const byK: { head: string; indices: number[] }[] = [];
      for (let k = 1; k < ql.length; k++) {
        const tail = ql.slice(k);
        const indices = indicesWhere(lower, (suffix) => suffix.startsWith(tail));
        if (indices.length > 0) byK.push({ head: ql.slice(0, k), indices });
      }
      for (const stem of group.stems) {
        if (stem.lower.includes(ql)) {
          if (emitAll(stem, emit)) return;
          continue;
        }
        let matched: Set<number> | undefined;
        for (const { head, indices } of byK) {
          if (!stem.lower.endsWith(head)) continue;
          matched ??= new Set(inside);
          for (const i of indices) matched.add(i);
        }
        if (!matched) {
          for (const i of inside) if (emit(stem, i)) return;
          continue;
        }
        for (let i = 0; i < names.length; i++) if (matched.has(i) && emit(stem, i)) return;
      }
    }
  }
}

type Emit = (stem: Stem, suffixIndex: number) => boolean;

function emitAll(stem: Stem, emit: Emit): boolean {
  for (let i = 0; i < stem.suffixes.names.length; i++) if (emit(stem, i)) return true;
  return false;
}

/** The names of `stem` that start with `ql`. */
function emitPrefixed(stem: Stem, ql: string, emit: Emit): boolean {
  if (ql.length <= stem.lower.length) return stem.lower.startsWith(ql) ? emitAll(stem, emit) : false;
  if (!ql.startsWith(stem.lower)) return false;
  const rest = ql.slice(stem.lower.length);
  const lower = stem.suffixes.lower;
  for (let i = 0; i < lower.length; i++) if (lower[i].startsWith(rest) && emit(stem, i)) return true;
  return false;
}

function makeSuffixList(fixed: readonly string[], protos: readonly string[]): SuffixList {
  const names = [...fixed, ...protos.map(protocolSuffix)];
  return {
    names,
    lower: names.map((n) => n.toLowerCase()),
    protoLower: [...fixed.map(() => ''), ...protos.map((p) => p.toLowerCase())],
  };
}

function indicesWhere(values: readonly string[], pred: (value: string, index: number) => boolean): number[] {
  const out: number[] = [];
  values.forEach((v, i) => {
    if (pred(v, i)) out.push(i);
  });
  return out;
}
