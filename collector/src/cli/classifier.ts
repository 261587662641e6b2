import type { FlowClassifier } from '../classify/classifier';
import { NdpiClassifier } from '../classify/ndpi-classifier';

/** nDPI sized for the flow table; fails with the addon's one-line reason when libndpi is missing. */
export function createClassifier(maxFlows: number): FlowClassifier {
  return new NdpiClassifier({ maxFlows });
}
