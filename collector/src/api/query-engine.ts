/**
 * Turns a resolved metric and a time range into InfluxQL, runs it and shapes the answer into
 * series of evenly spaced buckets.
 *
 * Points are per-step deltas timestamped at the *end* of their step, so a bucket
 * `[start, start + width)` holds the points with `start < time <= start + width`. InfluxDB's
 * buckets are `[b, b + width)`, hence `GROUP BY time(width, 1ms)` and each bucket is reported
 * at its InfluxDB start minus 1 ms. The range is widened to whole buckets, so every bucket is
 * complete and `rate × bucket seconds` summed over the buckets is exactly the traffic stored
 * for the widened range.
 *
 * Gaps: a bucket without any `probe` heartbeat of the queried probe(s), and without any of the
 * metric's own points, answers null: no collector was running. A running collector that saw
 * nothing answers 0. Data written before heartbeats existed (none in the whole range) answers
 * as it always did, with zeros.
 *
 * Rollups: where the bucket width is a whole number of minutes (hours), the sums come from the
 * collector's `<measurement>_1m` (`_1h`) rollups instead of the raw steps: a rollup point is
 * the sum of the steps of its minute (hour) and is timestamped at its end, and buckets start on
 * multiples of their width, so each rollup point falls in the bucket its steps fall in and the
 * answer is the same, from 12 (720) times fewer points. A rollup is read only where it is known
 * to be complete, the rest of the range from the next finer resolution (down to raw):
 * - after the first rollup point of that measurement (found by one cheap `FIRST()` query,
 *   cached a few minutes): steps written before the collector wrote rollups have none;
 * - up to a few minutes before now: the open minute/hour is written when it closes.
 */
import type { InfluxQueryRunner, InfluxStatementResult } from '../store/influx-reader';
import { durationLiteral, quoteIdent, quoteString, timeLiteral } from '../store/influxql';
import {
  FIELDS,
  MEASUREMENTS,
  ROLLUPS,
  SCHEMA,
  TAGS,
  rollupMeasurement,
  type MeasurementName,
  type Rollup,
} from '../store/schema';
import type { MetricKind, ResolvedMetric, Unit } from './metric-names';

export interface BucketGrid {
  /** Start of the first bucket (epoch ms, a multiple of `widthMs`). */
  startMs: number;
  /** End of the last bucket (exclusive). */
  endMs: number;
  widthMs: number;
  count: number;
}

/**
 * Bucket width = max(intervalMs, step, range / maxDataPoints) rounded up to a whole number of
 * steps; the range widened to whole buckets.
 */
export function bucketGrid(
  fromMs: number,
  toMs: number,
  intervalMs: number,
  maxDataPoints: number,
  stepSeconds: number,
): BucketGrid {
  const stepMs = Math.round(stepSeconds * 1000);
  const wanted = Math.max(intervalMs, stepMs, Math.ceil((toMs - fromMs) / maxDataPoints));
  const widthMs = Math.ceil(wanted / stepMs) * stepMs;
  const startMs = Math.floor(fromMs / widthMs) * widthMs;
  let endMs = Math.ceil(toMs / widthMs) * widthMs;
  if (endMs <= startMs) endMs = startMs + widthMs;
  return { startMs, endMs, widthMs, count: (endMs - startMs) / widthMs };
}

export interface Series {
  name: string;
  labels: Record<string, string>;
  unit: Unit;
  times: number[];
  /** null: no collector of the queried probe(s) was running in the bucket. */
  values: (number | null)[];
}

export interface QueryOptions {
  /** Restrict to one probe; all probes when absent. */
  probe?: string;
  /** Top N for multi-series metrics. */
  top: number;
  signal?: AbortSignal;
}

type Transform = 'rate' | 'cumulative';

interface Shape {
  measurement: MeasurementName;
  fields: string[];
  transform: Transform;
  /** Multi-series metrics: the tag that splits the series. */
  splitBy?: string;
}

const BYTES_BOTH = [FIELDS.bytesSent, FIELDS.bytesRcvd];

