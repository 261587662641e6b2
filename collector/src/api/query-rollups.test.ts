import { planSources, type BucketGrid } from './query-engine';

const M = 60_000;
const H = 3_600_000;
const T = 1_700_002_800_000; // a whole hour

describe('planSources (which resolution the API reads)', () => {
  const grid = (startMs: number, endMs: number, widthMs: number): BucketGrid => ({
    startMs,
    endMs,
    widthMs,
    count: (endMs - startMs) / widthMs,
  });
  const plan = (g: BucketGrid, first: Record<string, number | null>, horizon: number) =>
    planSources(g, (r) => first[r.suffix] ?? null, horizon).map((s) => [
      s.rollup?.suffix ?? 'raw',
      s.fromMs - T,
      s.toMs - T,
    ]);

  it('hourly buckets read `_1h` where it is complete, `_1m` and raw around it', () => {
    const g = grid(T, T + 6 * H, H);
    expect(plan(g, { _1h: T + 2 * H, _1m: T + 30 * M }, T + 5 * H + 7 * M + 1)).toEqual([
      ['raw', 0, 30 * M],
      ['_1m', 30 * M, 2 * H],
      ['_1h', 2 * H, 5 * H],
      ['_1m', 5 * H, 5 * H + 7 * M],
      ['raw', 5 * H + 7 * M, 6 * H],
    ]);
  });

  it('no rollups, or a width that is not a whole number of minutes: raw only', () => {
    expect(plan(grid(T, T + H, M), {}, T + 2 * H)).toEqual([['raw', 0, H]]);
    expect(plan(grid(T, T + H, 30_000), { _1m: T, _1h: T }, T + 2 * H)).toEqual([['raw', 0, H]]);
    // Minute buckets never read `_1h`, whose points would land in the last minute of each hour.
    expect(plan(grid(T, T + H, M), { _1m: T - H, _1h: T - H }, T + 2 * H)).toEqual([['_1m', 0, H]]);
  });
});
