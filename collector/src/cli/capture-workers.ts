import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { PcapSourceConfig } from '../capture/pcap-source';
import type { Component } from '../common/component';
import { emptyCounters, sumCounters, type CaptureCounters } from '../stats/capture-counters';
import { StepMerger } from '../stats/step-merger';
import type { StepSnapshot } from '../stats/step-snapshot';
import type { CaptureWorkerData, CaptureWorkerMessage } from './capture-worker';
import type { PipelineOptions } from './options';

export interface CaptureWorkersConfig {
  interfaces: string[];
  /** Workers per interface: more than one joins them in a PACKET_FANOUT group. */
  workersPerInterface: number;
  source: Omit<PcapSourceConfig, 'device' | 'fanoutGroup' | 'countInterfaceDrops'>;
  pipeline: PipelineOptions;
  extraLocalNetworks: string[];
  maxProtocolsPerHost: number;
}

/** How long `stop` waits for a worker's last report before terminating it. */
const STOP_TIMEOUT_MS = 10_000;

interface WorkerState {
  worker: Worker;
  counters: CaptureCounters;
  /** Its last report (with the final step) has arrived. */
  finished: boolean;
  done: Promise<void>;
}

/**
 * Live capture on several interfaces and cores: one worker thread per interface and fanout
 * member, each with its own socket, flow table and nDPI. Their steps are merged into one
 * snapshot per step before `onStep`, so series stay one per interface, host and protocol.
 */
export class CaptureWorkers implements Component {
  private readonly control = new SharedArrayBuffer(4);
  private readonly workers: WorkerState[] = [];
  private readonly merger: StepMerger;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly config: CaptureWorkersConfig,
    private readonly deps: {
      logger: Logger;
      onStep: (snapshot: StepSnapshot) => void;
      /** A worker failed while capturing (the interface went away, ...): the capture should stop. */
      onFailure: (err: Error) => void;
    },
  ) {
    if (config.interfaces.length === 0) throw new RangeError('at least one interface is needed');
    if (!(config.workersPerInterface >= 1)) throw new RangeError('workersPerInterface must be at least 1');
    this.merger = new StepMerger(
      config.interfaces.length * config.workersPerInterface,
      config.maxProtocolsPerHost,
      deps.onStep,
    );
  }

  /** Totals of every worker, as of their last reports. */
  counters(): CaptureCounters {
    return sumCounters(this.workers.map((w) => w.counters));
  }

  async start(): Promise<void> {
    const n = this.config.workersPerInterface;
    // One fanout group per interface, unique on this host while we run.
    const groupBase = (process.pid * 7) & 0xffff;
    try {
      for (const [i, device] of this.config.interfaces.entries()) {
        for (let k = 0; k < n; k++) {
          const source: PcapSourceConfig = {
            ...this.config.source,
            device,
            fanoutGroup: n > 1 ? (groupBase + i) & 0xffff : null,
            countInterfaceDrops: k === 0,
          };
          await this.startWorker(source);
          this.deps.logger.info({ device, worker: k + 1, of: n, bpf: source.bpf || undefined }, 'capturing');
        }
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  private startWorker(source: PcapSourceConfig): Promise<void> {
    const index = this.workers.length;
    const data: CaptureWorkerData = {
      source,
      pipeline: this.config.pipeline,
      extraLocalNetworks: this.config.extraLocalNetworks,
      control: this.control,
    };
    const worker = new Worker(join(__dirname, 'capture-worker.js'), { workerData: data });
    let ready!: (err?: Error) => void;
    const running = new Promise<void>((resolve, reject) => {
      ready = (err) => (err ? reject(err) : resolve());
    });
    const state: WorkerState = {
      worker,
      counters: emptyCounters(),
      finished: false,
      done: new Promise((resolve) => worker.once('exit', () => resolve())),
    };
    this.workers.push(state);
    let started = false;
    const failed = (message: string, cause?: Error): void => {
      this.deps.logger.error({ device: source.device, error: message }, 'capture failed');
      this.deps.onFailure(new Error(`capture on ${source.device} failed: ${message}`, { cause }));
    };
    worker.on('message', (m: CaptureWorkerMessage) => {
      if (m.type === 'ready') {
        started = true;
        ready();
      } else if (m.type === 'error') {
        if (started) failed(m.message);
        else ready(new Error(m.message));
      } else {
        state.counters = m.counters;
        state.finished = m.done;
        this.merger.report(index, m.steps, m.watermarkMs);
      }
    });
    worker.on('error', (err) => {
      if (started) failed(err.message, err);
      else ready(err);
    });
    worker.once('exit', (code) => {
      ready(new Error(`capture worker for ${source.device} exited (${code}) before it started`));
      // A worker that ended without its last report must not hold the other workers' steps back.
      if (!state.finished) this.merger.report(index, [], Infinity);
    });
    return running;
  }

  /** Stops every worker after it has handed over what the kernel still held. */
  stop(): Promise<void> {
    this.stopping ??= this.stopWorkers();
    return this.stopping;
  }

  private async stopWorkers(): Promise<void> {
    Atomics.store(new Int32Array(this.control), 0, 1);
    await Promise.all(
      this.workers.map(async (w) => {
        const timer = setTimeout(() => {
          this.deps.logger.warn('a capture worker did not stop in time; terminating it');
          void w.worker.terminate();
        }, STOP_TIMEOUT_MS);
        timer.unref();
        await w.done;
        clearTimeout(timer);
      }),
    );
  }
}