function shapeOf(metric: ResolvedMetric): Shape {
  const host = metric.family.scope === 'host';
  const kind: MetricKind = metric.family.kind;
  switch (kind) {
    case 'traffic_bps':
      return host
        ? { measurement: MEASUREMENTS.host, fields: BYTES_BOTH, transform: 'rate' }
        : { measurement: MEASUREMENTS.interface, fields: [FIELDS.bytes], transform: 'rate' };
    case 'traffic_sent_bps':
      return { measurement: MEASUREMENTS.host, fields: [FIELDS.bytesSent], transform: 'rate' };
    case 'traffic_rcvd_bps':
      return { measurement: MEASUREMENTS.host, fields: [FIELDS.bytesRcvd], transform: 'rate' };
    case 'traffic_pps':
      return host
        ? {
            measurement: MEASUREMENTS.host,
            fields: [FIELDS.packetsSent, FIELDS.packetsRcvd],
            transform: 'rate',
          }
        : { measurement: MEASUREMENTS.interface, fields: [FIELDS.packets], transform: 'rate' };
    case 'traffic_total_bytes':
      return host
        ? { measurement: MEASUREMENTS.host, fields: BYTES_BOTH, transform: 'cumulative' }
        : { measurement: MEASUREMENTS.interface, fields: [FIELDS.bytes], transform: 'cumulative' };
    case 'traffic_total_packets':
      return { measurement: MEASUREMENTS.interface, fields: [FIELDS.packets], transform: 'cumulative' };
    case 'protocol_bps':
      return host
        ? { measurement: MEASUREMENTS.hostL7, fields: BYTES_BOTH, transform: 'rate' }
        : { measurement: MEASUREMENTS.interfaceL7, fields: [FIELDS.bytes], transform: 'rate' };
    case 'allprotocols_bps':
      return host
        ? { measurement: MEASUREMENTS.hostL7, fields: BYTES_BOTH, transform: 'rate', splitBy: TAGS.proto }
        : {
            measurement: MEASUREMENTS.interfaceL7,
            fields: [FIELDS.bytes],
            transform: 'rate',
            splitBy: TAGS.proto,
          };
    case 'allcategories_bps':
      return host
        ? { measurement: MEASUREMENTS.hostL7, fields: BYTES_BOTH, transform: 'rate', splitBy: TAGS.category }
        : {
            measurement: MEASUREMENTS.interfaceL7,
            fields: [FIELDS.bytes],
            transform: 'rate',
            splitBy: TAGS.category,
          };
    case 'tophosts_bps':
      return { measurement: MEASUREMENTS.host, fields: BYTES_BOTH, transform: 'rate', splitBy: TAGS.host };
  }
}

/** The tag conditions that select the metric's entity (and probe), escaped. */
function conditions(metric: ResolvedMetric, probe: string | undefined): string[] {
  const out = [`${quoteIdent(TAGS.ifname)} = ${quoteString(metric.ifname)}`];
  if (metric.host !== undefined) out.push(`${quoteIdent(TAGS.host)} = ${quoteString(metric.host)}`);
  if (metric.proto !== undefined) out.push(`${quoteIdent(TAGS.proto)} = ${quoteString(metric.proto)}`);
  if (probe !== undefined) out.push(`${quoteIdent(TAGS.probe)} = ${quoteString(probe)}`);
  return out;
}

function selectSums(fields: string[]): string {
  return fields.map((f, i) => `SUM(${quoteIdent(f)}) AS ${quoteIdent(`f${i}`)}`).join(', ');
}

/** Where one statement reads: the raw measurement or a rollup of it, over `(fromMs, toMs]`. */
export interface Source {
  rollup: Rollup | null;
  fromMs: number;
  toMs: number;
}

function rawSource(grid: BucketGrid): Source {
  return { rollup: null, fromMs: grid.startMs, toMs: grid.endMs };
}

function fromClause(measurement: MeasurementName, source: Source): string {
  return quoteIdent(source.rollup ? rollupMeasurement(measurement, source.rollup) : measurement);
}

function timeBounds(source: Source): string {
  return `time > ${timeLiteral(source.fromMs)} AND time <= ${timeLiteral(source.toMs)}`;
}

/** Per-bucket sums, optionally restricted to some values of a tag and split by it. */
export function bucketQuery(
  metric: ResolvedMetric,
  grid: BucketGrid,
  probe: string | undefined,
  split?: { tag: string; values: string[] },
  source: Source = rawSource(grid),
): string {
  const shape = shapeOf(metric);
  const where = conditions(metric, probe);
  if (split && split.values.length > 0) {
    where.push(`(${split.values.map((v) => `${quoteIdent(split.tag)} = ${quoteString(v)}`).join(' OR ')})`);
  }
  where.push(timeBounds(source));
  const groupBy = [`time(${durationLiteral(grid.widthMs)}, 1ms)`];
  if (split) groupBy.push(quoteIdent(split.tag));
  return `SELECT ${selectSums(shape.fields)} FROM ${fromClause(shape.measurement, source)} WHERE ${where.join(' AND ')} GROUP BY ${groupBy.join(', ')} fill(0)`;
}

