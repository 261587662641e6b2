import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxReader } from '../store/influx-reader';
import { MEASUREMENTS, ROLLUPS, SCHEMA, rollupMeasurement, type MeasurementName } from '../store/schema';
import { InfluxServer } from '../../test/support/influx-server';
import { REPO_DIR, replayIntoInflux } from '../../test/support/run-cli';
import { SeededRandom } from '../../test/synth/random';
import { generateBenchCapture } from '../../test/synth/generate-bench-capture';
import { METRIC_FAMILIES, type ResolvedMetric } from './metric-names';
import { bucketGrid, QueryEngine } from './query-engine';

const DB = 'rollups';
const START_S = 1_700_001_234; // mid-hour, mid-minute
const DURATION_S = 3 * 3600 + 600; // three hour boundaries

/** `<measurement>` summed per series and minute/hour from the raw steps, keyed like the rollup points. */
async function rawVsRollup(
  influx: InfluxServer,
  m: MeasurementName,
  periodMs: number,
  suffix: string,
): Promise<{ raw: string[]; rollup: string[] }> {
  const fields = SCHEMA[m].fields;
  const tags = SCHEMA[m].tags;
  const key = (r: Record<string, unknown>, time: number): string =>
    JSON.stringify([time, ...tags.map((t) => r[t] ?? ''), ...fields.map((f) => r[f])]);
  // Summed here rather than by InfluxDB: the sums do not depend on the code under test.
  const sums = new Map<string, { time: number; r: Record<string, unknown> }>();
  for (const r of await influx.rows(`SELECT * FROM "${m}"`, DB)) {
    const time = Math.ceil((r.time as number) / periodMs) * periodMs;
    const id = JSON.stringify([time, ...tags.map((t) => r[t] ?? '')]);
    const sum = sums.get(id);
    if (!sum) sums.set(id, { time, r: { ...r } });
    else for (const f of fields) (sum.r[f] as number) += r[f] as number;
  }
  const rollupRows = await influx.rows(`SELECT * FROM "${m}${suffix}"`, DB);
  return {
    raw: [...sums.values()].map(({ time, r }) => key(r, time)).sort(),
    rollup: rollupRows.map((r) => key(r, r.time as number)).sort(),
  };
}

