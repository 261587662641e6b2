/**
 * Reads InfluxDB with InfluxQL over `/query`, which InfluxDB 1.x, 2.4+ (virtual DBRP
 * mappings) and 3.x all serve. Every request carries its own timeout; network failures and
 * timeouts become {@link InfluxUnavailableError} (the API answers 503, or 504 for a timeout),
 * errors InfluxDB reports for a statement become {@link InfluxQueryError}.
 *
 * At most `maxConcurrent` queries are in flight at once; further ones wait in a queue (bounded
 * by `maxQueued`) for a slot, within their own timeout. One that finds the queue full, or whose
 * timeout passes before it gets a slot, fails with reason `busy` without reaching InfluxDB.
 */

export type InfluxAuth =
  /** InfluxDB 1.x: `Authorization: Basic base64(user:password)`. */
  | { kind: 'basic'; username: string; password: string }
  /** InfluxDB 1.x: `u` and `p` query parameters. */
  | { kind: 'params'; username: string; password: string }
  /** InfluxDB 2.x/3.x compatibility endpoints: `Authorization: Token <token>`. */
  | { kind: 'token'; token: string };

export interface InfluxReaderConfig {
  /** Base URL, e.g. `http://127.0.0.1:8086`. */
  url: string;
  /** Database (1.x) or DBRP-mapped bucket name (2.x/3.x). */
  database: string;
  /** Retention policy; the database's default when absent. */
  retentionPolicy?: string;
  auth?: InfluxAuth;
  /** Per-request timeout, including reading the body. */
  timeoutMs: number;
  /** `GET` (query in the URL) or `POST` (query in a form body, the default). */
  method?: 'GET' | 'POST';
  /** Queries in flight at once (unbounded when absent). */
  maxConcurrent?: number;
  /** Queries waiting for a slot at once; past it they fail as `busy` at once (default 1000). */
  maxQueued?: number;
}

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export interface InfluxStatementResult {
  statement_id?: number;
  series?: InfluxSeries[];
  error?: string;
}

export type PingResult =
  { ok: true; version: string; latencyMs: number } | { ok: false; reason: string; latencyMs: number };

/** What the API and the catalog need from a reader; {@link InfluxReader} is the real one. */
export interface InfluxQueryRunner {
  /** Runs one or more `;`-separated statements; throws when any statement fails. */
  query(influxql: string, options?: { signal?: AbortSignal }): Promise<InfluxStatementResult[]>;
  ping(timeoutMs?: number): Promise<PingResult>;
}

