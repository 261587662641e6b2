/**
 * What exists in InfluxDB: probes, interfaces and, per interface, local hosts, application
 * protocols and categories. Metric names are parsed against it and the API's search index
 * is built from it. Read with `SHOW TAG VALUES`, refreshed in the background; a failed
 * refresh keeps the previous snapshot.
 */
import type { Logger } from 'pino';
import type { InfluxQueryRunner, InfluxStatementResult } from './influx-reader';
import { quoteIdent, quoteString } from './influxql';
import { MEASUREMENTS, TAGS } from './schema';

export interface CatalogConfig {
  /** Background refresh period. */
  refreshIntervalMs: number;
  /** Only tag values seen within this many ms (InfluxDB 1.x with the in-memory index ignores it). */
  lookbackMs?: number;
  /** Cap on the values read per tag key and interface; the rest is dropped and counted. */
  maxValuesPerKey: number;
}

export interface CatalogDeps {
  reader: InfluxQueryRunner;
  logger: Logger;
}

export interface CatalogSnapshot {
  /** Increases whenever the content changes. */
  readonly version: number;
  /** When the last successful refresh finished, or null before the first one. */
  readonly refreshedAtMs: number | null;
  readonly probes: readonly string[];
  readonly interfaces: readonly string[];
  /** Local hosts per interface. */
  readonly hosts: ReadonlyMap<string, readonly string[]>;
  /** Application protocols per interface. */
  readonly protocols: ReadonlyMap<string, readonly string[]>;
  /** nDPI categories per interface. */
  readonly categories: ReadonlyMap<string, readonly string[]>;
  /** True when some list hit `maxValuesPerKey`. */
  readonly truncated: boolean;
}

export type CatalogListener = (snapshot: CatalogSnapshot) => void;

export const DEFAULT_CATALOG_CONFIG: CatalogConfig = { refreshIntervalMs: 30_000, maxValuesPerKey: 100_000 };

export function emptyCatalogSnapshot(): CatalogSnapshot {
  return {
    version: 0,
    refreshedAtMs: null,
    probes: [],
    interfaces: [],
    hosts: new Map(),
    protocols: new Map(),
    categories: new Map(),
    truncated: false,
  };
}

/** Anything that hands out catalog snapshots; the API depends on this, not on the class. */
export interface CatalogSource {
  snapshot(): CatalogSnapshot;
  /** Refreshes now when the snapshot is older than `maxAgeMs` (or missing); never throws. */
  refreshIfOlderThan(maxAgeMs: number): Promise<CatalogSnapshot>;
  onChange(listener: CatalogListener): () => void;
}

export class Catalog implements CatalogSource {
  private current: CatalogSnapshot = emptyCatalogSnapshot();
  private contentKey = '';
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<CatalogSnapshot> | undefined;
  private readonly listeners = new Set<CatalogListener>();
  private failing = false;
  private stopped = false;
  /** Counters for the owner's metrics. */
  readonly stats = { refreshes: 0, failures: 0, droppedValues: 0 };

  constructor(
    private readonly config: CatalogConfig,
    private readonly deps: CatalogDeps,
  ) {
    if (!(config.refreshIntervalMs > 0))
      throw new TypeError(`refreshIntervalMs must be positive, got ${config.refreshIntervalMs}`);
    if (!Number.isInteger(config.maxValuesPerKey) || config.maxValuesPerKey < 1) {
      throw new TypeError(`maxValuesPerKey must be a positive integer, got ${config.maxValuesPerKey}`);
    }
    if (config.lookbackMs !== undefined && !(Number.isInteger(config.lookbackMs) && config.lookbackMs > 0)) {
      throw new TypeError(`lookbackMs must be a positive integer, got ${config.lookbackMs}`);
    }
  }

