import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { ApiServer, type HealthInfo } from '../api';
import type { Component } from '../common/component';
import { parseDurationSeconds } from '../common/duration';
import { Catalog } from '../store/catalog';
import { InfluxReader, type InfluxAuth } from '../store/influx-reader';
import type { InfluxTarget } from '../store/influx-target';
import { apiPort, positiveInt, type ApiOptions } from './options';

function readerAuth(t: InfluxTarget): InfluxAuth | undefined {
  if (t.kind === 'v2') return { kind: 'token', token: t.token };
  return t.user !== undefined ? { kind: 'basic', username: t.user, password: t.password ?? '' } : undefined;
}

/** `packetflux_api_influx_queries_{running,waiting,limit}` and `..._busy_total` from the reader's query slots. */
function registerSlotMetrics(reader: InfluxReader, registry: Registry): void {
  const slots = reader.slots;
  if (!slots) return;
  const gauge = (name: string, help: string, read: () => number): void => {
    if (registry.getSingleMetric(name)) registry.removeSingleMetric(name);
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };
  gauge(
    'packetflux_api_influx_queries_running',
    'InfluxDB queries of the API in flight',
    () => slots.stats().running,
  );
  gauge(
    'packetflux_api_influx_queries_waiting',
    'InfluxDB queries of the API waiting for a slot (--max-concurrent-queries)',
    () => slots.stats().waiting,
  );
  gauge('packetflux_api_influx_queries_limit', 'InfluxDB queries the API runs at once', () => slots.limit);
  const busy = 'packetflux_api_influx_queries_busy_total';
  if (registry.getSingleMetric(busy)) registry.removeSingleMetric(busy);
  new Counter({
    name: busy,
    help: 'InfluxDB queries refused as busy (queue full or no slot within --query-timeout)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(slots.stats().rejected);
    },
  });
}

/** The HTTP API with the catalog it answers from: started together, stopped in reverse. */
export class ApiComponent implements Component {
  readonly server: ApiServer;
  private readonly catalog: Catalog;

  constructor(
    o: ApiOptions,
    target: InfluxTarget,
    stepSeconds: number,
    deps: { logger: Logger; registry: Registry; health: () => HealthInfo },
  ) {
    const queryTimeoutMs = parseDurationSeconds(o.queryTimeout, '--query-timeout') * 1000;
    const reader = new InfluxReader({
      url: target.url,
      database: target.kind === 'v1' ? target.db : target.bucket,
      retentionPolicy: target.kind === 'v1' ? target.rp : undefined,
      auth: readerAuth(target),
      timeoutMs: queryTimeoutMs,
      maxConcurrent: positiveInt(o.maxConcurrentQueries, '--max-concurrent-queries'),
    });
    registerSlotMetrics(reader, deps.registry);
    this.catalog = new Catalog(
      {
        refreshIntervalMs: parseDurationSeconds(o.catalogRefresh, '--catalog-refresh') * 1000,
        lookbackMs: o.catalogLookback
          ? parseDurationSeconds(o.catalogLookback, '--catalog-lookback') * 1000
          : undefined,
        maxValuesPerKey: positiveInt(o.catalogMax, '--catalog-max'),
      },
      { reader, logger: deps.logger },
    );
    this.server = new ApiServer(
      {
        host: o.apiHost,
        port: apiPort(o.apiPort),
        apiToken: o.apiToken || undefined,
        corsOrigin: o.apiCors || undefined,
        maxRangeDays: parseDurationSeconds(o.maxRange, '--max-range') / 86400,
        queryTimeoutMs,
        maxSeriesPerRequest: positiveInt(o.maxSeriesPerRequest, '--max-series-per-request'),
        maxPointsPerRequest: positiveInt(o.maxPointsPerRequest, '--max-points-per-request'),
        defaultTop: 10,
        stepSeconds,
      },
      { reader, catalog: this.catalog, logger: deps.logger, registry: deps.registry, health: deps.health },
    );
  }

  async start(): Promise<void> {
    await this.catalog.start();
    await this.server.start();
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.catalog.stop();
  }
}
