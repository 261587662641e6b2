import type { CatalogSnapshot } from '../store/catalog';
import { parseMetricName } from './metric-names';
import { bucketGrid, bucketQuery, totalsQuery } from './query-engine';
import { SearchIndex } from './search-index';
import { expandRegexFormatted } from './template-values';

const catalog: CatalogSnapshot = {
  version: 1,
  refreshedAtMs: 0,
  probes: ['p1'],
  interfaces: ['br', 'br_lan', 'veth_a1', 'eth0'],
  hosts: new Map([
    ['br_lan', ['192.168.1.10', 'fd00::1']],
    ['eth0', ['10.0.0.5']],
  ]),
  protocols: new Map([
    ['br_lan', ['HTTP_Proxy', 'TLS', 'YouTube']],
    ['br', ['lan_traffic']],
    ['eth0', ['TLS']],
  ]),
  categories: new Map(),
  truncated: false,
};

const ok = (name: string) => {
  const r = parseMetricName(name, catalog);
  if (!r.ok) throw new Error(r.error);
  return {
    kind: r.metric.family.kind,
    scope: r.metric.family.scope,
    ifname: r.metric.ifname,
    host: r.metric.host,
    proto: r.metric.proto,
  };
};
const error = (name: string) => {
  const r = parseMetricName(name, catalog);
  if (r.ok) throw new Error(`${name} resolved`);
  return r.error;
};

describe('parseMetricName', () => {
  it('matches interfaces with "_" as a whole, longest first, never by splitting', () => {
    expect(ok('interface_br_lan_traffic_bps')).toEqual({
      kind: 'traffic_bps',
      scope: 'interface',
      ifname: 'br_lan',
    });
    expect(ok('interface_br_protocol_lan_traffic_bps')).toEqual({
      kind: 'protocol_bps',
      scope: 'interface',
      ifname: 'br',
      proto: 'lan_traffic',
    });
    expect(ok('interface_br_lan_protocol_HTTP_Proxy_bps')).toMatchObject({
      ifname: 'br_lan',
      proto: 'HTTP_Proxy',
    });
    expect(ok('interface_veth_a1_traffic_total_packets')).toMatchObject({
      kind: 'traffic_total_packets',
      ifname: 'veth_a1',
    });
  });

  it('resolves every family', () => {
    for (const s of [
      'traffic_bps',
      'traffic_pps',
      'traffic_total_bytes',
      'traffic_total_packets',
      'allprotocols_bps',
      'allcategories_bps',
      'tophosts_bps',
    ]) {
      expect(ok(`interface_eth0_${s}`).kind).toBe(s);
    }
    for (const s of [
      'traffic_bps',
      'traffic_sent_bps',
      'traffic_rcvd_bps',
      'traffic_pps',
      'traffic_total_bytes',
      'allprotocols_bps',
      'allcategories_bps',
    ]) {
      expect(ok(`host_fd00::1_interface_br_lan_${s}`)).toMatchObject({
        kind: s,
        scope: 'host',
        host: 'fd00::1',
        ifname: 'br_lan',
      });
    }
    expect(ok('host_192.168.1.10_interface_br_lan_protocol_YouTube_bps')).toMatchObject({
      kind: 'protocol_bps',
      proto: 'YouTube',
    });
  });

  it('names the part that did not match', () => {
    expect(error('interface_br_wan_traffic_bps')).toMatch(/unknown interface "br_wan"/);
    expect(error('interface_br_lan_protocol_Gopher_bps')).toMatch(
      /unknown protocol "Gopher" on interface "br_lan"/,
    );
    expect(error('interface_eth0_traffic_bits')).toMatch(
      /unknown metric "traffic_bits" after interface "eth0"/,
    );
    expect(error('interface_eth0_tophosts_bps_x')).toMatch(/unknown metric "tophosts_bps_x"/);
    expect(error('host_10.0.0.9_interface_eth0_traffic_bps')).toMatch(/unknown host "10\.0\.0\.9"/);
    expect(error('host_10.0.0.5_interface_br_lan_traffic_bps')).toMatch(
      /host "10\.0\.0\.5" has no traffic on interface "br_lan"/,
    );
    expect(error('host_10.0.0.5_eth0_traffic_bps')).toMatch(/no "_interface_"/);
    expect(error('host_10.0.0.5_interface_eth0_tophosts_bps')).toMatch(/unknown metric "tophosts_bps"/);
    expect(error('flows_eth0')).toMatch(/must start with "interface_" or "host_"/);
  });
});