/**
 * Heartbeats per bucket, on the same grid as `bucketQuery` (the count comes back as `f0`): a
 * count of raw points, the sum of `up` of rollup points (the steps with a heartbeat).
 */
export function heartbeatQuery(
  grid: BucketGrid,
  probe: string | undefined,
  source: Source = rawSource(grid),
): string {
  const where = probe === undefined ? [] : [`${quoteIdent(TAGS.probe)} = ${quoteString(probe)}`];
  where.push(timeBounds(source));
  const count = source.rollup ? 'SUM' : 'COUNT';
  return `SELECT ${count}(${quoteIdent(FIELDS.up)}) AS ${quoteIdent('f0')} FROM ${fromClause(MEASUREMENTS.probe, source)} WHERE ${where.join(' AND ')} GROUP BY time(${durationLiteral(grid.widthMs)}, 1ms) fill(0)`;
}

/** Totals over the whole range per value of the split tag (to pick the top N). */
export function totalsQuery(
  metric: ResolvedMetric,
  grid: BucketGrid,
  probe: string | undefined,
  source: Source = rawSource(grid),
): string {
  const shape = shapeOf(metric);
  if (!shape.splitBy) throw new Error(`${metric.name} is not a multi-series metric`);
  const where = [...conditions(metric, probe), timeBounds(source)];
  return `SELECT ${selectSums(shape.fields)} FROM ${fromClause(shape.measurement, source)} WHERE ${where.join(' AND ')} GROUP BY ${quoteIdent(shape.splitBy)}`;
}

export const OTHER_SERIES = 'Other';

export interface QueryEngineOptions {
  /** Read the `_1m`/`_1h` rollups where they give the same answer as the raw steps (default false). */
  rollups?: boolean;
  /** Wall clock (tests). */
  nowMs?: () => number;
}

/** The open minute/hour is written once a step of the next one is: rollups are read up to this long before now. */
export const ROLLUP_SETTLE_MS = 3 * 60_000;
/** How long the first rollup point of each measurement is remembered (when there is none yet: a minute). */
const FIRST_ROLLUP_TTL_MS = 5 * 60_000;
const NO_ROLLUP_TTL_MS = 60_000;

/**
 * The statements' sources that cover `(grid.startMs, grid.endMs]`: the coarsest rollup whose
 * period divides the bucket width where it is complete (after `firsts` of it, up to
 * `horizonMs`), the next finer resolution around it, raw steps last. Every boundary is a
 * multiple of the period of the rollup it bounds, so each bucket sums the same steps.
 */
export function planSources(
  grid: BucketGrid,
  firstRollupMs: (rollup: Rollup) => number | null,
  horizonMs: number,
): Source[] {
  const levels = [...ROLLUPS].reverse().filter((r) => grid.widthMs % r.periodMs === 0);
  const cover = (fromMs: number, toMs: number, level: number): Source[] => {
    if (toMs <= fromMs) return [];
    if (level >= levels.length) return [{ rollup: null, fromMs, toMs }];
    const rollup = levels[level];
    const first = firstRollupMs(rollup);
    const p = rollup.periodMs;
    const a = first === null ? toMs : Math.max(fromMs, Math.ceil(first / p) * p);
    const b = Math.min(toMs, Math.floor(horizonMs / p) * p);
    if (b <= a) return cover(fromMs, toMs, level + 1);
    return [...cover(fromMs, a, level + 1), { rollup, fromMs: a, toMs: b }, ...cover(b, toMs, level + 1)];
  };
  return cover(grid.startMs, grid.endMs, 0);
}

/** One result holding the series of several (the same statement over adjacent sources). */
function merged(results: InfluxStatementResult[]): InfluxStatementResult {
  return { series: results.flatMap((r) => r.series ?? []) };
}

export class QueryEngine {
  private readonly rollups: boolean;
  private readonly now: () => number;
  /** First rollup point (epoch ms) per rollup measurement, null when it has none. */
  private firsts: Map<string, number | null> | null = null;
  private firstsCheckedMs = 0;
  private firstsPending: Promise<void> | null = null;

  constructor(
    private readonly reader: InfluxQueryRunner,
    private readonly onQuery?: (influxql: string) => void,
    options: QueryEngineOptions = {},
  ) {
    this.rollups = options.rollups ?? false;
    this.now = options.nowMs ?? Date.now;
  }

