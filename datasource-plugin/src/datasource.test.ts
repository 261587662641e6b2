import { type DataQueryRequest, type DataQueryResponse, dateTime, FieldType } from '@grafana/data';
import type { BackendSrvRequest } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import { DataSource } from './datasource';
import { VariableQueryEditor } from './editors/VariableQueryEditor';
import { createMetricOptionLoader } from './metric-options';
import { PacketFluxDataSource, plugin } from './module';
import { installFakeBackendSrv } from './test-support/fake-backend-srv';
import { FakeTemplateSrv } from './test-support/fake-template-srv';
import { instanceSettings } from './test-support/instance-settings';
import type { PacketFluxQuery } from './types/query';
import type { PacketFluxVariableQuery } from './types/variables';

const templateSrv = new FakeTemplateSrv({ if: ['eth0', 'br_lan'], one: 'eth0', proto: ['TLS', 'DNS'] });

function newDataSource() {
  return new DataSource(instanceSettings({ url: 'http://localhost:3001' }), templateSrv);
}

function request(targets: PacketFluxQuery[]): DataQueryRequest<PacketFluxQuery> {
  const to = dateTime('2025-03-01T12:00:00Z');
  const from = dateTime('2025-03-01T06:00:00Z');
  return {
    requestId: 'r1',
    interval: '30s',
    intervalMs: 30000,
    maxDataPoints: 720,
    range: { from, to, raw: { from: 'now-6h', to: 'now' } },
    scopedVars: { __interval: { text: '30s', value: '30s' }, __interval_ms: { text: '30000', value: 30000 } },
    targets,
    timezone: 'UTC',
    app: 'dashboard',
    startTime: 0,
  };
}

/** A frame as the Go backend writes it (data plane JSON). */
const bpsFrame = {
  schema: {
    name: 'TLS',
    refId: 'A',
    meta: { type: 'timeseries-multi', typeVersion: [0, 1] },
    fields: [
      { name: 'Time', type: 'time', typeInfo: { frame: 'time.Time' } },
      {
        name: 'Value',
        type: 'number',
        typeInfo: { frame: 'float64', nullable: true },
        labels: { ifname: 'eth0', proto: 'TLS' },
        config: { unit: 'bps', displayNameFromDS: 'TLS on eth0' },
      },
    ],
  },
  data: {
    values: [
      [1740830340000, 1740830370000],
      [1200, null],
    ],
  },
};

