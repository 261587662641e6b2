import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { addressToWords } from '../stats/address-words';
import { DEFAULT_LOCAL_NETWORKS, LocalNetworks } from '../stats/local-networks';
import { InfluxServer } from '../../test/support/influx-server';
import { REPO_DIR, replayIntoInflux } from '../../test/support/run-cli';
import { tsharkHostBytes, tsharkIpAddresses, tsharkTotals } from '../../test/support/tshark';

const files = [
  ...['collector/testdata/crafted', 'samples'].flatMap((dir) =>
    readdirSync(join(REPO_DIR, dir))
      .filter((f) => /\.pcap(ng)?$/.test(f))
      .map((f) => join(REPO_DIR, dir, f)),
  ),
];
const local = new LocalNetworks(DEFAULT_LOCAL_NETWORKS);

function sums(rows: Record<string, unknown>[], key: string): Record<string, Record<string, unknown>> {
  return Object.fromEntries(rows.map(({ time: _t, [key]: k, ...rest }) => [String(k), rest]));
}

describe('packetflux replay into a real InfluxDB', () => {
  const influx = new InfluxServer();
  beforeAll(() => influx.start());
  afterAll(() => influx.destroy());

  describe.each(files.map((f) => [basename(f), f]))('%s', (name, file) => {
    const db = `t_${name.replace(/\W/g, '_')}`;
    let summary: {
      packets: number;
      bytes: number;
      protocols: Record<string, { packets: number; bytes: number; flows: number }>;
    };

    beforeAll(async () => {
      summary = await replayIntoInflux(file, influx.url, db, ['--probe', 'ci']);
    });

    it('the sum of `interface` bytes and packets in InfluxDB equals tshark', async () => {
      const rows = await influx.rows(
        'SELECT SUM(bytes) AS bytes, SUM(packets) AS packets FROM "interface"',
        db,
      );
      const t = await tsharkTotals(file);
      expect(rows).toEqual([{ time: 0, bytes: t.bytes, packets: t.packets }]);
    });

    it("each local host's `host` sums in InfluxDB equal tshark's ip.src/ip.dst sums", async () => {
      const rows = await influx.rows(
        'SELECT SUM(bytes_sent) AS bytesSent, SUM(bytes_rcvd) AS bytesRcvd, SUM(packets_sent) AS packetsSent, SUM(packets_rcvd) AS packetsRcvd FROM "host" GROUP BY "host"',
        db,
      );
      const words = new Uint32Array(4);
      const hosts = (await tsharkIpAddresses(file)).filter(
        (ip) => ip !== '' && local.contains(words, addressToWords(ip, words)),
      );
      const expected: Record<string, unknown> = {};
      for (const ip of hosts) expected[ip] = await tsharkHostBytes(file, ip);
      expect(sums(rows, 'host')).toEqual(expected);
    });

    it('`interface_l7` per protocol in InfluxDB equals the replay summary', async () => {
      const rows = await influx.rows(
        'SELECT SUM(bytes) AS bytes, SUM(packets) AS packets, SUM(flows) AS flows FROM "interface_l7" GROUP BY "proto"',
        db,
      );
      expect(sums(rows, 'proto')).toEqual(summary.protocols);
    });
  });
});
