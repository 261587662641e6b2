import type { DataSourceInstanceSettings, DataSourcePluginMeta } from '@grafana/data';

import type { PacketFluxOptions } from '../types/config';

export function instanceSettings(jsonData: PacketFluxOptions = {}): DataSourceInstanceSettings<PacketFluxOptions> {
  return {
    uid: 'pf-uid',
    type: 'packetflux-traffic-datasource',
    name: 'PacketFlux',
    access: 'proxy',
    readOnly: false,
    jsonData,
    meta: { id: 'packetflux-traffic-datasource', info: { version: '0.1.0' } } as unknown as DataSourcePluginMeta,
  };
}
