import { DataSourcePlugin } from '@grafana/data';

import { DataSource } from './datasource';
import { ConfigEditor } from './editors/ConfigEditor';
import { QueryEditor } from './editors/QueryEditor';
import type { PacketFluxOptions, PacketFluxSecureJsonData } from './types/config';
import type { PacketFluxQuery } from './types/query';

// Wiring only. The variable editor is wired through DataSource.variables (variable-support.ts).
export const plugin = new DataSourcePlugin<DataSource, PacketFluxQuery, PacketFluxOptions, PacketFluxSecureJsonData>(
  DataSource
)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
