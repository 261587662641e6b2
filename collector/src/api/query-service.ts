/**
 * What `/query` and `/api/query` share: resolving targets against the catalog, validating the
 * range and the probe, and running the queries.
 */
import type { CatalogSnapshot, CatalogSource } from '../store/catalog';
import { badRequest } from './errors';
import type { ParseResult, ResolvedMetric } from './metric-names';
import { parseMetricName } from './metric-names';
import type { BucketGrid, QueryEngine, Series } from './query-engine';
import { bucketGrid } from './query-engine';
import { expandRegexFormatted } from './template-values';
import { INFLUX_MAX_TIME_MS, INFLUX_MIN_TIME_MS, INFLUX_TIME_RANGE } from './schemas';
import type { ApiConfig } from './types';
import { DEFAULT_MAX_POINTS_PER_REQUEST, DEFAULT_MAX_SERIES_PER_REQUEST } from './types';

/** A name that does not resolve may be new: re-read the catalog when it is older than this. */
const CATALOG_MAX_AGE_ON_MISS_MS = 2_000;
const DAY_MS = 86_400_000;

export interface RangeRequest {
  fromMs: number;
  toMs: number;
  intervalMs?: number;
  maxDataPoints?: number;
}

/** What one target of a request will read: its resolved metrics and their top N. */
export interface TargetPlan {
  metrics: ResolvedMetric[];
  /** Top N of multi-series metrics (the configured default when the target names none). */
  top?: number;
}

/** The work a request asks for, estimated before anything reaches InfluxDB. */
export interface RequestCost {
  /** Series answered, at most: 1 per single-series metric, top N + "Other" per multi-series one. */
  series: number;
  /** InfluxDB queries (round trips): 1 per single-series metric, 2 (totals, then buckets) per multi-series one. */
  queries: number;
  /** Buckets of each series. */
  buckets: number;
  /** series × buckets. */
  points: number;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

export class QueryService {
  constructor(
    private readonly config: ApiConfig,
    private readonly catalog: CatalogSource,
    private readonly engine: QueryEngine,
  ) {}

  grid(req: RangeRequest): BucketGrid {
    const { fromMs, toMs } = req;
    if (fromMs > toMs) {
      throw badRequest(
        `range.from (${new Date(fromMs).toISOString()}) is after range.to (${new Date(toMs).toISOString()})`,
      );
    }
    const days = (toMs - fromMs) / DAY_MS;
    if (days > this.config.maxRangeDays) {
      throw badRequest(
        `range is ${days.toFixed(1)} days, longer than the ${this.config.maxRangeDays} days allowed`,
      );
    }
    if (req.intervalMs !== undefined && req.intervalMs > this.config.maxRangeDays * DAY_MS) {
      throw badRequest(
        `intervalMs: ${req.intervalMs} ms is longer than the longest range allowed (${this.config.maxRangeDays} days)`,
      );
    }
    const grid = bucketGrid(
      fromMs,
      toMs,
      req.intervalMs ?? this.config.stepSeconds * 1000,
      req.maxDataPoints ?? 1000,
      this.config.stepSeconds,
    );
    // Whole buckets widen the range: they must still be times InfluxDB can hold.
    if (grid.startMs < INFLUX_MIN_TIME_MS || grid.endMs > INFLUX_MAX_TIME_MS) {
      const field = grid.startMs < INFLUX_MIN_TIME_MS ? 'range.from' : 'range.to';
      throw badRequest(
        `${field}: with buckets of ${grid.widthMs} ms the range reaches past the times InfluxDB can hold (${INFLUX_TIME_RANGE})`,
      );
    }
    return grid;
  }

