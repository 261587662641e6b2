import {
  createInterfaceOptionLoader,
  createMetricOptionLoader,
  METRICS_GROUP,
  VARIABLES_GROUP,
} from './metric-options';
import { interpolateFirst } from './template-expansion';
import { FakeTemplateSrv } from './test-support/fake-template-srv';

const CATALOG = [
  'interface_eth0_traffic_bps',
  'interface_eth0_traffic_pps',
  'interface_eth0_allprotocols_bps',
  'interface_eth1_traffic_bps',
  'host_10.0.0.5_interface_eth0_traffic_bps',
];

function source(variables: Record<string, string | string[]> = { if: ['eth0', 'eth1'], host: '10.0.0.5' }) {
  const srv = new FakeTemplateSrv(variables);
  const searches: string[] = [];
  return {
    searches,
    searchMetrics: async (prefix: string) => {
      searches.push(prefix);
      return CATALOG.filter((n) => n.startsWith(prefix));
    },
    getVariableNames: () => Object.keys(variables),
    interpolateFirst: (text: string) => interpolateFirst(srv, text),
  };
}

describe('metric option loader', () => {
  it('offers the API matches with descriptions', async () => {
    const s = source();
    const options = await createMetricOptionLoader(s)('interface_eth0_');
    expect(s.searches).toEqual(['interface_eth0_']);
    expect(options.map((o) => o.value)).toEqual([
      'interface_eth0_traffic_bps',
      'interface_eth0_traffic_pps',
      'interface_eth0_allprotocols_bps',
    ]);
    expect(options[2]).toMatchObject({ group: METRICS_GROUP, description: expect.stringContaining('per protocol') });
  });

  it('offers every variable and searches with nothing typed', async () => {
    const s = source();
    const options = await createMetricOptionLoader(s)('');
    expect(s.searches).toEqual(['']);
    expect(options.map((o) => o.value)).toEqual(['$if', '$host', ...CATALOG]);
  });

  it('completes a trailing $ with template variables', async () => {
    const options = await createMetricOptionLoader(source())('interface_$');
    expect(options.filter((o) => o.group === VARIABLES_GROUP).map((o) => o.value)).toEqual([
      'interface_$if',
      'interface_$host',
    ]);
  });

  it('searches through variables and writes the answers back with them', async () => {
    const s = source();
    const options = await createMetricOptionLoader(s)('interface_$if_traffic');
    expect(s.searches).toEqual(['interface_eth0_traffic']);
    expect(options.map((o) => o.value)).toEqual(['interface_$if_traffic_bps', 'interface_$if_traffic_pps']);
  });

  it('does not search while a variable is unknown or half typed', async () => {
    const s = source();
    const options = await createMetricOptionLoader(s)('interface_$i');
    expect(s.searches).toEqual([]);
    expect(options.map((o) => o.value)).toEqual(['interface_$if']);
  });

  it('lets a failing search reject, so the Combobox shows its error', async () => {
    const s = { ...source(), searchMetrics: () => Promise.reject(new Error('API down')) };
    await expect(createMetricOptionLoader(s)('x')).rejects.toThrow('API down');
  });
});

describe('interface option loader', () => {
  it('offers variables, then interfaces, filtered by what is typed', async () => {
    const load = createInterfaceOptionLoader({
      listInterfaces: async () => ['eth0', 'br_lan'],
      getVariableNames: () => ['if', 'host'],
    });
    expect((await load('')).map((o) => o.value)).toEqual(['$if', '$host', 'eth0', 'br_lan']);
    expect((await load('br')).map((o) => o.value)).toEqual(['br_lan']);
  });
});
