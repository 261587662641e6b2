import type { ApiFrame as Frame } from '../collector/src/api';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tsharkHostBytes, tsharkTotals } from '../collector/test/support/tshark';
import { Stack, type ReplaySummary } from './support/stack';

const REPO = join(__dirname, '..');
const VLAN = join(REPO, 'collector/testdata/crafted/vlan.pcap');
const TLS = join(REPO, 'collector/testdata/l7/tls.pcap');

async function fileRange(file: string): Promise<{ from: string; to: string }> {
  const { stdout } = await promisify(execFile)('tshark', [
    '-r',
    file,
    '-T',
    'fields',
    '-e',
    'frame.time_epoch',
  ]);
  const times = stdout.split('\n').filter(Boolean).map(Number);
  // From the step before the first packet to the step after the last: every point is inside.
  return {
    from: new Date(Math.floor(times[0] / 5) * 5000 - 5000).toISOString(),
    to: new Date(Math.ceil(times[times.length - 1] / 5) * 5000 + 5000).toISOString(),
  };
}

/** Bytes behind a rate series: each bucket's bps × bucket seconds / 8 (gaps, null, hold none). */
function bytesOf(frame: Frame): number {
  const bucketSeconds = (frame.times[1] - frame.times[0]) / 1000;
  return frame.values.reduce<number>((a, v) => a + ((v ?? 0) * bucketSeconds) / 8, 0);
}

