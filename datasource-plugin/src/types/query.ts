import type { DataQuery } from '@grafana/schema';

/** One PacketFlux query as dashboards and alert rules save it. */
export interface PacketFluxQuery extends DataQuery {
  /** Metric name as typed; may hold template variables, e.g. `interface_$if_traffic_bps`. */
  target?: string;
  /** Top N series of a multi-series metric; everything else is summed into `Other`. */
  top?: number;
  /** Series name with `{{ifname}}`, `{{host}}`, `{{proto}}`, `{{category}}` placeholders, rendered by the API. */
  legendFormat?: string;
  /**
   * Metric names after template interpolation, one per combination of multi-value variable
   * values. Set by `applyTemplateVariables` just before the request; never saved.
   */
  targets?: string[];
}

/** The API's default top N (DESIGN.md). */
export const DEFAULT_TOP = 10;
/** The API and the backend refuse a larger top N. */
export const MAX_TOP = 1000;

export const DEFAULT_QUERY: Partial<PacketFluxQuery> = {
  target: '',
  legendFormat: '',
};

/** Placeholders a legend format may use; the API renders them (name: the series' own name, metric: the metric name). */
export const LEGEND_LABELS = ['ifname', 'host', 'proto', 'category', 'probe', 'name', 'metric'] as const;
