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
import type { ApiConfig } from './types';

/** A name that does not resolve may be new: re-read the catalog when it is older than this. */
const CATALOG_MAX_AGE_ON_MISS_MS = 2_000;
const DAY_MS = 86_400_000;

export interface RangeRequest {
  fromMs: number;
  toMs: number;
  intervalMs?: number;
  maxDataPoints?: number;
}

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
    return bucketGrid(
      fromMs,
      toMs,
      req.intervalMs ?? this.config.stepSeconds * 1000,
      req.maxDataPoints ?? 1000,
      this.config.stepSeconds,
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
