/**
 * The HTTP API component: `new ApiServer(config, deps)` validates and builds the app (no I/O),
 * `start()` listens on `host:port`, `stop()` closes (safe twice). The catalog is started and
 * stopped by the caller; the server rebuilds its search index whenever the catalog changes.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { createApp } from './app';
import type { ApiMetrics } from './metrics';
import { createApiMetrics } from './metrics';
import { QueryEngine } from './query-engine';
import { QueryService } from './query-service';
import { describeZodError } from './schemas';
import { SearchIndex } from './search-index';
import type { ApiConfig, ApiDeps } from './types';

const configSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  apiToken: z.string().min(1, { error: 'must not be empty' }).optional(),
  corsOrigin: z.string().min(1).optional(),
  maxRangeDays: z.number().positive(),
  queryTimeoutMs: z.number().int().positive(),
  defaultTop: z.number().int().min(1).max(1000),
  stepSeconds: z.number().positive(),
});

/** Time allowed for open requests to finish on `stop()` before their sockets are closed. */
const STOP_GRACE_MS = 2_000;

export class ApiServer {
  private readonly app: ReturnType<typeof createApp>;
  private readonly metrics: ApiMetrics;
  private server: Server | undefined;
  private index: SearchIndex | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly config: ApiConfig,
    private readonly deps: ApiDeps,
  ) {
    const checked = configSchema.safeParse(config);
    if (!checked.success)
      throw new TypeError(`invalid API config: ${describeZodError(checked.error, 'config')}`);
    this.metrics = createApiMetrics(deps.registry);
    const engine = new QueryEngine(deps.reader, deps.onQuery, { rollups: deps.rollups ?? true });
    this.app = createApp({
      config,
      deps,
      metrics: this.metrics,
      queries: new QueryService(config, deps.catalog, engine),
      searchIndex: () => this.searchIndex(),
    });
  }

  /** The express app, for embedding or tests. */
  get handler(): ReturnType<typeof createApp> {
    return this.app;
  }

  async start(): Promise<void> {
    if (this.server) return;
    this.stopping = undefined;
    this.unsubscribe = this.deps.catalog.onChange(() => this.rebuildIndex());
    const server = this.app.listen(this.config.port, this.config.host);
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', (err) =>
        reject(
          new Error(`cannot listen on ${this.config.host}:${this.config.port}: ${err.message}`, {
            cause: err,
          }),
        ),
      );
    }).catch((err: unknown) => {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
      throw err;
    });
    this.server = server;
    const addr = this.address();
    this.deps.logger.info(
      { host: addr?.host, port: addr?.port, auth: Boolean(this.config.apiToken) },
      'HTTP API listening',
    );
  }

  /** Where the server listens (useful with port 0), or undefined when stopped. */
  address(): { host: string; port: number } | undefined {
    const addr = this.server?.address() as AddressInfo | string | null | undefined;
    if (!addr || typeof addr === 'string') return undefined;
    return { host: addr.address, port: addr.port };
  }

  stop(): Promise<void> {
    this.stopping ??= this.close();
    return this.stopping;
  }

  private async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    });
  }

  private rebuildIndex(): void {
    this.index = new SearchIndex(this.deps.catalog.snapshot());
    this.metrics.setSearchIndexSize(this.index.size);
  }

  private searchIndex(): SearchIndex {
    if (!this.index || this.index.version !== this.deps.catalog.snapshot().version) this.rebuildIndex();
    return this.index as SearchIndex;
  }
}
