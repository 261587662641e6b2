import { existsSync, readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { normalizeVariableQuery } from '../datasource-plugin/src/variable-query';
import {
  type AlertGroup,
  type Dashboard,
  loadDashboards,
  loadDatasourceFiles,
  loadDatasources,
  loadProviderFiles,
  PROVISIONING,
  readYaml,
  renderAlertRules,
  REPO,
  repoPathOf,
  variableRefs,
} from './support/provisioning';

const PLUGIN = JSON.parse(readFileSync(join(REPO, 'datasource-plugin/src/plugin.json'), 'utf8')) as {
  id: string;
  dependencies: { grafanaDependency: string };
};

/** Grafana's own template variables and InfluxDB datasource macros. */
const BUILTIN_VARIABLES = new Set([
  'timeFilter',
  '__interval',
  '__interval_ms',
  '__range',
  '__url_time_range',
  '__field',
  '__value',
  '__series',
  '__data',
  'tag_probe',
]);
const MULTI_SERIES = /_(allprotocols|allcategories|tophosts)_bps$/;
const GRID_WIDTH = 24;

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  network_mode?: string;
  cap_add?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  entrypoint?: string[];
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

function semver(text: string): number[] {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!m) throw new Error(`no version in ${text}`);
  return m.slice(1).map(Number);
}
function atLeast(a: number[], b: number[]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}
/** Compose `${VAR}`, `${VAR:-default}`, `${VAR:?message}` references, nested ones too. */
function composeVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]))];
}

