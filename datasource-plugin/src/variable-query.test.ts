import { formatVariableQuery, normalizeVariableQuery, parseVariableQuery } from './variable-query';

describe('variable queries', () => {
  it.each([
    ['interfaces', { kind: 'interfaces' }],
    ['  interfaces() ', { kind: 'interfaces' }],
    ['hosts(eth0)', { kind: 'hosts', ifname: 'eth0' }],
    ['protocols( $if )', { kind: 'protocols', ifname: '$if' }],
    ['categories(br_lan)', { kind: 'categories', ifname: 'br_lan' }],
  ])('parses %s', (text, query) => {
    expect(parseVariableQuery(text)).toEqual({ ok: true, query });
  });

  it.each([
    ['hosts()', 'hosts() needs an interface'],
    ['flows(eth0)', 'is not a PacketFlux variable query'],
    ['', 'is not a PacketFlux variable query'],
  ])('refuses %s with a reason', (text, reason) => {
    const result = parseVariableQuery(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it('formats what the API takes', () => {
    expect(formatVariableQuery({ kind: 'interfaces', ifname: 'ignored' })).toBe('interfaces');
    expect(formatVariableQuery({ kind: 'hosts', ifname: 'eth0' })).toBe('hosts(eth0)');
  });

  it('accepts the editor object, a {query} object and a string', () => {
    expect(normalizeVariableQuery({ refId: 'A', kind: 'protocols', ifname: ' eth0 ' })).toEqual({
      ok: true,
      query: { kind: 'protocols', ifname: 'eth0' },
    });
    expect(normalizeVariableQuery({ refId: 'A', query: 'hosts(eth1)' })).toEqual({
      ok: true,
      query: { kind: 'hosts', ifname: 'eth1' },
    });
    expect(normalizeVariableQuery('interfaces')).toEqual({ ok: true, query: { kind: 'interfaces' } });
    expect(normalizeVariableQuery({ refId: 'A', kind: 'hosts' }).ok).toBe(false);
    expect(normalizeVariableQuery(undefined).ok).toBe(false);
  });
});
