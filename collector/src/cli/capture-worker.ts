// One capture worker thread: a libpcap socket, its own flow table and nDPI instance, and the
// per-packet pipeline. It never waits on the main thread, so InfluxDB writes, the HTTP API and
// main-thread GC cannot stall capture; it posts each ended step to the main thread, which
// merges the workers' steps and writes them.
import { parentPort, workerData } from 'node:worker_threads';
import { PcapSource, type PcapSourceConfig } from '../capture/pcap-source';
import { TrafficPipeline } from '../pipeline/traffic-pipeline';
import type { CaptureCounters } from '../stats/capture-counters';
import type { StepSnapshot } from '../stats/step-snapshot';
import { createClassifier } from './classifier';
import { pipelineConfig, type PipelineOptions } from './options';

export interface CaptureWorkerData {
  source: PcapSourceConfig;
  pipeline: PipelineOptions;
  extraLocalNetworks: string[];
  /** Int32Array over a SharedArrayBuffer; the main thread sets [0] to 1 to stop. */
  control: SharedArrayBuffer;
}

export type CaptureWorkerMessage =
  | { type: 'ready'; linkType: number }
  | { type: 'error'; message: string }
  | {
      type: 'report';
      steps: StepSnapshot[];
      /** Every step this worker will still emit ends after this. */
      watermarkMs: number;
      counters: CaptureCounters;
      done: boolean;
    };

/** Housekeeping (drops, steps by the wall clock, reports) at most this often. */
const HOUSEKEEPING_MS = 100;

function post(message: CaptureWorkerMessage): void {
  parentPort!.postMessage(message);
}

function run(data: CaptureWorkerData): void {
  const control = new Int32Array(data.control);
  const steps: StepSnapshot[] = [];
  const config = pipelineConfig(data.pipeline, data.extraLocalNetworks);
  const classifier = createClassifier(config.flows.maxFlows);
  const pipeline = new TrafficPipeline(config, { classifier, onStep: (s) => steps.push(s) });
  let source: PcapSource;
  try {
    source = new PcapSource(data.source);
  } catch (err) {
    classifier.close();
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    return;
  }
  source.attach(pipeline);
  post({ type: 'ready', linkType: source.linkType });

  const blockMs = data.source.blockTimeoutMs;
  // A packet can wait in a ring block up to the block timeout before we see it, so the wall
  // clock ends a step only well after that: packets always land in the step they arrived in.
  const graceMs = 2 * blockMs + HOUSEKEEPING_MS;
  const report = (done: boolean): void => {
    const watermarkMs = done ? Infinity : pipeline.openStepStartUs / 1000;
    post({ type: 'report', steps: steps.splice(0), watermarkMs, counters: pipeline.counters(), done });
  };

  try {
    let idle = false;
    let nextHousekeepingMs = 0;
    while (Atomics.load(control, 0) === 0) {
      // Block only when the ring was empty last time; otherwise drain it batch after batch.
      idle = source.poll(pipeline, idle ? HOUSEKEEPING_MS : 0) === 0;
      const nowMs = Date.now();
      if (!idle && nowMs < nextHousekeepingMs) continue;
      nextHousekeepingMs = nowMs + HOUSEKEEPING_MS;
      source.collectDrops(pipeline);
      // The ring is empty: nothing older than the grace period can still arrive.
      if (idle) pipeline.advanceTo((nowMs - graceMs) * 1000);
      report(false);
    }
    // Stopping: take what the kernel still holds (a partly filled block is handed over after
    // the block timeout) and the final drop count.
    const drainUntilMs = Date.now() + 3 * blockMs;
    while (Date.now() < drainUntilMs) source.poll(pipeline, blockMs);
    source.collectDrops(pipeline);
  } catch (err) {
    // The interface went away or the socket failed: what was counted is still handed over.
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
  source.close();
  pipeline.finish();
  classifier.close();
  report(true);
}

run(workerData as CaptureWorkerData);
