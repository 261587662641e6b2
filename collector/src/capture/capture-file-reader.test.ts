import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PcapngWriter } from '../../test/synth/pcapng-writer';
import { COLLECTOR_DIR, runCli } from '../../test/support/run-cli';
import { tsharkFrames, tsharkTotals, type TsharkTotals } from '../../test/support/tshark';
import { CaptureFileError, readCaptureFile, type CaptureFileResult } from './capture-file-reader';
import type { PacketHandler } from './packet-handler';

const execFileAsync = promisify(execFile);
const DNS_PCAP = join(COLLECTOR_DIR, 'testdata/l7/dns.pcap');
const TWO_IF_PCAPNG = join(COLLECTOR_DIR, 'testdata/crafted/two-interfaces.pcapng');
const MULTI_SECTION_PCAPNG = join(COLLECTOR_DIR, 'testdata/crafted/multi-section.pcapng');

interface TsharkRun extends TsharkTotals {
  /** tshark's exit code: 2 when it finds the file cut short. */
  code: number;
  stderr: string;
}

/** tshark's totals where it may exit non-zero (a cut-short file), which `tsharkTotals` treats as failure. */
async function tsharkOnCutFile(file: string): Promise<TsharkRun> {
  let out: { stdout: string; stderr: string };
  let code = 0;
  try {
    out = await execFileAsync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.len'], {
      encoding: 'utf8',
    });
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    code = e.code;
    out = { stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
  const lens = out.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map(Number);
  return { packets: lens.length, bytes: lens.reduce((a, b) => a + b, 0), code, stderr: out.stderr };
}

/** Reads `file` twice (one large buffer, then chunks smaller than a packet), checks both agree, and sums wire lengths. */
async function readTotals(file: string): Promise<CaptureFileResult & { bytes: number }> {
  const results = [];
  for (const chunkBytes of [undefined, 64]) {
    let bytes = 0;
    const result = await readCaptureFile(
      file,
      {
        addInterface: () => 0,
        addDrops: () => undefined,
        onPacket: (_ifIndex, _buf, _offset, _capLen, wireLen) => (bytes += wireLen),
      },
      { chunkBytes },
    );
    results.push({ ...result, bytes });
  }
  expect(results[1]).toEqual(results[0]);
  return results[0];
}

function recorder(): PacketHandler & { events: string[] } {
  const names: string[] = [];
  const events: string[] = [];
  return {
    events,
    addInterface: (name) => names.push(name) - 1,
    addDrops: (ifIndex, drops) => events.push(`drops ${names[ifIndex]} ${drops}`),
    onPacket: (ifIndex, _buf, _offset, capLen, wireLen, tsUs) =>
      events.push(`packet ${names[ifIndex]} ${capLen}/${wireLen} @${tsUs}`),
  };
}

