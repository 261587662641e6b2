import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsharkFrames, tsharkTotals } from '../support/tshark';
import { generateBenchCapture } from './generate-bench-capture';

describe('generateBenchCapture', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bench-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes what its summary says, as tshark reads it', async () => {
    const file = join(dir, 'a.pcap');
    const s = generateBenchCapture(file, { packets: 20_000, flows: 2_000, seed: 42, durationSeconds: 20 });
    expect(await tsharkTotals(file)).toEqual({ packets: 20_000, bytes: s.bytes });
    const frames = await tsharkFrames(file);
    const lengths = frames.map((f) => f.length);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(60);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(1518);
    expect(frames.filter((f) => f.ipVersion === 6).length).toBe(s.ipv6Packets);
    expect(frames.filter((f) => f.protocols.includes('vlan')).length).toBe(s.vlanPackets);
    expect(s.ipv6Packets).toBeGreaterThan(0);
    expect(s.vlanPackets).toBeGreaterThan(0);
    const pairs = new Set(frames.map((f) => `${f.src} ${f.dst}`));
    expect(pairs.size).toBeGreaterThan(500);
    expect(s.lastTs.sec - s.firstTs.sec).toBeGreaterThanOrEqual(15);
  });

  it('is deterministic from the seed', () => {
    const a = join(dir, 'x.pcap');
    const b = join(dir, 'y.pcap');
    const c = join(dir, 'z.pcap');
    generateBenchCapture(a, { packets: 5_000, flows: 500, seed: 3 });
    generateBenchCapture(b, { packets: 5_000, flows: 500, seed: 3 });
    generateBenchCapture(c, { packets: 5_000, flows: 500, seed: 4 });
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
  });

  it('cuts stored bytes at the snaplen and keeps wire lengths', async () => {
    const file = join(dir, 's.pcap');
    const s = generateBenchCapture(file, { packets: 2_000, flows: 100, seed: 5, snaplen: 96 });
    const frames = await tsharkFrames(file);
    expect(Math.max(...frames.map((f) => f.capturedLength))).toBe(96);
    expect(frames.reduce((sum, f) => sum + f.length, 0)).toBe(s.bytes);
  });
});
