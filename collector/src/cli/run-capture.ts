import type { Logger } from 'pino';
import { LiveCapture } from '../capture/live-capture';
import { parseByteSize } from '../common/duration';
import { TrafficPipeline } from '../pipeline/traffic-pipeline';
import { interfaceNetworks } from '../stats/local-networks';
import { InfluxWriter } from '../store/influx-writer';
import { createClassifier } from './classifier';
import { influxTarget, pipelineConfig, writerConfig, type PipelineOptions, type StoreOptions } from './options';
import { onShutdownSignal } from './shutdown';

export interface CaptureOptions extends StoreOptions, PipelineOptions {
  interface: string[];
  bpf: string;
  captureBuffer: string;
}

/** `packetflux capture -i IF`: live until SIGINT/SIGTERM, then every pending point is flushed. */
export async function runCapture(o: CaptureOptions, logger: Logger): Promise<number> {
  const config = pipelineConfig(o, interfaceNetworks(o.interface));
  const target = influxTarget(o);
  if (!target) logger.warn('no --influx-url: traffic is counted but not written anywhere');
  const writer = target ? new InfluxWriter(writerConfig(o, target), { logger }) : null;
  const classifier = createClassifier(config.flows.maxFlows);
  const pipeline = new TrafficPipeline(config, { classifier, onStep: (s) => writer?.writeStep(s) });
  const capture = new LiveCapture(
    { interfaces: o.interface, bpf: o.bpf, bufferBytes: parseByteSize(o.captureBuffer, '--capture-buffer') },
    { handler: pipeline, logger },
  );
  // Steps also end on the wall clock, so a quiet link still gets its points on time.
  const ticker = setInterval(() => pipeline.advanceTo((performance.timeOrigin + performance.now()) * 1000), 250);
  let stopRequested!: () => void;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  const removeSignal = onShutdownSignal(() => stopRequested());
  try {
    await writer?.start();
    await capture.start();
    logger.info({ localNetworks: config.localNetworks.cidrs, stepSeconds: config.stepSeconds }, 'capture running; Ctrl-C stops and flushes');
    await stopped;
    logger.info('stopping: flushing pending points');
  } finally {
    clearInterval(ticker);
    await capture.stop();
    pipeline.finish();
    await writer?.stop();
    removeSignal();
    classifier.close();
  }
  return 0;
}
