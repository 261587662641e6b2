import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ndpiReaderTotals } from '../collector/test/support/ndpi-reader';
import { tsharkFrames } from '../collector/test/support/tshark';
import { bittorrentCapture } from '../collector/test/synth/bittorrent-capture';
import { loadDashboards, loadDatasourceFiles, renderAlertRules, type Panel } from './support/provisioning';
import { Stack, type ReplaySummary } from './support/stack';

/**
 * The built plugin executable as Grafana runs it: datasource-plugin/pkg/harness starts it over
 * go-plugin and gRPC and sends it every provisioned dashboard target and alert rule query, plus
 * health checks and resource calls, against the real stack (influxd, `packetflux replay` of the
 * sample capture and of a crafted BitTorrent capture, `packetflux serve` with a token). It also
 * evaluates the host-upload rule, which queries InfluxDB itself, against that InfluxDB. This side
 * starts the stack, writes the provisioning as JSON (the Go module has no YAML parser), computes
 * the expectations with ndpiReader and tshark, and checks that the Go tests ran, not skipped, and
 * covered every PacketFlux query the provisioning holds.
 */

const REPO = join(__dirname, '..');
const PLUGIN_DIR = join(REPO, 'datasource-plugin');
const SAMPLE = join(REPO, 'samples/sample.pcap');
const IFNAME = 'sample';
// A crafted BitTorrent session (collector/test/synth/bittorrent-capture.ts), replayed as its own
// interface for the protocol rule; its time (2023) lies far from the sample's.
const BT_IFNAME = 'bt';
const BITTORRENT = 'BitTorrent';
const TOKEN = 'grafana-protocol-token';
const PLUGIN_UID = 'packetflux';
const GO_TESTS = [
  'TestGrafanaPluginProcess',
  'TestGrafanaHealthAndResources',
  'TestGrafanaQueryErrors',
  'TestGrafanaDashboardTargets',
  'TestGrafanaAlertRuleQueries',
  'TestGrafanaAlertEvaluation',
  'TestGrafanaProtocolAlert',
  'TestGrafanaHostUploadAlert',
  'TestGrafanaDataGaps',
  'TestGrafanaPublicDashboardTargets',
];
// The crafted capture is replayed a second time, shifted by this much with editcap, under the
// same interface name: the collector did not run in between, so the API has a gap there.
const GAP_SHIFT_SECONDS = 3600;
// What deploy/grafana/render-alert-rules.sh accepts as a value.
const RENDERABLE = /^[A-Za-z0-9._:/+-]+$/;

/** In 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or fc00::/7 (tshark's text form of the address). */
function isLocal(ip: string): boolean {
  if (ip.includes(':')) return /^f[cd][0-9a-f]{2}:/i.test(ip);
  const [a, b] = ip.split('.').map(Number);
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

function pluginExecutable(): string {
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string] ?? process.arch;
  return join(PLUGIN_DIR, 'dist', `gpx_packetflux_${process.platform}_${arch}`);
}

