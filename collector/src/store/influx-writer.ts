import { HttpError, InfluxDB, type WriteApi } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import type { Component } from '../common/component';
import type { StepSnapshot } from '../stats/step-snapshot';
import { authHeaders, describeTarget, type InfluxTarget } from './influx-target';
import type { InfluxQueryRunner } from './influx-reader';
import {
  applySeed,
  readerForTarget,
  recoverOpenPeriods,
  rollupLines,
  RollupAccumulator,
  type ClosedPeriod,
} from './rollups';
import { Spool } from './spool';
import { recordPoint, stepRecords, type StepRecord } from './step-points';

export interface InfluxWriterConfig {
  target: InfluxTarget;
  probe: string;
  spoolDir: string;
  spoolMaxBytes: number;
  timeoutMs: number;
  /** Step batches held in memory while a write is in flight; more go straight to the spool. */
  maxPendingBatches: number;
  retryMinMs: number;
  retryMaxMs: number;
  /** Write the `_1m` and `_1h` rollups (DESIGN.md); default true. */
  rollups?: boolean;
}

/** A batch of line protocol, or one computed when its turn comes (rollups, which may read InfluxDB first). */
type Batch = string[] | (() => Promise<string[]>);

export interface WriterStatus {
  lastWriteMs: number | null;
  lastError: string | null;
  writtenLines: number;
  pendingBatches: number;
  spooledBatches: number;
  spooledBytes: number;
  droppedLines: number;
  rejectedBatches: number;
}

/** A failed write that will fail again however often it is retried (bad data, no such database, no rights). */
function isPermanent(err: unknown): boolean {
  return (
    err instanceof HttpError &&
    err.statusCode >= 400 &&
    err.statusCode < 500 &&
    err.statusCode !== 408 &&
    err.statusCode !== 429
  );
}

