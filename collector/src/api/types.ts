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
}

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