describe('pcap → packetflux replay → InfluxDB → packetflux serve', () => {
  const stack = new Stack();
  let vlan: ReplaySummary;
  let tls: ReplaySummary;
  beforeAll(async () => {
    await stack.start();
    vlan = await stack.replay(VLAN);
    tls = await stack.replay(TLS, ['--interface-name', 'lo_tls']);
    await stack.serveApi();
  });
  afterAll(() => stack.stop());

  async function query(file: string, target: string, extra: Record<string, unknown> = {}): Promise<Frame[]> {
    const r = await stack.post<Frame[]>('/api/query', {
      range: await fileRange(file),
      intervalMs: 5000,
      maxDataPoints: 1000,
      targets: [{ refId: 'A', target, ...extra }],
    });
    expect(r.status).toBe(200);
    return r.body;
  }

  it('interface traffic_bps integrates to the bytes tshark reads', async () => {
    const [frame] = await query(VLAN, 'interface_vlan_traffic_bps');
    expect(frame.unit).toBe('bps');
    expect(bytesOf(frame)).toBeCloseTo((await tsharkTotals(VLAN)).bytes, 6);
  });

  it('traffic_total_bytes ends at the file total, traffic_pps integrates to the packet count', async () => {
    const [total] = await query(VLAN, 'interface_vlan_traffic_total_bytes');
    expect(total.unit).toBe('decbytes');
    // The buckets after the replay's last step are gaps (null): the total is the last number.
    expect(total.values.filter((v) => v !== null).pop()).toBe(vlan.bytes);
    const [pps] = await query(VLAN, 'interface_vlan_traffic_pps');
    const bucketSeconds = (pps.times[1] - pps.times[0]) / 1000;
    expect(pps.values.reduce<number>((a, v) => a + (v ?? 0) * bucketSeconds, 0)).toBeCloseTo(vlan.packets, 6);
  });

  it('allprotocols: top N plus Other add up to the interface traffic, Other is total minus the top N', async () => {
    const all = await query(TLS, 'interface_lo_tls_allprotocols_bps', { top: 100 });
    const [traffic] = await query(TLS, 'interface_lo_tls_traffic_bps');
    expect(all.map((f) => f.labels.proto).sort()).toEqual(Object.keys(tls.protocols).sort());
    for (const f of all)
      expect({ proto: f.labels.proto, bytes: Math.round(bytesOf(f)) }).toEqual({
        proto: f.labels.proto,
        bytes: tls.protocols[f.labels.proto].bytes,
      });
    expect(all.reduce((a, f) => a + bytesOf(f), 0)).toBeCloseTo(bytesOf(traffic), 6);

    const top2 = await query(TLS, 'interface_lo_tls_allprotocols_bps', { top: 2 });
    const ranked = Object.entries(tls.protocols).sort((a, b) => b[1].bytes - a[1].bytes);
    expect(top2.map((f) => f.labels.proto)).toEqual([ranked[0][0], ranked[1][0], 'Other']);
    const other = top2.find((f) => f.labels.proto === 'Other')!;
    expect(Math.round(bytesOf(other))).toBe(ranked.slice(2).reduce((a, [, p]) => a + p.bytes, 0));
  });

  it("a local host's sent and received rates integrate to tshark's ip.src/ip.dst bytes", async () => {
    const expected = await tsharkHostBytes(VLAN, '10.0.0.5');
    const [sent] = await query(VLAN, 'host_10.0.0.5_interface_vlan_traffic_sent_bps');
    const [rcvd] = await query(VLAN, 'host_10.0.0.5_interface_vlan_traffic_rcvd_bps');
    expect(Math.round(bytesOf(sent))).toBe(expected.bytesSent);
    expect(Math.round(bytesOf(rcvd))).toBe(expected.bytesRcvd);
    const ipv6 = await tsharkHostBytes(VLAN, 'fd00::5');
    const [v6] = await query(VLAN, 'host_fd00::5_interface_vlan_traffic_bps');
    expect(Math.round(bytesOf(v6))).toBe(ipv6.bytesSent + ipv6.bytesRcvd);
  });

  it('/search offers the replayed interfaces, hosts and protocols', async () => {
    const byPrefix = await stack.post<string[]>('/search', { target: 'interface_lo' });
    expect(byPrefix.body).toContain('interface_lo_tls_traffic_bps');
    const byProto = await stack.post<string[]>('/search', { target: 'youtube' });
    expect(byProto.body).toContain('interface_lo_tls_protocol_YouTube_bps');
    const byHost = await stack.post<string[]>('/search', { target: '10.0.0' });
    expect(byHost.body).toContain('host_10.0.0.5_interface_vlan_traffic_bps');
  });

  it('answers the SimpleJSON /query body Grafana sends', async () => {
    const range = await fileRange(VLAN);
    const r = await stack.post<{ target: string; datapoints: [number, number][] }[]>('/query', {
      app: 'dashboard',
      requestId: 'Q100',
      timezone: 'browser',
      panelId: 2,
      dashboardId: null,
      range: { from: range.from, to: range.to, raw: { from: 'now-6h', to: 'now' } },
      timeInfo: '',
      interval: '5s',
      intervalMs: 5000,
      targets: [
        {
          target: 'interface_vlan_traffic_bps',
          refId: 'A',
          type: 'timeserie',
          datasource: { type: 'grafana-simple-json-datasource', uid: 'x' },
        },
      ],
      maxDataPoints: 1000,
      scopedVars: { __interval: { text: '5s', value: '5s' }, __interval_ms: { text: '5000', value: 5000 } },
      startTime: Date.now(),
      rangeRaw: { from: 'now-6h', to: 'now' },
      adhocFilters: [],
    });
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(1);
    expect(r.body[0].target).toBe('interface_vlan_traffic_bps');
    const pts = r.body[0].datapoints;
    const bucketSeconds = (pts[1][1] - pts[0][1]) / 1000;
    expect(pts.reduce((a, [v]) => a + (v * bucketSeconds) / 8, 0)).toBeCloseTo(vlan.bytes, 6);
  });

  it('an unknown name is a 400 naming the part that did not match', async () => {
    const r = await stack.post<{ error: string }>('/api/query', {
      range: await fileRange(VLAN),
      intervalMs: 5000,
      maxDataPoints: 100,
      targets: [{ refId: 'A', target: 'interface_nosuchif_traffic_bps' }],
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/nosuchif/);
  });
});
