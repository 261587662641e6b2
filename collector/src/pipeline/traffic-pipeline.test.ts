import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { promisify } from 'node:util';
import { addressToWords } from '../stats/address-words';
import { DEFAULT_LOCAL_NETWORKS, LocalNetworks } from '../stats/local-networks';
import { replayInProcess } from '../../test/support/replay-in-process';
import {
  tsharkHostBytes,
  tsharkIpAddresses,
  tsharkPerInterface,
  tsharkTotals,
} from '../../test/support/tshark';

const ROOT = join(__dirname, '..', '..', '..');
const captures = [
  ...['collector/testdata/crafted', 'collector/testdata/l7', 'samples'].flatMap((dir) =>
    readdirSync(join(ROOT, dir))
      .filter((f) => /\.pcap(ng)?$/.test(f))
      .map((f) => join(ROOT, dir, f)),
  ),
];
async function tsharkFields(file: string, fields: string[]): Promise<string[][]> {
  const { stdout } = await promisify(execFile)('tshark', [
    '-r',
    file,
    '-T',
    'fields',
    ...fields.flatMap((f) => ['-e', f]),
  ]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
}

const local = new LocalNetworks(DEFAULT_LOCAL_NETWORKS);
const words = new Uint32Array(4);

function isLocal(ip: string): boolean {
  const version = addressToWords(ip, words);
  return local.contains(words, version);
}

describe('replay counts exactly what tshark reads', () => {
  it('has a test set covering every crafted link type and the sample', () => {
    const names = captures.map((f) => basename(f));
    for (const expected of [
      'vlan.pcap',
      'qinq.pcap',
      'sll.pcap',
      'sll2.pcap',
      'raw-ip.pcap',
      'null-loopback.pcap',
      'ipv6-ext-headers.pcap',
      'ipv4-fragments.pcap',
      'truncated.pcap',
      'two-interfaces.pcapng',
      'sample.pcap',
    ]) {
      expect(names).toContain(expected);
    }
  });

  describe.each(captures.map((f) => [basename(f), f]))('%s', (_name, file) => {
    let replay: Awaited<ReturnType<typeof replayInProcess>>;
    beforeAll(async () => {
      replay = await replayInProcess(file);
    });

    it('interface packets and bytes equal tshark frame count and sum of frame.len', async () => {
      const totals = await tsharkTotals(file);
      expect({ packets: replay.summary.packets, bytes: replay.summary.bytes }).toEqual(totals);
      const perInterface = await tsharkPerInterface(file);
      const keys = Object.keys(perInterface);
      if (basename(file) === 'multi-section.pcapng') {
        // tshark 4.0 mislabels interfaces (and sections) past the first section, so group its
        // frames by what the generator put on each interface: section 2's eth1 carries the
        // ICMP echo and ARP frames, everything else is on eth0 (see synth/crafted-captures.ts).
        const expected: Record<string, { packets: number; bytes: number }> = {};
        for (const [protocols, len] of await tsharkFields(file, ['frame.protocols', 'frame.len'])) {
          const t = (expected[/:(icmp|arp)\b/.test(protocols) ? 'eth1' : 'eth0'] ??= {
            packets: 0,
            bytes: 0,
          });
          t.packets++;
          t.bytes += Number(len);
        }
        expect(replay.summary.interfaces).toEqual(expected);
      } else if (keys.length === 1 && keys[0].startsWith('if')) {
        // Classic pcap names no interface: the collector uses the file's base name.
        expect(replay.summary.interfaces).toEqual({ [basename(file, extname(file))]: perInterface[keys[0]] });
      } else {
        expect(replay.summary.interfaces).toEqual(perInterface);
      }
    });

    it("each local host's sent and received traffic equals tshark's ip.src/ip.dst sums", async () => {
      // A header cut short gives tshark a source without a destination: '' is no host.
      const hosts = (await tsharkIpAddresses(file)).filter((ip) => ip !== '' && isLocal(ip));
      const multi = Object.keys(replay.summary.interfaces).length > 1;
      const ours: Record<
        string,
        { bytesSent: number; bytesRcvd: number; packetsSent: number; packetsRcvd: number }
      > = {};
      for (const [key, t] of Object.entries(replay.summary.hosts)) {
        const ip = multi ? key.slice(key.indexOf('/') + 1) : key;
        const acc = (ours[ip] ??= { bytesSent: 0, bytesRcvd: 0, packetsSent: 0, packetsRcvd: 0 });
        acc.bytesSent += t.bytesSent;
        acc.bytesRcvd += t.bytesRcvd;
        acc.packetsSent += t.packetsSent;
        acc.packetsRcvd += t.packetsRcvd;
      }
      expect(Object.keys(ours).sort()).toEqual(hosts);
      for (const ip of hosts)
        expect({ ip, ...ours[ip] }).toEqual({ ip, ...(await tsharkHostBytes(file, ip)) });
    });

    it('host totals stay exact when idle hosts are expired and come back (--host-idle 5s)', async () => {
      const expiring = await replayInProcess(file, { hostIdleSeconds: 5 });
      expect(expiring.summary.hosts).toEqual(replay.summary.hosts);
      expect(expiring.steps.flatMap((s) => s.hosts)).toEqual(replay.steps.flatMap((s) => s.hosts));
    });

    it('steps add up to the totals, and protocol series (Non-IP and Malformed included) stack up to the interface totals', () => {
      const sum = <T>(rows: T[], f: (r: T) => number): number => rows.reduce((a, r) => a + f(r), 0);
      const protocols = replay.steps.flatMap((s) => s.protocols);
      expect(
        sum(
          replay.steps.flatMap((s) => s.interfaces),
          (i) => i.bytes,
        ),
      ).toBe(replay.summary.bytes);
      expect(sum(protocols, (p) => p.bytes)).toBe(replay.summary.bytes);
      expect(sum(protocols, (p) => p.packets)).toBe(replay.summary.packets);
      expect(sum(Object.values(replay.summary.protocols), (p) => p.bytes)).toBe(replay.summary.bytes);
      expect(sum(protocols, (p) => p.flows)).toBe(replay.summary.flows);
      for (const s of replay.steps) expect(s.endMs % 5000).toBe(0);
    });
  });
});

describe('malformed input', () => {
  it('counts truncated and garbage frames as malformed, never throws', async () => {
    const { malformed, summary } = await replayInProcess(
      join(ROOT, 'collector/testdata/crafted/truncated.pcap'),
    );
    expect(malformed).toBeGreaterThan(0);
    expect(summary.packets).toBe(
      (await tsharkTotals(join(ROOT, 'collector/testdata/crafted/truncated.pcap'))).packets,
    );
  });
});
