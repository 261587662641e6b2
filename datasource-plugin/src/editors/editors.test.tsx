import React from 'react';
import type { DataSourceSettings } from '@grafana/data';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';

import { DataSource } from '../datasource';
import { installFakeBackendSrv } from '../test-support/fake-backend-srv';
import { FakeTemplateSrv } from '../test-support/fake-template-srv';
import { instanceSettings } from '../test-support/instance-settings';
import type { PacketFluxOptions, PacketFluxSecureJsonData } from '../types/config';
import type { PacketFluxQuery } from '../types/query';
import { ConfigEditor } from './ConfigEditor';
import { QueryEditor } from './QueryEditor';
import { VariableQueryEditor } from './VariableQueryEditor';

const datasource = new DataSource(
  instanceSettings({ url: 'http://localhost:3001' }),
  new FakeTemplateSrv({ if: 'eth0' })
);

function settings(
  patch: Partial<DataSourceSettings<PacketFluxOptions, PacketFluxSecureJsonData>> = {}
): DataSourceSettings<PacketFluxOptions, PacketFluxSecureJsonData> {
  return {
    id: 1,
    uid: 'pf-uid',
    orgId: 1,
    name: 'PacketFlux',
    typeLogoUrl: '',
    type: 'packetflux-traffic-datasource',
    typeName: 'PacketFlux',
    access: 'proxy',
    url: '',
    user: '',
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- still a required field of the type
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    jsonData: {},
    secureJsonFields: {},
    readOnly: false,
    withCredentials: false,
    ...patch,
  };
}

describe('ConfigEditor', () => {
  it('edits the URL and the default probe in jsonData', () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={settings()} onOptionsChange={onOptionsChange} />);
    fireEvent.change(screen.getByPlaceholderText('http://localhost:3001'), { target: { value: 'http://api:3001' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { url: 'http://api:3001' } }));
    fireEvent.change(screen.getByPlaceholderText('all probes'), { target: { value: 'edge-1' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { defaultProbe: 'edge-1' } }));
  });

  it('keeps the token in secureJsonData and can reset a saved one', () => {
    const onOptionsChange = jest.fn();
    const { rerender } = render(<ConfigEditor options={settings()} onOptionsChange={onOptionsChange} />);
    fireEvent.change(screen.getByPlaceholderText('API token'), { target: { value: 't0ken' } });
    const changed = onOptionsChange.mock.calls[0][0];
    expect(changed.secureJsonData).toEqual({ apiToken: 't0ken' });
    expect(JSON.stringify(changed.jsonData)).not.toContain('t0ken');

    rerender(
      <ConfigEditor options={settings({ secureJsonFields: { apiToken: true } })} onOptionsChange={onOptionsChange} />
    );
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ secureJsonFields: { apiToken: false }, secureJsonData: { apiToken: '' } })
    );
  });

  it('says what is wrong with a URL', () => {
    render(<ConfigEditor options={settings({ jsonData: { url: 'localhost:3001' } })} onOptionsChange={jest.fn()} />);
    expect(screen.getByText('The URL must start with http:// or https://')).toBeInTheDocument();
  });
});

describe('QueryEditor', () => {
  const base = { datasource, onRunQuery: jest.fn() };

  it('shows top N only for multi-series metrics', () => {
    const { rerender } = render(
      <QueryEditor {...base} query={{ refId: 'A', target: 'interface_eth0_traffic_bps' }} onChange={jest.fn()} />
    );
    expect(screen.queryByLabelText('Top N')).not.toBeInTheDocument();
    rerender(
      <QueryEditor {...base} query={{ refId: 'A', target: 'interface_eth0_allprotocols_bps' }} onChange={jest.fn()} />
    );
    expect(screen.getByLabelText('Top N')).toBeInTheDocument();
  });

  it('commits top N and legend on blur and runs the query', () => {
    const onChange = jest.fn();
    const onRunQuery = jest.fn();
    const query: PacketFluxQuery = { refId: 'A', target: 'interface_eth0_allprotocols_bps' };
    render(<QueryEditor datasource={datasource} query={query} onChange={onChange} onRunQuery={onRunQuery} />);

    const top = screen.getByLabelText('Top N');
    fireEvent.change(top, { target: { value: '5' } });
    fireEvent.blur(top);
    expect(onChange).toHaveBeenLastCalledWith({ ...query, top: 5 });

    const legend = screen.getByLabelText('Legend');
    fireEvent.change(legend, { target: { value: '{{proto}}' } });
    fireEvent.blur(legend);
    expect(onChange).toHaveBeenLastCalledWith({ ...query, legendFormat: '{{proto}}' });
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('does not commit a top N out of range', () => {
    const onChange = jest.fn();
    render(<QueryEditor {...base} query={{ refId: 'A', target: 'interface_eth0_tophosts_bps' }} onChange={onChange} />);
    const top = screen.getByLabelText('Top N');
    fireEvent.change(top, { target: { value: '5000' } });
    fireEvent.blur(top);
    expect(onChange).not.toHaveBeenCalled();
  });

  it('shows the metric in the picker', () => {
    render(<QueryEditor {...base} query={{ refId: 'A', target: 'interface_eth0_traffic_bps' }} onChange={jest.fn()} />);
    expect(screen.getByDisplayValue('interface_eth0_traffic_bps')).toBeInTheDocument();
  });
});

describe('VariableQueryEditor', () => {
  it('shows the query it will send', async () => {
    installFakeBackendSrv(() => ({ data: [] }));
    render(
      <VariableQueryEditor
        datasource={datasource}
        query={{ refId: 'V', kind: 'hosts', ifname: '$if' }}
        onChange={jest.fn()}
        onRunQuery={jest.fn()}
      />
    );
    await waitFor(() =>
      expect(screen.getByTestId('packetflux-variable-preview')).toHaveTextContent('Query: hosts($if)')
    );
  });

  it('warns about a saved query it cannot read', () => {
    render(
      <VariableQueryEditor
        datasource={datasource}
        query={'flows(eth0)' as unknown as { refId: string; kind: 'interfaces' }}
        onChange={jest.fn()}
        onRunQuery={jest.fn()}
      />
    );
    expect(screen.getByText(/is not a PacketFlux variable query/)).toBeInTheDocument();
  });
});
