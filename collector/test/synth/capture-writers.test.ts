import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ipv4PseudoHeaderSum, finishChecksum, onesComplementSum } from './checksum';
import { ipv6, ipv6ToString, ipv4, ipv4ToString } from './addresses';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from './link';
import { packetBytes } from './packet';
import { PcapWriter } from './pcap-writer';
import { PcapngWriter } from './pcapng-writer';

const run = promisify(execFile);

async function fields(file: string, ...names: string[]): Promise<string[][]> {
  const { stdout } = await run('tshark', ['-r', file, '-T', 'fields', ...names.flatMap((n) => ['-e', n])]);
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

describe('capture writers', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'writers-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const packet = packetBytes({
    link: { type: 'raw' },
    net: { version: 4, src: ipv4('10.0.0.5'), dst: ipv4('93.184.216.34') },
    l4: { type: 'udp', srcPort: 40000, dstPort: 40001 },
    payloadLength: 100,
  });

  it.each([
    ['le-us', false, false, '1700000001.123456000'],
    ['be-us', true, false, '1700000001.123456000'],
    ['le-ns', false, true, '1700000001.123456789'],
    ['be-ns', true, true, '1700000001.123456789'],
  ])('pcap %s keeps timestamps, snaplen and wire length', async (name, bigEndian, nanosecond, epoch) => {
    const w = PcapWriter.inMemory({ linkType: LINKTYPE_RAW, bigEndian, nanosecond, snaplen: 64 });
    w.write(0, { sec: 1_700_000_001, nsec: 123_456_789 }, packet);
    w.write(0, BigInt('1700000002000000001'), packet, 1500);
    w.close();
    const file = join(dir, `${name}.pcap`);
    writeFileSync(file, w.contents());
    const rows = await fields(file, 'frame.time_epoch', 'frame.cap_len', 'frame.len', 'ip.src');
    expect(rows[0]).toEqual([epoch, '64', String(packet.length), '10.0.0.5']);
    expect(rows[1].slice(1, 3)).toEqual(['64', '1500']);
    expect(w.packets).toBe(2);
    expect(w.wireBytes).toBe(packet.length + 1500);
  });

  it('pcapng splits 64-bit timestamps exactly for every resolution and byte order', async () => {
    const w = PcapngWriter.inMemory({ bigEndian: true });
    const ns = w.addInterface({ linkType: LINKTYPE_RAW, name: 'ns0', tsresolDigits: 9 });
    const us = w.addInterface({ linkType: LINKTYPE_RAW, name: 'us0' });
    const ms = w.addInterface({ linkType: LINKTYPE_RAW, name: 'ms0', tsresolDigits: 3, snaplen: 50 });
    w.write(ns, { sec: 4_000_000_000, nsec: 999_999_999 }, packet);
    w.write(us, { sec: 1_700_000_000, nsec: 5_000 }, packet);
    w.write(ms, { sec: 1_700_000_000, nsec: 7_000_000 }, packet);
    w.newSection();
    w.addInterface({ linkType: LINKTYPE_ETHERNET, name: 'ns0', tsresolDigits: 9 });
    w.write(0, { sec: 65_537, nsec: 1 }, Buffer.alloc(60));
    w.close();
    const file = join(dir, 'ts.pcapng');
    writeFileSync(file, w.contents());
    const rows = await fields(file, 'frame.time_epoch', 'frame.interface_name', 'frame.cap_len');
    expect(rows).toEqual([
      ['4000000000.999999999', 'ns0', String(packet.length)],
      ['1700000000.000005000', 'us0', String(packet.length)],
      ['1700000000.007000000', 'ms0', '50'],
      ['65537.000000001', 'ns0', '60'],
    ]);
    expect(() => w.write(5, 0n, packet)).toThrow();
  });

  it('computes internet checksums that verify to zero', () => {
    const src = ipv4('10.0.0.5');
    const dst = ipv4('93.184.216.34');
    const sum = ipv4PseudoHeaderSum(src, dst, 17, packet.length - 20);
    expect(finishChecksum(onesComplementSum(packet, 20, packet.length - 20, sum))).toBe(0);
    expect(finishChecksum(onesComplementSum(packet, 0, 20))).toBe(0);
  });

  it('parses and prints addresses', () => {
    expect(ipv4ToString(ipv4('192.168.1.20'))).toBe('192.168.1.20');
    expect(ipv6ToString(ipv6('2001:0db8:0:0:0:0:0:1'))).toBe('2001:db8::1');
    expect(ipv6ToString(ipv6('fd00::5'))).toBe('fd00::5');
    expect(ipv6('::ffff:10.0.0.1').subarray(10).toString('hex')).toBe('ffff0a000001');
  });
});
