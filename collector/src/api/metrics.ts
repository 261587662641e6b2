/** The API's own Prometheus metrics (`packetflux_api_*`), labels bounded by route and status. */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

export interface ApiMetrics {
  /** Starts timing a request; call the result with its route template and status. */
  startRequest(): (route: string, status: number) => void;
  influxErrors(status: number): void;
  setSearchIndexSize(names: number): void;
}

function getOrCreate<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export function createApiMetrics(registry: Registry): ApiMetrics {
  const requests = getOrCreate(
    registry,
    'packetflux_api_requests_total',
    () =>
      new Counter({
        name: 'packetflux_api_requests_total',
        help: 'HTTP API requests by route and status',
        labelNames: ['route', 'status'],
        registers: [registry],
      }),
  );
  const duration = getOrCreate(
    registry,
    'packetflux_api_request_duration_seconds',
    () =>
      new Histogram({
        name: 'packetflux_api_request_duration_seconds',
        help: 'HTTP API request duration by route',
        labelNames: ['route'],
        buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
        registers: [registry],
      }),
  );
  const failures = getOrCreate(
    registry,
    'packetflux_api_failures_total',
    () =>
      new Counter({
        name: 'packetflux_api_failures_total',
        help: 'API requests answered 5xx (InfluxDB unavailable 503, refused 502, internal 500)',
        labelNames: ['status'],
        registers: [registry],
      }),
  );
  const indexSize = getOrCreate(
    registry,
    'packetflux_api_search_index_names',
    () =>
      new Gauge({
        name: 'packetflux_api_search_index_names',
        help: 'Metric names the /search index answers for',
        registers: [registry],
      }),
  );
  return {
    startRequest() {
      const end = duration.startTimer();
      return (route, status) => {
        end({ route });
        requests.inc({ route, status: String(status) });
      };
    },
    influxErrors(status) {
      failures.inc({ status: String(status) });
    },
    setSearchIndexSize(names) {
      indexSize.set(names);
    },
  };
}