  /** Reads the catalog once (a failure is logged, not thrown) and refreshes it periodically. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.refreshQuietly();
    if (this.stopped || this.timer) return;
    this.timer = setInterval(() => void this.refreshQuietly(), this.config.refreshIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight?.catch(() => undefined);
  }

  snapshot(): CatalogSnapshot {
    return this.current;
  }

  onChange(listener: CatalogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async refreshIfOlderThan(maxAgeMs: number): Promise<CatalogSnapshot> {
    const at = this.current.refreshedAtMs;
    if (at !== null && Date.now() - at < maxAgeMs) return this.current;
    return this.refreshQuietly();
  }

  /** Reads the catalog now (one refresh at a time); throws what the reader throws. */
  refresh(): Promise<CatalogSnapshot> {
    if (!this.inFlight) {
      this.inFlight = this.load().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  private async refreshQuietly(): Promise<CatalogSnapshot> {
    try {
      const snap = await this.refresh();
      if (this.failing) this.deps.logger.info('catalog refresh works again');
      this.failing = false;
      return snap;
    } catch (err) {
      this.stats.failures++;
      // Log the first failure of a run at warn, the repeats at debug, so an outage logs once.
      if (!this.failing)
        this.deps.logger.warn({ err }, 'catalog refresh failed; keeping the previous catalog');
      else this.deps.logger.debug({ err }, 'catalog refresh failed again');
      this.failing = true;
      return this.current;
    }
  }

  private async load(): Promise<CatalogSnapshot> {
    const limit = this.config.maxValuesPerKey;
    let truncated = false;
    const values = (result: InfluxStatementResult | undefined): string[] => {
      const out: string[] = [];
      for (const series of result?.series ?? []) {
        const col = series.columns.indexOf('value');
        for (const row of series.values) {
          const v = row[col];
          if (typeof v === 'string') out.push(v);
        }
      }
      if (out.length >= limit) truncated = true;
      return out.sort();
    };

    const [probesRes, ifRes] = await this.deps.reader.query(
      [
        this.showTagValues(MEASUREMENTS.interface, TAGS.probe),
        this.showTagValues(MEASUREMENTS.interface, TAGS.ifname),
      ].join('; '),
    );
    const probes = values(probesRes);
    const interfaces = values(ifRes);
    const hosts = new Map<string, string[]>();
    const protocols = new Map<string, string[]>();
    const categories = new Map<string, string[]>();
    if (interfaces.length > 0) {
      const statements: string[] = [];
      for (const ifname of interfaces) {
        statements.push(
          this.showTagValues(MEASUREMENTS.host, TAGS.host, ifname),
          this.showTagValues(MEASUREMENTS.interfaceL7, TAGS.proto, ifname),
          this.showTagValues(MEASUREMENTS.interfaceL7, TAGS.category, ifname),
        );
      }
      const results = await this.deps.reader.query(statements.join('; '));
      interfaces.forEach((ifname, i) => {
        hosts.set(ifname, values(results[3 * i]));
        protocols.set(ifname, values(results[3 * i + 1]));
        categories.set(ifname, values(results[3 * i + 2]));
      });
    }
    if (truncated) this.stats.droppedValues++;
    this.stats.refreshes++;

    const key = JSON.stringify([probes, interfaces, [...hosts], [...protocols], [...categories]]);
    const changed = key !== this.contentKey;
    this.contentKey = key;
    this.current = {
      version: changed ? this.current.version + 1 : this.current.version,
      refreshedAtMs: Date.now(),
      probes,
      interfaces,
      hosts,
      protocols,
      categories,
      truncated,
    };
    if (changed) {
      for (const listener of this.listeners) {
        try {
          listener(this.current);
        } catch (err) {
          this.deps.logger.error({ err }, 'catalog listener failed');
        }
      }
    }
    return this.current;
  }

  private showTagValues(measurement: string, key: string, ifname?: string): string {
    const conditions: string[] = [];
    if (ifname !== undefined) conditions.push(`${quoteIdent(TAGS.ifname)} = ${quoteString(ifname)}`);
    if (this.config.lookbackMs !== undefined) conditions.push(`time > now() - ${this.config.lookbackMs}ms`);
    const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
    return `SHOW TAG VALUES FROM ${quoteIdent(measurement)} WITH KEY = ${quoteIdent(key)}${where} LIMIT ${this.config.maxValuesPerKey}`;
  }
}
