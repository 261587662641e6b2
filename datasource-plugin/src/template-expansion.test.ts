import { braceVariables, expandTemplate, interpolateFirst } from './template-expansion';
import { FakeTemplateSrv } from './test-support/fake-template-srv';

describe('expandTemplate', () => {
  const srv = new FakeTemplateSrv({
    if: ['eth0', 'eth1'],
    host: ['10.0.0.5', 'fd00::7'],
    single: 'br_lan',
  });

  it('gives one name per value of a multi-value variable', () => {
    expect(expandTemplate(srv, 'interface_${if}_traffic_bps')).toEqual([
      'interface_eth0_traffic_bps',
      'interface_eth1_traffic_bps',
    ]);
  });

  it('reads $if_traffic_bps as $if followed by _traffic_bps', () => {
    expect(expandTemplate(srv, 'interface_$if_traffic_bps')).toEqual([
      'interface_eth0_traffic_bps',
      'interface_eth1_traffic_bps',
    ]);
  });

  it('combines several multi-value variables', () => {
    expect(expandTemplate(srv, 'host_$host_interface_$if_allprotocols_bps')).toEqual([
      'host_10.0.0.5_interface_eth0_allprotocols_bps',
      'host_10.0.0.5_interface_eth1_allprotocols_bps',
      'host_fd00::7_interface_eth0_allprotocols_bps',
      'host_fd00::7_interface_eth1_allprotocols_bps',
    ]);
  });

  it('gives a variable used twice the same value in both places', () => {
    expect(expandTemplate(srv, '$if/$if')).toEqual(['eth0/eth0', 'eth1/eth1']);
  });

  it('lets scoped variables (repeated panels) win', () => {
    expect(expandTemplate(srv, 'interface_$if_traffic_bps', { if: { text: 'eth9', value: 'eth9' } })).toEqual([
      'interface_eth9_traffic_bps',
    ]);
  });

  it('leaves unknown variables and plain names alone', () => {
    expect(expandTemplate(srv, 'interface_$nope_traffic_bps')).toEqual(['interface_$nope_traffic_bps']);
    expect(expandTemplate(srv, 'interface_$single_traffic_bps')).toEqual(['interface_br_lan_traffic_bps']);
    expect(expandTemplate(srv, 'interface_eth0_traffic_bps')).toEqual(['interface_eth0_traffic_bps']);
  });

  it('interpolates with the first value for look-ups', () => {
    expect(interpolateFirst(srv, 'interface_$if_t')).toBe('interface_eth0_t');
  });
});

describe('braceVariables', () => {
  it('prefers an exact variable, then the longest prefix at an underscore', () => {
    const known = new Set(['if', 'if_a', 'host']);
    expect(braceVariables('$if_a_traffic', known)).toBe('${if_a}_traffic');
    expect(braceVariables('$if_b', known)).toBe('${if}_b');
    expect(braceVariables('$if_a', known)).toBe('$if_a');
    expect(braceVariables('$ifx_b', known)).toBe('$ifx_b');
    expect(braceVariables('${if}_b', known)).toBe('${if}_b');
  });
});
