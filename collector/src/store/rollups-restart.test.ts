import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { StepSnapshot } from '../stats/step-snapshot';
import { InfluxServer } from '../../test/support/influx-server';
import { InfluxWriter } from './influx-writer';

const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });
const H = 3_600_000;
const T = 1_700_002_800_000; // a whole hour

function step(endMs: number, hosts: string[]): StepSnapshot {
  return {
    endMs,
    interfaces: [{ ifname: 'eth0', bytes: 100 * hosts.length, packets: hosts.length, drops: 0 }],
    hosts: hosts.map((host) => ({
      ifname: 'eth0',
      host,
      bytesSent: 100,
      bytesRcvd: 1,
      packetsSent: 1,
      packetsRcvd: 1,
    })),
    protocols: [],
    hostProtocols: [],
    probe: { drops: 0, flows: 1, hosts: hosts.length },
  };
}

async function writer(influx: InfluxServer, db: string): Promise<InfluxWriter> {
  const w = new InfluxWriter(
    {
      target: { kind: 'v1', url: influx.url, db },
      probe: 'p',
      spoolDir: await mkdtemp(join(tmpdir(), 'packetflux-spool-')),
      spoolMaxBytes: 1 << 20,
      timeoutMs: 2000,
      maxPendingBatches: 8,
      retryMinMs: 100,
      retryMaxMs: 400,
    },
    { logger },
  );
  await w.start();
  return w;
}

describe('rollups across a collector restart (real InfluxDB 1.x)', () => {
  const influx = new InfluxServer();
  beforeAll(() => influx.start());
  afterAll(() => influx.destroy());

  async function expectRollupsEqualRaw(db: string): Promise<void> {
    for (const [suffix, period] of [
      ['_1m', 60_000],
      ['_1h', H],
    ] as const) {
      const raw = await influx.rows(
        `SELECT SUM(bytes_sent) AS s, SUM(packets_rcvd) AS r FROM "host" WHERE time > ${T - H}ms AND time <= ${T + 2 * H}ms GROUP BY time(${period}ms, 1ms), "host" fill(none)`,
        db,
      );
      const rollup = await influx.rows(
        `SELECT bytes_sent AS s, packets_rcvd AS r, host FROM "host${suffix}"`,
        db,
      );
      const key = (time: number, r: Record<string, unknown>): string =>
        `${time} ${String(r.host)} ${r.s} ${r.r}`;
      expect(rollup.map((r) => key(r.time as number, r)).sort()).toEqual(
        raw.map((r) => key((r.time as number) - 1 + period, r)).sort(),
      );
      const beats = await influx.rows(
        `SELECT COUNT(up) AS n FROM "probe" WHERE time > ${T - H}ms AND time <= ${T + 2 * H}ms GROUP BY time(${period}ms, 1ms) fill(none)`,
        db,
      );
      const ups = await influx.rows(`SELECT up FROM "probe${suffix}"`, db);
      expect(ups.map((r) => [r.time, r.up])).toEqual(
        beats.map((r) => [(r.time as number) - 1 + period, r.n]),
      );
    }
  }

  it('a crash (no stop) mid-minute, a restart two minutes later in the same hour: nothing lost, nothing twice', async () => {
    const a = await writer(influx, 'crash');
    // Steps up to 2 min 35 s into the hour; the third minute never closes and nothing is flushed at the end.
    for (let t = T + 5000; t <= T + 155_000; t += 5000) a.writeStep(step(t, ['10.0.0.1', '10.0.0.2']));
    await a.flush();
    expect(await influx.rows(`SELECT up FROM "probe_1m" WHERE time = ${T + 180_000}ms`, 'crash')).toEqual([]);
    const b = await writer(influx, 'crash');
    for (let t = T + 250_000; t <= T + H + 65_000; t += 5000) b.writeStep(step(t, ['10.0.0.1', '10.0.0.3']));
    await b.stop();
    expect(await influx.rows(`SELECT up FROM "probe_1m" WHERE time = ${T + 180_000}ms`, 'crash')).toEqual([
      { time: T + 180_000, up: 7 },
    ]);
    await expectRollupsEqualRaw('crash');
  });

  it('a clean stop and a restart in the same step: the step the second run writes again replaces the first one', async () => {
    const a = await writer(influx, 'same-step');
    for (let t = T + 5000; t <= T + 40_000; t += 5000) a.writeStep(step(t, ['10.0.0.1', '10.0.0.2']));
    await a.stop();
    const b = await writer(influx, 'same-step');
    // 10.0.0.2 is not in the second run's first step: its point there stays and counts once.
    for (let t = T + 40_000; t <= T + 130_000; t += 5000) b.writeStep(step(t, ['10.0.0.1', '10.0.0.3']));
    await b.stop();
    await expectRollupsEqualRaw('same-step');
  });
});
