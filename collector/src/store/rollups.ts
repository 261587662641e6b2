import { InfluxReader, type InfluxAuth, type InfluxQueryRunner } from './influx-reader';
import type { InfluxTarget } from './influx-target';
import { durationLiteral, quoteIdent, quoteString, timeLiteral } from './influxql';
import {
  MEASUREMENTS,
  ROLLUPS,
  SCHEMA,
  TAGS,
  rollupMeasurement,
  type MeasurementName,
  type Rollup,
} from './schema';
import { recordPoint, type StepRecord } from './step-points';

/** The sums of one minute or hour, per series: what its rollup points hold. */
export interface ClosedPeriod {
  rollup: Rollup;
  /** End of the period (epoch ms): the rollup points' timestamp. */
  endMs: number;
  records: StepRecord[];
}

/** End of the minute/hour that holds the step ending at `stepEndMs` (steps divide a minute). */
export function periodEnd(stepEndMs: number, periodMs: number): number {
  return Math.ceil(stepEndMs / periodMs) * periodMs;
}

function seriesKey(r: StepRecord): string {
  return `${r.measurement}\u0000${r.tags.join('\u0000')}`;
}

function addInto(sums: Map<string, StepRecord>, r: StepRecord): void {
  const key = seriesKey(r);
  const sum = sums.get(key);
  if (!sum) sums.set(key, { measurement: r.measurement, tags: r.tags, fields: [...r.fields] });
  else for (let i = 0; i < r.fields.length; i++) sum.fields[i] += r.fields[i];
}

/**
 * Sums step records per series over the open minute and the open hour. A step of a later
 * minute (hour) closes the open one, which `add` returns; `flush` closes the partial ones
 * (shutdown). Steps must divide a minute, so a step never straddles two periods.
 */
export class RollupAccumulator {
  private readonly open: ({ endMs: number; sums: Map<string, StepRecord> } | null)[] = ROLLUPS.map(
    () => null,
  );

  add(records: StepRecord[], stepEndMs: number): ClosedPeriod[] {
    const closed: ClosedPeriod[] = [];
    ROLLUPS.forEach((rollup, i) => {
      const endMs = periodEnd(stepEndMs, rollup.periodMs);
      let open = this.open[i];
      if (open && open.endMs !== endMs) {
        closed.push(this.close(i));
        open = null;
      }
      if (!open) open = this.open[i] = { endMs, sums: new Map() };
      for (const r of records) addInto(open.sums, r);
    });
    return closed;
  }

  /** Closes the open (partial) periods. */
  flush(): ClosedPeriod[] {
    const closed: ClosedPeriod[] = [];
    ROLLUPS.forEach((_, i) => {
      if (this.open[i]) closed.push(this.close(i));
    });
    return closed;
  }

  private close(i: number): ClosedPeriod {
    const open = this.open[i]!;
    this.open[i] = null;
    return { rollup: ROLLUPS[i], endMs: open.endMs, records: [...open.sums.values()] };
  }
}

/** Line protocol of closed periods. */
export function rollupLines(periods: ClosedPeriod[]): string[] {
  const lines: string[] = [];
  for (const p of periods)
    for (const r of p.records) {
      const line = recordPoint(r, rollupMeasurement(r.measurement, p.rollup), p.endMs).toLineProtocol();
      if (line !== undefined) lines.push(line);
    }
  return lines;
}

function toInt(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : 0;
}

/**
 * What earlier runs of this probe wrote in the hour this run starts in, recomputed from the
 * raw step points up to this run's first step (`firstStep`): at its timestamp, only the points
 * of series this run did not write then (InfluxDB keeps the last point of a series and
 * timestamp, so this run's replace the earlier run's):
 * - `seed`: the sums of the open minute and the open hour up to the first step, to add to
 *   what this run accumulates there;
 * - `complete`: the minutes of that hour before the open one, rewritten from the raw points
 *   (identical if the earlier run wrote them, and there if it died before it could).
 */
