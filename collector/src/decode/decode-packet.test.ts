import { decodePacket } from './decode-packet';
import { LinkType } from './link-types';
import { DecodeStatus, PacketView } from './packet-view';

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

const ETH = '020000000001 020000000005';
// IPv4 TCP 10.0.0.5:51000 -> 93.184.216.34:443, SYN
const IPV4_TCP =
  '4500 0028 1234 4000 4006 0000 0a000005 5db8d822' + 'c738 01bb 00000000 00000000 5002 ffff 0000 0000';

describe('decodePacket', () => {
  const view = new PacketView();

  it('decodes Ethernet + 802.1Q + QinQ to the innermost VLAN, IPv4 addresses, ports and flags', () => {
    const frame = hex(`${ETH} 88a8 0064 8100 000a 0800 ${IPV4_TCP}`);
    expect(decodePacket(view, LinkType.Ethernet, frame, 0, frame.length)).toBe(DecodeStatus.Ok);
    expect(view.vlanId).toBe(10);
    expect([
      view.ipVersion,
      view.src[3],
      view.dst[3],
      view.srcPort,
      view.dstPort,
      view.tcpFlags,
      view.l4Proto,
    ]).toEqual([4, 0x0a000005, 0x5db8d822, 51000, 443, 0x02, 6]);
    expect(view.ipOffset).toBe(22);
    expect(view.ipLength).toBe(40);
  });

  it('reads from an offset inside a larger buffer (a borrowed capture buffer)', () => {
    const frame = hex(`ffffffff ${ETH} 0800 ${IPV4_TCP} eeee`);
    expect(decodePacket(view, LinkType.Ethernet, frame, 4, frame.length - 6)).toBe(DecodeStatus.Ok);
    expect(view.dstPort).toBe(443);
  });

  it('walks IPv6 extension headers to the transport and reads a fragment header', () => {
    const src = 'fd000000000000000000000000000005';
    const dst = '20010db8000000000000000000000001';
    // hop-by-hop (8 bytes) -> fragment (offset 0, M=1, id 7) -> UDP 5353 -> 53
    const ip6 =
      `6000 0000 0018 00 40 ${src} ${dst}` +
      '2c00 0100 00000000' +
      '1100 0001 00000007' +
      '14e9 0035 0008 0000';
    const frame = hex(`${ETH} 86dd ${ip6}`);
    expect(decodePacket(view, LinkType.Ethernet, frame, 0, frame.length)).toBe(DecodeStatus.Ok);
    expect([
      view.l4Proto,
      view.srcPort,
      view.dstPort,
      view.isFragment,
      view.fragmentOffset,
      view.fragmentId,
    ]).toEqual([17, 5353, 53, true, 0, 7]);
    expect(view.src[0]).toBe(0xfd000000);
  });

  it('leaves later IPv4 fragments without ports', () => {
    const frag = '4500 0024 abcd 00b9 4011 0000 0a000005 5db8d822' + 'c738 0035 0010 0000';
    const frame = hex(`${ETH} 0800 ${frag}`);
    expect(decodePacket(view, LinkType.Ethernet, frame, 0, frame.length)).toBe(DecodeStatus.Ok);
    expect([view.isFragment, view.fragmentOffset, view.srcPort, view.dstPort]).toEqual([
      true,
      0xb9 * 8,
      0,
      0,
    ]);
  });

  it.each([
    ['Linux SLL', LinkType.LinuxSll, `0000 0001 0006 020000000005 0000 0800 ${IPV4_TCP}`],
    ['Linux SLL2', LinkType.LinuxSll2, `0800 0000 00000002 0001 00 06 020000000005 0000 ${IPV4_TCP}`],
    ['NULL, little-endian AF_INET', LinkType.Null, `02000000 ${IPV4_TCP}`],
    ['LOOP, network-order AF_INET', LinkType.Loop, `00000002 ${IPV4_TCP}`],
    ['raw IP', LinkType.Raw, IPV4_TCP],
  ])('decodes %s', (_name, linkType, bytes) => {
    const frame = hex(bytes);
    expect(decodePacket(view, linkType, frame, 0, frame.length)).toBe(DecodeStatus.Ok);
    expect([view.src[3], view.dstPort]).toEqual([0x0a000005, 443]);
  });

  it.each([
    ['a runt frame', `${ETH} 08`, DecodeStatus.Malformed],
    ['a bad IP version', `${ETH} 0800 5500 0028 ${'00'.repeat(36)}`, DecodeStatus.Malformed],
    ['an IHL below 5', `${ETH} 0800 4300 0028 ${'00'.repeat(36)}`, DecodeStatus.Malformed],
    ['a total length below the header', `${ETH} 0800 4500 000a ${'00'.repeat(36)}`, DecodeStatus.Malformed],
    [
      'an IPv4 header cut after the source address',
      `${ETH} 0800 ${IPV4_TCP.replace(/\s/g, '').slice(0, 32)}`,
      DecodeStatus.SourceOnly,
    ],
    ['ARP', `${ETH} 0806 ${'00'.repeat(28)}`, DecodeStatus.NotIp],
  ])('reports %s without throwing', (_name, bytes, status) => {
    const frame = hex(bytes);
    expect(decodePacket(view, LinkType.Ethernet, frame, 0, frame.length)).toBe(status);
  });

  it('reports an unknown link type', () => {
    expect(decodePacket(view, 147, hex(IPV4_TCP), 0, 40)).toBe(DecodeStatus.UnsupportedLink);
  });
});