  /**
   * Finds the first point of every rollup measurement, in one request, not reported to
   * `onQuery` (it is not a query of the metric). Failures leave rollups unused until the next try.
   */
  private async refreshFirsts(): Promise<void> {
    const now = this.now();
    const hasNone =
      !this.firsts || this.firsts.size === 0 || [...this.firsts.values()].some((v) => v === null);
    const ttl = hasNone ? NO_ROLLUP_TTL_MS : FIRST_ROLLUP_TTL_MS;
    if (this.firsts && now - this.firstsCheckedMs < ttl) return;
    if (!this.firstsPending) {
      const names: string[] = [];
      const statements: string[] = [];
      for (const m of Object.values(MEASUREMENTS))
        for (const r of ROLLUPS) {
          const name = rollupMeasurement(m, r);
          names.push(name);
          statements.push(`SELECT FIRST(${quoteIdent(SCHEMA[m].fields[0])}) FROM ${quoteIdent(name)}`);
        }
      this.firstsPending = this.reader
        .query(statements.join('; '))
        .then((results) => {
          const firsts = new Map<string, number | null>();
          names.forEach((name, i) => {
            const series = results[i]?.series?.find((s) => s.name === name);
            const t = series?.values[0]?.[series.columns.indexOf('time')];
            firsts.set(name, typeof t === 'number' ? t : null);
          });
          this.firsts = firsts;
        })
        .catch(() => {
          // E.g. a server that refuses unknown measurements: raw only, tried again in a minute.
          this.firsts = new Map();
        })
        .finally(() => {
          this.firstsCheckedMs = now;
          this.firstsPending = null;
        });
    }
    await this.firstsPending;
  }

  /** The sources of `measurement`'s statements on this grid (just the raw measurement without rollups). */
  private async sources(measurement: MeasurementName, grid: BucketGrid): Promise<Source[]> {
    if (!this.rollups || grid.widthMs % ROLLUPS[0].periodMs !== 0) return [rawSource(grid)];
    await this.refreshFirsts();
    const firsts = this.firsts;
    if (!firsts) return [rawSource(grid)];
    return planSources(
      grid,
      (r) => firsts.get(rollupMeasurement(measurement, r)) ?? null,
      this.now() - ROLLUP_SETTLE_MS,
    );
  }

  async run(metric: ResolvedMetric, grid: BucketGrid, options: QueryOptions): Promise<Series[]> {
    const shape = shapeOf(metric);
    const baseLabels: Record<string, string> = { ifname: metric.ifname };
    if (metric.host !== undefined) baseLabels.host = metric.host;
    if (metric.proto !== undefined) baseLabels.proto = metric.proto;
    if (options.probe !== undefined) baseLabels.probe = options.probe;
    const times = Array.from({ length: grid.count }, (_, i) => grid.startMs + i * grid.widthMs);
    const sources = await this.sources(shape.measurement, grid);
    // Sent with the metric's own statements: one round trip, one more statement (per source).
    const heartbeat = (await this.sources(MEASUREMENTS.probe, grid)).map((s) =>
      heartbeatQuery(grid, options.probe, s),
    );
    const finish = (
      name: string,
      labels: Record<string, string>,
      sums: number[],
      running: boolean[] | null,
    ): Series => ({
      name,
      labels,
      unit: metric.family.unit,
      times,
      values: transform(sums, shape.transform, grid.widthMs, metric.family.unit, running),
    });

    if (!shape.splitBy) {
      const metricStatements = sources.map((s) => bucketQuery(metric, grid, options.probe, undefined, s));
      const results = await this.query([...metricStatements, ...heartbeat].join('; '), options.signal);
      const result = merged(results.slice(0, metricStatements.length));
      const beats = merged(results.slice(metricStatements.length));
      const sums = collectBuckets(result, grid).get('') ?? new Array<number>(grid.count).fill(0);
      return [finish(metric.name, baseLabels, sums, runningBuckets(beats, grid, [sums]))];
    }

    const splitBy = shape.splitBy;
    const totalsResult = merged(
      await this.query(
        sources.map((s) => totalsQuery(metric, grid, options.probe, s)).join('; '),
        options.signal,
      ),
    );
    const totals = collectTotals(totalsResult, splitBy);
    const ranked = [...totals]
      .filter(([, total]) => total > 0)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const top = ranked.slice(0, options.top).map(([value]) => value);
    const hasRest = ranked.length > top.length;
    if (top.length === 0) return [];

    const n = sources.length;
    const statements = sources.map((s) =>
      bucketQuery(metric, grid, options.probe, { tag: splitBy, values: top }, s),
    );
    if (hasRest)
      statements.push(...sources.map((s) => bucketQuery(metric, grid, options.probe, undefined, s)));
    const results = await this.query([...statements, ...heartbeat].join('; '), options.signal);
    const perValue = collectBuckets(merged(results.slice(0, n)), grid, splitBy);
    const all = hasRest
      ? (collectBuckets(merged(results.slice(n, 2 * n)), grid).get('') ??
        new Array<number>(grid.count).fill(0))
      : undefined;
    const running = runningBuckets(
      merged(results.slice(statements.length)),
      grid,
      all ? [all] : [...perValue.values()],
    );
    const series = top.map((value) =>
      finish(
        value,
        { ...baseLabels, [splitBy]: value },
        perValue.get(value) ?? new Array<number>(grid.count).fill(0),
        running,
      ),
    );
    if (all) {
      const other = all.map((sum, i) => {
        let rest = sum;
        for (const value of top) rest -= perValue.get(value)?.[i] ?? 0;
        return Math.max(0, rest);
      });
      if (other.some((v) => v > 0))
        series.push(finish(OTHER_SERIES, { ...baseLabels, [splitBy]: OTHER_SERIES }, other, running));
    }
    return series;
  }

