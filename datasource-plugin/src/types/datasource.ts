import type { DataSourceApi, LegacyMetricFindQueryOptions, MetricFindValue, QueryEditorProps } from '@grafana/data';

import type { PacketFluxOptions } from './config';
import type { PacketFluxQuery } from './query';
import type { PacketFluxVariableQuery } from './variables';

// What the editors and the variable support need from the data source. They depend on these
// interfaces, never on the DataSource class (datasource.ts), which implements them all; module.ts
// alone brings the class and the UI together. So imports stay one-way.

/** What the metric picker needs from the data source. */
export interface MetricOptionSource {
  /** Metric names matching a prefix, best first (the `search` resource). */
  searchMetrics(prefix: string): Promise<string[]>;
  /** Names of the dashboard's template variables, without `$`. */
  getVariableNames(): string[];
  /** Interpolates variables with their first value. */
  interpolateFirst(text: string): string;
}

/** What the interface picker of the variable editor needs from the data source. */
export interface InterfaceOptionSource {
  listInterfaces(): Promise<string[]>;
  getVariableNames(): string[];
}

/** What template variables of kind "Query" need from the data source: a variable's values. */
export interface VariableQuerySource {
  metricFindQuery(
    query: PacketFluxVariableQuery | string,
    options?: LegacyMetricFindQueryOptions
  ): Promise<MetricFindValue[]>;
}

/** The data source as Grafana hands it to an editor: a DataSourceApi with the look-ups `S` the editor calls. */
export type EditorDataSource<S> = DataSourceApi<PacketFluxQuery, PacketFluxOptions> & S;

/** Props of the query editor (editors/QueryEditor.tsx). */
export type PacketFluxQueryEditorProps = QueryEditorProps<
  EditorDataSource<MetricOptionSource>,
  PacketFluxQuery,
  PacketFluxOptions
>;

/** Props of the variable editor (editors/VariableQueryEditor.tsx). */
export type PacketFluxVariableEditorProps = QueryEditorProps<
  EditorDataSource<InterfaceOptionSource>,
  PacketFluxQuery,
  PacketFluxOptions,
  PacketFluxVariableQuery
>;
