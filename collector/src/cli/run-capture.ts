import type { Logger } from 'pino';
import { LiveCapture } from '../capture/live-capture';
import { parseByteSize } from '../common/duration';
import { TrafficPipeline } from '../pipeline/traffic-pipeline';
import { interfaceNetworks } from '../stats/local-networks';
import { InfluxWriter } from '../store/influx-writer';
import { ApiComponent } from './api-component';
import { createClassifier } from './classifier';
import { collectorRegistry } from './collector-metrics';
import {
  apiPort,
  influxTarget,
  pipelineConfig,
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
}

/** `packetflux capture -i IF`: live until SIGINT/SIGTERM, then every pending point is flushed. */
export async function runCapture(o: CaptureOptions, logger: Logger): Promise<number> {
  const config = pipelineConfig(o, interfaceNetworks(o.interface));
  const target = influxTarget(o);
  if (!target)
    logger.warn('no --influx-url: traffic is counted but not written anywhere, and no API is served');
  const writer = target ? new InfluxWriter(writerConfig(o, target), { logger }) : null;
  const classifier = createClassifier(config.flows.maxFlows);
  const pipeline = new TrafficPipeline(config, { classifier, onStep: (s) => writer?.writeStep(s) });
  const capture = new LiveCapture(
    { interfaces: o.interface, bpf: o.bpf, bufferBytes: parseByteSize(o.captureBuffer, '--capture-buffer') },
    { handler: pipeline, logger },
  );
  const api =
    target && apiPort(o.apiPort) !== 0
      ? new ApiComponent(o, target, config.stepSeconds, {
          logger,
          registry: collectorRegistry(pipeline, writer),
          health: () => ({
            lastWriteMs: writer?.status().lastWriteMs ?? null,
            drops: 0,
            writer: writer?.status(),
          }),
        })
      : null;
  // Steps also end on the wall clock, so a quiet link still gets its points on time.
  const ticker = setInterval(
    () => pipeline.advanceTo((performance.timeOrigin + performance.now()) * 1000),
    250,
  );
  ticker.unref();
  let stopRequested!: () => void;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
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
    logger.info('stopping: flushing pending points');
  } finally {
    clearInterval(ticker);
    await api?.stop();
    await capture.stop();
    pipeline.finish();
    await writer?.stop();
    removeSignal();
    classifier.close();
  }
  return 0;
}
