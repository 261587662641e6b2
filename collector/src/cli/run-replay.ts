import type { Logger } from 'pino';
import { readCaptureFile } from '../capture/capture-file-reader';
import { TrafficPipeline } from '../pipeline/traffic-pipeline';
import type { ReplaySummary } from '../pipeline/traffic-summary';
import { InfluxWriter } from '../store/influx-writer';
import { createClassifier } from './classifier';
import {
  influxTarget,
  pipelineConfig,
  writerConfig,
  type PipelineOptions,
  type StoreOptions,
} from './options';
import { fileProgress } from './progress';
import { onShutdownSignal } from './shutdown';

export interface ReplayOptions extends StoreOptions, PipelineOptions {
  interfaceName?: string;
  json: boolean;
  progress: boolean;
}

/** `packetflux replay FILE`: the file at full speed on its own clock, then a summary. */
export async function runReplay(file: string, o: ReplayOptions, logger: Logger): Promise<number> {
  const config = pipelineConfig(o, []);
  const target = influxTarget(o);
  const writer = target ? new InfluxWriter(writerConfig(o, target), { logger }) : null;
  const classifier = createClassifier(config.flows.maxFlows);
  const pipeline = new TrafficPipeline(config, { classifier, onStep: (s) => writer?.writeStep(s) });
  const progress = fileProgress(o.progress);
  let interrupted = false;
  const removeSignal = onShutdownSignal(() => {
    interrupted = true;
  });
  const started = process.hrtime.bigint();
  try {
    await writer?.start();
    const result = await readCaptureFile(file, pipeline, {
      interfaceName: o.interfaceName,
      onProgress: (read, total) => progress.update(read, total),
      afterChunk: async () => {
        if (interrupted) return false;
        await writer?.backpressure();
        return true;
      },
    });
    const tail = result.truncatedTail;
    if (tail) {
      const of = tail.recordBytes === undefined ? '' : ` of ${tail.recordBytes}`;
      logger.warn(
        { file, record: tail.record, bytes: tail.bytes, recordBytes: tail.recordBytes },
        `${file} is cut short inside ${tail.record} (${tail.bytes}${of} bytes): it is skipped, as tshark and tcpdump do`,
      );
    }
    pipeline.finish();
    progress.stop();
    await writer?.stop();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const summary = pipeline.summary.build(
      seconds,
      pipeline.names.protocol,
      pipeline.hosts,
      pipeline.names.ifname,
    );
    printSummary(summary, o.json, pipeline, writer);
    if (interrupted) logger.warn('replay interrupted: what was read so far is written');
    return interrupted ? 130 : 0;
  } finally {
    progress.stop();
    removeSignal();
    classifier.close();
  }
}

function printSummary(
  s: ReplaySummary,
  json: boolean,
  pipeline: TrafficPipeline,
  writer: InfluxWriter | null,
): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(s)}\n`);
    return;
  }
  const malformed = pipeline.malformed.reduce((a, b) => a + b, 0);
  const lines = [
    `${s.packets} packets, ${s.bytes} bytes, ${s.flows} flows in ${s.seconds.toFixed(2)} s (${s.pps} packets/s)`,
    ...Object.entries(s.interfaces).map(
      ([name, t]) => `  interface ${name}: ${t.packets} packets, ${t.bytes} bytes`,
    ),
    `  malformed packets: ${malformed}`,
    `  local hosts: ${Object.keys(s.hosts).length}`,
    '  protocols:',
    ...Object.entries(s.protocols)
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .map(
        ([name, t]) =>
          `    ${name.padEnd(24)} ${String(t.packets).padStart(10)} packets ${String(t.bytes).padStart(14)} bytes ${String(t.flows).padStart(8)} flows`,
      ),
  ];
  if (writer) {
    const w = writer.status();
    lines.push(
      `  InfluxDB: ${w.writtenLines} points written, ${w.spooledBatches} batches spooled, ${w.rejectedBatches} rejected`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
