import type {
  DataSourceInstanceSettings,
  LegacyMetricFindQueryOptions,
  MetricFindValue,
  ScopedVars,
} from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv, type TemplateSrv } from '@grafana/runtime';

import { expandTemplate, interpolateFirst } from './template-expansion';
import type { PacketFluxOptions } from './types/config';
import type { InterfaceOptionSource, MetricOptionSource, VariableQuerySource } from './types/datasource';
import type { MetricInfo } from './types/metrics';
import { DEFAULT_QUERY, type PacketFluxQuery } from './types/query';
import type { PacketFluxVariableQuery, VariableValue } from './types/variables';
import { formatVariableQuery, normalizeVariableQuery } from './variable-query';

/**
 * The PacketFlux data source in the browser. Queries go to the Go backend through Grafana
 * (`/api/ds/query`), look-ups through resource calls (`search`, `metrics`, `variables`); the
 * API token never comes here. No UI lives in this file: module.ts wires the editors, and the
 * template variable support with its editor (`PacketFluxDataSource`).
 */
export class DataSource
  extends DataSourceWithBackend<PacketFluxQuery, PacketFluxOptions>
  implements MetricOptionSource, InterfaceOptionSource, VariableQuerySource
{
  private readonly injectedTemplateSrv?: TemplateSrv;

  /** `templateSrv` is for tests; Grafana passes only the settings. */
  constructor(instanceSettings: DataSourceInstanceSettings<PacketFluxOptions>, templateSrv?: TemplateSrv) {
    super(instanceSettings);
    this.injectedTemplateSrv = templateSrv;
  }

  private get templateSrv(): TemplateSrv {
    return this.injectedTemplateSrv ?? getTemplateSrv();
  }

  getDefaultQuery(): Partial<PacketFluxQuery> {
    return DEFAULT_QUERY;
  }

  /** Queries without a metric name are not sent. */
  filterQuery(query: PacketFluxQuery): boolean {
    return !query.hide && (query.target ?? '').trim() !== '';
  }

  /**
   * Interpolates dashboard variables before the request leaves the browser: `targets` gets one
   * metric name per combination of multi-value variable values, and the legend format its
   * variables (`{{label}}` placeholders are left for the backend). `$__interval` reaches the
   * backend as the request's interval.
   */
  applyTemplateVariables(query: PacketFluxQuery, scopedVars: ScopedVars): PacketFluxQuery {
    const target = (query.target ?? '').trim();
    return {
      ...query,
      target,
      targets: target === '' ? [] : expandTemplate(this.templateSrv, target, scopedVars),
      legendFormat: query.legendFormat ? this.templateSrv.replace(query.legendFormat, scopedVars) : query.legendFormat,
    };
  }

  /** For the "Query inspector" and Explore: what would be sent. */
  interpolateVariablesInQueries(queries: PacketFluxQuery[], scopedVars: ScopedVars): PacketFluxQuery[] {
    return queries.map((q) => this.applyTemplateVariables(q, scopedVars));
  }

  /**
   * Values of a template variable: `interfaces`, `hosts(<if>)`, `protocols(<if>)`,
   * `categories(<if>)`, as the variable editor's object or as text. A multi-value interface
   * variable lists the union over its interfaces.
   */
  async metricFindQuery(
    query: PacketFluxVariableQuery | string,
    options?: LegacyMetricFindQueryOptions
  ): Promise<MetricFindValue[]> {
    const parsed = normalizeVariableQuery(query);
    if (!parsed.ok) {
      throw new Error(parsed.reason);
    }
    const { kind, ifname } = parsed.query;
    const interfaces =
      kind === 'interfaces' ? [undefined] : expandTemplate(this.templateSrv, ifname ?? '', options?.scopedVars);

    const seen = new Set<string>();
    const values: MetricFindValue[] = [];
    for (const iface of interfaces) {
      const answer = await this.getResource<VariableValue[]>('variables', {
        query: formatVariableQuery({ kind, ifname: iface }),
      });
      for (const v of answer ?? []) {
        if (!seen.has(v.value)) {
          seen.add(v.value);
          values.push({ text: v.text, value: v.value });
        }
      }
    }
    return values;
  }

  /** Metric names matching a prefix, best first (at most 100, the API's limit). */
  async searchMetrics(prefix: string): Promise<string[]> {
    const names = await this.getResource<string[]>('search', { target: prefix });
    return Array.isArray(names) ? names : [];
  }

  /** The metric catalog with units and descriptions. */
  async listMetrics(prefix = '', limit = 100): Promise<MetricInfo[]> {
    const metrics = await this.getResource<MetricInfo[]>('metrics', { prefix, limit });
    return Array.isArray(metrics) ? metrics : [];
  }

  /** The collector's interfaces, for pickers. */
  async listInterfaces(): Promise<string[]> {
    const values = await this.metricFindQuery('interfaces');
    return values.map((v) => String(v.value ?? v.text));
  }

  getVariableNames(): string[] {
    return this.templateSrv.getVariables().map((v) => v.name);
  }

  interpolateFirst(text: string, scopedVars?: ScopedVars): string {
    return interpolateFirst(this.templateSrv, text, scopedVars);
  }
}
