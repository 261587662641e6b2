import fs from 'fs';
import path from 'path';

import pluginJson from './plugin.json';

/**
 * The rules of Grafana's plugin.json schema (docs/sources/developers/plugins/plugin.schema.json)
 * this plugin relies on, plus the links between plugin.json and the rest of the package.
 */
const ID_PATTERN = /^[0-9a-z]+-([0-9a-z]+-)?(app|panel|datasource|secretsmanager|transformer)$/;
const TYPES = ['app', 'datasource', 'panel', 'renderer', 'secretsmanager', 'transformer'];
const TOP_LEVEL_KEYS = [
  '$schema',
  'alerting',
  'annotations',
  'autoEnabled',
  'backend',
  'builtIn',
  'category',
  'dependencies',
  'enterpriseFeatures',
  'executable',
  'hideFromList',
  'id',
  'includes',
  'info',
  'logs',
  'metrics',
  'name',
  'pascalName',
  'preload',
  'queryOptions',
  'routes',
  'skipDataQuery',
  'state',
  'streaming',
  'tracing',
  'type',
];
const INFO_KEYS = ['author', 'build', 'description', 'keywords', 'links', 'logos', 'screenshots', 'updated', 'version'];
const VERSION_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)|(%VERSION%)$/;
const UPDATED_PATTERN = /^(\d{4}-\d{2}-\d{2}|%TODAY%)$/;
const GRAFANA_DEPENDENCY_PATTERN =
  /^(<=|>=|<|>|=|~|\^)?([0-9]+)(\.[0-9x*]+)(\.[0-9x*]+)?(\s(<=|>=|<|=>)?([0-9]+)(\.[0-9x]+)(\.[0-9x]+))?$/;

const root = path.resolve(__dirname, '..');
const json = pluginJson as Record<string, unknown> & typeof pluginJson;

describe('plugin.json', () => {
  it('has the required properties and no unknown ones', () => {
    for (const key of ['type', 'name', 'id', 'info', 'dependencies']) {
      expect(json).toHaveProperty(key);
    }
    expect(Object.keys(json).filter((k) => !TOP_LEVEL_KEYS.includes(k))).toEqual([]);
    expect(Object.keys(json.info).filter((k) => !INFO_KEYS.includes(k))).toEqual([]);
  });

  it('names a datasource with a valid id', () => {
    expect(json.id).toBe('packetflux-traffic-datasource');
    expect(json.id).toMatch(ID_PATTERN);
    expect(TYPES).toContain(json.type);
    expect(json.type).toBe('datasource');
    expect(json.name.trim()).not.toBe('');
  });

  it('has the info Grafana requires', () => {
    expect(json.info.keywords.length).toBeGreaterThanOrEqual(1);
    expect(json.info.version).toMatch(VERSION_PATTERN);
    expect(json.info.updated).toMatch(UPDATED_PATTERN);
    for (const logo of [json.info.logos.small, json.info.logos.large]) {
      expect(logo).toMatch(/\.svg$/);
      expect(fs.existsSync(path.join(__dirname, logo))).toBe(true);
    }
  });

  it('declares a Grafana version it was built against', () => {
    const dep = json.dependencies.grafanaDependency;
    expect(dep).toMatch(GRAFANA_DEPENDENCY_PATTERN);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const built = pkg.dependencies['@grafana/data'] as string;
    const min = /^>=(\d+\.\d+\.\d+)$/.exec(dep)?.[1];
    expect(min).toBeDefined();
    const [major, minor] = built.split('.').map(Number);
    const [minMajor, minMinor] = (min as string).split('.').map(Number);
    expect(major * 1000 + minor).toBeGreaterThanOrEqual(minMajor * 1000 + minMinor);
    for (const p of ['@grafana/runtime', '@grafana/ui', '@grafana/schema']) {
      expect(pkg.dependencies[p]).toBe(built);
    }
  });

  it('is a backend datasource that can alert, with an executable the build produces', () => {
    expect(json.metrics).toBe(true);
    expect(json.backend).toBe(true);
    expect(json.alerting).toBe(true);
    expect(json.executable).toBe('gpx_packetflux');
    const buildScript = fs.readFileSync(path.join(root, 'scripts', 'build-backend.sh'), 'utf8');
    expect(buildScript).toContain('linux/amd64');
    expect(buildScript).toContain('linux/arm64');
    expect(buildScript).toContain("require('./src/plugin.json').executable");
  });

  it('has the same id as the Go backend', () => {
    const goSource = fs.readFileSync(path.join(root, 'pkg', 'plugin', 'datasource.go'), 'utf8');
    expect(goSource).toContain(`const PluginID = "${json.id}"`);
  });
});
