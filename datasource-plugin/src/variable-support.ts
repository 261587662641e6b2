import type { ComponentType } from 'react';
import { CustomVariableSupport, type DataQueryRequest, type DataQueryResponse } from '@grafana/data';
import { from, map, type Observable } from 'rxjs';

import type {
  EditorDataSource,
  InterfaceOptionSource,
  PacketFluxVariableEditorProps,
  VariableQuerySource,
} from './types/datasource';
import type { PacketFluxVariableQuery } from './types/variables';

/**
 * Template variables of kind "Query": the editor and how their values are fetched. The editor is
 * UI, so module.ts hands it in; this file and datasource.ts import no UI.
 */
export class PacketFluxVariableSupport extends CustomVariableSupport<
  EditorDataSource<InterfaceOptionSource>,
  PacketFluxVariableQuery
> {
  constructor(
    private readonly datasource: VariableQuerySource,
    readonly editor: ComponentType<PacketFluxVariableEditorProps>
  ) {
    super();
  }

  query(request: DataQueryRequest<PacketFluxVariableQuery>): Observable<DataQueryResponse> {
    const [query] = request.targets;
    return from(this.datasource.metricFindQuery(query, { scopedVars: request.scopedVars, range: request.range })).pipe(
      map((values) => ({ data: values }))
    );
  }
}
