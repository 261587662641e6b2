import { PacketView } from '../decode/packet-view';
import { FlowTable } from './flow-table';

function packet(src: number, dst: number, sport: number, dport: number, proto = 6): PacketView {
  const v = new PacketView();
  v.ipVersion = 4;
  v.src[3] = src;
  v.dst[3] = dst;
  v.srcPort = sport;
  v.dstPort = dport;
  v.l4Proto = proto;
  return v;
}

const config = { maxFlows: 3, tcpIdleSeconds: 10, udpIdleSeconds: 5, otherIdleSeconds: 2 };

describe('FlowTable', () => {
  it('maps both directions of a conversation to one slot and tells the direction', () => {
    const ended: number[] = [];
    const t = new FlowTable(config, (s) => ended.push(s));
    const a = t.lookup(packet(0x0a000005, 0x5db8d822, 51000, 443), 0, 1e6);
    expect(t.created).toBe(true);
    const lowFirst = t.fromLow;
    expect(t.lookup(packet(0x5db8d822, 0x0a000005, 443, 51000), 0, 2e6)).toBe(a);
    expect(t.created).toBe(false);
    expect(t.fromLow).toBe(!lowFirst);
    expect(t.initiatorIsLow[a]).toBe(lowFirst ? 1 : 0);
    // Same endpoints on another interface, VLAN or protocol: other flows.
    expect(t.lookup(packet(0x0a000005, 0x5db8d822, 51000, 443), 1, 3e6)).not.toBe(a);
    const udp = packet(0x0a000005, 0x5db8d822, 51000, 443, 17);
    expect(t.lookup(udp, 0, 3e6)).not.toBe(a);
    expect(t.size).toBe(3);
    expect(ended).toEqual([]);
  });

  it('evicts the least recently seen flow when full, and reports it ended', () => {
    const ended: number[] = [];
    const t = new FlowTable(config, (s) => ended.push(s));
    const f1 = t.lookup(packet(1, 2, 1, 1), 0, 1);
    const f2 = t.lookup(packet(1, 2, 2, 2), 0, 2);
    const f3 = t.lookup(packet(1, 2, 3, 3), 0, 3);
    t.lookup(packet(2, 1, 1, 1), 0, 4); // f1 seen again: f2 is now the oldest
    const f4 = t.lookup(packet(1, 2, 4, 4), 0, 5);
    expect(ended).toEqual([f2]);
    expect(f4).toBe(f2);
    expect(t.evicted).toBe(1);
    expect(t.size).toBe(3);
    expect(t.lookup(packet(1, 2, 3, 3), 0, 6)).toBe(f3);
    expect(t.lookup(packet(1, 2, 1, 1), 0, 7)).toBe(f1);
  });

  it('expires flows by their protocol idle timeout, oldest first, and ends all at the end', () => {
    const ended: number[] = [];
    const t = new FlowTable(config, (s) => ended.push(s));
    const tcp = t.lookup(packet(1, 2, 1, 1, 6), 0, 0);
    const udp = t.lookup(packet(1, 2, 1, 1, 17), 0, 0);
    const icmp = t.lookup(packet(1, 2, 0, 0, 1), 0, 0);
    expect(t.expireIdle(3e6)).toBe(1);
    expect(ended).toEqual([icmp]);
    expect(t.expireIdle(6e6)).toBe(1);
    expect(ended).toEqual([icmp, udp]);
    expect(t.expireIdle(10e6)).toBe(0);
    expect(t.expireIdle(10.5e6)).toBe(1);
    expect(ended).toEqual([icmp, udp, tcp]);
    t.lookup(packet(3, 4, 1, 1), 0, 11e6);
    t.expireAll();
    expect(t.size).toBe(0);
  });

  it('detects a slot reused by another flow through its generation', () => {
    const t = new FlowTable({ ...config, maxFlows: 1 }, () => undefined);
    const s = t.lookup(packet(1, 2, 1, 1), 0, 0);
    const gen = t.generation[s];
    expect(t.isLive(s, gen)).toBe(true);
    t.lookup(packet(1, 2, 9, 9), 0, 1);
    expect(t.isLive(s, gen)).toBe(false);
  });
});
