import { readCaptureFile } from '../../src/capture/capture-file-reader';
import { NdpiClassifier } from '../../src/classify/ndpi-classifier';
import { TrafficPipeline, type PipelineConfig } from '../../src/pipeline/traffic-pipeline';
import type { ReplaySummary } from '../../src/pipeline/traffic-summary';
import { DEFAULT_LOCAL_NETWORKS, LocalNetworks } from '../../src/stats/local-networks';
import type { StepSnapshot } from '../../src/stats/step-snapshot';

export const TEST_PIPELINE_CONFIG: PipelineConfig = {
  stepSeconds: 5,
  localNetworks: new LocalNetworks(DEFAULT_LOCAL_NETWORKS),
  maxHosts: 1000,
  hostIdleSeconds: 600,
  flows: { maxFlows: 4096, tcpIdleSeconds: 120, udpIdleSeconds: 60, otherIdleSeconds: 30 },
  hostProtocols: true,
  maxProtocolsPerHost: 20,
};

/** Replays a file through the real pipeline and nDPI, as `packetflux replay` does, keeping every step. */
export async function replayInProcess(
  file: string,
  config: Partial<PipelineConfig> = {},
): Promise<{ summary: ReplaySummary; steps: StepSnapshot[]; malformed: number }> {
  const full = { ...TEST_PIPELINE_CONFIG, ...config };
  const classifier = new NdpiClassifier({ maxFlows: full.flows.maxFlows });
  const steps: StepSnapshot[] = [];
  try {
    const pipeline = new TrafficPipeline(full, { classifier, onStep: (s) => steps.push(s) });
    await readCaptureFile(file, pipeline);
    pipeline.finish();
    const summary = pipeline.summary.build(0, pipeline.names.protocol, pipeline.hosts, pipeline.names.ifname);
    return { summary, steps, malformed: pipeline.malformed.reduce((a, b) => a + b, 0) };
  } finally {
    classifier.close();
  }
}
