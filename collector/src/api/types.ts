/** Configuration and dependencies of the HTTP API, as the CLI wires them. */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CatalogSource } from '../store/catalog';
import type { InfluxQueryRunner } from '../store/influx-reader';

export interface ApiConfig {
  /** Address to listen on, e.g. `0.0.0.0` or `127.0.0.1`. */
  host: string;
  /** TCP port; 0 picks a free one (see `ApiServer.address()`). */
  port: number;
  /** When set, every request but `GET /api/health` needs `Authorization: Bearer <apiToken>`. */
  apiToken?: string;
  /** When set, CORS headers for this origin (`*` for any); no CORS otherwise. */
  corsOrigin?: string;
  /** Longest queryable range, in days (400). */
  maxRangeDays: number;
  /** Timeout of each InfluxDB request made for an API request (also /ping in health). */
  queryTimeoutMs: number;
  /** Top N of multi-series metrics when the target names none (10). */
  defaultTop: number;
  /** The collector's step; buckets are whole multiples of it. */
  stepSeconds: number;
  /**
   * Most series one `/query` or `/api/query` request may ask for, after expanding template
   * values and counting top N + "Other" (default {@link DEFAULT_MAX_SERIES_PER_REQUEST}). Each
   * series costs at most one InfluxDB query, so this also bounds the queries of a request.
   */
  maxSeriesPerRequest?: number;
  /** Most points (series × buckets) one request may ask for (default {@link DEFAULT_MAX_POINTS_PER_REQUEST}). */
  maxPointsPerRequest?: number;
  /** Time a client has to send a whole request (30 s). */
  requestTimeoutMs?: number;
  /** Time a client has to send the request headers (10 s). */
  headersTimeoutMs?: number;
}

/** A dashboard panel with "All" of 20 interfaces × top 10 + Other stays under it. */
export const DEFAULT_MAX_SERIES_PER_REQUEST = 250;
/** About 25 MB of JSON; a full-width panel (2,000 points) of 250 series is half of it. */
export const DEFAULT_MAX_POINTS_PER_REQUEST = 1_000_000;

export interface HealthInfo {
  /** Epoch ms of the last successful write to InfluxDB, null before the first. */
  lastWriteMs: number | null;
  /** Packets the capture dropped so far. */
  drops: number;
  [key: string]: unknown;
}

export interface ApiDeps {
  /** InfluxQL reader (`InfluxReader`). */
  reader: InfluxQueryRunner;
  /** Catalog of probes, interfaces, hosts, protocols (`Catalog`, started by the caller). */
  catalog: CatalogSource;
  logger: Logger;
  /** Served on `GET /metrics`; the API registers its own counters here. */
  registry: Registry;
  health: () => HealthInfo;
  /** Called with every InfluxQL statement the API sends (tests, debugging). */
  onQuery?: (influxql: string) => void;
  /** Read the collector's `_1m`/`_1h` rollups where they answer the same as the raw steps (default true). */
  rollups?: boolean;
}

export const DEFAULT_API_CONFIG: Omit<ApiConfig, 'host' | 'port'> = {
  maxRangeDays: 400,
  queryTimeoutMs: 10_000,
  defaultTop: 10,
  stepSeconds: 5,
};

/** One series of a `POST /api/query` answer: columnar, with its labels and unit. */
export interface ApiFrame {
  refId: string;
  name: string;
  labels: Record<string, string>;
  unit: string;
  times: number[];
  /** null where no collector of the queried probe(s) was running (see `Series`). */
  values: (number | null)[];
}