  /** The work `plans` ask for on `grid`; see {@link RequestCost}. */
  cost(plans: readonly TargetPlan[], grid: BucketGrid): RequestCost {
    let series = 0;
    let queries = 0;
    for (const plan of plans) {
      const top = plan.top ?? this.config.defaultTop;
      for (const metric of plan.metrics) {
        const multi = metric.family.series === 'multi';
        series += multi ? top + 1 : 1;
        queries += multi ? 2 : 1;
      }
    }
    return { series, queries, buckets: grid.count, points: series * grid.count };
  }

  /**
   * Refuses (400) a request whose series or points are over the configured budget, saying by
   * how much, before any of its queries is sent.
   */
  checkBudget(plans: readonly TargetPlan[], grid: BucketGrid): RequestCost {
    const cost = this.cost(plans, grid);
    const maxSeries = this.config.maxSeriesPerRequest ?? DEFAULT_MAX_SERIES_PER_REQUEST;
    const maxPoints = this.config.maxPointsPerRequest ?? DEFAULT_MAX_POINTS_PER_REQUEST;
    if (cost.series <= maxSeries && cost.points <= maxPoints) return cost;
    const over = (need: number, limit: number): string =>
      need > limit ? ` (${(need / limit).toFixed(1)}× over)` : '';
    throw badRequest(
      `request too large: it needs ${fmt(cost.series)} series (${fmt(cost.queries)} InfluxDB queries) × ` +
        `${fmt(cost.buckets)} points = ${fmt(cost.points)} points; the limit per request is ` +
        `${fmt(maxSeries)} series${over(cost.series, maxSeries)} and ${fmt(maxPoints)} points${over(cost.points, maxPoints)} ` +
        `(--max-series-per-request, --max-points-per-request). Ask for fewer targets or template values, ` +
        `a smaller top, a shorter range, a larger interval or fewer maxDataPoints`,
    );
  }

  /**
   * The metrics a target names: one, or several when `templates` is set and the target holds
   * Grafana regex-formatted template values. Throws a 400 naming the part that did not match.
   */
  async resolve(target: string, templates: boolean): Promise<ResolvedMetric[]> {
    let snapshot = this.catalog.snapshot();
    let result = this.resolveIn(target, templates, snapshot);
    if (!result.ok) {
      snapshot = await this.catalog.refreshIfOlderThan(CATALOG_MAX_AGE_ON_MISS_MS);
      result = this.resolveIn(target, templates, snapshot);
    }
    if (!result.ok) throw badRequest(result.error);
    return result.metrics;
  }

  private resolveIn(
    target: string,
    templates: boolean,
    snapshot: CatalogSnapshot,
  ): { ok: true; metrics: ResolvedMetric[] } | { ok: false; error: string } {
    const direct = parseMetricName(target, snapshot);
    if (direct.ok) return { ok: true, metrics: [direct.metric] };
    const expanded = templates ? expandRegexFormatted(target) : undefined;
    if (!expanded) return direct;
    const metrics: ResolvedMetric[] = [];
    for (const name of expanded) {
      const parsed: ParseResult = parseMetricName(name, snapshot);
      if (!parsed.ok) return parsed;
      metrics.push(parsed.metric);
    }
    return { ok: true, metrics };
  }

  async checkProbe(probe: string | undefined): Promise<void> {
    if (probe === undefined) return;
    if (this.catalog.snapshot().probes.includes(probe)) return;
    const snapshot = await this.catalog.refreshIfOlderThan(CATALOG_MAX_AGE_ON_MISS_MS);
    if (!snapshot.probes.includes(probe)) {
      throw badRequest(
        `unknown probe ${JSON.stringify(probe)} (known: ${snapshot.probes.map((p) => JSON.stringify(p)).join(', ') || 'none'})`,
      );
    }
  }

  run(
    metric: ResolvedMetric,
    grid: BucketGrid,
    options: { probe?: string; top?: number; signal?: AbortSignal },
  ): Promise<Series[]> {
    return this.engine.run(metric, grid, {
      probe: options.probe,
      top: options.top ?? this.config.defaultTop,
      signal: options.signal,
    });
  }
}
