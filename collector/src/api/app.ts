/**
 * The express app: routes of DESIGN.md "HTTP API". Handlers validate with zod, resolve names
 * against the catalog and answer JSON; every error, including a malformed JSON body, is
 * answered as `{"error": "..."}`.
 */
import type { Server } from 'node:http';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { CatalogSnapshot } from '../store/catalog';
import { InfluxQueryError, InfluxUnavailableError } from '../store/influx-reader';
import { bearerAuth, cors } from './auth';
import { ApiError, badRequest, shortenEchoes } from './errors';
import type { ApiMetrics } from './metrics';
import { METRIC_FAMILIES, parseMetricName } from './metric-names';
import type { Series } from './query-engine';
import type { QueryService, TargetPlan } from './query-service';
import {
  apiQueryBody,
  describeZodError,
  metricsQuery,
  searchBody,
  simpleJsonQueryBody,
  variablesQuery,
} from './schemas';
import type { SearchIndex } from './search-index';
import { expandRegexFormatted } from './template-values';
import type { ApiConfig, ApiDeps, ApiFrame } from './types';

export const SEARCH_LIMIT = 100;
const HEALTH_PATH = '/api/health';
/** Largest request body: 100 targets of a few hundred characters are well under it. */
export const BODY_LIMIT = '256kb';
/** Time a client has to send its whole request (Node's default is 5 minutes). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Time a client has to send the request headers. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;

export interface AppContext {
  config: ApiConfig;
  deps: ApiDeps;
  metrics: ApiMetrics;
  queries: QueryService;
  searchIndex: () => SearchIndex;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  if (value === undefined)
    throw badRequest(`${where}: expected a JSON body (Content-Type: application/json)`);
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(describeZodError(result.error, where));
  return result.data;
}

/**
 * An AbortSignal that fires when the client goes away before the answer is sent, and `run`,
 * which awaits a request's queries and aborts the others (queued or in flight) when one fails.
 */
function requestSignal(
  req: Request,
  res: Response,
): { signal: AbortSignal; run: <T>(work: Promise<T>[]) => Promise<T[]> } {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  req.on('aborted', () => controller.abort());
  return {
    signal: controller.signal,
    run: (work) =>
      Promise.all(work).catch((err: unknown) => {
        controller.abort();
        throw err;
      }),
  };
}

/** Request timeouts suited to an API on the server express creates in `listen()`. */
function limitServer(server: Server, config: ApiConfig): Server {
  server.requestTimeout = config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  server.headersTimeout = Math.min(
    config.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    server.requestTimeout,
  );
  // How often Node checks those timeouts (30 s by default): read when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(
    1_000,
    server.headersTimeout,
  );
  return server;
}

