/**
 * Benchmark of `/search` lookups: builds a catalog of `hosts` local hosts × `protocols`
 * protocols and times `searches` searches with keystroke-like queries. Pure CPU, no I/O.
 */
import { performance } from 'node:perf_hooks';
import type { CatalogSnapshot } from '../src/store/catalog';
import { SearchIndex } from '../src/api/search-index';

export interface SearchBenchOptions {
  hosts?: number;
  protocols?: number;
  interfaces?: number;
  searches?: number;
}

export interface SearchBenchResult {
  hosts: number;
  protocols: number;
  interfaces: number;
  names: number;
  buildMs: number;
  searches: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const PROTOCOL_NAMES = [
  'TLS',
  'HTTP',
  'DNS',
  'QUIC',
  'Google',
  'YouTube',
  'Netflix',
  'HTTP_Proxy',
  'SSH',
  'NTP',
  'Facebook',
  'WhatsApp',
  'Zoom',
  'Teams',
  'Spotify',
  'Amazon',
  'Apple',
  'Microsoft',
  'Cloudflare',
  'BitTorrent',
];

/** A catalog with `hosts` addresses spread over `interfaces` interfaces (one of them with `_`). */
export function benchCatalog(hosts: number, protocols: number, interfaces = 1): CatalogSnapshot {
  const ifnames = Array.from({ length: interfaces }, (_, i) => (i === 0 ? 'eth0' : `br_lan${i}`));
  const protos = Array.from({ length: protocols }, (_, i) => PROTOCOL_NAMES[i] ?? `Proto_${i}`);
  const hostMap = new Map<string, string[]>(ifnames.map((i) => [i, []]));
  for (let h = 0; h < hosts; h++) {
    const addr =
      h % 10 === 9 ? `fd00::${(h + 1).toString(16)}` : `10.${(h >> 16) & 255}.${(h >> 8) & 255}.${h & 255}`;
    hostMap.get(ifnames[h % interfaces])?.push(addr);
  }
  return {
    version: 1,
    refreshedAtMs: Date.now(),
    probes: ['bench'],
    interfaces: ifnames,
    hosts: hostMap,
    protocols: new Map(ifnames.map((i) => [i, protos])),
    categories: new Map(ifnames.map((i) => [i, ['Web', 'Media', 'Network']])),
    truncated: false,
  };
}

/** Queries a user types: prefixes of names, parts, and some that match nothing. */
function benchQueries(): string[] {
  const typed = [
    'interface_eth0_protocol_YouTube_bps',
    'host_10.0.12.34_interface_eth0_traffic_bps',
    'host_fd00::a_interface_eth0_allprotocols_bps',
  ];
  const out: string[] = [];
  for (const name of typed) for (let n = 1; n <= name.length; n++) out.push(name.slice(0, n));
  out.push(
    'youtube',
    'YouTube',
    '10.0.0',
    '10.0.1',
    'fd00',
    'eth',
    'br_lan',
    'traffic',
    'total',
    'proxy',
    'zzz',
    'eth0_traffic',
    '0_traffic_b',
    'xyz_abc',
    '_bps',
    'sent',
  );
  return out;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function runSearchBench(options: SearchBenchOptions = {}): SearchBenchResult {
  const hosts = options.hosts ?? 10_000;
  const protocols = options.protocols ?? 20;
  const interfaces = options.interfaces ?? 1;
  const searches = options.searches ?? 2_000;
  const catalog = benchCatalog(hosts, protocols, interfaces);
  const built = performance.now();
  const index = new SearchIndex(catalog);
  const buildMs = performance.now() - built;
  const queries = benchQueries();
  for (let i = 0; i < 200; i++) index.search(queries[i % queries.length], 100); // warm-up
  const times: number[] = [];
  for (let i = 0; i < searches; i++) {
    const q = queries[i % queries.length];
    const t0 = performance.now();
    index.search(q, 100);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  return {
    hosts,
    protocols,
    interfaces,
    names: index.size,
    buildMs: round(buildMs),
    searches,
    p50Ms: round(percentile(times, 50)),
    p99Ms: round(percentile(times, 99)),
    maxMs: round(times[times.length - 1]),
  };
}