describe('provisioning/datasources', () => {
  it('is Grafana datasource provisioning: apiVersion, name, type, uid, access, url', async () => {
    const files = await loadDatasourceFiles();
    expect(files.length).toBeGreaterThan(0);
    for (const { file, doc } of files) {
      expect({ file, apiVersion: doc.apiVersion }).toEqual({ file, apiVersion: 1 });
      for (const ds of doc.datasources) {
        for (const key of ['name', 'type', 'uid', 'access', 'url'] as const) {
          expect({ uid: ds.uid, key, value: typeof ds[key] }).toEqual({ uid: ds.uid, key, value: 'string' });
          expect(ds[key].length).toBeGreaterThan(0);
        }
        expect(['proxy', 'direct']).toContain(ds.access);
        expect(ds.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      }
    }
    const uids = (await loadDatasources()).map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('provisions the PacketFlux plugin (uid packetflux) with its URL and token from the environment', async () => {
    const ds = (await loadDatasources()).find((d) => d.uid === 'packetflux');
    expect(ds).toMatchObject({
      type: PLUGIN.id,
      access: 'proxy',
      url: '$PACKETFLUX_API_URL',
      jsonData: { url: '$PACKETFLUX_API_URL' },
      secureJsonData: { apiToken: '$PACKETFLUX_API_TOKEN' },
    });
  });

  it("provisions Grafana's InfluxDB datasource (uid packetflux-influxdb) in InfluxQL", async () => {
    const ds = (await loadDatasources()).find((d) => d.uid === 'packetflux-influxdb');
    expect(ds).toMatchObject({
      type: 'influxdb',
      access: 'proxy',
      url: '$PACKETFLUX_INFLUX_URL',
      jsonData: { version: 'InfluxQL', dbName: '$PACKETFLUX_INFLUX_DB', httpHeaderName1: 'Authorization' },
      secureJsonData: { httpHeaderValue1: 'Token $PACKETFLUX_INFLUX_TOKEN' },
    });
  });
});

describe('provisioning/dashboards', () => {
  let dashboards: { file: string; dashboard: Dashboard }[];
  let datasourceUids: Set<string>;
  beforeAll(async () => {
    dashboards = await loadDashboards();
    datasourceUids = new Set((await loadDatasources()).map((d) => d.uid));
  });

  it('has a file provider whose path exists', async () => {
    const files = await loadProviderFiles();
    expect(files.length).toBeGreaterThan(0);
    for (const { doc } of files) {
      expect(doc.apiVersion).toBe(1);
      for (const p of doc.providers) {
        expect(p.type).toBe('file');
        expect(p.name).toBeTruthy();
        expect(existsSync(repoPathOf(p.options.path))).toBe(true);
      }
    }
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual([
      'packetflux-host',
      'packetflux-interface',
      'packetflux-protocol',
    ]);
  });

  it('every dashboard has a fixed uid, a title and a current schemaVersion', () => {
    const uids = dashboards.map((d) => d.dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const { dashboard } of dashboards) {
      expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      expect(dashboard.title).toMatch(/^PacketFlux \/ /);
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    }
  });

  it('panels have unique ids and non-overlapping gridPos inside the 24-column grid', () => {
    for (const { dashboard } of dashboards) {
      const ids = dashboard.panels.map((p) => p.id);
      expect({ uid: dashboard.uid, unique: new Set(ids).size }).toEqual({
        uid: dashboard.uid,
        unique: ids.length,
      });
      for (const p of dashboard.panels) {
        const { x, y, w, h } = p.gridPos;
        expect([x, y, w, h].every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
        expect(w).toBeGreaterThan(0);
        expect(h).toBeGreaterThan(0);
        expect(x + w).toBeLessThanOrEqual(GRID_WIDTH);
      }
      for (const a of dashboard.panels) {
        for (const b of dashboard.panels) {
          if (a.id >= b.id) continue;
          const overlap =
            a.gridPos.x < b.gridPos.x + b.gridPos.w &&
            b.gridPos.x < a.gridPos.x + a.gridPos.w &&
            a.gridPos.y < b.gridPos.y + b.gridPos.h &&
            b.gridPos.y < a.gridPos.y + a.gridPos.h;
          expect({ uid: dashboard.uid, a: a.title, b: b.title, overlap }).toEqual({
            uid: dashboard.uid,
            a: a.title,
            b: b.title,
            overlap: false,
          });
        }
      }
    }
  });

  it('every target has a unique refId and a provisioned datasource; PacketFlux ones a target, InfluxDB ones a query', () => {
    for (const { dashboard } of dashboards) {
      for (const p of dashboard.panels) {
        const targets = p.targets ?? [];
        expect(targets.length).toBeGreaterThan(0);
        const refIds = targets.map((t) => t.refId);
        expect(refIds.every((r) => typeof r === 'string' && r.length > 0)).toBe(true);
        expect(new Set(refIds).size).toBe(refIds.length);
        for (const t of targets) {
          const uid = t.datasource?.uid ?? p.datasource?.uid;
          expect({ panel: p.title, uid, known: datasourceUids.has(uid ?? '') }).toEqual({
            panel: p.title,
            uid,
            known: true,
          });
          if (uid === 'packetflux') {
            expect(t.target).toMatch(/^(interface|host)_\S+$/);
            if (t.top !== undefined)
              expect(Number.isInteger(t.top) && t.top >= 1 && t.top <= 1000).toBe(true);
          } else {
            expect(t.rawQuery).toBe(true);
            expect(t.query).toMatch(/^(SELECT|SHOW) /);
            // Grafana fills in the time range: a query without it would scan everything.
            expect(t.query).toContain('$timeFilter');
          }
        }
      }
    }
  });

  it('variables use provisioned datasources and queries the plugin accepts; panels only use defined variables', () => {
    for (const { dashboard } of dashboards) {
      const defined = new Set(dashboard.templating.list.map((v) => v.name));
      for (const v of dashboard.templating.list) {
        expect(v.type).toBe('query');
        expect(datasourceUids.has(v.datasource?.uid ?? '')).toBe(true);
        if (v.datasource?.uid === 'packetflux') {
          const parsed = normalizeVariableQuery(v.query);
          expect({ variable: v.name, parsed }).toMatchObject({ variable: v.name, parsed: { ok: true } });
          for (const ref of variableRefs(JSON.stringify(v.query))) expect(defined.has(ref)).toBe(true);
        }
      }
      for (const p of dashboard.panels) {
        const texts = [p.title, ...(p.targets ?? []).map((t) => t.target ?? t.query ?? '')];
        for (const ref of texts.flatMap(variableRefs)) {
          expect({ panel: p.title, ref, ok: defined.has(ref) || BUILTIN_VARIABLES.has(ref) }).toEqual({
            panel: p.title,
            ref,
            ok: true,
          });
        }
      }
    }
  });

  it('panels carry units, and series that add up are stacked', () => {
    for (const { dashboard } of dashboards) {
      for (const p of dashboard.panels) {
        if (p.type === 'table') continue;
        const unit = p.fieldConfig?.defaults?.unit;
        expect({ panel: p.title, unit }).toEqual({
          panel: p.title,
          unit: expect.stringMatching(/^(bps|pps|decbytes|short)$/),
        });
        for (const t of p.targets ?? []) {
          if (t.target?.endsWith('_bps')) expect(unit).toBe('bps');
          if (t.target?.endsWith('_pps')) expect(unit).toBe('pps');
          if (t.target?.endsWith('_total_bytes')) expect(unit).toBe('decbytes');
          if (t.target && MULTI_SERIES.test(t.target)) {
            expect({ panel: p.title, stacking: p.fieldConfig?.defaults?.custom?.stacking?.mode }).toEqual({
              panel: p.title,
              stacking: 'normal',
            });
            expect(t.top).toBe(10);
          }
        }
      }
    }
  });

  it('data links open provisioned dashboards with variables those dashboards define', () => {
    const byUid = new Map(dashboards.map((d) => [d.dashboard.uid, d.dashboard]));
    let links = 0;
    for (const { dashboard } of dashboards) {
      for (const p of dashboard.panels) {
        const urls = [
          ...(p.fieldConfig?.defaults?.links ?? []),
          ...(p.fieldConfig?.overrides ?? []).flatMap((o) =>
            o.properties.filter((q) => q.id === 'links').flatMap((q) => q.value as { url: string }[]),
          ),
        ].map((l) => l.url);
        for (const url of urls) {
          links++;
          const m = /^\/d\/([\w-]+)(?:\/[\w-]+)?\?(.*)$/.exec(url);
          expect(m).not.toBeNull();
          const target = byUid.get(m![1]);
          expect(target).toBeDefined();
          const vars = [...m![2].matchAll(/var-(\w+)=|\$\{(\w+):queryparam\}/g)].map((x) => x[1] ?? x[2]);
          const targetVars = new Set(target!.templating.list.map((v) => v.name));
          for (const v of vars) expect({ url, v, ok: targetVars.has(v) }).toEqual({ url, v, ok: true });
        }
      }
    }
    expect(links).toBeGreaterThanOrEqual(3);
    const overview = byUid.get('packetflux-interface')!;
    const tophosts = overview.panels.find((p) => p.targets?.some((t) => t.target?.endsWith('_tophosts_bps')));
    expect(tophosts?.fieldConfig?.defaults?.links?.[0].url).toContain('/d/packetflux-host/');
    expect(tophosts?.fieldConfig?.defaults?.links?.[0].url).toContain('var-host=${__field.labels.host}');
  });

  it('covers what the issue asks for', () => {
    const targets = (uid: string) =>
      dashboards
        .find((d) => d.dashboard.uid === uid)!
        .dashboard.panels.flatMap((p) => p.targets ?? [])
        .map((t) => t.target ?? t.query);
    expect(targets('packetflux-interface')).toEqual(
      expect.arrayContaining([
        'interface_${interface}_traffic_bps',
        'interface_${interface}_traffic_pps',
        'interface_${interface}_traffic_total_bytes',
        'interface_${interface}_allprotocols_bps',
        'interface_${interface}_allcategories_bps',
        'interface_${interface}_tophosts_bps',
        expect.stringMatching(/^SELECT sum\("drops"\) FROM "interface" WHERE /),
      ]),
    );
    expect(targets('packetflux-host')).toEqual(
      expect.arrayContaining([
        'host_${host}_interface_${interface}_traffic_sent_bps',
        'host_${host}_interface_${interface}_traffic_rcvd_bps',
        'host_${host}_interface_${interface}_allprotocols_bps',
      ]),
    );
    expect(targets('packetflux-protocol')).toEqual(
      expect.arrayContaining([
        'interface_${interface}_protocol_${protocol}_bps',
        expect.stringMatching(/top\("bytes", "host", 10\).*FROM "host_l7"/),
      ]),
    );
  });
});

describe('provisioning/alerting', () => {
  const NO_DATA = ['Alerting', 'NoData', 'OK', 'KeepLast'];
  const EXEC_ERR = ['Alerting', 'Error', 'OK', 'KeepLast'];
  let groups: AlertGroup[];
  let text: string;
  let datasourceUids: Set<string>;
  beforeAll(async () => {
    const rendered = await renderAlertRules();
    groups = rendered.flatMap((r) => r.doc.groups);
    text = rendered.map((r) => r.text).join('\n');
    datasourceUids = new Set((await loadDatasources()).map((d) => d.uid));
  });

  it('renders with the defaults: no placeholder is left', () => {
    expect(text).not.toMatch(/\$\{PACKETFLUX_[A-Z0-9_]+(:-[^}]*)?\}/);
    expect(groups.length).toBeGreaterThan(0);
  });

  it('groups and rules have the fields Grafana requires', () => {
    const uids: string[] = [];
    for (const g of groups) {
      expect(g.orgId).toBe(1);
      expect(g.name).toBeTruthy();
      expect(g.folder).toBeTruthy();
      expect(g.interval).toMatch(/^\d+[smh]$/);
      for (const r of g.rules) {
        uids.push(r.uid);
        expect(r.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
        expect(r.title).toBeTruthy();
        expect(r.for).toMatch(/^\d+[smh]$/);
        expect(NO_DATA).toContain(r.noDataState);
        expect(EXEC_ERR).toContain(r.execErrState);
        expect(r.annotations?.summary).toBeTruthy();
        expect(r.labels?.service).toBe('packetflux');
        for (const value of Object.values(r.labels ?? {})) expect(value).not.toContain('$');
      }
    }
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids.sort()).toEqual([
      'packetflux-collector-down',
      'packetflux-host-upload-high',
      'packetflux-interface-throughput-high',
      'packetflux-interface-traffic-stopped',
      'packetflux-protocol-seen',
    ]);
  });

  it('refIds are unique, the condition and every expression name an existing refId, datasources exist', () => {
    for (const r of groups.flatMap((g) => g.rules)) {
      const refIds = r.data.map((d) => d.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      expect(refIds).toContain(r.condition);
      expect(r.data[0].datasourceUid).not.toBe('__expr__');
      for (const d of r.data) {
        expect(d.model.refId).toBe(d.refId);
        if (d.datasourceUid === '__expr__') {
          expect(['reduce', 'threshold', 'math', 'resample', 'classic_conditions']).toContain(d.model.type);
          if (d.model.expression !== undefined) expect(refIds).toContain(d.model.expression);
        } else {
          expect(datasourceUids.has(d.datasourceUid)).toBe(true);
          expect(d.relativeTimeRange?.from).toBeGreaterThan(0);
        }
      }
      const condition = r.data.find((d) => d.refId === r.condition)!;
      expect(condition.model.type).toBe('threshold');
      const params = (condition.model.conditions as { evaluator: { params: unknown[] } }[])[0].evaluator
        .params;
      expect(params.every((p) => typeof p === 'number')).toBe(true);
    }
  });

  it('the traffic-stopped rule fires on no data; thresholds and names come from the environment', async () => {
    const rule = (gs: AlertGroup[], uid: string) => gs.flatMap((g) => g.rules).find((r) => r.uid === uid)!;
    expect(rule(groups, 'packetflux-interface-traffic-stopped').noDataState).toBe('Alerting');
    const threshold = (gs: AlertGroup[], uid: string) =>
      (
        rule(gs, uid).data.find((d) => d.model.type === 'threshold')!.model.conditions as {
          evaluator: { params: number[] };
        }[]
      )[0].evaluator.params[0];
    expect(threshold(groups, 'packetflux-interface-throughput-high')).toBe(800000000);
    expect(rule(groups, 'packetflux-protocol-seen').data[0].model.target).toBe(
      'interface_eth0_protocol_BitTorrent_bps',
    );

    const custom = (
      await renderAlertRules({
        PACKETFLUX_ALERT_INTERFACE: 'br_lan',
        PACKETFLUX_ALERT_THROUGHPUT_BPS: '2.5e9',
        PACKETFLUX_ALERT_STOPPED_FOR: '15m',
        PACKETFLUX_ALERT_HOST_UPLOAD_BPS: '5000000',
        PACKETFLUX_ALERT_PROTOCOL: 'HTTP_Proxy',
      })
    ).flatMap((r) => r.doc.groups);
    expect(threshold(custom, 'packetflux-interface-throughput-high')).toBe(2.5e9);
    expect(threshold(custom, 'packetflux-host-upload-high')).toBe(5000000);
    expect(rule(custom, 'packetflux-interface-traffic-stopped').for).toBe('15m');
    expect(rule(custom, 'packetflux-interface-throughput-high').data[0].model.target).toBe(
      'interface_br_lan_traffic_bps',
    );
    expect(rule(custom, 'packetflux-protocol-seen').data[0].model.target).toBe(
      'interface_br_lan_protocol_HTTP_Proxy_bps',
    );
  });

  it('collector down reads the `probe` heartbeat on InfluxDB and fires on no data, for PACKETFLUX_ALERT_STOPPED_FOR', async () => {
    const find = (gs: AlertGroup[]) =>
      gs.flatMap((g) => g.rules).find((r) => r.uid === 'packetflux-collector-down')!;
    const rule = find(groups);
    expect(rule.noDataState).toBe('Alerting');
    expect(rule.execErrState).toBe('Alerting');
    expect(rule.data[0]).toMatchObject({
      datasourceUid: 'packetflux-influxdb',
      model: { query: expect.stringMatching(/^SELECT count\("up"\) FROM "probe" WHERE \$timeFilter/) },
    });
    // No heartbeat at all (no series) is what fires: the query has no fill() that could invent zeros.
    expect(String(rule.data[0].model.query)).not.toMatch(/fill\(/);
    const threshold = rule.data.find((d) => d.refId === rule.condition)!.model.conditions as {
      evaluator: { type: string; params: number[] };
    }[];
    expect(threshold[0].evaluator).toEqual({ type: 'lt', params: [1] });
    expect(rule.for).toBe('5m');
    const custom = await renderAlertRules({ PACKETFLUX_ALERT_STOPPED_FOR: '2m' });
    expect(find(custom.flatMap((r) => r.doc.groups)).for).toBe('2m');
  });

  it('the renderer refuses a value that could change the YAML around it', async () => {
    await expect(renderAlertRules({ PACKETFLUX_ALERT_PROTOCOL: 'x\n  evil: 1' })).rejects.toThrow(
      /PACKETFLUX_ALERT_PROTOCOL/,
    );
  });
});

describe('docker-compose.yml, .env.example, collector/Dockerfile, systemd unit', () => {
  let compose: Compose;
  let composeText: string;
  let envExample: Map<string, string>;
  beforeAll(async () => {
    composeText = await readFile(join(REPO, 'docker-compose.yml'), 'utf8');
    compose = await readYaml<Compose>(join(REPO, 'docker-compose.yml'));
    envExample = new Map(
      (await readFile(join(REPO, '.env.example'), 'utf8'))
        .split('\n')
        .filter((l) => /^[A-Z0-9_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  });

  it('runs InfluxDB 2, the collector, and Grafana with the plugin and provisioning', () => {
    const { influxdb, collector, grafana } = compose.services;
    expect(influxdb.image).toMatch(/^influxdb:2\.\d+\.\d+$/);
    expect(influxdb.environment).toMatchObject({ DOCKER_INFLUXDB_INIT_MODE: 'setup' });
    expect(influxdb.volumes).toContain('./deploy/influxdb/init:/docker-entrypoint-initdb.d:ro');
    expect(collector.build).toEqual({ context: '.', dockerfile: 'collector/Dockerfile' });
    expect(collector.network_mode).toBe('host');
    expect(collector.cap_add?.sort()).toEqual(['NET_ADMIN', 'NET_RAW']);
    expect(collector.environment?.PACKETFLUX_INTERFACE).toMatch(/^\$\{PACKETFLUX_INTERFACE/);
    expect(grafana.environment?.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS).toBe(PLUGIN.id);
    expect(grafana.volumes).toEqual(
      expect.arrayContaining([
        `./datasource-plugin/dist:/var/lib/grafana/plugins/${PLUGIN.id}:ro`,
        './provisioning/datasources:/etc/grafana/provisioning/datasources:ro',
        './provisioning/dashboards:/etc/grafana/provisioning/dashboards:ro',
        'grafana-alerting:/etc/grafana/provisioning/alerting:ro',
      ]),
    );
    expect(grafana.depends_on?.['grafana-alert-rules']).toEqual({
      condition: 'service_completed_successfully',
    });
    for (const service of Object.values(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0];
        if (source.startsWith('./')) {
          // The plugin's dist/ is built by `npm run build`, everything else is in the repository.
          if (!source.startsWith('./datasource-plugin/dist'))
            expect(existsSync(join(REPO, source))).toBe(true);
        } else {
          expect(Object.keys(compose.volumes)).toContain(source);
        }
      }
    }
  });

  it(`pins a Grafana at least the plugin's grafanaDependency (${PLUGIN.dependencies.grafanaDependency})`, () => {
    const minimum = semver(PLUGIN.dependencies.grafanaDependency);
    for (const name of ['grafana', 'grafana-alert-rules']) {
      const image = compose.services[name].image ?? '';
      expect(image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
      expect(atLeast(semver(image), minimum)).toBe(true);
    }
  });

  it('keeps secrets out of the compose file: every token and password comes from .env and is required', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/TOKEN|PASSWORD/.test(key)) {
          expect({ service: name, key, value }).toEqual({
            service: name,
            key,
            value: expect.stringMatching(/^(Token )?\$\{[A-Z0-9_]+:\?[^}]+\}$/),
          });
        }
      }
    }
    for (const [key, value] of envExample)
      if (/TOKEN|PASSWORD/.test(key)) expect({ key, value }).toEqual({ key, value: '' });
  });

  it('documents every variable the compose file reads in .env.example', () => {
    for (const v of composeVariables(composeText))
      expect({ v, documented: envExample.has(v) }).toEqual({ v, documented: true });
  });

  it('gives Grafana every variable the datasource files read, and the renderer every alert placeholder', async () => {
    const dsText = (await readFile(join(PROVISIONING, 'datasources', 'packetflux.yaml'), 'utf8')).replace(
      /^\s*#.*$/gm,
      '',
    );
    const grafanaEnv = compose.services.grafana.environment ?? {};
    for (const v of new Set([...dsText.matchAll(/\$\{?([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]))) {
      expect({ v, set: v in grafanaEnv }).toEqual({ v, set: true });
    }
    const template = await readFile(join(PROVISIONING, 'alerting', 'packetflux-rules.yaml'), 'utf8');
    const placeholders = new Set(
      [...template.matchAll(/\$\{(PACKETFLUX_[A-Z0-9_]+)(:-[^}]*)?\}/g)].map((m) => m[1]),
    );
    expect(placeholders.size).toBeGreaterThanOrEqual(5);
    const rendererEnv = compose.services['grafana-alert-rules'].environment ?? {};
    for (const v of placeholders) {
      expect({ v, compose: v in rendererEnv, example: envExample.has(v) }).toEqual({
        v,
        compose: true,
        example: true,
      });
    }
  });

  it('builds the collector on node:20-bookworm-slim with libpcap and libndpi at run time', async () => {
    const dockerfile = await readFile(join(REPO, 'collector', 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('node:20-bookworm-slim');
    expect(dockerfile).toMatch(/AS build/);
    expect(dockerfile).toMatch(/libpcap0\.8-dev libndpi-dev/);
    expect(dockerfile).toMatch(/libpcap0\.8 libndpi4\.2/);
    expect(dockerfile).toContain('npm ci --workspace collector');
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "\/opt\/packetflux\/collector\/bin\/packetflux\.js"\]/);
  });

  it('ships a systemd unit with capabilities, a state directory and an environment file', async () => {
    const unit = await readFile(join(REPO, 'deploy', 'systemd', 'packetflux.service'), 'utf8');
    const keys = new Map(
      unit
        .split('\n')
        .filter((l) => /^\w+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(keys.get('ExecStart')).toBe('/usr/bin/node /opt/packetflux/collector/bin/packetflux.js capture');
    expect(keys.get('AmbientCapabilities')).toBe('CAP_NET_RAW CAP_NET_ADMIN');
    expect(keys.get('StateDirectory')).toBe('packetflux');
    expect(keys.get('EnvironmentFile')).toBe('/etc/packetflux/packetflux.env');
    expect(keys.get('Restart')).toBe('on-failure');
    expect(keys.get('DynamicUser')).toBe('yes');
    const env = await readFile(join(REPO, 'deploy', 'systemd', 'packetflux.env.example'), 'utf8');
    expect(env).toMatch(/^PACKETFLUX_INTERFACE=/m);
    expect(env).toMatch(/^PACKETFLUX_INFLUX_URL=/m);
  });
});

describe('docker-compose.yml as a compose client reads it', () => {
  it('`docker-compose config` accepts the file with the .env.example settings (secrets filled in)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'packetflux-compose-'));
    try {
      await copyFile(join(REPO, 'docker-compose.yml'), join(dir, 'docker-compose.yml'));
      const env = readFileSync(join(REPO, '.env.example'), 'utf8').replace(
        /^([A-Z0-9_]*(?:TOKEN|PASSWORD)[A-Z0-9_]*)=$/gm,
        '$1=test-secret',
      );
      await writeFile(join(dir, '.env'), env);
      const { stdout } = await promisify(execFile)('docker-compose', ['config'], { cwd: dir });
      expect(stdout).toMatch(/^services:/m);
      for (const service of ['influxdb:', 'collector:', 'grafana:']) expect(stdout).toContain(service);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