export function createApp(ctx: AppContext): express.Express {
  const { config, deps, metrics, queries } = ctx;
  const app = express();
  const listen = app.listen.bind(app) as (...args: unknown[]) => Server;
  app.listen = ((...args: unknown[]) => limitServer(listen(...args), config)) as typeof app.listen;
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req, res, next) => {
    const stopTimer = metrics.startRequest();
    res.on('finish', () => stopTimer(routeLabel(req), res.statusCode));
    next();
  });
  if (config.corsOrigin) app.use(cors(config.corsOrigin));
  if (config.apiToken) app.use(bearerAuth(config.apiToken, new Set([HEALTH_PATH])));
  app.use(express.json({ limit: BODY_LIMIT }));

  app.get('/', (_req, res) => {
    res.json({ status: 'OK' });
  });

  app.post('/search', (req, res) => {
    const body = parse(searchBody, req.body ?? {}, 'body');
    res.json(ctx.searchIndex().search(body.target ?? '', SEARCH_LIMIT));
  });

  app.post('/query', async (req, res) => {
    const body = parse(simpleJsonQueryBody, req.body, 'body');
    const grid = queries.grid({
      fromMs: body.range.from,
      toMs: body.range.to,
      intervalMs: body.intervalMs,
      maxDataPoints: body.maxDataPoints,
    });
    const adhocProbe = body.adhocFilters?.find(
      (f) => f.key === 'probe' && f.operator === '=' && typeof f.value === 'string',
    )?.value as string | undefined;
    const targets = body.targets.filter((t) => !t.hide && t.target && t.target !== 'select metric');
    const plans = await Promise.all(
      targets.map(async (t): Promise<TargetPlan & { type?: string; probe?: string }> => {
        const target = t.target ?? '';
        const probe = t.probe ?? adhocProbe;
        await queries.checkProbe(probe);
        const metrics = await queries.resolve(target, true).catch((err: unknown) => {
          throw err instanceof ApiError
            ? badRequest(t.refId ? `target ${t.refId}: ${err.message}` : err.message)
            : err;
        });
        return { type: t.type, probe, top: t.top, metrics };
      }),
    );
    queries.checkBudget(plans, grid);
    const { signal, run } = requestSignal(req, res);
    const answers = await run(
      plans.map(async ({ type, probe, top, metrics }) => {
        const series = (await run(metrics.map((m) => queries.run(m, grid, { probe, top, signal })))).flat();
        return { type, series };
      }),
    );
    res.json(
      answers.flatMap(({ type, series }): unknown[] =>
        type === 'table' ? [toTable(series)] : series.map(toTimeserie),
      ),
    );
  });

  app.get('/api/metrics', (req, res) => {
    const query = parse(metricsQuery, req.query, 'query');
    const index = ctx.searchIndex();
    const snapshot = deps.catalog.snapshot();
    const names = index.search(query.prefix, query.limit, { prefixOnly: true });
    res.json(
      names.flatMap((name) => {
        const parsed = parseMetricName(name, snapshot);
        if (!parsed.ok) return [];
        const { family } = parsed.metric;
        return [{ name, unit: family.unit, series: family.series, description: family.description }];
      }),
    );
  });

  app.get('/api/families', (_req, res) => {
    res.json(
      METRIC_FAMILIES.map((f) => ({
        pattern: f.pattern,
        unit: f.unit,
        series: f.series,
        description: f.description,
      })),
    );
  });

  app.post('/api/query', async (req, res) => {
    const body = parse(apiQueryBody, req.body, 'body');
    const grid = queries.grid({
      fromMs: body.range.from,
      toMs: body.range.to,
      intervalMs: body.intervalMs,
      maxDataPoints: body.maxDataPoints,
    });
    const targets = body.targets.filter((t) => !t.hide);
    const plans = await Promise.all(
      targets.map(async (t) => {
        const probe = t.probe ?? body.probe;
        await queries.checkProbe(probe);
        const metrics = await queries.resolve(t.target, false).catch((err: unknown) => {
          throw err instanceof ApiError ? badRequest(`target ${t.refId}: ${err.message}`) : err;
        });
        return { t, probe, top: t.top, metrics };
      }),
    );
    queries.checkBudget(plans, grid);
    const { signal, run } = requestSignal(req, res);
    const frames = await run(
      plans.map(async ({ t, probe, top, metrics }) => {
        const series = (await run(metrics.map((m) => queries.run(m, grid, { probe, top, signal })))).flat();
        return series.map((s): ApiFrame => ({
          refId: t.refId,
          name: t.legendFormat ? applyLegend(t.legendFormat, s, t.target) : s.name,
          labels: s.labels,
          unit: s.unit,
          times: s.times,
          values: s.values,
        }));
      }),
    );
    res.json(frames.flat());
  });

  app.get('/api/variables', async (req, res) => {
    const { query } = parse(variablesQuery, req.query, 'query');
    let values = variableValues(query, deps.catalog.snapshot());
    if (!values.ok) values = variableValues(query, await deps.catalog.refreshIfOlderThan(2_000));
    if (!values.ok) throw badRequest(values.error);
    res.json(values.values.map((v) => ({ text: v, value: v })));
  });

  app.get(HEALTH_PATH, async (_req, res) => {
    const ping = await deps.reader.ping(config.queryTimeoutMs);
    const health = deps.health();
    const snapshot = deps.catalog.snapshot();
    const now = Date.now();
    res.status(ping.ok ? 200 : 503).json({
      ...health,
      status: ping.ok ? 'ok' : 'degraded',
      influxdb: ping.ok
        ? { reachable: true, version: ping.version, latencyMs: ping.latencyMs }
        : { reachable: false, error: ping.reason, latencyMs: ping.latencyMs },
      lastWriteMs: health.lastWriteMs,
      lastWriteAgeMs: health.lastWriteMs === null ? null : now - health.lastWriteMs,
      drops: health.drops,
      catalog: {
        refreshedAtMs: snapshot.refreshedAtMs,
        probes: snapshot.probes.length,
        interfaces: snapshot.interfaces.length,
        hosts: new Set([...snapshot.hosts.values()].flat()).size,
        truncated: snapshot.truncated,
      },
    });
  });

  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', deps.registry.contentType);
    res.send(await deps.registry.metrics());
  });

  app.use((req, res) => {
    res.status(404).json({ error: `no route ${req.method} ${req.path}` });
  });

  app.use(errorHandler(deps.logger, metrics, config));
  return app;
}

function errorHandler(logger: Logger, metrics: ApiMetrics, config: ApiConfig) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const { status, message, headers } = classify(err, config);
    if (status >= 500) {
      metrics.influxErrors(status);
      const log = status === 500 ? logger.error.bind(logger) : logger.warn.bind(logger);
      log({ err, method: req.method, path: req.path }, 'API request failed');
    }
    if (headers) res.set(headers);
    res.status(status).json({ error: shortenEchoes(message) });
  };
}