export async function recoverOpenPeriods(
  reader: InfluxQueryRunner,
  probe: string,
  firstStep: { endMs: number; records: StepRecord[] },
): Promise<{ seed: ClosedPeriod[]; complete: ClosedPeriod[] }> {
  const firstStepMs = firstStep.endMs;
  const rewritten = new Set(firstStep.records.map(seriesKey));
  const [minute, hour] = ROLLUPS;
  const minuteEnd = periodEnd(firstStepMs, minute.periodMs);
  const hourEnd = periodEnd(firstStepMs, hour.periodMs);
  const measurements = Object.values(MEASUREMENTS) as MeasurementName[];
  const statements = measurements.flatMap((m) => {
    const fields = SCHEMA[m].fields.map((f, i) => `SUM(${quoteIdent(f)}) AS ${quoteIdent(`f${i}`)}`);
    const from = `SELECT ${fields.join(', ')} FROM ${quoteIdent(m)} WHERE ${quoteIdent(TAGS.probe)} = ${quoteString(probe)}`;
    return [
      `${from} AND time > ${timeLiteral(hourEnd - hour.periodMs)} AND time < ${timeLiteral(firstStepMs)}` +
        ` GROUP BY time(${durationLiteral(minute.periodMs)}, 1ms), * fill(none)`,
      // The first step's own timestamp, per series: the bucket's time is its start.
      `${from} AND time >= ${timeLiteral(firstStepMs)} AND time <= ${timeLiteral(firstStepMs)}` +
        ` GROUP BY time(${durationLiteral(minute.periodMs)}, 1ms), * fill(none)`,
    ];
  });
  const results = await reader.query(statements.join('; '));
  const minutes = new Map<number, Map<string, StepRecord>>();
  const hourSums = new Map<string, StepRecord>();
  results.forEach((result, i) => {
    const measurement = measurements[Math.floor(i / 2)];
    const atFirstStep = i % 2 === 1;
    const schema = SCHEMA[measurement];
    for (const series of result.series ?? []) {
      const tags = schema.tags.map((t) => series.tags?.[t] ?? '');
      const timeCol = series.columns.indexOf('time');
      const cols = schema.fields.map((_, f) => series.columns.indexOf(`f${f}`));
      for (const row of series.values) {
        const start = row[timeCol];
        if (typeof start !== 'number') continue;
        const record: StepRecord = { measurement, tags, fields: cols.map((c) => toInt(row[c])) };
        if (atFirstStep && rewritten.has(seriesKey(record))) continue;
        const end = start - 1 + minute.periodMs;
        let sums = minutes.get(end);
        if (!sums) minutes.set(end, (sums = new Map()));
        addInto(sums, record);
        addInto(hourSums, record);
      }
    }
  });
  const seed: ClosedPeriod[] = [{ rollup: hour, endMs: hourEnd, records: [...hourSums.values()] }];
  const complete: ClosedPeriod[] = [];
  for (const [endMs, sums] of [...minutes].sort((a, b) => a[0] - b[0])) {
    const period = { rollup: minute, endMs, records: [...sums.values()] };
    if (endMs === minuteEnd) seed.push(period);
    else if (endMs < minuteEnd) complete.push(period);
  }
  return { seed, complete };
}

/** Adds the seed's sums to the closed periods it belongs to (same resolution and end). */
export function applySeed(periods: ClosedPeriod[], seed: ClosedPeriod[]): void {
  for (const s of seed) {
    const p = periods.find((c) => c.rollup === s.rollup && c.endMs === s.endMs);
    if (!p) continue;
    const sums = new Map(p.records.map((r) => [seriesKey(r), r]));
    for (const r of s.records) addInto(sums, r);
    p.records = [...sums.values()];
  }
}

/** An InfluxQL reader on the writer's target (1.x database, or 2.x/3.x bucket through its DBRP mapping). */
export function readerForTarget(target: InfluxTarget, timeoutMs: number): InfluxReader {
  let auth: InfluxAuth | undefined;
  if (target.kind === 'v2') auth = { kind: 'token', token: target.token };
  else if (target.user !== undefined)
    auth = { kind: 'basic', username: target.user, password: target.password ?? '' };
  return new InfluxReader({
    url: target.url,
    database: target.kind === 'v1' ? target.db : target.bucket,
    retentionPolicy: target.kind === 'v1' ? target.rp : undefined,
    auth,
    timeoutMs,
  });
}
