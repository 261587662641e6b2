import path from 'node:path';

import { readPcapPackets } from '../test-support/read-pcap-packets';
import type { PcapPacket } from '../test-support/read-pcap-packets';
import { NdpiClassifier, loadNdpiAddon } from './ndpi-classifier';

const L7_DIR = path.resolve(__dirname, '..', '..', 'testdata', 'l7');

interface FlowResult {
  /** `client:port -> server:port/proto` of the flow's first packet. */
  key: string;
  protocol: string;
  category: string;
  packets: number;
  /** Captured bytes of the flow's frames (ndpiReader counts caplen). */
  bytes: number;
  fedPackets: number;
}

interface FlowState {
  slot: number;
  key: string;
  forward: string;
  final: boolean;
  packets: number;
  bytes: number;
  fed: number;
}

function ipText(data: Buffer, off: number, v6: boolean): string {
  if (!v6) return `${data[off]}.${data[off + 1]}.${data[off + 2]}.${data[off + 3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(data.readUInt16BE(off + i).toString(16));
  return `[${groups.join(':')}]`;
}

/** Bidirectional 5-tuple of an IP packet, as ndpiReader keys flows (VLAN ignored here), or null. */
function flowTuple(p: PcapPacket): { forward: string; reverse: string; ipLength: number } | null {
  const { data, ipOffset } = p;
  if (ipOffset < 0 || data.length < ipOffset + 20) return null;
  const version = data[ipOffset]! >> 4;
  let proto: number;
  let src: string;
  let dst: string;
  let l4: number;
  let ipLength: number;
  if (version === 4) {
    const ihl = (data[ipOffset]! & 0x0f) * 4;
    ipLength = data.readUInt16BE(ipOffset + 2);
    if ((data.readUInt16BE(ipOffset + 6) & 0x1fff) !== 0) return null; // non-first fragment: ndpiReader drops it
    if (data.length - ipOffset < ipLength) return null; // truncated: ndpiReader drops it
    proto = data[ipOffset + 9]!;
    src = ipText(data, ipOffset + 12, false);
    dst = ipText(data, ipOffset + 16, false);
    l4 = ipOffset + ihl;
  } else if (version === 6 && data.length >= ipOffset + 40) {
    ipLength = 40 + data.readUInt16BE(ipOffset + 4);
    proto = data[ipOffset + 6]!;
    src = ipText(data, ipOffset + 8, true);
    dst = ipText(data, ipOffset + 24, true);
    l4 = ipOffset + 40;
  } else {
    return null;
  }
  let sport = 0;
  let dport = 0;
  if ((proto === 6 || proto === 17) && data.length >= l4 + 4) {
    sport = data.readUInt16BE(l4);
    dport = data.readUInt16BE(l4 + 2);
  }
  return {
    forward: `${src}:${sport} -> ${dst}:${dport}/${proto}`,
    reverse: `${dst}:${dport} -> ${src}:${sport}/${proto}`,
    ipLength,
  };
}

/** Runs a capture through NdpiClassifier the way the flow pipeline will: feed until final, then finish. */
function classifyCapture(file: string, classifier: NdpiClassifier): FlowResult[] {
  const flows = new Map<string, FlowState>();
  const order: FlowState[] = [];
  for (const packet of readPcapPackets(file)) {
    const tuple = flowTuple(packet);
    if (tuple === null) continue;
    let flow = flows.get(tuple.forward) ?? flows.get(tuple.reverse);
    if (flow === undefined) {
      flow = {
        slot: order.length,
        key: tuple.forward,
        forward: tuple.forward,
        final: false,
        packets: 0,
        bytes: 0,
        fed: 0,
      };
      flows.set(tuple.forward, flow);
      order.push(flow);
    }
    flow.packets++;
    flow.bytes += packet.data.length;
    if (!flow.final) {
      flow.fed++;
      flow.final = classifier.feed(
        flow.slot,
        packet.data,
        packet.ipOffset,
        Math.min(tuple.ipLength, packet.data.length - packet.ipOffset),
        packet.tsMillis,
        tuple.forward === flow.forward,
      );
    }
  }
  const results = order.map((flow) => {
    if (!flow.final) classifier.finish(flow.slot);
    const result: FlowResult = {
      key: flow.key,
      protocol: classifier.protocolName(classifier.protocolOf(flow.slot)),
      category: classifier.categoryName(classifier.categoryOf(flow.slot)),
      packets: flow.packets,
      bytes: flow.bytes,
      fedPackets: flow.fed,
    };
    classifier.release(flow.slot);
    return result;
  });
  return results;
}

describe('NdpiClassifier', () => {
  let classifier: NdpiClassifier;

  beforeEach(() => {
    classifier = new NdpiClassifier({ maxFlows: 64 });
  });

  afterEach(() => {
    classifier.close();
  });

  it('classifies TLS flows by their SNI (tls.pcap)', () => {
    const flows = classifyCapture(path.join(L7_DIR, 'tls.pcap'), classifier);
    expect(flows).toHaveLength(5);
    const results = flows.map((f) => [f.protocol, f.category]);
    expect(results).toEqual([
      ['YouTube', 'Media'],
      ['NetFlix', 'Video'],
      ['Facebook', 'SocialNetwork'],
      ['Google', 'Web'],
      ['TLS', 'Web'],
    ]);
  });

  it('classifies DNS queries by the queried name (dns.pcap)', () => {
    const flows = classifyCapture(path.join(L7_DIR, 'dns.pcap'), classifier);
    expect(flows.map((f) => [f.protocol, f.category])).toEqual([
      ['YouTube', 'Media'],
      ['NetFlix', 'Video'],
      ['Facebook', 'SocialNetwork'],
      ['Google', 'Web'],
      ['DNS', 'Network'],
    ]);
    // The query names the service, but nDPI waits for the answer (extra dissection) to be final.
    expect(flows.map((f) => f.fedPackets)).toEqual([2, 2, 2, 2, 2]);
  });

  it('classifies HTTP by Host header, SSH, NTP, and leaves an opaque exchange Unknown', () => {
    const http = classifyCapture(path.join(L7_DIR, 'http.pcap'), classifier);
    expect(http.map((f) => f.protocol)).toEqual(['NetFlix', 'Facebook', 'Google', 'YouTube', 'HTTP']);
    expect(http[4]!.category).toBe('Web');
    const ssh = classifyCapture(path.join(L7_DIR, 'ssh.pcap'), classifier);
    expect(ssh.map((f) => [f.protocol, f.category])).toEqual([['SSH', 'RemoteAccess']]);
    const misc = classifyCapture(path.join(L7_DIR, 'misc.pcap'), classifier);
    const ntp = misc.find((f) => f.key.endsWith('127.0.50.1:123/17'));
    expect(ntp).toMatchObject({ protocol: 'NTP', category: 'System' });
    const opaque = misc.find((f) => f.key.endsWith('127.0.50.1:47999/6'));
    expect(opaque).toMatchObject({ protocol: 'Unknown', category: 'Unspecified' });
  });

  it('frees and reuses slots, caches names, and rejects use after close', () => {
    const packets = readPcapPackets(path.join(L7_DIR, 'dns.pcap'));
    const [query, answer] = [packets[0]!, packets[1]!];
    const ipLength = query.data.length - query.ipOffset;
    expect(classifier.feed(3, query.data, query.ipOffset, ipLength, query.tsMillis, true)).toBe(false);
    // Known already (the query names www.youtube.com), not final until the answer is dissected.
    expect(classifier.protocolName(classifier.protocolOf(3))).toBe('YouTube');
    const answerLength = answer.data.length - answer.ipOffset;
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

  it('finish() gives up with guessing on a flow that is not final yet', () => {
    const packets = readPcapPackets(path.join(L7_DIR, 'tls.pcap'));
    // The first packet of the first TLS flow is the client's SYN to port 443: nDPI guesses TLS by port.
    const syn = packets[0]!;
    expect(
      classifier.feed(0, syn.data, syn.ipOffset, syn.data.length - syn.ipOffset, syn.tsMillis, true),
    ).toBe(false);
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
