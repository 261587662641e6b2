import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { StepSnapshot } from '../stats/step-snapshot';
import { InfluxServer } from '../../test/support/influx-server';
import { VictoriaMetricsServer } from '../../test/support/victoria-metrics';
import type { InfluxTarget } from './influx-target';
import { InfluxWriter } from './influx-writer';

const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });

function step(endMs: number, bytes: number): StepSnapshot {
  return {
    endMs,
    interfaces: [{ ifname: 'eth0', bytes, packets: bytes / 100, drops: 0 }],
    hosts: [
      { ifname: 'eth0', host: 'fd00::5', bytesSent: bytes, bytesRcvd: 0, packetsSent: 1, packetsRcvd: 0 },
    ],
    protocols: [{ ifname: 'eth0', proto: 'TLS', category: 'Web', bytes, packets: bytes / 100, flows: 1 }],
    hostProtocols: [
      { ifname: 'eth0', host: 'fd00::5', proto: 'TLS', category: 'Web', bytesSent: bytes, bytesRcvd: 0 },
    ],
    probe: { drops: 0, flows: 1, hosts: 1 },
  };
}

async function writer(
  target: InfluxTarget,
  overrides: Partial<ConstructorParameters<typeof InfluxWriter>[0]> = {},
): Promise<InfluxWriter> {
  const w = new InfluxWriter(
    {
      target,
      probe: 'test-probe',
      spoolDir: await mkdtemp(join(tmpdir(), 'packetflux-spool-')),
      spoolMaxBytes: 1 << 20,
      timeoutMs: 2000,
      maxPendingBatches: 8,
      retryMinMs: 100,
      retryMaxMs: 400,
      ...overrides,
    },
    { logger },
  );
  await w.start();
  return w;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('InfluxWriter against a real InfluxDB 1.x', () => {
  const influx = new InfluxServer();
  beforeAll(() => influx.start());
  afterAll(() => influx.destroy());

  it('writes the four measurements and the probe heartbeat with integer fields, tags and step-end timestamps', async () => {
    const w = await writer({ kind: 'v1', url: influx.url, db: 'schema' });
    w.writeStep({ ...step(1_700_000_005_000, 1500), probe: { drops: 7, flows: 3, hosts: 2 } });
    // A step without traffic is still one point: the heartbeat.
    w.writeStep({
      endMs: 1_700_000_010_000,
      interfaces: [],
      hosts: [],
      protocols: [],
      hostProtocols: [],
      probe: { drops: 0, flows: 3, hosts: 2 },
    });
    await w.stop();
    expect(await influx.rows('SELECT * FROM "probe"', 'schema')).toEqual([
      { time: 1_700_000_005_000, up: 1, drops: 7, flows: 3, hosts: 2, probe: 'test-probe' },
      { time: 1_700_000_010_000, up: 1, drops: 0, flows: 3, hosts: 2, probe: 'test-probe' },
    ]);
    const [probeFields] = await influx.query('SHOW FIELD KEYS FROM "probe"', 'schema');
    expect(probeFields.series?.[0].values).toEqual([
      ['drops', 'integer'],
      ['flows', 'integer'],
      ['hosts', 'integer'],
      ['up', 'integer'],
    ]);
    expect(await influx.rows('SELECT * FROM "interface"', 'schema')).toEqual([
      { time: 1_700_000_005_000, bytes: 1500, packets: 15, drops: 0, ifname: 'eth0', probe: 'test-probe' },
    ]);
    expect(await influx.rows('SELECT bytes_sent, host FROM "host"', 'schema')).toEqual([
      { time: 1_700_000_005_000, bytes_sent: 1500, host: 'fd00::5' },
    ]);
    expect(await influx.rows('SELECT bytes, proto, category FROM "interface_l7"', 'schema')).toEqual([
      { time: 1_700_000_005_000, bytes: 1500, proto: 'TLS', category: 'Web' },
    ]);
    expect(await influx.rows('SELECT bytes_sent, proto FROM "host_l7"', 'schema')).toEqual([
      { time: 1_700_000_005_000, bytes_sent: 1500, proto: 'TLS' },
    ]);
    const [fields] = await influx.query('SHOW FIELD KEYS FROM "interface"', 'schema');
    expect(fields.series?.[0].values).toEqual([
      ['bytes', 'integer'],
      ['drops', 'integer'],
      ['packets', 'integer'],
    ]);
  });

  it('spools while InfluxDB is down longer than the retry time, and replays every step in order once it is back', async () => {
    const w = await writer({ kind: 'v1', url: influx.url, db: 'outage' });
    w.writeStep(step(1_700_000_005_000, 100));
    await w.flush();
    await influx.stop();
    for (let i = 2; i <= 6; i++) w.writeStep(step(1_700_000_000_000 + i * 5000, i * 100));
    await w.flush();
    // Down for several retry periods (100-400 ms): the writer must keep waiting, not give up.
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.status().spooledBatches).toBe(5);
    expect(w.status().lastError).toBeTruthy();
    await influx.start();
    w.writeStep(step(1_700_000_035_000, 700));
    await until(async () => w.status().spooledBatches === 0, 10_000);
    await w.stop();
    const rows = await influx.rows('SELECT bytes FROM "interface"', 'outage');
    expect(rows.map((r) => [r.time, r.bytes])).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((i) => [1_700_000_000_000 + i * 5000, i * 100]),
    );
  });

  it('keeps a batch InfluxDB refuses for good aside with the reason, and goes on writing', async () => {
    await influx.createDatabase('conflict');
    // A float `bytes` field first in the same shard: InfluxDB then refuses our integer `bytes` (field type conflict).
    await fetch(`${influx.url}/write?db=conflict&precision=ms`, {
      method: 'POST',
      body: 'interface,probe=x,ifname=eth0 bytes=1.5 1700000000000',
    });
    const w = await writer({ kind: 'v1', url: influx.url, db: 'conflict' });
    w.writeStep(step(1_700_000_005_000, 100));
    await w.flush();
    const status = w.status();
    w.writeStep({ ...step(1_700_000_010_000, 200), interfaces: [] });
    await w.stop();
    expect(status.rejectedBatches).toBe(1);
    expect(w.status().rejectedBatches).toBe(1);
    expect((await influx.rows('SELECT bytes_sent FROM "host"', 'conflict')).map((r) => r.bytes_sent)).toEqual(
      [100, 200],
    );
    const dir = join((w as unknown as { spool: { dir: string } }).spool.dir, 'rejected');
    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(2);
    expect(await readFile(join(dir, files[1]), 'utf8')).toMatch(/HTTP 400.*field type conflict/);
    expect(await readFile(join(dir, files[0]), 'utf8')).toContain(
      'interface,ifname=eth0,probe=test-probe bytes=100i',
    );
  });

  it('replays a spool left by an earlier run at start', async () => {
    const first = await writer({ kind: 'v1', url: 'http://127.0.0.1:1', db: 'leftover' }, { timeoutMs: 300 });
    first.writeStep(step(1_700_000_005_000, 4200));
    await first.stop();
    // The step, and at stop the partial minute's and hour's rollups.
    expect(first.status().spooledBatches).toBe(2);
    const spoolDir = (first as unknown as { spool: { dir: string } }).spool.dir;
    const second = await writer({ kind: 'v1', url: influx.url, db: 'leftover' }, { spoolDir });
    await until(async () => second.status().spooledBatches === 0, 5000);
    await second.stop();
    expect(await influx.rows('SELECT bytes FROM "interface"', 'leftover')).toEqual([
      { time: 1_700_000_005_000, bytes: 4200 },
    ]);
  });
});

describe('InfluxWriter v2 path (org, bucket, token on /api/v2/write)', () => {
  const vm = new VictoriaMetricsServer();
  beforeAll(() => vm.start());
  afterAll(() => vm.destroy());

  it('delivers line protocol that a v2 endpoint accepts', async () => {
    const w = await writer({ kind: 'v2', url: vm.url, org: 'ops', bucket: 'traffic', token: 'secret' });
    w.writeStep(step(1_700_000_005_000, 1500));
    w.writeStep(step(1_700_000_010_000, 3000));
    await w.stop();
    // Per step: interface, interface_l7, host, host_l7 and the probe heartbeat; at stop, the
    // same five series' partial `_1m` and `_1h` rollups.
    expect(w.status().writtenLines).toBe(20);
    let series: Awaited<ReturnType<VictoriaMetricsServer['export']>> = [];
    await until(async () => (series = await vm.export('interface_bytes')).length > 0, 10_000);
    expect(series).toEqual([
      {
        metric: { __name__: 'interface_bytes', probe: 'test-probe', ifname: 'eth0' },
        values: [1500, 3000],
        timestamps: [1_700_000_005_000, 1_700_000_010_000],
      },
    ]);
  });
});