describe('readCaptureFile', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'packetflux-reader-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([false, true])(
    'reports pcapng interface statistics drops as increments (big-endian %s)',
    async (bigEndian) => {
      const w = PcapngWriter.inMemory({ bigEndian });
      const eth0 = w.addInterface({ linkType: 1, name: 'eth0' });
      const eth1 = w.addInterface({ linkType: 1, name: 'eth1', tsresolDigits: 9 });
      w.write(eth0, { sec: 10, nsec: 5000 }, Buffer.alloc(60), 70);
      w.writeInterfaceStatistics(eth0, 5);
      w.writeInterfaceStatistics(eth1, 0);
      w.write(eth1, { sec: 11, nsec: 1500 }, Buffer.alloc(42));
      w.writeInterfaceStatistics(eth0, 12);
      w.writeInterfaceStatistics(eth0, 12);
      w.close();
      const file = join(dir, `isb-${bigEndian}.pcapng`);
      await writeFile(file, w.contents());
      const h = recorder();
      await readCaptureFile(file, h);
      expect(h.events).toEqual([
        'packet eth0 60/70 @10000005',
        'drops eth0 5',
        'packet eth1 42/42 @11000001',
        'drops eth0 7',
      ]);
    },
  );

  it('streams a file larger than its buffer, packet records spanning chunk boundaries', async () => {
    const w = PcapngWriter.inMemory({});
    const itf = w.addInterface({ linkType: 1, name: 'eth0' });
    for (let i = 0; i < 1000; i++) w.write(itf, { sec: 1, nsec: i * 1000 }, Buffer.alloc(60 + (i % 900)));
    w.close();
    const file = join(dir, 'many.pcapng');
    await writeFile(file, w.contents());
    const h = recorder();
    const result = await readCaptureFile(file, h, { chunkBytes: 4096 });
    expect(result).toEqual({ packets: 1000 });
    expect(h.events.filter((e) => e.startsWith('packet'))).toHaveLength(1000);
  });

  describe('a file cut short inside its last record', () => {
    // Cut points come from tshark's frame lengths of the whole file and plain byte slicing.
    async function cut(source: string, name: string, at: (data: Buffer) => Promise<number>) {
      const data = await readFile(source);
      const file = join(dir, name);
      const length = await at(data);
      await writeFile(file, data.subarray(0, length));
      return { file, length, whole: await tsharkTotals(source) };
    }
    const lastCapLen = async (f: string) => (await tsharkFrames(f)).at(-1)!.capturedLength;

    it.each([
      ['inside packet data', 'data'],
      ['inside the record header', 'header'],
    ] as const)('pcap cut %s: skipped as tshark does, counts and bytes equal to its', async (_, where) => {
      const capLen = await lastCapLen(DNS_PCAP);
      const { file, length, whole } = await cut(DNS_PCAP, `dns-cut-${where}.pcap`, async (d) =>
        where === 'data' ? d.length - Math.ceil(capLen / 2) : d.length - capLen - 8,
      );
      const tshark = await tsharkOnCutFile(file);
      expect(tshark.stderr).toMatch(/cut short in the middle of a packet/);
      expect(tshark.packets).toBe(whole.packets - 1);
      const result = await readTotals(file);
      const lastRecordAt = (await readFile(DNS_PCAP)).length - 16 - capLen;
      expect(result).toEqual({
        packets: tshark.packets,
        bytes: tshark.bytes,
        truncatedTail: {
          record: `packet ${tshark.packets + 1}`,
          bytes: length - lastRecordAt,
          recordBytes: where === 'data' ? 16 + capLen : undefined,
        },
      });
    });

    it.each([
      ['inside the fixed fields', 20],
      ['inside packet data', 28 + 100],
      ['after the packet data, inside the trailing length', -2],
    ])('pcapng enhanced packet block cut %s: skipped as tshark does', async (_, offset) => {
      let block = 0;
      let blockAt = 0;
      const { file, length, whole } = await cut(TWO_IF_PCAPNG, `two-if-cut${offset}.pcapng`, async (d) => {
        expect(d.readUInt32LE(8)).toBe(0x1a2b3c4d); // a little-endian section: its trailer reads as LE
        block = d.readUInt32LE(d.length - 4);
        blockAt = d.length - block;
        return offset < 0 ? d.length + offset : blockAt + offset;
      });
      const tshark = await tsharkOnCutFile(file);
      expect(tshark.stderr).toMatch(/cut short in the middle of a packet/);
      expect(tshark.packets).toBe(whole.packets - 1);
      const result = await readTotals(file);
      expect(result).toEqual({
        packets: tshark.packets,
        bytes: tshark.bytes,
        truncatedTail: {
          record: `packet ${tshark.packets + 1}`,
          bytes: length - blockAt,
          recordBytes: block,
        },
      });
    });

    it('a later pcapng section header cut short is a cut-off tail, not an error (as tshark)', async () => {
      const data = await readFile(MULTI_SECTION_PCAPNG);
      // The second section starts where the little-endian blocks of the first one chain to it.
      let p = 0;
      do p += data.readUInt32LE(p + 4);
      while (data.readUInt32LE(p) !== 0x0a0d0d0a);
      const file = join(dir, 'multi-section-cut.pcapng');
      await writeFile(file, data.subarray(0, p + 40));
      const tshark = await tsharkOnCutFile(file);
      expect(tshark.stderr).toMatch(/cut short/);
      const result = await readTotals(file);
      expect(result.packets).toBe(tshark.packets);
      expect(result.bytes).toBe(tshark.bytes);
      expect(result.truncatedTail?.record).toBe('a pcapng section header block');
      expect(result.truncatedTail?.bytes).toBe(40);
    });

    it('replay warns naming the file and the cut packet, and its totals equal tshark', async () => {
      const data = await readFile(DNS_PCAP);
      const file = join(dir, 'dns-cut-cli.pcap');
      await writeFile(file, data.subarray(0, data.length - 10));
      const tshark = await tsharkOnCutFile(file);
      const r = await runCli(['replay', file, '--json']);
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout) as { packets: number; bytes: number };
      expect({ packets: summary.packets, bytes: summary.bytes }).toEqual({
        packets: tshark.packets,
        bytes: tshark.bytes,
      });
      const warnings = r.stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: number; file?: string; record?: string; msg: string })
        .filter((l) => l.level === 40);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ file, record: `packet ${tshark.packets + 1}` });
      expect(warnings[0].msg).toContain(file);
    });
  });

  describe('a file whose own header is cut short', () => {
    it.each([
      ['pcap global header', DNS_PCAP, [4, 12, 23], /truncated pcap file header/],
      ['pcapng section header block', TWO_IF_PCAPNG, [4, 8, 12, 91], /truncated pcapng section header block/],
    ])(
      '%s: CaptureFileError naming the file; tshark cannot read it either',
      async (_, source, lengths, why) => {
        const data = await readFile(source);
        for (const length of lengths) {
          const file = join(dir, `header-${length}-${source.split('/').at(-1)}`);
          await writeFile(file, data.subarray(0, length));
          const error = await readCaptureFile(file, recorder()).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(CaptureFileError);
          expect((error as Error).message).toContain(file);
          expect((error as Error).message).toMatch(why);
        }
        // tshark takes some very short pcapng prefixes for other formats (MIME); the longest it reports cut short.
        const tshark = await tsharkOnCutFile(
          join(dir, `header-${lengths.at(-1)}-${source.split('/').at(-1)}`),
        );
        expect(tshark.code).not.toBe(0);
        expect(tshark.stderr).toMatch(/cut short/);
      },
    );

    it('a pcap file of just its global header is 0 packets and no error, as tshark', async () => {
      const file = join(dir, 'header-only.pcap');
      await writeFile(file, (await readFile(DNS_PCAP)).subarray(0, 24));
      expect(await readTotals(file)).toEqual({ packets: 0, bytes: 0 });
      expect(await tsharkTotals(file)).toEqual({ packets: 0, bytes: 0 });
    });

    it('an empty file stays an error', async () => {
      const file = join(dir, 'empty.pcap');
      await writeFile(file, Buffer.alloc(0));
      await expect(readCaptureFile(file, recorder())).rejects.toThrow(CaptureFileError);
    });

    it('replay exits non-zero with a one-line message naming the file', async () => {
      const file = join(dir, 'cli-header.pcap');
      await writeFile(file, (await readFile(DNS_PCAP)).subarray(0, 20));
      const r = await runCli(['replay', file, '--json']);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim()).toBe(`packetflux: ${file}: truncated pcap file header (20 of 24 bytes)`);
    });
  });
});
