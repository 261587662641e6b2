import type { Logger } from 'pino';
import { ConfigError } from '../common/errors';
import { parseDurationSeconds } from '../common/duration';
import { ApiComponent } from './api-component';
import { collectorRegistry } from './collector-metrics';
import { influxTarget, type ApiOptions, type StoreOptions } from './options';
import { onShutdownSignal } from './shutdown';

export interface ServeOptions extends StoreOptions, ApiOptions {
  step: string;
  logLevel: string;
}

/** `packetflux serve`: only the HTTP API, over what collectors wrote to InfluxDB. */
export async function runServe(o: ServeOptions, logger: Logger): Promise<number> {
  const target = influxTarget(o);
  if (!target)
    throw new ConfigError(
      'serve needs --influx-url and its database (--influx-db) or bucket (--influx-org, --influx-bucket, --influx-token)',
    );
  const api = new ApiComponent(o, target, parseDurationSeconds(o.step, '--step'), {
    logger,
    registry: collectorRegistry(null, null),
    health: () => ({ lastWriteMs: null, drops: 0 }),
  });
  let stopRequested!: () => void;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  const removeSignal = onShutdownSignal(() => stopRequested());
  try {
    await api.start();
    await stopped;
  } finally {
    await api.stop();
    removeSignal();
  }
  return 0;
}
