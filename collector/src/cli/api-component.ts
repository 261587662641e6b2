import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
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
    });
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
