import { join } from 'node:path';
import { formatVariableQuery, normalizeVariableQuery } from '../datasource-plugin/src/variable-query';
import {
  type AlertRule,
  type Dashboard,
  type PanelTarget,
  loadDashboards,
  renderAlertRules,
} from './support/provisioning';
import { Stack } from './support/stack';

/**
 * Every provisioned dashboard target and alert rule query, run against the real stack (influxd,
 * `packetflux replay`, `packetflux serve`) the way Grafana would run it: template variables take
 * the values the API offers for them, PacketFlux targets go to POST /api/query, InfluxQL goes to
 * influxd with Grafana's macros filled in. Each must answer without error and with data.
 */

const REPO = join(__dirname, '..');
const SAMPLE = join(REPO, 'samples/sample.pcap');
const VLAN = join(REPO, 'collector/testdata/crafted/vlan.pcap');
const INTERVAL_MS = 5000;

interface Frame {
  refId: string;
  name: string;
  labels: Record<string, string>;
  unit: string;
  times: number[];
  values: (number | null)[];
}
interface Range {
  fromMs: number;
  toMs: number;
}
type Vars = Record<string, string[]>;

function escapeRegex(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

/**
 * Grafana's interpolation: `$name`, `${name}`, `${name:format}`, read greedily over \w. `format`
 * picks how values are written: plain text for PacketFlux targets, regex for InfluxQL.
 */
function interpolate(text: string, vars: Vars, format: 'text' | 'regex'): string {
  return text.replace(/\$\{(\w+)(?::[^}]*)?\}|\$(\w+)/g, (match, braced?: string, bare?: string) => {
    const values = vars[(braced ?? bare)!];
    if (!values) return match;
    if (format === 'text') {
      if (values.length !== 1) throw new Error(`${match} has ${values.length} values in a metric name`);
      return values[0];
    }
    return values.length === 1 ? escapeRegex(values[0]) : `(${values.map(escapeRegex).join('|')})`;
  });
}

/** Grafana's InfluxQL macros for a range and an interval. */
function influxMacros(query: string, range: Range, intervalMs: number): string {
  return query
    .replace(/\$timeFilter/g, `time >= ${range.fromMs}ms and time <= ${range.toMs}ms`)
    .replace(/\$__interval_ms/g, String(intervalMs))
    .replace(/\$__interval/g, `${intervalMs / 1000}s`);
}