describe('rollups written by the collector, read by the API (real influxd 1.x)', () => {
  const influx = new InfluxServer();
  let dir = '';
  let firstHalfHour: Record<string, unknown>[] = [];

  beforeAll(async () => {
    await influx.start();
    dir = await mkdtemp(join(tmpdir(), 'packetflux-rollups-'));
    const bench = join(dir, 'bench.pcap');
    const { packets } = generateBenchCapture(bench, {
      packets: 30_000,
      flows: 600,
      durationSeconds: DURATION_S,
      startSeconds: START_S,
    });
    // Two halves of one capture, replayed one after the other: the second run starts in the
    // minute and hour where the first stopped, as a collector restarted mid-minute.
    const half = Math.floor(packets / 2);
    execFileSync('editcap', ['-r', bench, join(dir, 'a.pcap'), `1-${half}`]);
    execFileSync('editcap', ['-r', bench, join(dir, 'b.pcap'), `${half + 1}-${packets}`]);
    await replayIntoInflux(join(dir, 'a.pcap'), influx.url, DB, [
      '--probe',
      'bench',
      '--interface-name',
      'eth0',
    ]);
    firstHalfHour = await influx.rows('SELECT * FROM "probe_1h" ORDER BY time DESC LIMIT 1', DB);
    await replayIntoInflux(join(dir, 'b.pcap'), influx.url, DB, [
      '--probe',
      'bench',
      '--interface-name',
      'eth0',
    ]);
    await replayIntoInflux(join(REPO_DIR, 'samples', 'sample.pcap'), influx.url, DB, ['--probe', 'sample']);
  }, 180_000);
  afterAll(async () => {
    await influx.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the second run continued the hour the first stopped in: its rollup holds both parts', async () => {
    const [before] = firstHalfHour;
    expect(before).toBeDefined();
    const [after] = await influx.rows(`SELECT * FROM "probe_1h" WHERE time = ${before.time as number}ms`, DB);
    expect((after.up as number) > (before.up as number)).toBe(true);
    const [raw] = await influx.rows(
      `SELECT COUNT(up) AS up FROM "probe" WHERE probe = 'bench' AND time > ${(before.time as number) - 3_600_000}ms AND time <= ${before.time as number}ms`,
      DB,
    );
    expect(after.up).toBe(raw.up);
  });

  it.each(
    Object.values(MEASUREMENTS).flatMap((m) => ROLLUPS.map((r) => [rollupMeasurement(m, r), m, r] as const)),
  )('%s: every point equals the sum of the raw steps of its minute/hour, every field', async (_, m, r) => {
    const { raw, rollup } = await rawVsRollup(influx, m, r.periodMs, r.suffix);
    expect(raw.length).toBeGreaterThan(0);
    expect(rollup).toEqual(raw);
  });

  it('property: for random ranges, widths, probes and metrics, the answer with rollups equals the answer from raw steps', async () => {
    const reader = new InfluxReader({ url: influx.url, database: DB, timeoutMs: 10_000 });
    const statements: string[] = [];
    const raw = new QueryEngine(reader);
    const values = async (q: string): Promise<string[]> =>
      (await influx.rows(q, DB)).map((r) => String(r.value)).sort();
    const ifnames = await values('SHOW TAG VALUES FROM "interface" WITH KEY = "ifname"');
    const hosts = await values('SHOW TAG VALUES FROM "host_l7" WITH KEY = "host"');
    const protos = await values('SHOW TAG VALUES FROM "interface_l7" WITH KEY = "proto"');
    const spans = await influx.rows('SELECT FIRST(up) AS a, LAST(up) AS b FROM "probe" GROUP BY "probe"', DB);
    const bounds: Record<string, [number, number]> = {};
    for (const probe of ['bench', 'sample']) {
      const [first] = await influx.rows(`SELECT FIRST(up) FROM "probe" WHERE probe = '${probe}'`, DB);
      const [last] = await influx.rows(`SELECT LAST(up) FROM "probe" WHERE probe = '${probe}'`, DB);
      bounds[probe] = [first.time as number, last.time as number];
    }
    expect(spans).toHaveLength(2);
    const rnd = new SeededRandom(13);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd.next() * list.length)];
    const widths = [15_000, 60_000, 120_000, 300_000, 900_000, 3_600_000, 7_200_000];
    let readRollups = 0;
    for (let i = 0; i < 40; i++) {
      const probe = pick(['bench', 'bench', 'sample']);
      const [lo, hi] = bounds[probe];
      const widthMs = pick(widths);
      const from = lo - 3_600_000 + Math.floor(rnd.next() * (hi - lo + 3_600_000));
      const to = from + Math.min(widthMs * 200, Math.ceil(rnd.next() * (hi - lo + 7_200_000)));
      const grid = bucketGrid(from, to, widthMs, 1000, 5);
      const family = pick(METRIC_FAMILIES);
      const metric: ResolvedMetric = {
        name: `case ${i}: ${family.pattern}`,
        family,
        ifname: pick(ifnames),
        host: family.scope === 'host' ? pick(hosts) : undefined,
        proto: family.kind === 'protocol_bps' ? pick(protos) : undefined,
      };
      // A wall clock inside the range now and then: the part after it is read raw.
      const now = rnd.next() < 0.25 ? from + Math.floor(rnd.next() * (to - from)) : Date.now();
      const engine = new QueryEngine(reader, (q) => statements.push(q), { rollups: true, nowMs: () => now });
      const options = { probe: pick([probe, undefined]), top: 1 + Math.floor(rnd.next() * 4) };
      const before = statements.length;
      const expected = await raw.run(metric, grid, options);
      const actual = await engine.run(metric, grid, options);
      if (statements.slice(before).some((s) => /FROM "\w+_1[mh]"/.test(s))) readRollups++;
      expect({ case: metric.name, grid, options, series: actual }).toEqual({
        case: metric.name,
        grid,
        options,
        series: expected,
      });
    }
    // Most cases have minute or hour buckets over data with rollups: they must have read them.
    expect(readRollups).toBeGreaterThanOrEqual(15);
  }, 120_000);
});
