import type { ApiFrame as Frame } from './types';
import pino from 'pino';
import { Registry } from 'prom-client';
import { InfluxServer } from '../../test/support/influx-server';
import { Catalog } from '../store/catalog';
import { InfluxReader } from '../store/influx-reader';
import { ApiServer } from './api-server';
import type { ApiConfig, ApiDeps } from './types';
import {
  ETH0_PROTOCOLS,
  EVIL_IF,
  STEP_MS,
  STEPS,
  T0,
  points,
  sumOf,
  writePoints,
} from '../../test/support/api-test-data';

const DB = 'packetflux';
const logger = pino({ level: 'silent' });
const data = points();
const END = T0 + STEPS * STEP_MS; // 2 minutes of traffic
const iso = (ms: number): string => new Date(ms).toISOString();

/** Parsed JSON answers, indexed freely by the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('ApiServer against a real influxd', () => {
  const influx = new InfluxServer();
  const queries: string[] = [];
  let reader: InfluxReader;
  let catalog: Catalog;
  let api: ApiServer;
  let base = '';
  const lastWriteMs: number | null = 1_234;

  function makeApi(overrides: Partial<ApiConfig> = {}, deps: Partial<ApiDeps> = {}): ApiServer {
    return new ApiServer(
      {
        host: '127.0.0.1',
        port: 0,
        maxRangeDays: 400,
        queryTimeoutMs: 2_000,
        defaultTop: 10,
        stepSeconds: 5,
        ...overrides,
      },
      {
        reader,
        catalog,
        logger,
        registry: new Registry(),
        health: () => ({ lastWriteMs, drops: 42 }),
        onQuery: (q) => queries.push(q),
        ...deps,
      },
    );
  }

  async function post(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
    url = base,
  ): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async function get(
    path: string,
    headers: Record<string, string> = {},
    url = base,
  ): Promise<{ status: number; body: Json; headers: Headers }> {
    const res = await fetch(`${url}${path}`, { headers });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (/metrics)
    }
    return { status: res.status, body, headers: res.headers };
  }

  async function apiQuery(
    target: string,
    extra: Record<string, unknown> = {},
    range = { from: iso(T0), to: iso(END) },
  ): Promise<Frame[]> {
    const res = await post('/api/query', {
      range,
      intervalMs: 60_000,
      maxDataPoints: 1000,
      targets: [{ refId: 'A', target, ...extra }],
    });
    if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Frame[];
  }

  /** A frame's values; this data has no heartbeats, so none may be null (no gaps, as before them). */
  const numbers = (f: Frame): number[] =>
    f.values.map((v) => {
      if (v === null) throw new Error(`${f.name}: null in data without heartbeats`);
      return v;
    });

  /** Bytes (or packets) of each 60 s bucket, from the points written. */
  const perMinute = (
    measurement: Parameters<typeof sumOf>[1],
    match: Record<string, string>,
    fields: string[],
  ): number[] => [
    sumOf(data, measurement, match, fields, T0, T0 + 60_000),
    sumOf(data, measurement, match, fields, T0 + 60_000, END),
  ];

  beforeAll(async () => {
    await influx.start();
    await influx.createDatabase(DB);
    await writePoints(influx.url, DB, data);
    reader = new InfluxReader({ url: influx.url, database: DB, timeoutMs: 2_000 });
    catalog = new Catalog({ refreshIntervalMs: 60_000, maxValuesPerKey: 10_000 }, { reader, logger });
    await catalog.start();
    api = makeApi();
    await api.start();
    base = `http://127.0.0.1:${api.address()?.port}`;
  });

  afterAll(async () => {
    await api?.stop();
    await catalog?.stop();
    await influx.destroy();
  });

  it('answers GET / like the SimpleJSON and ntopng datasources expect', async () => {
    expect(await get('/')).toMatchObject({ status: 200, body: { status: 'OK' } });
  });

  describe('interface metrics', () => {
    it('traffic_bps is bytes × 8 / bucket seconds, per 60 s bucket starting at the bucket start', async () => {
      const [frame] = await apiQuery('interface_eth0_traffic_bps');
      // p1: 1000·k bytes at steps 1..12 = 78,000; p2: 500 at 6 even steps = 3,000.
      expect(frame).toEqual({
        refId: 'A',
        name: 'interface_eth0_traffic_bps',
        labels: { ifname: 'eth0' },
        unit: 'bps',
        times: [T0, T0 + 60_000],
        values: [(81_000 * 8) / 60, (225_000 * 8) / 60],
      });
    });

    it('bps × bucket seconds / 8 summed over the buckets equals the bytes written, at any bucket width', async () => {
      const written = sumOf(data, 'interface', { ifname: 'eth0' }, ['bytes'], T0, END);
      expect(written).toBe(306_000);
      for (const [intervalMs, maxDataPoints] of [
        [5_000, 1000],
        [15_000, 1000],
        [60_000, 1000],
        [1, 7],
      ]) {
        const res = await post('/api/query', {
          range: { from: iso(T0), to: iso(END) },
          intervalMs,
          maxDataPoints,
          targets: [{ refId: 'A', target: 'interface_eth0_traffic_bps' }],
        });
        const frame = res.body[0] as Frame;
        const widthSeconds = (frame.times[1] - frame.times[0]) / 1000;
        expect(widthSeconds % 5).toBe(0);
        const bytes = numbers(frame).reduce((sum, bps) => sum + (bps * widthSeconds) / 8, 0);
        expect(bytes).toBeCloseTo(written, 6);
      }
    });

    it('5 s buckets give each step on its own, empty buckets 0', async () => {
      const res = await post('/api/query', {
        range: { from: iso(T0 - 10_000), to: iso(END + 10_000) },
        intervalMs: 5_000,
        maxDataPoints: 1000,
        targets: [{ refId: 'A', target: 'interface_br_lan_traffic_pps' }],
      });
      const frame = res.body[0] as Frame;
      expect(frame.times).toHaveLength(STEPS + 4);
      expect(frame.times[0]).toBe(T0 - 10_000);
      expect(frame.values).toEqual([0, 0, ...new Array(STEPS).fill(1 / 5), 0, 0]);
    });

    it('pps, total_bytes and total_packets', async () => {
      const [pps] = await apiQuery('interface_eth0_traffic_pps');
      const packets = perMinute('interface', { ifname: 'eth0' }, ['packets']);
      expect(packets).toEqual([10 * 78 + 30, 10 * 222 + 30]);
      expect(pps).toMatchObject({ unit: 'pps', values: packets.map((p) => p / 60) });

      const [bytes] = await apiQuery('interface_eth0_traffic_total_bytes');
      expect(bytes).toMatchObject({ unit: 'decbytes', values: [81_000, 306_000] });
      const [pkts] = await apiQuery('interface_eth0_traffic_total_packets');
      expect(pkts).toMatchObject({ unit: 'short', values: [packets[0], packets[0] + packets[1]] });
    });

    it('protocol_<Proto>_bps, also for protocols with "_" on interfaces with "_"', async () => {
      const [proxy] = await apiQuery('interface_eth0_protocol_HTTP_Proxy_bps');
      expect(proxy).toMatchObject({
        name: 'interface_eth0_protocol_HTTP_Proxy_bps',
        labels: { ifname: 'eth0', proto: 'HTTP_Proxy' },
      });
      expect(proxy.values).toEqual([(7_800 * 8) / 60, (22_200 * 8) / 60]);
      const [ssh] = await apiQuery('interface_br_lan_protocol_SSH_bps');
      expect(ssh.values).toEqual([(123 * 12 * 8) / 60, (123 * 12 * 8) / 60]);
    });

    it('allprotocols_bps: top N by volume + Other, adding up to traffic_bps in every bucket', async () => {
      const [total] = await apiQuery('interface_eth0_traffic_bps');
      const all = await apiQuery('interface_eth0_allprotocols_bps');
      expect(all.map((f) => f.name)).toEqual(['TLS', 'YouTube', 'DNS', 'HTTP_Proxy', 'NTP', 'QUIC']);
      expect(all[0].labels).toEqual({ ifname: 'eth0', proto: 'TLS' });
      for (let b = 0; b < 2; b++)
        expect(all.reduce((s, f) => s + numbers(f)[b], 0)).toBeCloseTo(numbers(total)[b], 9);

      const top2 = await apiQuery('interface_eth0_allprotocols_bps', { top: 2 });
      expect(top2.map((f) => f.name)).toEqual(['TLS', 'YouTube', 'Other']);
      // Other = total − TLS − YouTube = DNS + HTTP_Proxy + QUIC + NTP = 30 % of p1's bytes.
      const otherBytes = perMinute('interface', { ifname: 'eth0', probe: 'p1' }, ['bytes']).map(
        (b) => (b * 300) / 1000,
      );
      expect(top2[2].values).toEqual(otherBytes.map((b) => (b * 8) / 60));
      expect(top2[2].labels).toEqual({ ifname: 'eth0', proto: 'Other' });
      for (let b = 0; b < 2; b++)
        expect(top2.reduce((s, f) => s + numbers(f)[b], 0)).toBeCloseTo(numbers(total)[b], 9);
    });

    it('allcategories_bps groups by category; no Other when everything fits in the top N', async () => {
      const cats = await apiQuery('interface_eth0_allcategories_bps');
      expect(cats.map((f) => f.name)).toEqual(['Web', 'Media', 'Network', 'System']);
      const web = perMinute('interface_l7', { ifname: 'eth0', category: 'Web' }, ['bytes']);
      // Web = TLS + HTTP_Proxy + QUIC = 55 % of p1, plus all of p2.
      expect(web[0]).toBe(78_000 * 0.55 + 3_000);
      expect(cats[0]).toMatchObject({
        labels: { ifname: 'eth0', category: 'Web' },
        values: web.map((b) => (b * 8) / 60),
      });
      const ETH0_CATS = new Set(ETH0_PROTOCOLS.map((p) => p.category));
      expect(new Set(cats.map((c) => c.name))).toEqual(ETH0_CATS);
    });

    it('tophosts_bps: one series per local host, Other for the rest', async () => {
      const hosts = await apiQuery('interface_eth0_tophosts_bps', { top: 1 });
      expect(hosts.map((f) => f.name)).toEqual(['10.0.0.5', 'Other']);
      expect(hosts[0].labels).toEqual({ ifname: 'eth0', host: '10.0.0.5' });
      expect(hosts[0].values).toEqual([(300 * 78 * 8) / 60, (300 * 222 * 8) / 60]);
      // 10.0.0.6: 60 bytes per step; fd00::1: 10 bytes every other step.
      expect(hosts[1].values).toEqual([((60 * 12 + 10 * 6) * 8) / 60, ((60 * 12 + 10 * 6) * 8) / 60]);
    });

    it('probe restricts to one collector', async () => {
      const [p2] = await apiQuery('interface_eth0_traffic_bps', { probe: 'p2' });
      expect(p2.labels).toEqual({ ifname: 'eth0', probe: 'p2' });
      expect(p2.values).toEqual([(3_000 * 8) / 60, (3_000 * 8) / 60]);
      const res = await post('/api/query', {
        range: { from: iso(T0), to: iso(END) },
        targets: [{ refId: 'A', target: 'interface_eth0_traffic_bps', probe: 'nope' }],
      });
      expect(res).toEqual({ status: 400, body: { error: 'unknown probe "nope" (known: "p1", "p2")' } });
    });
  });

  describe('host metrics', () => {
    it('traffic, sent, rcvd, pps and total bytes', async () => {
      const [traffic] = await apiQuery('host_10.0.0.5_interface_eth0_traffic_bps');
      expect(traffic).toMatchObject({
        labels: { ifname: 'eth0', host: '10.0.0.5' },
        unit: 'bps',
        values: [(300 * 78 * 8) / 60, (300 * 222 * 8) / 60],
      });
      const [sent] = await apiQuery('host_10.0.0.5_interface_eth0_traffic_sent_bps');
      expect(sent.values).toEqual([(100 * 78 * 8) / 60, (100 * 222 * 8) / 60]);
      const [rcvd] = await apiQuery('host_10.0.0.5_interface_eth0_traffic_rcvd_bps');
      expect(rcvd.values).toEqual([(200 * 78 * 8) / 60, (200 * 222 * 8) / 60]);
      const [pps] = await apiQuery('host_10.0.0.5_interface_eth0_traffic_pps');
      expect(pps).toMatchObject({ unit: 'pps', values: [(3 * 12) / 60, (3 * 12) / 60] });
      const [total] = await apiQuery('host_fd00::1_interface_eth0_traffic_total_bytes');
      expect(total).toMatchObject({ unit: 'decbytes', labels: { host: 'fd00::1' }, values: [60, 120] });
    });

    it('accepts a non-canonical IPv6 address and answers for the canonical one', async () => {
      const [total] = await apiQuery('host_fd00:0:0::0001_interface_eth0_traffic_total_bytes');
      expect(total).toMatchObject({ labels: { host: 'fd00::1' }, values: [60, 120] });
    });

    it('allprotocols, allcategories and protocol_<Proto>_bps', async () => {
      const protos = await apiQuery('host_10.0.0.5_interface_eth0_allprotocols_bps', {
        legendFormat: '{{host}} {{proto}} on {{ifname}}',
      });
      expect(protos.map((f) => f.name)).toEqual(['10.0.0.5 TLS on eth0', '10.0.0.5 YouTube on eth0']);
      expect(protos[0].labels).toEqual({ ifname: 'eth0', host: '10.0.0.5', proto: 'TLS' });
      expect(protos[0].values).toEqual([(180 * 78 * 8) / 60, (180 * 222 * 8) / 60]);
      const cats = await apiQuery('host_10.0.0.5_interface_eth0_allcategories_bps', { top: 1 });
      expect(cats.map((f) => f.name)).toEqual(['Web', 'Other']);
      expect(cats[1].values).toEqual([(120 * 78 * 8) / 60, (120 * 222 * 8) / 60]);
      const [yt] = await apiQuery('host_10.0.0.5_interface_eth0_protocol_YouTube_bps');
      expect(yt.values).toEqual([(120 * 78 * 8) / 60, (120 * 222 * 8) / 60]);
    });
  });

  describe('SimpleJSON', () => {
    /** The body Grafana's SimpleJSON datasource posts: DataQueryRequest with `targets[].target/refId/type`. */
    const grafanaBody = (targets: { target: string; refId: string; type?: string; hide?: boolean }[]) => ({
      app: 'dashboard',
      requestId: 'Q100',
      timezone: 'browser',
      panelId: 2,
      dashboardId: 1,
      range: { from: iso(T0), to: iso(END), raw: { from: 'now-2m', to: 'now' } },
      timeInfo: '',
      interval: '1m',
      intervalMs: 60_000,
      targets: targets.map((t) => ({
        datasource: { type: 'grafana-simple-json-datasource', uid: 'abc' },
        type: 'timeserie',
        ...t,
      })),
      maxDataPoints: 550,
      scopedVars: {
        __interval: { text: '1m', value: '1m' },
        __interval_ms: { text: '60000', value: 60_000 },
      },
      startTime: 1_700_000_000_000,
      rangeRaw: { from: 'now-2m', to: 'now' },
      adhocFilters: [],
    });

    it('answers [{target, datapoints: [[value, epochMs]]}] for the exact request Grafana sends', async () => {
      const res = await post(
        '/query',
        grafanaBody([
          { target: 'interface_eth0_traffic_bps', refId: 'A' },
          { target: 'interface_eth0_allprotocols_bps', refId: 'B' },
          { target: 'select metric', refId: 'C' },
          { target: 'interface_br_lan_traffic_bps', refId: 'D', hide: true },
        ]),
      );
      expect(res.status).toBe(200);
      expect(res.body[0]).toEqual({
        target: 'interface_eth0_traffic_bps',
        datapoints: [
          [(81_000 * 8) / 60, T0],
          [(225_000 * 8) / 60, T0 + 60_000],
        ],
      });
      expect(res.body.map((s: { target: string }) => s.target)).toEqual([
        'interface_eth0_traffic_bps',
        'TLS',
        'YouTube',
        'DNS',
        'HTTP_Proxy',
        'NTP',
        'QUIC',
      ]);
    });

    it('expands template values Grafana interpolated in regex format', async () => {
      const res = await post(
        '/query',
        grafanaBody([
          { target: 'host_10\\.0\\.0\\.5_interface_eth0_traffic_bps', refId: 'A' },
          { target: 'interface_(eth0|br_lan)_traffic_total_bytes', refId: 'B' },
        ]),
      );
      expect(res.status).toBe(200);
      expect(res.body.map((s: { target: string }) => s.target)).toEqual([
        'host_10.0.0.5_interface_eth0_traffic_bps',
        'interface_eth0_traffic_total_bytes',
        'interface_br_lan_traffic_total_bytes',
      ]);
    });

    it('takes the probe from an ad hoc filter and answers table targets as a table', async () => {
      const body = {
        ...grafanaBody([{ target: 'interface_eth0_traffic_total_bytes', refId: 'A', type: 'table' }]),
        adhocFilters: [{ key: 'probe', operator: '=', value: 'p2' }],
      };
      const res = await post('/query', body);
      expect(res.body).toEqual([
        {
          type: 'table',
          columns: [
            { text: 'Time', type: 'time' },
            { text: 'Metric', type: 'string' },
            { text: 'Value', type: 'number' },
          ],
          rows: [
            [T0, 'interface_eth0_traffic_total_bytes', 3_000],
            [T0 + 60_000, 'interface_eth0_traffic_total_bytes', 6_000],
          ],
        },
      ]);
    });

    it('/search finds names by prefix, then by any part, at most 100', async () => {
      expect((await post('/search', { target: 'interface_e' })).body.slice(0, 2)).toEqual([
        'interface_eth0_traffic_bps',
        'interface_eth0_traffic_pps',
      ]);
      const yt = (await post('/search', { target: 'youtube' })).body as string[];
      expect(yt).toEqual([
        'interface_eth0_protocol_YouTube_bps',
        ...['10.0.0.5', '10.0.0.6', 'fd00::1'].map((h) => `host_${h}_interface_eth0_protocol_YouTube_bps`),
      ]);
      const hosts = (await post('/search', { target: '10.0.0' })).body as string[];
      expect(hosts.length).toBeGreaterThan(0);
      expect(hosts.every((n) => n.startsWith('host_10.0.0.'))).toBe(true);
      // Every name: eth0 7 + 6 protocols, br_lan 7 + 1, the odd one 7; hosts 3 × 13 + 1 × 8.
      expect((await post('/search', { target: '' })).body).toHaveLength(75);
      expect((await post('/search', { target: 'bps' })).body.length).toBeLessThanOrEqual(100);
      expect((await post('/search', { target: 'br_lan_traffic_b' })).body).toEqual([
        'interface_br_lan_traffic_bps',
        'host_192.168.1.10_interface_br_lan_traffic_bps',
      ]);
      expect((await post('/search', {})).status).toBe(200);
    });
  });

  describe('other routes', () => {
    it('/api/metrics lists names with unit, series and description', async () => {
      const res = await get('/api/metrics?prefix=interface_br_lan_&limit=3');
      expect(res.body).toEqual([
        {
          name: 'interface_br_lan_traffic_bps',
          unit: 'bps',
          series: 'single',
          description: 'Interface traffic, bits per second',
        },
        {
          name: 'interface_br_lan_traffic_pps',
          unit: 'pps',
          series: 'single',
          description: 'Interface traffic, packets per second',
        },
        {
          name: 'interface_br_lan_traffic_total_bytes',
          unit: 'decbytes',
          series: 'single',
          description: 'Interface bytes since the start of the range',
        },
      ]);
      expect((await get('/api/metrics?limit=0')).status).toBe(400);
    });

    it('/api/variables', async () => {
      expect(
        (await get('/api/variables?query=interfaces')).body.map((v: { value: string }) => v.value),
      ).toEqual(['br_lan', 'eth0', EVIL_IF]);
      expect((await get(`/api/variables?query=${encodeURIComponent('hosts(eth0)')}`)).body).toEqual(
        ['10.0.0.5', '10.0.0.6', 'fd00::1'].map((h) => ({ text: h, value: h })),
      );
      expect((await get(`/api/variables?query=${encodeURIComponent('protocols(br_lan)')}`)).body).toEqual([
        { text: 'SSH', value: 'SSH' },
      ]);
      expect(
        (await get(`/api/variables?query=${encodeURIComponent('categories(eth0)')}`)).body.map(
          (v: { value: string }) => v.value,
        ),
      ).toEqual(['Media', 'Network', 'System', 'Web']);
      const bad = await get(`/api/variables?query=${encodeURIComponent("hosts(eth0' OR 1=1)")}`);
      expect(bad).toMatchObject({
        status: 400,
        body: { error: `query: unknown interface "eth0' OR 1=1" in hosts(...)` },
      });
    });

    it('/api/health reports InfluxDB, last write and drops', async () => {
      const res = await get('/api/health');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'ok',
        influxdb: { reachable: true, version: expect.stringMatching(/^1\./) },
        lastWriteMs: 1_234,
        drops: 42,
      });
    });

    it('/metrics serves the Prometheus text with the API counters', async () => {
      const res = await get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/plain/);
      expect(res.body).toMatch(/packetflux_api_requests_total\{route="\/api\/query",status="200"\} \d+/);
    });

    it('sends no CORS headers unless configured', async () => {
      expect((await get('/')).headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('bad input', () => {
    const range = { from: iso(T0), to: iso(END) };
    const cases: [string, string, unknown, number, RegExp][] = [
      ['malformed JSON', '/api/query', '{"range": ', 400, /^malformed JSON body: /],
      ['malformed JSON on /query', '/query', '{"targets": [}', 400, /^malformed JSON body: /],
      [
        'missing range',
        '/api/query',
        { targets: [{ refId: 'A', target: 'interface_eth0_traffic_bps' }] },
        400,
        /^range: /,
      ],
      [
        'bad time',
        '/api/query',
        { range: { from: 'yesterday', to: iso(END) }, targets: [{ refId: 'A', target: 'x' }] },
        400,
        /^range\.from: not a time: "yesterday"/,
      ],
      [
        'from after to',
        '/api/query',
        {
          range: { from: iso(END), to: iso(T0) },
          targets: [{ refId: 'A', target: 'interface_eth0_traffic_bps' }],
        },
        400,
        /^range\.from \(.*\) is after range\.to/,
      ],
      [
        'range too long',
        '/api/query',
        {
          range: { from: iso(END - 401 * 86_400_000), to: iso(END) },
          targets: [{ refId: 'A', target: 'interface_eth0_traffic_bps' }],
        },
        400,
        /^range is 401\.0 days, longer than the 400 days allowed$/,
      ],
      [
        'maxDataPoints 0',
        '/api/query',
        { range, maxDataPoints: 0, targets: [{ refId: 'A', target: 'interface_eth0_traffic_bps' }] },
        400,
        /^maxDataPoints: must be between 1 and 100000$/,
      ],
      [
        'maxDataPoints 100001',
        '/query',
        { range, maxDataPoints: 100_001, targets: [] },
        400,
        /^maxDataPoints: must be between 1 and 100000$/,
      ],
      ['no targets', '/api/query', { range, targets: [] }, 400, /^targets: needs at least one target$/],
      [
        'target not a string',
        '/api/query',
        { range, targets: [{ refId: 'A', target: 5 }] },
        400,
        /^targets\.0\.target: must be a metric name$/,
      ],
      [
        'unknown interface',
        '/api/query',
        { range, targets: [{ refId: 'A', target: 'interface_eth9_traffic_bps' }] },
        400,
        /^target A: metric "interface_eth9_traffic_bps": unknown interface "eth9" \(known: /,
      ],
      [
        'unknown protocol',
        '/query',
        { range, targets: [{ refId: 'B', target: 'interface_eth0_protocol_Gopher_bps' }] },
        400,
        /^target B: .*unknown protocol "Gopher" on interface "eth0"/,
      ],
      [
        'unknown host',
        '/api/query',
        { range, targets: [{ refId: 'A', target: 'host_10.9.9.9_interface_eth0_traffic_bps' }] },
        400,
        /unknown host "10\.9\.9\.9"/,
      ],
      [
        'host not an address',
        '/api/query',
        { range, targets: [{ refId: 'A', target: 'host_foo_interface_eth0_traffic_bps' }] },
        400,
        /host "foo" is not an IP address/,
      ],
      [
        'host on the wrong interface',
        '/api/query',
        { range, targets: [{ refId: 'A', target: 'host_10.0.0.5_interface_br_lan_traffic_bps' }] },
        400,
        /host "10\.0\.0\.5" has no traffic on interface "br_lan"/,
      ],
      [
        'unknown metric suffix',
        '/api/query',
        { range, targets: [{ refId: 'A', target: 'interface_eth0_traffic_bits' }] },
        400,
        /unknown metric "traffic_bits" after interface "eth0"/,
      ],
      [
        'wrong family',
        '/api/query',
        { range, targets: [{ refId: 'A', target: 'flow_eth0_traffic_bps' }] },
        400,
        /must start with "interface_" or "host_"/,
      ],
      ['search body not an object', '/search', '[1,2]', 400, /^body: /],
    ];
    it.each(cases)('%s (%s)', async (_name, path, body, status, message) => {
      const res = await post(path, body);
      expect(res.status).toBe(status);
      expect(Object.keys(res.body)).toEqual(['error']);
      expect(res.body.error).toMatch(message);
    });

    it('unknown routes answer a JSON 404', async () => {
      expect(await get('/nope')).toMatchObject({ status: 404, body: { error: 'no route GET /nope' } });
    });
  });

  describe('injection', () => {
    const range = { from: iso(T0), to: iso(END) };
    const attempts = [
      `interface_eth0' OR 1=1 --_traffic_bps`,
      `interface_eth0"; DROP DATABASE "packetflux"; --_traffic_bps`,
      'interface_eth0\n_traffic_bps',
      'interface_eth0_traffic_bps; DROP DATABASE packetflux',
      'interface_.*_traffic_bps',
      'interface_eth0|br_lan_traffic_bps',
      'host_10.0.0.5/ OR 1=1/_interface_eth0_traffic_bps',
      "host_10.0.0.5' OR host =~ /.*/ --_interface_eth0_traffic_bps",
      "interface_eth0_protocol_TLS' OR proto =~ /.*/ --_bps",
      "interface_(eth0|br_lan'))_traffic_bps",
    ];
    it.each(attempts)('%j → 400, no query sent', async (target) => {
      const before = queries.length;
      for (const path of ['/api/query', '/query']) {
        const res = await post(path, { range, targets: [{ refId: 'A', target }] });
        expect(res.status).toBe(400);
        expect(typeof res.body.error).toBe('string');
      }
      expect(queries.slice(before)).toEqual([]);
    });

    it('template values with metacharacters are matched literally or not at all', async () => {
      const res = await post('/query', {
        range,
        targets: [{ refId: 'A', target: 'interface_(eth0|.*)_traffic_bps' }],
      });
      expect(res).toMatchObject({
        status: 400,
        body: { error: expect.stringMatching(/unknown interface "\.\*"/) },
      });
      // A backslash is Grafana's regex escape: /query undoes it, /api/query takes names as they are.
      for (const target of ['interface_eth\\0_traffic_bps', 'interface_eth0\\_traffic_bps']) {
        expect((await post('/query', { range, targets: [{ refId: 'A', target }] })).body[0].target).toBe(
          'interface_eth0_traffic_bps',
        );
        expect((await post('/api/query', { range, targets: [{ refId: 'A', target }] })).status).toBe(400);
      }
    });

    it('an interface whose name holds quotes, `;` and a backslash is queried with its name escaped', async () => {
      const before = queries.length;
      const [frame] = await apiQuery(`interface_${EVIL_IF}_traffic_bps`);
      expect(frame.values).toEqual([(7 * 12 * 8) / 60, (7 * 12 * 8) / 60]);
      expect(queries.slice(before)).toEqual([
        `SELECT SUM("bytes") AS "f0" FROM "interface" WHERE "ifname" = 'ev\\'il";DROP\\\\x' AND time > ${T0}ms AND time <= ${END}ms GROUP BY time(60000ms, 1ms) fill(0); ` +
          `SELECT COUNT("up") AS "f0" FROM "probe" WHERE time > ${T0}ms AND time <= ${END}ms GROUP BY time(60000ms, 1ms) fill(0)`,
      ]);
      expect(await influx.query('SHOW DATABASES')).toEqual([
        expect.objectContaining({ series: [expect.objectContaining({ values: [[DB]] })] }),
      ]);
    });
  });

  describe('token auth and CORS', () => {
    let secured: ApiServer;
    let url = '';
    beforeAll(async () => {
      secured = makeApi({ apiToken: 's3cret-token', corsOrigin: 'https://grafana.example' });
      await secured.start();
      url = `http://127.0.0.1:${secured.address()?.port}`;
    });
    afterAll(() => secured.stop());

    it('every request but /api/health needs the bearer token', async () => {
      expect(await get('/', {}, url)).toMatchObject({
        status: 401,
        body: { error: 'missing Authorization: Bearer <token>' },
      });
      expect(await get('/', { Authorization: 'Bearer wrong' }, url)).toMatchObject({
        status: 401,
        body: { error: 'invalid API token' },
      });
      expect(await get('/', { Authorization: 'Bearer s3cret-token-and-more' }, url)).toMatchObject({
        status: 401,
      });
      expect(await get('/', { Authorization: 'Basic czNjcmV0LXRva2Vu' }, url)).toMatchObject({ status: 401 });
      expect((await get('/metrics', {}, url)).status).toBe(401);
      expect((await post('/search', { target: 'eth' }, {}, url)).status).toBe(401);
      expect(await get('/', { Authorization: 'Bearer s3cret-token' }, url)).toMatchObject({
        status: 200,
        body: { status: 'OK' },
      });
      expect(
        (await post('/search', { target: 'eth' }, { Authorization: 'Bearer s3cret-token' }, url)).status,
      ).toBe(200);
      expect((await get('/api/health', {}, url)).status).toBe(200);
    });

    it('answers CORS preflights for the configured origin', async () => {
      const res = await fetch(`${url}/api/query`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://grafana.example', 'Access-Control-Request-Method': 'POST' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://grafana.example');
      expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    });
  });

  describe('lifecycle', () => {
    it('stop() is safe twice and start() fails clearly on a taken port', async () => {
      const other = makeApi({ port: api.address()?.port ?? 1 });
      await expect(other.start()).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
      const extra = makeApi();
      await extra.start();
      await Promise.all([extra.stop(), extra.stop()]);
      await extra.stop();
      expect(extra.address()).toBeUndefined();
    });
  });

  describe('InfluxDB down', () => {
    beforeAll(() => influx.stop());

    it('answers 503 within the query timeout, health says unreachable, search still works', async () => {
      const started = Date.now();
      const res = await post('/api/query', {
        range: { from: iso(T0), to: iso(END) },
        targets: [{ refId: 'A', target: 'interface_eth0_traffic_bps' }],
      });
      expect(res.status).toBe(503);
      expect(res.body.error).toMatch(/^InfluxDB unavailable: /);
      expect(Date.now() - started).toBeLessThan(2_500);
      const simple = await post('/query', {
        range: { from: iso(T0), to: iso(END) },
        targets: [{ refId: 'A', target: 'interface_eth0_traffic_bps' }],
      });
      expect(simple.status).toBe(503);
      const health = await get('/api/health');
      expect(health).toMatchObject({
        status: 503,
        body: { status: 'degraded', influxdb: { reachable: false }, drops: 42 },
      });
      expect((await post('/search', { target: 'eth0' })).body.length).toBeGreaterThan(0);
    });
  });
});
