import { DataSourcePlugin, type DataSourceInstanceSettings } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

import { DataSource } from './datasource';
import { ConfigEditor } from './editors/ConfigEditor';
import { QueryEditor } from './editors/QueryEditor';
import { VariableQueryEditor } from './editors/VariableQueryEditor';
import type { PacketFluxOptions, PacketFluxSecureJsonData } from './types/config';
import type { PacketFluxQuery } from './types/query';
import { PacketFluxVariableSupport } from './variable-support';

// Wiring only.

/**
 * The data source Grafana constructs: DataSource, which holds no UI, with its template variable
 * support and that support's editor handed in.
 */
export class PacketFluxDataSource extends DataSource {
  constructor(instanceSettings: DataSourceInstanceSettings<PacketFluxOptions>, templateSrv?: TemplateSrv) {
    super(instanceSettings, templateSrv);
    this.variables = new PacketFluxVariableSupport(this, VariableQueryEditor);
  }
}

export const plugin = new DataSourcePlugin<DataSource, PacketFluxQuery, PacketFluxOptions, PacketFluxSecureJsonData>(
  PacketFluxDataSource
)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