describe('DataSource', () => {
  describe('applyTemplateVariables', () => {
    const ds = newDataSource();

    it('expands a multi-value variable into one target per value', () => {
      const q = ds.applyTemplateVariables({ refId: 'A', target: 'interface_$if_traffic_bps' }, {});
      expect(q.targets).toEqual(['interface_eth0_traffic_bps', 'interface_br_lan_traffic_bps']);
      expect(q.target).toBe('interface_$if_traffic_bps');
    });

    it('combines variables and keeps single values single', () => {
      expect(
        ds.applyTemplateVariables({ refId: 'A', target: 'interface_$one_protocol_${proto}_bps' }, {}).targets
      ).toEqual(['interface_eth0_protocol_TLS_bps', 'interface_eth0_protocol_DNS_bps']);
      expect(ds.applyTemplateVariables({ refId: 'A', target: ' interface_eth0_traffic_bps ' }, {}).targets).toEqual([
        'interface_eth0_traffic_bps',
      ]);
    });

    it('interpolates the legend but keeps {{label}} placeholders', () => {
      const q = ds.applyTemplateVariables(
        { refId: 'A', target: 'x', legendFormat: '{{proto}} on $one every $__interval' },
        {
          __interval: { text: '30s', value: '30s' },
        }
      );
      expect(q.legendFormat).toBe('{{proto}} on eth0 every 30s');
    });

    it('filters out queries without a metric and hidden ones', () => {
      expect(ds.filterQuery({ refId: 'A', target: ' ' })).toBe(false);
      expect(ds.filterQuery({ refId: 'A', target: 'interface_eth0_traffic_bps', hide: true })).toBe(false);
      expect(ds.filterQuery({ refId: 'A', target: 'interface_eth0_traffic_bps' })).toBe(true);
    });
  });

  describe('query', () => {
    it('sends interpolated targets, interval and max data points to the backend, and keeps units and labels', async () => {
      const { requests } = installFakeBackendSrv(() => ({
        data: { results: { A: { status: 200, frames: [bpsFrame] } } },
      }));
      const ds = newDataSource();
      const response: DataQueryResponse = await lastValueFrom(
        ds.query(
          request([
            { refId: 'A', target: 'interface_$if_allprotocols_bps', top: 5, legendFormat: '{{proto}} on {{ifname}}' },
          ])
        )
      );

      expect(requests).toHaveLength(1);
      expect(requests[0].url).toContain('/api/ds/query');
      const body = requests[0].data as { from: string; to: string; queries: Array<Record<string, unknown>> };
      expect(body.from).toBe(String(Date.parse('2025-03-01T06:00:00Z')));
      expect(body.queries[0]).toMatchObject({
        refId: 'A',
        target: 'interface_$if_allprotocols_bps',
        targets: ['interface_eth0_allprotocols_bps', 'interface_br_lan_allprotocols_bps'],
        top: 5,
        legendFormat: '{{proto}} on {{ifname}}',
        intervalMs: 30000,
        maxDataPoints: 720,
        datasource: { uid: 'pf-uid', type: 'packetflux-traffic-datasource' },
      });

      expect(response.errors ?? []).toEqual([]);
      const frame = response.data[0];
      const value = frame.fields.find((f: { type: FieldType }) => f.type === FieldType.number);
      expect(value.config.unit).toBe('bps');
      expect(value.config.displayNameFromDS).toBe('TLS on eth0');
      expect(value.labels).toEqual({ ifname: 'eth0', proto: 'TLS' });
      expect(frame.fields[0].type).toBe(FieldType.time);
    });

    it('shows the backend error of a query', async () => {
      installFakeBackendSrv(() => ({
        data: {
          results: { A: { status: 400, error: 'PacketFlux API rejected the query: unknown interface "wlan9"' } },
        },
      }));
      const response = await lastValueFrom(
        newDataSource().query(request([{ refId: 'A', target: 'interface_wlan9_traffic_bps' }]))
      );
      expect(response.errors?.[0].message).toContain('unknown interface "wlan9"');
    });
  });

  describe('testDatasource', () => {
    it('reports the backend health check', async () => {
      const { requests } = installFakeBackendSrv(() => ({
        data: { status: 'OK', message: 'PacketFlux API reachable; InfluxDB OK; last write 12 s ago' },
      }));
      await expect(newDataSource().testDatasource()).resolves.toEqual({
        status: 'success',
        message: 'PacketFlux API reachable; InfluxDB OK; last write 12 s ago',
      });
      expect(requests[0].url).toBe('/api/datasources/uid/pf-uid/health');
    });

    it('rejects with the failure in words', async () => {
      installFakeBackendSrv(() => ({
        data: {
          status: 'ERROR',
          message: 'Cannot reach the PacketFlux API at http://localhost:3001: connection refused',
        },
      }));
      await expect(newDataSource().testDatasource()).rejects.toMatchObject({
        status: 'error',
        message: 'Cannot reach the PacketFlux API at http://localhost:3001: connection refused',
      });
    });
  });

  describe('variables', () => {
    const answers: Record<string, Array<{ text: string; value: string }>> = {
      interfaces: [
        { text: 'eth0', value: 'eth0' },
        { text: 'br_lan', value: 'br_lan' },
      ],
      'hosts(eth0)': [
        { text: '10.0.0.5', value: '10.0.0.5' },
        { text: '10.0.0.9', value: '10.0.0.9' },
      ],
      'hosts(br_lan)': [
        { text: '10.0.0.9', value: '10.0.0.9' },
        { text: '192.168.1.2', value: '192.168.1.2' },
      ],
    };
    const route = (req: BackendSrvRequest) => ({ data: answers[(req.params as { query: string }).query] ?? [] });

    it('lists interfaces through the variables resource', async () => {
      const { requests } = installFakeBackendSrv(route);
      const values = await newDataSource().metricFindQuery('interfaces');
      expect(values).toEqual(answers.interfaces);
      expect(requests[0].url).toBe('/api/datasources/uid/pf-uid/resources/variables');
      expect(requests[0].params).toEqual({ query: 'interfaces' });
    });

    it('lists the union over a multi-value interface variable', async () => {
      const { requests } = installFakeBackendSrv(route);
      const values = await newDataSource().metricFindQuery({ refId: 'V', kind: 'hosts', ifname: '$if' });
      expect(requests.map((r) => (r.params as { query: string }).query)).toEqual(['hosts(eth0)', 'hosts(br_lan)']);
      expect(values.map((v) => v.value)).toEqual(['10.0.0.5', '10.0.0.9', '192.168.1.2']);
    });

    it('refuses a query it cannot read', async () => {
      installFakeBackendSrv(route);
      await expect(newDataSource().metricFindQuery('flows(eth0)')).rejects.toThrow('not a PacketFlux variable query');
    });

    it('answers the variable editor through CustomVariableSupport', async () => {
      installFakeBackendSrv(route);
      // The variable support holds UI (its editor), so module.ts wires it: Grafana constructs
      // the plugin's class, not the UI-free DataSource.
      expect(plugin.DataSourceClass).toBe(PacketFluxDataSource);
      const ds = new PacketFluxDataSource(instanceSettings({ url: 'http://localhost:3001' }), templateSrv);
      const support = ds.variables as unknown as {
        editor: unknown;
        query: (r: DataQueryRequest<PacketFluxVariableQuery>) => ReturnType<DataSource['query']>;
      };
      expect(support.editor).toBe(VariableQueryEditor);
      const req = request([]) as unknown as DataQueryRequest<PacketFluxVariableQuery>;
      req.targets = [{ refId: 'V', kind: 'hosts', ifname: 'eth0' }];
      const response = await lastValueFrom(support.query(req));
      expect(response.data).toEqual(answers['hosts(eth0)']);
    });
  });

  describe('look-ups', () => {
    it('searches metric names through the search resource', async () => {
      const { requests } = installFakeBackendSrv(() => ({ data: ['interface_eth0_traffic_bps'] }));
      await expect(newDataSource().searchMetrics('interface_e')).resolves.toEqual(['interface_eth0_traffic_bps']);
      expect(requests[0]).toMatchObject({
        method: 'GET',
        url: '/api/datasources/uid/pf-uid/resources/search',
        params: { target: 'interface_e' },
      });
    });

    it('lists the catalog through the metrics resource', async () => {
      const { requests } = installFakeBackendSrv(() => ({
        data: [{ name: 'interface_eth0_traffic_bps', unit: 'bps' }],
      }));
      await expect(newDataSource().listMetrics('interface_')).resolves.toEqual([
        { name: 'interface_eth0_traffic_bps', unit: 'bps' },
      ]);
      expect(requests[0].params).toEqual({ prefix: 'interface_', limit: 100 });
    });

    it('feeds the metric picker: search resource, template variables, names written back', async () => {
      const { requests } = installFakeBackendSrv(() => ({
        data: ['interface_eth0_traffic_bps', 'interface_eth0_traffic_pps', 'interface_eth0_traffic_total_bytes'],
      }));
      const options = await createMetricOptionLoader(newDataSource())('interface_$if_traffic_');
      expect(requests[0].params).toEqual({ target: 'interface_eth0_traffic_' });
      expect(options.map((o) => o.value)).toEqual([
        'interface_$if_traffic_bps',
        'interface_$if_traffic_pps',
        'interface_$if_traffic_total_bytes',
      ]);
      expect(options[2].description).toBe('bytes since the start of the range');
    });

    it('knows the dashboard variables', () => {
      expect(newDataSource().getVariableNames()).toEqual(['if', 'one', 'proto']);
    });
  });
});