/**
 * Status and message of an error: 400 bad input, 502 InfluxDB refused the query, 503 InfluxDB
 * unreachable or every query slot busy (with `Retry-After`), 504 InfluxDB reachable but the
 * query did not finish within the query timeout.
 */
export function classify(
  err: unknown,
  config: Pick<ApiConfig, 'queryTimeoutMs'>,
): { status: number; message: string; headers?: Record<string, string> } {
  if (err instanceof ApiError) return { status: err.status, message: err.message, headers: err.headers };
  if (err instanceof InfluxUnavailableError) {
    if (err.reason === 'busy') return { status: 503, message: err.message, headers: { 'Retry-After': '1' } };
    if (err.reason === 'timeout') {
      return {
        status: 504,
        message: `InfluxDB query timed out after ${config.queryTimeoutMs / 1000} s (InfluxDB did not answer in time; it may be overloaded): ask for a shorter range or fewer series, or retry later`,
      };
    }
    return { status: 503, message: err.message };
  }
  if (err instanceof InfluxQueryError) return { status: 502, message: err.message };
  // body-parser errors carry `type` and a 4xx `status`.
  const e = err as { type?: unknown; status?: unknown; message?: unknown };
  if (e && e.type === 'entity.parse.failed')
    return { status: 400, message: `malformed JSON body: ${String(e.message)}` };
  if (e && e.type === 'entity.too.large') return { status: 413, message: 'request body too large' };
  if (e && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return { status: e.status, message: typeof e.message === 'string' ? e.message : 'bad request' };
  }
  return { status: 500, message: 'internal error' };
}

/** Route template for metrics labels: bounded, never the raw path. */
function routeLabel(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  return typeof route === 'string' ? route : 'other';
}

/** A gap (no collector running) is `[null, t]`, as SimpleJSON datasources draw it. */
function toTimeserie(s: Series): { target: string; datapoints: [number | null, number][] } {
  return { target: s.name, datapoints: s.times.map((t, i) => [s.values[i], t]) };
}

function toTable(series: Series[]): {
  type: 'table';
  columns: { text: string; type: string }[];
  rows: unknown[][];
} {
  const rows: unknown[][] = [];
  for (const s of series) s.times.forEach((t, i) => rows.push([t, s.name, s.values[i]]));
  return {
    type: 'table',
    columns: [
      { text: 'Time', type: 'time' },
      { text: 'Metric', type: 'string' },
      { text: 'Value', type: 'number' },
    ],
    rows,
  };
}

/** `{{ifname}}`, `{{host}}`, `{{proto}}`, `{{category}}`, `{{probe}}`, `{{name}}`, `{{metric}}`. */
export function applyLegend(format: string, series: Series, metric: string): string {
  return format.replace(/\{\{\s*([A-Za-z_]\w*)\s*\}\}/g, (_m, key: string) => {
    if (key === 'name') return series.name;
    if (key === 'metric') return metric;
    return Object.hasOwn(series.labels, key) ? series.labels[key] : '';
  });
}

type VariableValues = { ok: true; values: string[] } | { ok: false; error: string };

/** `interfaces`, `probes`, `hosts(<if>)`, `protocols(<if>)`, `categories(<if>)`; `<if>` empty or `*` for all. */
export function variableValues(query: string, snapshot: CatalogSnapshot): VariableValues {
  const q = query.trim();
  if (q === 'interfaces') return { ok: true, values: [...snapshot.interfaces] };
  if (q === 'probes') return { ok: true, values: [...snapshot.probes] };
  const m = /^(hosts|protocols|categories)\(([\s\S]*)\)$/.exec(q);
  if (!m) {
    return {
      ok: false,
      error: `query: unknown variable query ${JSON.stringify(query)} (expected interfaces, probes, hosts(<if>), protocols(<if>) or categories(<if>))`,
    };
  }
  const kind = m[1] as 'hosts' | 'protocols' | 'categories';
  const arg = m[2].trim();
  let interfaces: readonly string[];
  if (arg === '' || arg === '*') interfaces = snapshot.interfaces;
  else if (snapshot.interfaces.includes(arg)) interfaces = [arg];
  else {
    const candidates = expandRegexFormatted(arg) ?? arg.split(',').map((s) => s.trim());
    const unknown = candidates.find((c) => !snapshot.interfaces.includes(c));
    if (unknown !== undefined)
      return { ok: false, error: `query: unknown interface ${JSON.stringify(unknown)} in ${kind}(...)` };
    interfaces = candidates;
  }
  const values = new Set<string>();
  for (const ifname of interfaces) for (const v of snapshot[kind].get(ifname) ?? []) values.add(v);
  return { ok: true, values: [...values].sort() };
}
