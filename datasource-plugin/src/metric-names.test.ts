import { describeMetric, isMultiSeriesMetric, unitForMetric } from './metric-names';

describe('metric names', () => {
  it.each([
    ['interface_eth0_allprotocols_bps', true],
    ['interface_br_lan_allcategories_bps', true],
    ['interface_eth0_tophosts_bps', true],
    ['host_10.0.0.5_interface_eth0_allprotocols_bps', true],
    ['interface_$if_allprotocols_bps', true],
    ['interface_eth0_traffic_bps', false],
    ['interface_eth0_protocol_TLS_bps', false],
  ])('%s is multi-series: %s', (name, multi) => {
    expect(isMultiSeriesMetric(name)).toBe(multi);
  });

  it.each([
    ['interface_eth0_traffic_bps', 'bps'],
    ['host_10.0.0.5_interface_eth0_traffic_pps', 'pps'],
    ['interface_eth0_traffic_total_bytes', 'decbytes'],
    ['interface_eth0_traffic_total_packets', 'short'],
    ['nonsense', ''],
  ])('%s has unit %s', (name, unit) => {
    expect(unitForMetric(name)).toBe(unit);
  });

  it('describes metrics for the picker', () => {
    expect(describeMetric('interface_eth0_allprotocols_bps')).toBe('bits/s, one series per protocol (top N + Other)');
    expect(describeMetric('interface_eth0_traffic_total_bytes')).toBe('bytes since the start of the range');
  });
});