function reasonOf(err: unknown): string {
  if (err instanceof HttpError) return `HTTP ${err.statusCode}: ${err.body || err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Writes one batch per step through @influxdata/influxdb-client's WriteApi. A batch that
 * fails goes to an on-disk spool, replayed in order with backoff once InfluxDB answers
 * again; while the spool is not empty, new batches queue behind it, so order is kept.
 */
export class InfluxWriter implements Component {
  private readonly spool: Spool;
  private readonly liveApi: WriteApi;
  private readonly drainApi: WriteApi;
  private queue: Batch[] = [];
  private readonly rollups: RollupAccumulator | null;
  private readonly reader: InfluxQueryRunner;
  /** This run's first step: earlier runs' points before it are recovered into the open minute/hour. */
  private firstStep: { endMs: number; records: StepRecord[] } | null = null;
  private recovered = false;
  private seed: ClosedPeriod[] = [];
  private running: Promise<void> | null = null;
  private drainTimer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private retryMs: number;
  private waiters: (() => void)[] = [];
  private stopped = false;
  private readonly state: Omit<
    WriterStatus,
    'pendingBatches' | 'spooledBatches' | 'spooledBytes' | 'droppedLines' | 'rejectedBatches'
  > = {
    lastWriteMs: null,
    lastError: null,
    writtenLines: 0,
  };

  constructor(
    private readonly config: InfluxWriterConfig,
    private readonly deps: { logger: Logger; reader?: InfluxQueryRunner },
  ) {
    this.rollups = config.rollups === false ? null : new RollupAccumulator();
    this.reader = deps.reader ?? readerForTarget(config.target, config.timeoutMs);
    this.spool = new Spool(config.spoolDir, config.spoolMaxBytes);
    this.retryMs = config.retryMinMs;
    this.liveApi = this.makeApi();
    this.drainApi = this.makeApi();
  }

  private makeApi(): WriteApi {
    const t = this.config.target;
    const client = new InfluxDB({ url: t.url, timeout: this.config.timeoutMs });
    // No retries inside the client: a failed batch is spooled and replayed by the writer.
    const options = {
      batchSize: 1_000_000,
      flushInterval: 0,
      maxRetries: 0,
      headers: authHeaders(t),
      writeFailed: (err: Error): Promise<void> => Promise.reject(err),
    };
    const api =
      t.kind === 'v2'
        ? client.getWriteApi(t.org, t.bucket, 'ms', options)
        : client.getWriteApi('', t.db, 'ms', options);
    if (t.kind === 'v1') {
      const q = new URLSearchParams({ db: t.db, precision: 'ms' });
      if (t.rp) q.set('rp', t.rp);
      api.path = `/write?${q.toString()}`;
    }
    return api;
  }

  async start(): Promise<void> {
    await this.spool.open();
    const t = this.config.target;
    if (t.kind === 'v1') await this.createDatabase(t);
    this.deps.logger.info(
      { target: describeTarget(t), spool: this.spool.dir, spooledBatches: this.spool.batches },
      'InfluxDB writer ready',
    );
    if (this.spool.batches > 0) this.scheduleDrain(0);
  }

  /** InfluxDB 1.x needs the database to exist; creating it is idempotent. Failing here is not fatal. */
  private async createDatabase(t: Extract<InfluxTarget, { kind: 'v1' }>): Promise<void> {
    try {
      const res = await fetch(`${t.url}/query`, {
        method: 'POST',
        headers: authHeaders(t),
        body: new URLSearchParams({
          q: `CREATE DATABASE "${t.db.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`,
        }),
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      if (!res.ok)
        this.deps.logger.warn(
          { status: res.status, body: await res.text() },
          'could not create the InfluxDB database',
        );
    } catch (err) {
      this.deps.logger.warn(
        { err: reasonOf(err) },
        'InfluxDB not reachable at start; points will be spooled until it is',
      );
    }
  }

  /** Queues one step's points. Never blocks; see `backpressure` for producers that can wait. */
  writeStep(snapshot: StepSnapshot): void {
    const records = stepRecords(snapshot, this.config.probe);
    if (this.rollups) {
      this.firstStep ??= { endMs: snapshot.endMs, records };
      const closed = this.rollups.add(records, snapshot.endMs);
      // Before the step that closed them: a minute's rollup is in InfluxDB before any later step.
      if (closed.length > 0) this.queue.push(() => this.rollupBatch(closed));
    }
    const lines = records
      .map((r) => recordPoint(r, r.measurement, snapshot.endMs).toLineProtocol())
      .filter((l): l is string => l !== undefined);
    if (lines.length > 0) this.queue.push(lines);
    this.pump();
  }

  /**
   * The rollup points of closed minutes/hours. The first time, the raw points earlier runs of
   * this probe wrote in the hour this run started in are read back (restart safety, see
   * `recoverOpenPeriods`): their sums are added to the minute and hour this run started in.
   */
  private async rollupBatch(closed: ClosedPeriod[]): Promise<string[]> {
    let recovered: ClosedPeriod[] = [];
    if (!this.recovered && this.firstStep !== null) {
      this.recovered = true;
      try {
        const r = await recoverOpenPeriods(this.reader, this.config.probe, this.firstStep);
        this.seed = r.seed;
        recovered = r.complete;
      } catch (err) {
        this.deps.logger.warn(
          { err: reasonOf(err) },
          'could not read back what an earlier run wrote in this hour; its rollups will lack that part',
        );
      }
    }
    if (this.seed.length > 0) {
      applySeed(closed, this.seed);
      this.seed = this.seed.filter((s) => !closed.some((c) => c.rollup === s.rollup && c.endMs === s.endMs));
    }
    return rollupLines([...recovered, ...closed]);
  }

  /** Resolves once the in-memory queue is below its bound (a replay waits here instead of spooling). */
  async backpressure(): Promise<void> {
    if (this.queue.length < this.config.maxPendingBatches) return;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private pump(): void {
    if (this.running) return;
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.queue.length) this.pump();
    });
  }

  private async run(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.shift()!;
      for (const w of this.waiters.splice(0)) w();
      const lines = typeof batch === 'function' ? await batch() : batch;
      if (lines.length === 0) continue;
      if (this.spool.batches > 0 || this.drainTimer) {
        await this.spool.append(lines);
        continue;
      }
      try {
        this.liveApi.writeRecords(lines);
        await this.liveApi.flush();
        this.written(lines.length);
      } catch (err) {
        await this.failed(lines, err);
      }
    }
  }

  private written(lines: number): void {
    this.state.lastWriteMs = Date.now();
    this.state.lastError = null;
    this.state.writtenLines += lines;
    this.retryMs = this.config.retryMinMs;
  }

  private async failed(lines: string[], err: unknown): Promise<void> {
    const reason = reasonOf(err);
    this.state.lastError = reason;
    if (isPermanent(err)) {
      this.deps.logger.error(
        { reason, lines: lines.length, dir: this.spool.dir },
        'InfluxDB refused a batch; kept aside in rejected/',
      );
      await this.spool.keepRejected(lines, reason);
      return;
    }
    if (this.spool.batches === 0)
      this.deps.logger.warn({ reason }, 'InfluxDB write failed; spooling to disk until it answers');
    await this.spool.append(lines);
    this.scheduleDrain(this.retryMs);
  }

  private scheduleDrain(delayMs: number): void {
    if (this.drainTimer || this.stopped) return;
    this.drainTimer = setTimeout(() => {
      this.draining = this.drain().finally(() => {
        this.draining = null;
      });
    }, delayMs);
    this.drainTimer.unref();
  }

  /** Replays spooled batches oldest first; on failure waits longer (exponential, bounded) and tries again. */
  private async drain(): Promise<void> {
    for (;;) {
      const lines = await this.spool.peek();
      if (!lines) break;
      try {
        this.drainApi.writeRecords(lines);
        await this.drainApi.flush();
        await this.spool.shift();
        this.written(lines.length);
      } catch (err) {
        if (isPermanent(err)) {
          this.deps.logger.error(
            { reason: reasonOf(err) },
            'InfluxDB refused a spooled batch; kept aside in rejected/',
          );
          await this.spool.reject(reasonOf(err));
          continue;
        }
        this.state.lastError = reasonOf(err);
        this.retryMs = Math.min(this.retryMs * 2, this.config.retryMaxMs);
        this.drainTimer = null;
        this.scheduleDrain(this.retryMs);
        return;
      }
    }
    this.drainTimer = null;
    this.deps.logger.info('spool replayed; writing live again');
    this.pump();
  }

  /** Resolves when every queued batch is written or spooled. */
  async flush(): Promise<void> {
    while (this.running || this.queue.length) {
      this.pump();
      await this.running;
    }
  }

  /** Writes the partial minute's and hour's rollups, flushes, then tries once more to replay the spool before closing. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    const partial = this.rollups?.flush() ?? [];
    if (partial.length > 0) this.queue.push(() => this.rollupBatch(partial));
    await this.flush();
    this.stopped = true;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    if (this.draining) await this.draining;
    if (this.spool.batches > 0) {
      this.drainTimer = null;
      await this.drain();
    }
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = null;
    if (this.spool.batches > 0) {
      this.deps.logger.warn(
        { batches: this.spool.batches, dir: this.spool.dir },
        'InfluxDB unreachable at shutdown; batches stay spooled for the next start',
      );
    }
    for (const w of this.waiters.splice(0)) w();
    await Promise.allSettled([this.liveApi.close(), this.drainApi.close()]);
  }

  status(): WriterStatus {
    return {
      ...this.state,
      pendingBatches: this.queue.length,
      spooledBatches: this.spool.batches,
      spooledBytes: this.spool.bytes,
      droppedLines: this.spool.droppedLines,
      rejectedBatches: this.spool.rejectedBatches,
    };
  }
}