describe('the built plugin over Grafana’s plugin protocol, against the real stack', () => {
  const stack = new Stack();
  let summary: ReplaySummary;
  let dir = '';
  let btCapture = '';
  // The first copy's last point and the shifted copy's first point (epoch ms).
  let gapStart = 0;
  let gapEnd = 0;

  beforeAll(async () => {
    if (!existsSync(pluginExecutable()))
      throw new Error(`${pluginExecutable()} is missing: run \`npm run build\` first`);
    dir = await mkdtemp(join(tmpdir(), 'packetflux-grafana-protocol-'));
    await stack.start();
    summary = await stack.replay(SAMPLE, ['--interface-name', IFNAME]);
    btCapture = join(dir, 'bittorrent.pcap');
    await writeFile(btCapture, bittorrentCapture());
    await stack.replay(btCapture, ['--interface-name', BT_IFNAME]);
    gapStart = await pointTime('last', BT_IFNAME);
    const shifted = join(dir, 'bittorrent-shifted.pcap');
    await promisify(execFile)('editcap', ['-t', String(GAP_SHIFT_SECONDS), btCapture, shifted]);
    await stack.replay(shifted, ['--interface-name', BT_IFNAME]);
    gapEnd = await pointTime('first', BT_IFNAME, gapStart);
    await stack.serveApi(['--api-token', TOKEN]);
  }, 240_000);
  afterAll(async () => {
    await stack.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function variableValues(query: string): Promise<string[]> {
    const res = await fetch(`${stack.apiUrl}/api/variables?query=${encodeURIComponent(query)}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    if (res.status !== 200)
      throw new Error(`/api/variables?query=${query}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { value: string }[]).map((v) => v.value);
  }

  /** The time of an interface's first or last point (epoch ms), optionally after a time. */
  async function pointTime(fn: 'first' | 'last', ifname: string, after?: number): Promise<number> {
    const since = after === undefined ? '' : ` AND time > ${after}ms`;
    const where = `WHERE "ifname" = '${ifname}'${since}`;
    const [row] = await stack.influx.rows(`SELECT ${fn}("bytes") FROM "interface" ${where}`, stack.db);
    if (!row) throw new Error(`no ${fn} point for ${ifname}${since}`);
    return Number(row.time);
  }

  /** The replayed data's time range: 10 s either side of the interface's first and last point. */
  async function replayedRange(ifname: string): Promise<{ from: string; to: string }> {
    const where = `WHERE "ifname" = '${ifname}'`;
    const [first] = await stack.influx.rows(`SELECT first("bytes") FROM "interface" ${where}`, stack.db);
    const [last] = await stack.influx.rows(`SELECT last("bytes") FROM "interface" ${where}`, stack.db);
    return {
      from: new Date(Number(first.time) - 10_000).toISOString(),
      to: new Date(Number(last.time) + 10_000).toISOString(),
    };
  }

  it('serves every provisioned PacketFlux query, health check and look-up through gRPC', async () => {
    const hosts = await variableValues(`hosts(${IFNAME})`);
    const offered = await variableValues(`protocols(${IFNAME})`);
    // The capture's busiest protocol that the API offers and the rule template accepts.
    const protocol = Object.entries(summary.protocols)
      .sort(([, a], [, b]) => b.bytes - a.bytes)
      .map(([name]) => name)
      .find((p) => offered.includes(p) && RENDERABLE.test(p) && p !== 'Other' && p !== 'Non-IP');
    expect(hosts.length).toBeGreaterThan(0);
    expect(protocol).toBeDefined();
    const host = hosts.sort()[0];

    const datasourceFiles = await loadDatasourceFiles();
    const dashboards = await loadDashboards();
    const ruleFiles = await renderAlertRules({
      PACKETFLUX_ALERT_INTERFACE: IFNAME,
      PACKETFLUX_ALERT_PROTOCOL: protocol!,
    });
    const files = {
      datasources: join(dir, 'datasources.json'),
      dashboards: join(dir, 'dashboards.json'),
      rules: join(dir, 'alert-rules.json'),
    };
    await writeFile(
      files.datasources,
      JSON.stringify(datasourceFiles.map(({ file, doc }) => ({ file, datasources: doc.datasources }))),
    );
    await writeFile(files.dashboards, JSON.stringify(dashboards));
    await writeFile(
      files.rules,
      JSON.stringify(ruleFiles.map(({ file, doc }) => ({ file, groups: doc.groups }))),
    );

    const range = await replayedRange(IFNAME);

    // The protocol rule with its default protocol, rendered for each interface. Whether it
    // should fire comes from ndpiReader: BitTorrent in the crafted capture, not in the sample.
    const btFound = await ndpiReaderTotals(btCapture);
    const sampleFound = await ndpiReaderTotals(SAMPLE);
    expect(btFound[BITTORRENT]?.flows).toBe(1);
    expect(sampleFound[BITTORRENT]).toBeUndefined();
    const protocolAlerts = [];
    for (const [ifname, found] of [
      [BT_IFNAME, btFound],
      [IFNAME, sampleFound],
    ] as const) {
      const rendered = await renderAlertRules({ PACKETFLUX_ALERT_INTERFACE: ifname });
      const rules = join(dir, `alert-rules-${ifname}-default-protocol.json`);
      await writeFile(rules, JSON.stringify(rendered.map(({ file, doc }) => ({ file, groups: doc.groups }))));
      const { to } = await replayedRange(ifname);
      protocolAlerts.push({ ifname, rules, to, protocol: BITTORRENT, seen: found[BITTORRENT] !== undefined });
    }

    // Each local host's upload as tshark counts it (frame.len of the frames it sent), for the
    // host-upload rule. Local: the collector's default --local-networks.
    const hostUpload: Record<string, number> = {};
    for (const f of await tsharkFrames(SAMPLE)) {
      if (f.src !== '' && isLocal(f.src)) hostUpload[f.src] = (hostUpload[f.src] ?? 0) + f.length;
      if (f.dst !== '' && isLocal(f.dst)) hostUpload[f.dst] ??= 0;
    }
    // Both copies of the crafted capture, with the hour between them.
    expect(gapEnd - gapStart).toBeGreaterThan((GAP_SHIFT_SECONDS - 600) * 1000);
    const gapRange = await replayedRange(BT_IFNAME);
    const env = {
      ...process.env,
      CGO_ENABLED: '0',
      PACKETFLUX_HARNESS_API_URL: stack.apiUrl,
      PACKETFLUX_HARNESS_API_TOKEN: TOKEN,
      PACKETFLUX_HARNESS_DATASOURCES: files.datasources,
      PACKETFLUX_HARNESS_DASHBOARDS: files.dashboards,
      PACKETFLUX_HARNESS_ALERT_RULES: files.rules,
      PACKETFLUX_HARNESS_INTERFACE: IFNAME,
      PACKETFLUX_HARNESS_HOST: host,
      PACKETFLUX_HARNESS_PROTOCOL: protocol!,
      PACKETFLUX_HARNESS_FROM: range.from,
      PACKETFLUX_HARNESS_TO: range.to,
      PACKETFLUX_HARNESS_BYTES: String(summary.interfaces[IFNAME].bytes),
      PACKETFLUX_HARNESS_HOST_UPLOAD: JSON.stringify(hostUpload),
      PACKETFLUX_HARNESS_INFLUX_URL: stack.influx.url,
      PACKETFLUX_HARNESS_INFLUX_DB: stack.db,
      PACKETFLUX_HARNESS_PROTOCOL_ALERTS: JSON.stringify(protocolAlerts),
      PACKETFLUX_HARNESS_DIST: join(PLUGIN_DIR, 'dist'),
      PACKETFLUX_HARNESS_GAP_INTERFACE: BT_IFNAME,
      PACKETFLUX_HARNESS_GAP_FROM: gapRange.from,
      PACKETFLUX_HARNESS_GAP_TO: gapRange.to,
      PACKETFLUX_HARNESS_GAP_START: new Date(gapStart).toISOString(),
      PACKETFLUX_HARNESS_GAP_END: new Date(gapEnd).toISOString(),
    };
    const { stdout } = await promisify(execFile)(
      'go',
      ['test', '-trimpath', '-count=1', '-run', `^(${GO_TESTS.join('|')})$`, '-v', './pkg/harness'],
      { cwd: PLUGIN_DIR, env, maxBuffer: 1 << 26 },
    ).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`go test failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    });
    if (process.env.PACKETFLUX_TEST_VERBOSE) console.log(stdout);

    for (const name of GO_TESTS) expect(stdout).toContain(`--- PASS: ${name} `);
    expect(stdout).not.toContain('--- SKIP');
    expect(stdout).toMatch(/health: OK: PacketFlux API reachable; InfluxDB OK/);
    // The gap came back as null buckets between numbers, and every dashboard with a variable
    // was tried unresolved.
    expect(stdout).toMatch(
      /gap: frame .* [1-9]\d* numbers before, [1-9]\d* nulls in the gap, 0 numbers in it, [1-9]\d* numbers after/,
    );
    expect(stdout).toMatch(/public dashboards: [1-9]\d* of \d+ checked with unresolved variables/);

    // Every PacketFlux target of every dashboard and every PacketFlux rule query went through,
    // counted here independently of the Go side.
    const isPlugin = (panel: Panel, uid?: string) => (uid ?? panel.datasource?.uid) === PLUGIN_UID;
    const flatten = (panels: Panel[]): Panel[] =>
      panels.flatMap((p) => [p, ...flatten((p as Panel & { panels?: Panel[] }).panels ?? [])]);
    const targets = dashboards
      .flatMap(({ dashboard }) => flatten(dashboard.panels))
      .flatMap((panel) => (panel.targets ?? []).filter((t) => isPlugin(panel, t.datasource?.uid)))
      // The frontend sends neither hidden targets nor targets without a metric name.
      .filter((t) => !(t as { hide?: boolean }).hide && (t.target ?? '').trim() !== '');
    const ruleQueries = ruleFiles
      .flatMap((f) => f.doc.groups.flatMap((g) => g.rules))
      .flatMap((r) => r.data.filter((d) => d.datasourceUid === PLUGIN_UID));
    expect(stdout).toContain(`dashboard targets: ${targets.length} through the plugin`);
    expect(stdout).toContain(`alert rule queries: ${ruleQueries.length} of `);
    expect(targets.length).toBeGreaterThanOrEqual(20);
    expect(ruleQueries.length).toBeGreaterThanOrEqual(3);
  }, 600_000);
});