  private query(influxql: string, signal: AbortSignal | undefined): Promise<InfluxStatementResult[]> {
    this.onQuery?.(influxql);
    return this.reader.query(influxql, { signal });
  }
}

/**
 * Rates: per-bucket sum ÷ bucket seconds (× 8 for bits per second); totals: running sum from the
 * start of the range, carried across gaps. Buckets where nothing ran (`running[i]` false) are
 * null; `running` null means gaps are unknown (no heartbeats) and every bucket has a number.
 */
export function transform(
  sums: number[],
  how: Transform,
  widthMs: number,
  unit: Unit,
  running: boolean[] | null,
): (number | null)[] {
  const gap = (i: number): boolean => running !== null && !running[i];
  if (how === 'rate') {
    const factor = (unit === 'bps' ? 8 : 1) / (widthMs / 1000);
    return sums.map((v, i) => (gap(i) ? null : v * factor));
  }
  let total = 0;
  return sums.map((v, i) => {
    total += v;
    return gap(i) ? null : total;
  });
}

/**
 * Which buckets had a collector running: a heartbeat, or points of the metric itself (a
 * collector from before heartbeats, beside newer ones). Null when the range holds no heartbeat
 * at all: old data, whose empty buckets stay 0.
 */
export function runningBuckets(
  heartbeats: InfluxStatementResult | undefined,
  grid: BucketGrid,
  metricSums: number[][],
): boolean[] | null {
  const beats = collectBuckets(heartbeats, grid).get('');
  if (!beats || !beats.some((n) => n > 0)) return null;
  return beats.map((n, i) => n > 0 || metricSums.some((sums) => sums[i] !== 0));
}

/** Sum of the `f*` columns of each row. */
function rowSum(columns: string[], row: unknown[]): number {
  let sum = 0;
  for (let i = 0; i < columns.length; i++) {
    if (columns[i].startsWith('f')) {
      const v = row[i];
      if (typeof v === 'number') sum += v;
    }
  }
  return sum;
}

/** Per-bucket sums by value of `tag` (key `''` when not split). */
function collectBuckets(
  result: InfluxStatementResult | undefined,
  grid: BucketGrid,
  tag?: string,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const series of result?.series ?? []) {
    const key = tag ? (series.tags?.[tag] ?? '') : '';
    let sums = out.get(key);
    if (!sums) {
      sums = new Array<number>(grid.count).fill(0);
      out.set(key, sums);
    }
    const timeCol = series.columns.indexOf('time');
    for (const row of series.values) {
      const t = row[timeCol];
      if (typeof t !== 'number') continue;
      const index = Math.round((t - 1 - grid.startMs) / grid.widthMs);
      if (index >= 0 && index < grid.count) sums[index] += rowSum(series.columns, row);
    }
  }
  return out;
}

function collectTotals(result: InfluxStatementResult | undefined, tag: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const series of result?.series ?? []) {
    const key = series.tags?.[tag] ?? '';
    let total = out.get(key) ?? 0;
    for (const row of series.values) total += rowSum(series.columns, row);
    out.set(key, total);
  }
  return out;
}
