import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InfluxServer } from '../../test/support/influx-server';
import { ndpiReaderTotals } from '../../test/support/ndpi-reader';
import { REPO_DIR, replayIntoInflux } from '../../test/support/run-cli';

const L7_DIR = join(REPO_DIR, 'collector/testdata/l7');
const captures = readdirSync(L7_DIR).filter((f) => f.endsWith('.pcap'));
/** Frames outside any flow: PacketFlux counts them so protocol series stack to the interface total; ndpiReader skips them. */
const PSEUDO = ['Non-IP', 'Malformed'];

describe('application protocols: packetflux replay equals ndpiReader on the same file', () => {
  const influx = new InfluxServer();
  beforeAll(() => influx.start());
  afterAll(() => influx.destroy());

  it('covers DNS, HTTP, TLS, SSH and well-known services', async () => {
    const seen = new Set<string>();
    for (const f of captures)
      for (const p of Object.keys(await ndpiReaderTotals(join(L7_DIR, f)))) seen.add(p);
    for (const p of ['DNS', 'HTTP', 'TLS', 'SSH', 'YouTube', 'NetFlix', 'Facebook', 'Google'])
      expect(seen).toContain(p);
  });

  describe.each(captures)('%s', (file) => {
    const path = join(L7_DIR, file);
    const db = `l7_${file.replace(/\W/g, '_')}`;
    let protocols: Record<string, { packets: number; bytes: number; flows: number }>;

    beforeAll(async () => {
      ({ protocols } = await replayIntoInflux<{ protocols: typeof protocols }>(path, influx.url, db, [
        '--local-networks',
        '127.0.0.0/8',
      ]));
    });

    it('replay --json protocols: packets, bytes and flows per protocol equal ndpiReader', async () => {
      const ours = Object.fromEntries(Object.entries(protocols).filter(([p]) => !PSEUDO.includes(p)));
      expect(ours).toEqual(await ndpiReaderTotals(path));
    });

    it('interface_l7 in InfluxDB holds the same totals', async () => {
      const rows = await influx.rows(
        'SELECT SUM(bytes) AS bytes, SUM(packets) AS packets, SUM(flows) AS flows FROM "interface_l7" GROUP BY "proto"',
        db,
      );
      const stored = Object.fromEntries(
        rows
          .filter((r) => !PSEUDO.includes(String(r.proto)))
          .map(({ proto, bytes, packets, flows }) => [proto, { packets, bytes, flows }]),
      );
      expect(stored).toEqual(await ndpiReaderTotals(path));
    });

    it('host_l7: every byte of a protocol was sent by one local host and received by one', async () => {
      const rows = await influx.rows(
        'SELECT SUM(bytes_sent) AS sent, SUM(bytes_rcvd) AS rcvd FROM "host_l7" GROUP BY "proto"',
        db,
      );
      const expected = await ndpiReaderTotals(path);
      expect(Object.fromEntries(rows.map((r) => [r.proto, { sent: r.sent, rcvd: r.rcvd }]))).toEqual(
        Object.fromEntries(Object.entries(expected).map(([p, t]) => [p, { sent: t.bytes, rcvd: t.bytes }])),
      );
    });
  });
});
