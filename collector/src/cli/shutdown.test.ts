import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateBenchCapture } from '../../test/synth/generate-bench-capture';
import { InfluxServer } from '../../test/support/influx-server';
import { finished, startCli } from '../../test/support/run-cli';

describe('SIGTERM during a replay', () => {
  const influx = new InfluxServer();
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'packetflux-sigterm-'));
    await influx.start();
  });
  afterAll(async () => {
    await influx.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('stops early, and everything read until then is in InfluxDB', async () => {
    const file = join(dir, 'big.pcap');
    const generated = generateBenchCapture(file, { packets: 1_500_000, flows: 20_000, durationSeconds: 600 });
    const proc = startCli([
      'replay',
      file,
      '--json',
      '--influx-url',
      influx.url,
      '--influx-db',
      'sigterm',
      '--spool-dir',
      join(dir, 'spool'),
    ]);
    const done = finished(proc);
    // Signal once the replay has written its first points.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [r] = await influx
        .query('SELECT COUNT(bytes) FROM "interface"', 'sigterm')
        .catch(() => [undefined]);
      if (r?.series?.length) break;
      if (Date.now() > deadline) throw new Error('replay wrote nothing in 30 s');
      await new Promise((res) => setTimeout(res, 50));
    }
    proc.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(130);
    const summary = JSON.parse(r.stdout) as { packets: number; bytes: number };
    expect(summary.packets).toBeGreaterThan(0);
    expect(summary.packets).toBeLessThan(generated.packets);
    const rows = await influx.rows(
      'SELECT SUM(packets) AS packets, SUM(bytes) AS bytes FROM "interface"',
      'sigterm',
    );
    expect(rows).toEqual([{ time: 0, packets: summary.packets, bytes: summary.bytes }]);
  });
});