describe('provisioned dashboards and alert rules against the real stack', () => {
  const stack = new Stack();
  let dashboards: { file: string; dashboard: Dashboard }[];
  let interfaces: string[];
  const ranges = new Map<string, Range>();

  beforeAll(async () => {
    await stack.start();
    await stack.replay(SAMPLE, ['--interface-name', 'sample']);
    await stack.replay(VLAN);
    await stack.serveApi();
    dashboards = await loadDashboards();
    interfaces = (await variableValues('interfaces')).sort();
    for (const ifname of interfaces) {
      // The capture's own time range, from 10 s before its first point to 10 s after its last.
      const [first] = await stack.influx.rows(
        `SELECT first("bytes") FROM "interface" WHERE "ifname" = '${ifname}'`,
        stack.db,
      );
      const [last] = await stack.influx.rows(
        `SELECT last("bytes") FROM "interface" WHERE "ifname" = '${ifname}'`,
        stack.db,
      );
      ranges.set(ifname, { fromMs: Number(first.time) - 10_000, toMs: Number(last.time) + 10_000 });
    }
  }, 240_000);
  afterAll(() => stack.stop());

  async function variableValues(query: string): Promise<string[]> {
    const res = await stack.get<{ text: string; value: string }[] | { error: string }>(
      `/api/variables?query=${encodeURIComponent(query)}`,
    );
    if (res.status !== 200)
      throw new Error(`/api/variables?query=${query}: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { value: string }[]).map((v) => v.value);
  }

  /** Values of every variable of a dashboard, in order, as Grafana resolves them: the first value of each. */
  async function resolveVariables(dashboard: Dashboard, ifname: string): Promise<Vars | undefined> {
    const vars: Vars = {};
    for (const v of dashboard.templating.list) {
      let values: string[];
      if (v.datasource?.uid === 'packetflux') {
        const parsed = normalizeVariableQuery(v.query);
        if (!parsed.ok) throw new Error(`${dashboard.uid} $${v.name}: ${parsed.reason}`);
        const query = {
          ...parsed.query,
          ifname: parsed.query.ifname && interpolate(parsed.query.ifname, vars, 'text'),
        };
        values = await variableValues(formatVariableQuery(query));
        // The interface under test is one value of `interfaces`.
        if (parsed.query.kind === 'interfaces') {
          expect(values).toContain(ifname);
          values = [ifname];
        }
      } else {
        const [result] = await stack.influx.query(String(v.query), stack.db);
        values = (result.series ?? []).flatMap((s) => s.values.map((row) => String(row[1])));
      }
      if (values.length === 0) return undefined;
      vars[v.name] = v.includeAll ? values : [values[0]];
    }
    return vars;
  }

  async function runPacketFlux(
    target: PanelTarget,
    vars: Vars,
    range: Range,
    intervalMs = INTERVAL_MS,
    maxDataPoints = 1000,
  ): Promise<Frame[]> {
    const body = {
      range: { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString() },
      intervalMs,
      maxDataPoints,
      targets: [
        {
          refId: target.refId,
          target: interpolate(target.target!, vars, 'text'),
          ...(target.top !== undefined ? { top: target.top } : {}),
          ...(target.legendFormat ? { legendFormat: interpolate(target.legendFormat, vars, 'text') } : {}),
        },
      ],
    };
    const res = await stack.post<Frame[] | { error: string }>('/api/query', body);
    expect({
      target: body.targets[0].target,
      status: res.status,
      body: res.status === 200 ? 'ok' : res.body,
    }).toEqual({
      target: body.targets[0].target,
      status: 200,
      body: 'ok',
    });
    return res.body as Frame[];
  }

  async function runInfluxQL(
    query: string,
    vars: Vars,
    range: Range,
    intervalMs = INTERVAL_MS,
  ): Promise<unknown[][]> {
    const q = influxMacros(interpolate(query, vars, 'regex'), range, intervalMs);
    const results = await stack.influx.query(q, stack.db);
    return results.flatMap((r) => r.series ?? []).flatMap((s) => s.values);
  }

  function expectData(what: string, frames: Frame[]): void {
    const nonEmpty = frames.filter((f) => f.values.some((v) => v !== null));
    expect({ what, series: nonEmpty.length > 0 }).toEqual({ what, series: true });
  }

  it('the captures give every variable values: two interfaces, hosts and protocols on the sample', async () => {
    expect(interfaces).toEqual(expect.arrayContaining(['sample']));
    expect(interfaces.length).toBeGreaterThanOrEqual(2);
    expect((await variableValues('hosts(sample)')).length).toBeGreaterThan(0);
    expect((await variableValues('protocols(sample)')).length).toBeGreaterThan(0);
  });

  it('every target of every dashboard answers with data, on every interface whose variables have values', async () => {
    const ran = new Map<string, number>();
    let checked = 0;
    for (const { dashboard } of dashboards) {
      for (const ifname of interfaces) {
        const vars = await resolveVariables(dashboard, ifname);
        if (!vars) continue; // e.g. no local host on this interface
        ran.set(dashboard.uid, (ran.get(dashboard.uid) ?? 0) + 1);
        const range = ranges.get(ifname)!;
        for (const panel of dashboard.panels) {
          for (const target of panel.targets ?? []) {
            const uid = target.datasource?.uid ?? panel.datasource?.uid;
            const what = `${dashboard.uid} / ${panel.title} / ${target.refId} on ${ifname}`;
            checked++;
            if (process.env.PACKETFLUX_TEST_VERBOSE) console.log(what, JSON.stringify(vars));
            if (uid === 'packetflux') {
              const frames = await runPacketFlux(target, vars, range);
              expectData(what, frames);
              const unit = panel.fieldConfig?.defaults?.unit;
              for (const f of frames) expect({ what, unit: f.unit }).toEqual({ what, unit });
            } else {
              const rows = await runInfluxQL(target.query!, vars, range);
              expect({ what, rows: rows.length > 0 }).toEqual({ what, rows: true });
            }
          }
        }
      }
    }
    expect([...ran.keys()].sort()).toEqual([
      'packetflux-host',
      'packetflux-interface',
      'packetflux-protocol',
    ]);
    expect(ran.get('packetflux-interface')).toBe(interfaces.length);
    expect(checked).toBeGreaterThanOrEqual(40);
  });

  it("the top-hosts data link passes hosts the drill-down's $host variable offers", async () => {
    const range = ranges.get('sample')!;
    const frames = await runPacketFlux(
      { refId: 'A', target: 'interface_${interface}_tophosts_bps', top: 10, legendFormat: '{{host}}' },
      { interface: ['sample'] },
      range,
    );
    const hosts = await variableValues('hosts(sample)');
    const linked = frames.filter((f) => f.name !== 'Other').map((f) => f.labels.host);
    expect(linked.length).toBeGreaterThan(0);
    for (const host of linked) expect(hosts).toContain(host);
  });

  it('every alert rule query answers with data for the sample capture', async () => {
    const protocols = await variableValues('protocols(sample)');
    const rendered = await renderAlertRules({
      PACKETFLUX_ALERT_INTERFACE: 'sample',
      // BitTorrent by default; the sample has none, so watch a protocol it has.
      PACKETFLUX_ALERT_PROTOCOL: protocols.find((p) => /^[A-Za-z0-9._:/+-]+$/.test(p) && p !== 'Other')!,
    });
    const rules: AlertRule[] = rendered.flatMap((r) => r.doc.groups.flatMap((g) => g.rules));
    expect(rules.length).toBe(5);
    const range = ranges.get('sample')!;
    for (const rule of rules) {
      for (const query of rule.data.filter((d) => d.datasourceUid !== '__expr__')) {
        const model = query.model as PanelTarget & { intervalMs?: number; maxDataPoints?: number };
        if (query.datasourceUid === 'packetflux') {
          expectData(rule.uid, await runPacketFlux(model, {}, range, model.intervalMs, model.maxDataPoints));
        } else {
          const rows = await runInfluxQL(model.query!, {}, range, model.intervalMs);
          expect({ rule: rule.uid, rows: rows.length > 0 }).toEqual({ rule: rule.uid, rows: true });
        }
      }
    }
  });

  it('collector down: its query finds heartbeats while a replay ran and none once it had ended (NoData fires)', async () => {
    const rule = (await renderAlertRules())
      .flatMap((r) => r.doc.groups.flatMap((g) => g.rules))
      .find((r) => r.uid === 'packetflux-collector-down')!;
    const query = rule.data[0].model.query as string;
    const window = (rule.data[0].relativeTimeRange?.from ?? 0) * 1000;
    expect(window).toBeGreaterThan(0);
    // As Grafana evaluates it during the sample's replay, and an hour after the last replay.
    const during = ranges.get('sample')!;
    const atEnd = { fromMs: during.toMs - window, toMs: during.toMs };
    const [alive] = await runInfluxQL(query, {}, atEnd);
    expect(Number(alive?.[1])).toBeGreaterThan(0);
    const lastMs = Math.max(...[...ranges.values()].map((r) => r.toMs));
    const later = { fromMs: lastMs + 3_600_000 - window, toMs: lastMs + 3_600_000 };
    expect(await runInfluxQL(query, {}, later)).toEqual([]);
  });
});
