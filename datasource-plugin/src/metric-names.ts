/**
 * What can be told from a metric name alone (DESIGN.md, "Metric names"). Names are only ever
 * resolved by the API against its catalog; these helpers look at suffixes, which are fixed.
 */

const MULTI_SERIES = /_(allprotocols|allcategories|tophosts)_bps$/;

/** True for metrics with one series per protocol, category or host, which take a top N. */
export function isMultiSeriesMetric(name: string): boolean {
  return MULTI_SERIES.test(name.trim());
}

/** The Grafana unit of a metric, from its suffix; '' when unknown. */
export function unitForMetric(name: string): string {
  const n = name.trim();
  if (n.endsWith('_total_bytes')) {
    return 'decbytes';
  }
  if (n.endsWith('_total_packets')) {
    return 'short';
  }
  if (n.endsWith('_bps')) {
    return 'bps';
  }
  if (n.endsWith('_pps')) {
    return 'pps';
  }
  return '';
}

/** A short description of a metric for the metric picker. */
export function describeMetric(name: string): string {
  const match = MULTI_SERIES.exec(name);
  if (match) {
    const per = { allprotocols: 'protocol', allcategories: 'category', tophosts: 'host' }[match[1]];
    return `bits/s, one series per ${per} (top N + Other)`;
  }
  switch (unitForMetric(name)) {
    case 'bps':
      return 'bits/s';
    case 'pps':
      return 'packets/s';
    case 'decbytes':
      return 'bytes since the start of the range';
    case 'short':
      return 'packets since the start of the range';
    default:
      return '';
  }
}