/** InfluxDB could not be reached or did not answer in time. */
export class InfluxUnavailableError extends Error {
  override readonly name = 'InfluxUnavailableError';
  constructor(
    message: string,
    /** `busy`: it never got a query slot (see `InfluxReaderConfig.maxConcurrent`). */
    readonly reason: 'timeout' | 'network' | 'server' | 'busy',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** InfluxDB answered but refused the query (bad statement, unknown database, auth). */
export class InfluxQueryError extends Error {
  override readonly name = 'InfluxQueryError';
  constructor(
    message: string,
    readonly status: number,
    readonly influxql: string,
  ) {
    super(message);
  }
}

/** Counters of a {@link QuerySlots}, for `/metrics`. */
export interface QuerySlotStats {
  limit: number;
  running: number;
  waiting: number;
  /** Queries that failed as busy (queue full or no slot within their timeout), ever. */
  rejected: number;
}

/** A counting semaphore with a bounded FIFO queue; waiters leave it when their signal aborts. */
export class QuerySlots {
  private running = 0;
  private rejected = 0;
  private readonly queue: { grant: () => void }[] = [];

  constructor(
    readonly limit: number,
    readonly maxQueued: number,
  ) {
    if (!(limit >= 1)) throw new TypeError(`maxConcurrent must be at least 1, got ${limit}`);
  }

  stats(): QuerySlotStats {
    return { limit: this.limit, running: this.running, waiting: this.queue.length, rejected: this.rejected };
  }

  /**
   * Resolves with a release function once a slot is free; rejects with the signal's reason when
   * it aborts first, or with `busy` when the queue is full.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    const release = (): void => {
      const next = this.queue.shift();
      if (next) next.grant();
      else this.running--;
    };
    const once = (): (() => void) => {
      let done = false;
      return () => {
        if (!done) {
          done = true;
          release();
        }
      };
    };
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.running < this.limit) {
      this.running++;
      return Promise.resolve(once());
    }
    if (this.queue.length >= this.maxQueued) {
      this.rejected++;
      return Promise.reject(
        new InfluxUnavailableError(
          `InfluxDB busy: ${this.running} queries running and ${this.queue.length} waiting; retry later`,
          'busy',
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(once());
        },
      };
      const onAbort = (): void => {
        const i = this.queue.indexOf(entry);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(entry);
    });
  }

  /** Counts a waiter that gave up because its timeout passed. */
  countRejected(): void {
    this.rejected++;
  }
}

export class InfluxReader implements InfluxQueryRunner {
  private readonly baseUrl: string;
  /** Bounds the queries in flight; undefined when unbounded. */
  readonly slots: QuerySlots | undefined;

  constructor(private readonly config: InfluxReaderConfig) {
    let parsed: URL;
    try {
      parsed = new URL(config.url);
    } catch (err) {
      throw new TypeError(`invalid InfluxDB URL ${JSON.stringify(config.url)}`, { cause: err });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new TypeError(`InfluxDB URL must be http or https, got ${config.url}`);
    }
    if (!config.database) throw new TypeError('InfluxDB database name is required');
    if (!(config.timeoutMs > 0)) throw new TypeError(`timeoutMs must be positive, got ${config.timeoutMs}`);
    this.baseUrl = parsed.href.replace(/\/+$/, '');
    this.slots =
      config.maxConcurrent === undefined
        ? undefined
        : new QuerySlots(config.maxConcurrent, config.maxQueued ?? 1000);
  }

  get database(): string {
    return this.config.database;
  }

  async query(influxql: string, options: { signal?: AbortSignal } = {}): Promise<InfluxStatementResult[]> {
    const params = new URLSearchParams({ db: this.config.database, epoch: 'ms' });
    if (this.config.retentionPolicy) params.set('rp', this.config.retentionPolicy);
    const headers: Record<string, string> = { Accept: 'application/json' };
    this.applyAuth(params, headers);
    const method = this.config.method ?? 'POST';
    let url = `${this.baseUrl}/query`;
    let body: URLSearchParams | undefined;
    if (method === 'GET') {
      params.set('q', influxql);
      url += `?${params.toString()}`;
    } else {
      url += `?${params.toString()}`;
      body = new URLSearchParams({ q: influxql });
    }
    const { status, text } = await this.fetchText(url, { method, headers, body }, options.signal);
    let parsed: { results?: InfluxStatementResult[]; error?: string };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      if (status === 502 || status === 503 || status === 504)
        throw new InfluxUnavailableError(`InfluxDB answered ${status}`, 'server');
      throw new InfluxQueryError(
        `InfluxDB answered ${status} with a body that is not JSON`,
        status,
        influxql,
      );
    }
    if (status === 502 || status === 503 || status === 504) {
      throw new InfluxUnavailableError(`InfluxDB answered ${status}: ${parsed.error ?? ''}`, 'server');
    }
    if (status < 200 || status >= 300 || parsed.error) {
      throw new InfluxQueryError(
        `InfluxDB answered ${status}: ${parsed.error ?? 'no error message'}`,
        status,
        influxql,
      );
    }
    const results = parsed.results ?? [];
    const failed = results.find((r) => r.error);
    if (failed) throw new InfluxQueryError(`InfluxDB: ${failed.error}`, status, influxql);
    return results;
  }

  async ping(timeoutMs = this.config.timeoutMs): Promise<PingResult> {
    const started = performance.now();
    const headers: Record<string, string> = {};
    const params = new URLSearchParams();
    this.applyAuth(params, headers);
    try {
      const res = await fetch(`${this.baseUrl}/ping`, { headers, signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      const latencyMs = Math.round(performance.now() - started);
      if (res.status === 204 || res.status === 200) {
        return { ok: true, version: res.headers.get('x-influxdb-version') ?? 'unknown', latencyMs };
      }
      return { ok: false, reason: `/ping answered ${res.status}`, latencyMs };
    } catch (err) {
      return {
        ok: false,
        reason: describeFetchError(err, timeoutMs),
        latencyMs: Math.round(performance.now() - started),
      };
    }
  }

  private applyAuth(params: URLSearchParams, headers: Record<string, string>): void {
    const auth = this.config.auth;
    if (!auth) return;
    if (auth.kind === 'basic') {
      headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    } else if (auth.kind === 'params') {
      params.set('u', auth.username);
      params.set('p', auth.password);
    } else {
      headers.Authorization = `Token ${auth.token}`;
    }
  }

  private async fetchText(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: URLSearchParams },
    callerSignal: AbortSignal | undefined,
  ): Promise<{ status: number; text: string }> {
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([timeout, callerSignal]) : timeout;
    let release: (() => void) | undefined;
    if (this.slots) {
      try {
        release = await this.slots.acquire(signal);
      } catch (err) {
        if (callerSignal?.aborted && !timeout.aborted) throw err;
        if (err instanceof InfluxUnavailableError) throw err;
        this.slots.countRejected();
        const { running, waiting } = this.slots.stats();
        throw new InfluxUnavailableError(
          `InfluxDB busy: no query slot free within ${this.config.timeoutMs} ms (${running} running, ${waiting} waiting); retry later`,
          'busy',
          { cause: err },
        );
      }
    }
    try {
      const res = await fetch(url, { ...init, signal });
      const text = await res.text();
      return { status: res.status, text };
    } catch (err) {
      if (callerSignal?.aborted && !timeout.aborted) throw err;
      const reason = timeout.aborted ? 'timeout' : 'network';
      throw new InfluxUnavailableError(
        `InfluxDB unavailable: ${describeFetchError(err, this.config.timeoutMs)}`,
        reason,
        { cause: err },
      );
    } finally {
      release?.();
    }
  }
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  // Duck-typed: errors from fetch may come from another realm (e.g. under jest).
  const e = err as {
    name?: unknown;
    message?: unknown;
    cause?: { code?: unknown; message?: unknown };
  } | null;
  if (e && typeof e === 'object') {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
    const cause = e.cause;
    if (cause && typeof cause === 'object') {
      const message = typeof cause.message === 'string' ? cause.message : '';
      return typeof cause.code === 'string' ? `${cause.code} (${message})` : message || String(e.message);
    }
    if (typeof e.message === 'string') return e.message;
  }
  return String(err);
}
