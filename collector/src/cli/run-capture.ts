import type { Logger } from 'pino';
import { parseByteSize, parseDurationSeconds } from '../common/duration';
import { ConfigError } from '../common/errors';
import { interfaceNetworks } from '../stats/local-networks';
import { totalDrops, type CaptureCounters } from '../stats/capture-counters';
import { InfluxWriter } from '../store/influx-writer';
import { ApiComponent } from './api-component';
import { CaptureWorkers } from './capture-workers';
import { collectorRegistry } from './collector-metrics';
import {
  apiPort,
  influxTarget,
  pipelineConfig,
  positiveInt,
  writerConfig,
  type ApiOptions,
  type PipelineOptions,
  type StoreOptions,
} from './options';
import { onShutdownSignal } from './shutdown';

export interface CaptureOptions extends StoreOptions, PipelineOptions, ApiOptions {
  interface: string[];
  bpf: string;
  captureBuffer: string;
  snaplen: string;
  workers: string;
  blockTimeout: string;
}

/** Each worker is a thread with its own flow table and nDPI: past the cores it only costs memory. */
const MAX_WORKERS = 64;

function workerCount(text: string): number {
  const n = positiveInt(text, '--workers');
  if (n > MAX_WORKERS) throw new ConfigError(`--workers: ${n} is more than ${MAX_WORKERS}`);
  return n;
}

/** Packets per batch handed from libpcap to the pipeline (one native call each). */
const BATCH_PACKETS = 4096;

/** `packetflux capture -i IF`: live until SIGINT/SIGTERM, then every pending point is flushed. */
export async function runCapture(o: CaptureOptions, logger: Logger): Promise<number> {
  const extraLocalNetworks = interfaceNetworks(o.interface);
  // Validates every pipeline option here, before any worker starts.
  const config = pipelineConfig(o, extraLocalNetworks);
  const target = influxTarget(o);
  if (!target)
    logger.warn('no --influx-url: traffic is counted but not written anywhere, and no API is served');
  const writer = target ? new InfluxWriter(writerConfig(o, target), { logger }) : null;
  let failure: Error | undefined;
  let stopRequested!: () => void;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  const capture = new CaptureWorkers(
    {
      interfaces: o.interface,
      workersPerInterface: workerCount(o.workers),
      source: {
        bpf: o.bpf,
        snaplen: positiveInt(o.snaplen, '--snaplen'),
        bufferBytes: parseByteSize(o.captureBuffer, '--capture-buffer'),
        blockTimeoutMs: Math.max(
          1,
          Math.round(parseDurationSeconds(o.blockTimeout, '--block-timeout') * 1000),
        ),
        batchPackets: BATCH_PACKETS,
      },
      pipeline: o,
      extraLocalNetworks,
      maxProtocolsPerHost: config.maxProtocolsPerHost,
    },
    {
      logger,
      onStep: (s) => writer?.writeStep(s),
      onFailure: (err) => {
        failure ??= err;
        stopRequested();
      },
    },
  );
  const counters = (): CaptureCounters => capture.counters();
  const api =
    target && apiPort(o.apiPort) !== 0
      ? new ApiComponent(o, target, config.stepSeconds, {
          logger,
          registry: collectorRegistry(counters, writer),
          health: () => ({
            lastWriteMs: writer?.status().lastWriteMs ?? null,
            drops: totalDrops(counters()),
            interfaces: counters().interfaces,
            writer: writer?.status(),
          }),
        })
      : null;

  const removeSignal = onShutdownSignal(() => stopRequested());
  try {
    await writer?.start();
    await capture.start();
    await api?.start();
    logger.info(
      { localNetworks: config.localNetworks.cidrs, stepSeconds: config.stepSeconds },
      'capture running; Ctrl-C stops and flushes',
    );
    await stopped;
    logger.info(failure ? 'capture failed: flushing pending points' : 'stopping: flushing pending points');
  } finally {
    await api?.stop();
    await capture.stop();
    await writer?.stop();
    removeSignal();
  }
  logger.info({ interfaces: capture.counters().interfaces }, 'capture summary');
  if (failure) {
    logger.error({ error: failure.message }, 'capture stopped: what it counted until then is written');
    return 1;
  }
  return 0;
}
