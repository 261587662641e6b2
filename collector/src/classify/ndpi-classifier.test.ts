import path from 'node:path';

import { ipPackets } from '../../test/support/capture-packets';
import { replayInProcess } from '../../test/support/replay-in-process';
import { NdpiClassifier, loadNdpiAddon } from './ndpi-classifier';

const L7_DIR = path.resolve(__dirname, '..', '..', 'testdata', 'l7');

/** The (protocol, category) pairs a capture's flows were classified as, through the real pipeline. */
async function classified(file: string): Promise<string[][]> {
  const { steps } = await replayInProcess(path.join(L7_DIR, file));
  const pairs = new Set(steps.flatMap((s) => s.protocols).map((p) => `${p.proto}/${p.category}`));
  return [...pairs].sort().map((p) => p.split('/'));
}

describe('NdpiClassifier', () => {
  let classifier: NdpiClassifier;

  beforeEach(() => {
    classifier = new NdpiClassifier({ maxFlows: 64 });
  });

  afterEach(() => {
    classifier.close();
  });

  it('classifies TLS flows by their SNI (tls.pcap)', async () => {
    expect(await classified('tls.pcap')).toEqual([
      ['Facebook', 'SocialNetwork'],
      ['Google', 'Web'],
      ['NetFlix', 'Video'],
      ['TLS', 'Web'],
      ['YouTube', 'Media'],
    ]);
  });

  it('classifies DNS queries by the queried name (dns.pcap)', async () => {
    expect(await classified('dns.pcap')).toEqual([
      ['DNS', 'Network'],
      ['Facebook', 'SocialNetwork'],
      ['Google', 'Web'],
      ['NetFlix', 'Video'],
      ['YouTube', 'Media'],
    ]);
  });

  it('classifies HTTP by Host header, SSH, NTP, and leaves an opaque exchange Unknown', async () => {
    expect((await classified('http.pcap')).map(([p]) => p)).toEqual([
      'Facebook',
      'Google',
      'HTTP',
      'NetFlix',
      'YouTube',
    ]);
    expect(await classified('ssh.pcap')).toEqual([['SSH', 'RemoteAccess']]);
    expect(await classified('misc.pcap')).toEqual([
      ['NTP', 'System'],
      ['Unknown', 'Unspecified'],
    ]);
  });

  it('frees and reuses slots, caches names, and rejects use after close', async () => {
    const packets = await ipPackets(path.join(L7_DIR, 'dns.pcap'));
    const [query, answer] = [packets[0]!, packets[1]!];
    const ipLength = query.ipLength;
    expect(classifier.feed(3, query.data, query.ipOffset, ipLength, query.tsMillis, true)).toBe(false);
    // Known already (the query names www.youtube.com), not final until the answer is dissected.
    expect(classifier.protocolName(classifier.protocolOf(3))).toBe('YouTube');
    const answerLength = answer.ipLength;
    expect(classifier.feed(3, answer.data, answer.ipOffset, answerLength, answer.tsMillis, false)).toBe(true);
    expect(classifier.categoryName(classifier.categoryOf(3))).toBe('Media');
    // Feeding a final flow again is a no-op that still answers "final".
    expect(classifier.feed(3, query.data, query.ipOffset, ipLength, query.tsMillis, true)).toBe(true);
    classifier.release(3);
    expect(classifier.protocolOf(3)).toBe(0);
    expect(classifier.protocolName(0)).toBe('Unknown');
    expect(classifier.categoryName(0)).toBe('Unspecified');
    // (errors thrown by the addon come from node's realm, not jest's: match them by message)
    expect(() => classifier.feed(64, query.data, query.ipOffset, ipLength, 0, true)).toThrow(
      /slot out of range/,
    );
    expect(() => classifier.feed(0, query.data, query.ipOffset, query.data.length, 0, true)).toThrow(
      /beyond the buffer/,
    );
    classifier.close();
    classifier.close();
    expect(() => classifier.feed(0, query.data, query.ipOffset, ipLength, 0, true)).toThrow(/closed/);
  });

  it('finish() gives up with guessing on a flow that is not final yet', async () => {
    const packets = await ipPackets(path.join(L7_DIR, 'tls.pcap'));
    // The first packet of the first TLS flow is the client's SYN to port 443: nDPI guesses TLS by port.
    const syn = packets[0]!;
    expect(classifier.feed(0, syn.data, syn.ipOffset, syn.ipLength, syn.tsMillis, true)).toBe(false);
    classifier.finish(0);
    expect(classifier.protocolName(classifier.protocolOf(0))).toBe('TLS');
  });

  it('validates maxFlows and reports the nDPI version', () => {
    expect(() => new NdpiClassifier({ maxFlows: 0 })).toThrow(RangeError);
    expect(() => new NdpiClassifier({ maxFlows: 1.5 })).toThrow(RangeError);
    const addon = loadNdpiAddon();
    expect(addon.ndpiVersion).toMatch(/^\d+\.\d+/);
    expect(addon.maxTcpPackets).toBe(80);
    expect(addon.maxUdpPackets).toBe(24);
  });

  it('explains a missing addon', () => {
    expect(() => loadNdpiAddon('/nonexistent/packetflux_ndpi.node')).toThrow(/not built|libndpi/);
  });
});
