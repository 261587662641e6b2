import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

/** Grafana provisioning of the repository, read as Grafana reads it. */
export const REPO = join(__dirname, '..', '..');
export const PROVISIONING = join(REPO, 'provisioning');
export const RENDER_ALERT_RULES = join(REPO, 'deploy', 'grafana', 'render-alert-rules.sh');
/** Where docker-compose mounts provisioning/ in the Grafana container. */
export const GRAFANA_PROVISIONING = '/etc/grafana/provisioning';

export interface DatasourceRef {
  type?: string;
  uid?: string;
}

export interface ProvisionedDatasource {
  name: string;
  type: string;
  uid: string;
  access: string;
  url: string;
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, unknown>;
}

export interface PanelTarget {
  refId?: string;
  datasource?: DatasourceRef;
  target?: string;
  top?: number;
  legendFormat?: string;
  query?: string;
  rawQuery?: boolean;
  resultFormat?: string;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: DatasourceRef;
  targets?: PanelTarget[];
  fieldConfig?: {
    defaults?: { unit?: string; links?: { url: string }[]; custom?: { stacking?: { mode?: string } } };
    overrides?: { matcher: { id: string; options: string }; properties: { id: string; value: unknown }[] }[];
  };
}

export interface Variable {
  name: string;
  type: string;
  datasource?: DatasourceRef;
  query: unknown;
  definition?: string;
  multi?: boolean;
  includeAll?: boolean;
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

export interface AlertQuery {
  refId: string;
  datasourceUid: string;
  relativeTimeRange?: { from: number; to: number };
  model: Record<string, unknown> & { refId?: string; type?: string; expression?: string };
}

export interface AlertRule {
  uid: string;
  title: string;
  condition: string;
  data: AlertQuery[];
  for: string;
  noDataState: string;
  execErrState: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  dashboardUid?: string;
  panelId?: number;
}

export interface AlertGroup {
  orgId: number;
  name: string;
  folder: string;
  interval: string;
  rules: AlertRule[];
}

async function yamlFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(dir, f));
}

export async function readYaml<T>(file: string): Promise<T> {
  return parse(await readFile(file, 'utf8')) as T;
}

export async function loadDatasourceFiles(): Promise<
  { file: string; doc: { apiVersion: number; datasources: ProvisionedDatasource[] } }[]
> {
  const files = await yamlFiles(join(PROVISIONING, 'datasources'));
  return Promise.all(files.map(async (file) => ({ file, doc: await readYaml(file) })));
}

export async function loadDatasources(): Promise<ProvisionedDatasource[]> {
  return (await loadDatasourceFiles()).flatMap((f) => f.doc.datasources);
}

export interface DashboardProvider {
  name: string;
  type: string;
  folder?: string;
  options: { path: string };
}

export async function loadProviderFiles(): Promise<
  { file: string; doc: { apiVersion: number; providers: DashboardProvider[] } }[]
> {
  const files = await yamlFiles(join(PROVISIONING, 'dashboards'));
  return Promise.all(files.map(async (file) => ({ file, doc: await readYaml(file) })));
}

/** A provider's path inside the Grafana container, mapped back to the repository. */
export function repoPathOf(grafanaPath: string): string {
  if (!grafanaPath.startsWith(`${GRAFANA_PROVISIONING}/`)) {
    throw new Error(`provider path ${grafanaPath} is not under ${GRAFANA_PROVISIONING}`);
  }
  return join(PROVISIONING, grafanaPath.slice(GRAFANA_PROVISIONING.length + 1));
}

/** Every dashboard the providers load, with its file. */
export async function loadDashboards(): Promise<{ file: string; dashboard: Dashboard }[]> {
  const out: { file: string; dashboard: Dashboard }[] = [];
  for (const { doc } of await loadProviderFiles()) {
    for (const provider of doc.providers) {
      const dir = repoPathOf(provider.options.path);
      for (const name of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
        const file = join(dir, name);
        out.push({ file, dashboard: JSON.parse(await readFile(file, 'utf8')) as Dashboard });
      }
    }
  }
  return out;
}

/**
 * Renders provisioning/alerting with deploy/grafana/render-alert-rules.sh, as docker-compose
 * does, and parses the result. `env` adds to a clean environment (no PACKETFLUX_* from outside).
 */
export async function renderAlertRules(
  env: Record<string, string> = {},
): Promise<{ file: string; text: string; doc: { apiVersion: number; groups: AlertGroup[] } }[]> {
  const out = await mkdtemp(join(tmpdir(), 'packetflux-alerting-'));
  try {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('PACKETFLUX_')),
    ) as Record<string, string>;
    await promisify(execFile)('sh', [RENDER_ALERT_RULES, join(PROVISIONING, 'alerting'), out], {
      env: { ...clean, ...env },
    });
    const files = await yamlFiles(out);
    return await Promise.all(
      files.map(async (file) => {
        const text = await readFile(file, 'utf8');
        return { file, text, doc: parse(text) as { apiVersion: number; groups: AlertGroup[] } };
      }),
    );
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** Template variables a text refers to: `$name`, `${name}`, `${name:format}`, `[[name]]`. */
export function variableRefs(text: string): string[] {
  const refs = new Set<string>();
  for (const m of text.matchAll(/\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)\]\]/g))
    refs.add(m[1] ?? m[2] ?? m[3]);
  return [...refs];
}
