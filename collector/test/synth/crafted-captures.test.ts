import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  tsharkBadFrames,
  tsharkFrames,
  tsharkHostBytes,
  tsharkIpAddresses,
  tsharkPerInterface,
  tsharkTotals,
} from '../support/tshark';
import { craftedCaptures } from './crafted-captures';

const CRAFTED_DIR = join(__dirname, '..', '..', 'testdata', 'crafted');

describe('crafted captures', () => {
  const captures = craftedCaptures();

  describe.each(captures.map((c) => [c.file, c] as const))('%s', (file, capture) => {
    const path = join(CRAFTED_DIR, file);

    it('is what the generator writes now (regenerate with make-crafted-captures)', () => {
      expect(readFileSync(path).equals(capture.build())).toBe(true);
    });

    it('has the expected frame count in tshark', async () => {
      const totals = await tsharkTotals(path);
      expect(totals.packets).toBe(capture.frames);
      expect(totals.bytes).toBeGreaterThan(0);
    });

    it('has exactly the intended malformed / error frames, checksums verified', async () => {
      expect(await tsharkBadFrames(path)).toEqual(capture.badFrames);
    });
  });

  it('covers hosts as both source and destination', async () => {
    const oneSided: string[] = [];
    for (const c of captures) {
      const sent = new Set<string>();
      const rcvd = new Set<string>();
      for (const f of await tsharkFrames(join(CRAFTED_DIR, c.file))) {
        if (f.src) sent.add(f.src);
        if (f.dst) rcvd.add(f.dst);
      }
      for (const a of new Set([...sent, ...rcvd]))
        if (!sent.has(a) || !rcvd.has(a)) oneSided.push(`${c.file} ${a}`);
    }
    // Multicast listener report, and the truncated file's cut / garbage frames.
    expect(oneSided.sort()).toEqual(['ipv6-ext-headers.pcap ff02::16', 'truncated.pcap fd00::5']);
  });

  it('counts outer headers only for tunnels and ICMP errors', async () => {
    const path = join(CRAFTED_DIR, 'tunnels-and-icmp-errors.pcap');
    expect(await tsharkIpAddresses(path)).toEqual([
      '10.0.0.5',
      '198.51.100.7',
      '2001:db8::1',
      '203.0.113.9',
      '93.184.216.34',
      'fd00::5',
    ]);
    const h = await tsharkHostBytes(path, '10.0.0.5');
    expect(h.packetsSent + h.packetsRcvd).toBe(10);
  });

  it('reports per-interface totals for pcapng, adding same-named interfaces of several sections', async () => {
    const two = await tsharkPerInterface(join(CRAFTED_DIR, 'two-interfaces.pcapng'));
    expect(Object.keys(two).sort()).toEqual(['eth0', 'wlan0']);
    expect(two.eth0.packets).toBe(11);
    expect(two.wlan0.packets).toBe(15);
    const multi = await tsharkPerInterface(join(CRAFTED_DIR, 'multi-section.pcapng'));
    expect(multi.eth0.packets).toBe(11);
    expect(multi.eth1.packets).toBe(4);
  });

  it('keeps wire length apart from captured length in truncated.pcap', async () => {
    const frames = await tsharkFrames(join(CRAFTED_DIR, 'truncated.pcap'));
    expect(frames[1]).toMatchObject({ length: 1254, capturedLength: 128 });
    expect(frames[13]).toMatchObject({ length: 60, capturedLength: 0 });
  });

  it('writes into any directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crafted-'));
    try {
      for (const c of captures.slice(0, 2)) writeFileSync(join(dir, c.file), c.build());
      expect(readFileSync(join(dir, captures[0].file)).length).toBeGreaterThan(24);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
