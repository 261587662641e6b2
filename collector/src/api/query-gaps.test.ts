import type { CatalogSnapshot } from '../store/catalog';
import type { InfluxQueryRunner, InfluxStatementResult } from '../store/influx-reader';
import { parseMetricName, type ResolvedMetric } from './metric-names';
import { bucketGrid, heartbeatQuery, QueryEngine, runningBuckets, transform } from './query-engine';

const catalog: CatalogSnapshot = {
  version: 1,
  refreshedAtMs: 0,
  probes: ['p1'],
  interfaces: ['eth0'],
  hosts: new Map([['eth0', ['10.0.0.5']]]),
  protocols: new Map([['eth0', ['TLS', 'DNS', 'QUIC']]]),
  categories: new Map([['eth0', ['Web']]]),
  truncated: false,
};

function metric(name: string): ResolvedMetric {
  const r = parseMetricName(name, catalog);
  if (!r.ok) throw new Error(r.error);
  return r.metric;
}

/** Five 60 s buckets from T0. */
const T0 = 1_700_000_040_000;
const grid = bucketGrid(T0, T0 + 300_000, 60_000, 1000, 5);

/** One InfluxDB series of per-bucket rows `[bucket start + 1 ms, value]`, as GROUP BY time(.., 1ms) answers. */
function buckets(values: number[], tags?: Record<string, string>): InfluxStatementResult['series'] {
  return [
    {
      name: 'm',
      tags,
      columns: ['time', 'f0'],
      values: values.map((v, i) => [grid.startMs + i * grid.widthMs + 1, v]),
    },
  ];
}

/** Answers heartbeat statements with `beats` and the metric's statements with `answer`. */
function fakeInflux(
  beats: number[] | null,
  answer: (statement: string) => InfluxStatementResult,
): { runner: InfluxQueryRunner; statements: string[] } {
  const statements: string[] = [];
  const runner: InfluxQueryRunner = {
    query: (influxql) => {
      const parts = influxql.split('; ');
      statements.push(...parts);
      return Promise.resolve(
        parts.map((s) =>
          s.includes('FROM "probe"') ? { series: beats ? buckets(beats) : undefined } : answer(s),
        ),
      );
    },
    ping: () => Promise.resolve({ ok: true, version: 'fake', latencyMs: 0 }),
  };
  return { runner, statements };
}

describe('gaps: buckets without a heartbeat answer null', () => {
  // Bytes per bucket: traffic, a quiet bucket (collector up, 0), two buckets with the collector down, traffic.
  const bytes = [600, 0, 0, 0, 1200];
  const beats = [12, 12, 0, 0, 5];

  it('rates: 0 where the collector ran and saw nothing, null where it did not run', async () => {
    const { runner, statements } = fakeInflux(beats, () => ({ series: buckets(bytes) }));
    const [series] = await new QueryEngine(runner).run(metric('interface_eth0_traffic_bps'), grid, {
      top: 10,
    });
    expect(series.values).toEqual([80, 0, null, null, 160]);
    // One more statement, on the same grid, sent with the metric's own.
    expect(statements).toHaveLength(2);
    expect(statements[1]).toBe(
      `SELECT COUNT("up") AS "f0" FROM "probe" WHERE time > ${grid.startMs}ms AND time <= ${grid.endMs}ms GROUP BY time(60000ms, 1ms) fill(0)`,
    );
  });

  it('totals carry the running sum across a gap and are null inside it', async () => {
    const { runner } = fakeInflux(beats, () => ({ series: buckets(bytes) }));
    const [series] = await new QueryEngine(runner).run(metric('interface_eth0_traffic_total_bytes'), grid, {
      top: 10,
    });
    expect(series.values).toEqual([600, 600, null, null, 1800]);
  });

  it('without any heartbeat in the range (data from before them), empty buckets stay 0', async () => {
    for (const none of [null, [0, 0, 0, 0, 0]]) {
      const { runner } = fakeInflux(none, () => ({ series: buckets(bytes) }));
      const [series] = await new QueryEngine(runner).run(metric('interface_eth0_traffic_bps'), grid, {
        top: 10,
      });
      expect(series.values).toEqual([80, 0, 0, 0, 160]);
    }
  });

  it('multi-series metrics: every series, Other included, has the same gaps', async () => {
    const perProto: Record<string, number[]> = {
      TLS: [300, 0, 0, 0, 600],
      DNS: [200, 0, 0, 0, 300],
      QUIC: [100, 0, 0, 0, 300],
    };
    const { runner } = fakeInflux(beats, (s) => {
      if (s.includes('GROUP BY "proto"'))
        return {
          series: Object.entries(perProto).map(([proto, v]) => ({
            name: 'interface_l7',
            tags: { proto },
            columns: ['time', 'f0'],
            values: [[0, v.reduce((a, b) => a + b, 0)]],
          })),
        };
      if (s.includes('"proto"'))
        return { series: ['TLS', 'DNS'].flatMap((proto) => buckets(perProto[proto], { proto })!) };
      return { series: buckets(bytes) };
    });
    const series = await new QueryEngine(runner).run(metric('interface_eth0_allprotocols_bps'), grid, {
      top: 2,
    });
    expect(series.map((s) => [s.name, s.values])).toEqual([
      ['TLS', [40, 0, null, null, 80]],
      ['DNS', [(200 * 8) / 60, 0, null, null, 40]],
      ['Other', [(100 * 8) / 60, 0, null, null, 40]],
    ]);
  });

  it('a bucket holding the metric’s own points counts as running, heartbeat or not', () => {
    const result = { series: buckets([3, 0, 0, 0]) };
    const g = { ...grid, count: 4 };
    expect(runningBuckets(result, g, [[5, 0, 7, 0]])).toEqual([true, false, true, false]);
    expect(
      runningBuckets(result, g, [
        [0, 0, 0, 0],
        [0, 1, 0, 0],
      ]),
    ).toEqual([true, true, false, false]);
    expect(runningBuckets({ series: buckets([0, 0, 0, 0]) }, g, [[5, 0, 7, 0]])).toBeNull();
    expect(runningBuckets(undefined, g, [[5, 0, 7, 0]])).toBeNull();
  });

  it('transform: packets per second and totals, with and without gaps', () => {
    expect(transform([10, 20, 30], 'rate', 10_000, 'pps', [true, false, true])).toEqual([1, null, 3]);
    expect(transform([10, 20, 30], 'rate', 10_000, 'pps', null)).toEqual([1, 2, 3]);
    expect(transform([10, 0, 30], 'cumulative', 10_000, 'short', [false, true, true])).toEqual([
      null,
      10,
      40,
    ]);
  });

  it('the probe filter reaches the heartbeat statement escaped', () => {
    expect(heartbeatQuery(grid, `p'1\\"`)).toContain(`WHERE "probe" = 'p\\'1\\\\"' AND time > `);
  });
});