describe('SearchIndex', () => {
  const index = new SearchIndex(catalog);
  it('ranks prefix matches first, then parts, case-insensitively', () => {
    const byPrefix = index.search('interface_br_lan_p');
    expect(byPrefix.slice(0, 3)).toEqual([
      'interface_br_lan_protocol_HTTP_Proxy_bps',
      'interface_br_lan_protocol_TLS_bps',
      'interface_br_lan_protocol_YouTube_bps',
    ]);
    expect(byPrefix.slice(3)).toEqual(
      expect.arrayContaining(['host_fd00::1_interface_br_lan_protocol_TLS_bps']),
    ); // then anywhere in the name
    expect(index.search('interface_br_lan_p', 100, { prefixOnly: true })).toHaveLength(3);
    expect(index.search('youtube')).toEqual([
      'interface_br_lan_protocol_YouTube_bps',
      'host_192.168.1.10_interface_br_lan_protocol_YouTube_bps',
      'host_fd00::1_interface_br_lan_protocol_YouTube_bps',
    ]);
    expect(index.search('FD00')[0]).toBe('host_fd00::1_interface_br_lan_traffic_bps');
    expect(index.search('lan_traffic_b')).toEqual([
      'interface_br_protocol_lan_traffic_bps',
      'interface_br_lan_traffic_bps',
      'host_192.168.1.10_interface_br_lan_traffic_bps',
      'host_fd00::1_interface_br_lan_traffic_bps',
    ]);
    expect(index.search('nothing-like-this')).toEqual([]);
    expect(index.search('', 5)).toHaveLength(5);
    expect(index.search('host_', 1000, { prefixOnly: true }).every((n) => n.startsWith('host_'))).toBe(true);
  });

  it('knows every name the parser accepts', () => {
    const all = index.search('', 10_000);
    expect(all).toHaveLength(index.size);
    for (const name of all) expect(parseMetricName(name, catalog).ok).toBe(true);
  });
});

describe('expandRegexFormatted', () => {
  it('undoes Grafana regex formatting of template values', () => {
    expect(expandRegexFormatted('interface_eth0_traffic_bps')).toBeUndefined();
    expect(expandRegexFormatted('host_10\\.0\\.0\\.5_interface_eth0_traffic_bps')).toEqual([
      'host_10.0.0.5_interface_eth0_traffic_bps',
    ]);
    expect(expandRegexFormatted('interface_(eth0|br_lan)_protocol_(TLS|HTTP_Proxy)_bps')).toEqual([
      'interface_eth0_protocol_TLS_bps',
      'interface_eth0_protocol_HTTP_Proxy_bps',
      'interface_br_lan_protocol_TLS_bps',
      'interface_br_lan_protocol_HTTP_Proxy_bps',
    ]);
    expect(expandRegexFormatted('interface_(a|(b))_x')).toBeUndefined();
    expect(expandRegexFormatted('interface_(a|b_x')).toBeUndefined();
  });
});

describe('bucketGrid and InfluxQL', () => {
  it('bucket width is max(interval, step, range / maxDataPoints) rounded up to whole steps', () => {
    expect(bucketGrid(0, 3_600_000, 1_000, 1000, 5)).toEqual({
      startMs: 0,
      endMs: 3_600_000,
      widthMs: 5_000,
      count: 720,
    });
    expect(bucketGrid(0, 3_600_000, 1_000, 100, 5)).toEqual({
      startMs: 0,
      endMs: 3_600_000,
      widthMs: 40_000,
      count: 90,
    });
    expect(bucketGrid(7_000, 62_000, 60_000, 1000, 5)).toEqual({
      startMs: 0,
      endMs: 120_000,
      widthMs: 60_000,
      count: 2,
    });
    expect(bucketGrid(5_000, 5_000, 1, 1, 5)).toMatchObject({ count: 1, widthMs: 5_000 });
  });

  it('keeps its structure whatever the names hold', () => {
    const evil = {
      ...catalog,
      interfaces: [`x' OR 1=1; --`],
      hosts: new Map([[`x' OR 1=1; --`, ['10.0.0.1']]]),
      protocols: new Map([[`x' OR 1=1; --`, ['a\\b"c']]]),
    };
    const grid = bucketGrid(0, 60_000, 60_000, 10, 5);
    const r = parseMetricName(`host_10.0.0.1_interface_x' OR 1=1; --_protocol_a\\b"c_bps`, evil);
    if (!r.ok) throw new Error(r.error);
    expect(bucketQuery(r.metric, grid, `p'`)).toBe(
      `SELECT SUM("bytes_sent") AS "f0", SUM("bytes_rcvd") AS "f1" FROM "host_l7" WHERE "ifname" = 'x\\' OR 1=1; --' AND "host" = '10.0.0.1' AND "proto" = 'a\\\\b"c' AND "probe" = 'p\\'' AND time > 0ms AND time <= 60000ms GROUP BY time(60000ms, 1ms) fill(0)`,
    );
    const all = parseMetricName(`interface_x' OR 1=1; --_allprotocols_bps`, evil);
    if (!all.ok) throw new Error(all.error);
    expect(totalsQuery(all.metric, grid, undefined)).toBe(
      `SELECT SUM("bytes") AS "f0" FROM "interface_l7" WHERE "ifname" = 'x\\' OR 1=1; --' AND time > 0ms AND time <= 60000ms GROUP BY "proto"`,
    );
    expect(bucketQuery(all.metric, grid, undefined, { tag: 'proto', values: [`a'`, 'b'] })).toBe(
      `SELECT SUM("bytes") AS "f0" FROM "interface_l7" WHERE "ifname" = 'x\\' OR 1=1; --' AND ("proto" = 'a\\'' OR "proto" = 'b') AND time > 0ms AND time <= 60000ms GROUP BY time(60000ms, 1ms), "proto" fill(0)`,
    );
  });
});
