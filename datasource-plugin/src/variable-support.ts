import { CustomVariableSupport, type DataQueryRequest, type DataQueryResponse } from '@grafana/data';
import { from, map, type Observable } from 'rxjs';

import type { DataSource } from './datasource';
import { VariableQueryEditor } from './editors/VariableQueryEditor';
import type { PacketFluxVariableQuery } from './types/variables';

/** Template variables of kind "Query": the editor and how their values are fetched. */
export class PacketFluxVariableSupport extends CustomVariableSupport<DataSource, PacketFluxVariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: DataSource) {
    super();
  }

  query(request: DataQueryRequest<PacketFluxVariableQuery>): Observable<DataQueryResponse> {
    const [query] = request.targets;
    return from(this.datasource.metricFindQuery(query, { scopedVars: request.scopedVars, range: request.range })).pipe(
      map((values) => ({ data: values }))
    );
  }
}
