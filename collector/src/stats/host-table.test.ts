import { HostTable } from './host-table';

function words(last: number): Uint32Array {
  return Uint32Array.of(0, 0, 0, last);
}

describe('HostTable', () => {
  it('keys hosts by address and interface, and counts sent and received per step', () => {
    const t = new HostTable(4);
    const a = t.slotOf(words(0x0a000005), 4, 0);
    expect(t.slotOf(words(0x0a000005), 4, 0)).toBe(a);
    expect(t.slotOf(words(0x0a000005), 4, 1)).not.toBe(a);
    expect(t.address[a]).toBe('10.0.0.5');
    t.addSent(a, 100);
    t.addRcvd(a, 40);
    t.addSent(a, 60);
    expect([t.stepBytesSent[a], t.stepPacketsSent[a], t.stepBytesRcvd[a], t.stepPacketsRcvd[a]]).toEqual([
      160, 2, 40, 1,
    ]);
    t.endStep(5e6);
    expect([t.stepBytesSent[a], t.totalBytesSent[a], t.totalBytesRcvd[a], t.lastActiveUs[a]]).toEqual([
      0, 160, 40, 5e6,
    ]);
  });

  it('refuses hosts past its capacity', () => {
    const t = new HostTable(2);
    expect(t.slotOf(words(1), 4, 0)).not.toBe(-1);
    expect(t.slotOf(words(2), 4, 0)).not.toBe(-1);
    expect(t.slotOf(words(3), 4, 0)).toBe(-1);
  });

  it('expires idle hosts, reporting each before freeing its slot for a new host', () => {
    const t = new HostTable(2);
    const old = t.slotOf(words(1), 4, 0);
    const busy = t.slotOf(words(2), 4, 0);
    t.addSent(old, 10);
    t.addSent(busy, 20);
    t.endStep(5e6);
    t.addSent(busy, 20);
    t.endStep(10e6);
    const expired: string[] = [];
    t.expireIdle(6e6, (slot) => expired.push(`${t.address[slot]}:${t.totalBytesSent[slot]}`));
    expect(expired).toEqual(['0.0.0.1:10']);
    expect(t.size).toBe(1);
    expect(t.isLive(old)).toBe(false);
    const fresh = t.slotOf(words(3), 4, 0);
    expect(fresh).toBe(old);
    expect([t.address[fresh], t.totalBytesSent[fresh]]).toEqual(['0.0.0.3', 0]);
    expect(t.slotOf(words(2), 4, 0)).toBe(busy);
    expect(t.slotOf(words(1), 4, 0)).toBe(-1);
  });
});
