import type { StepSnapshot } from '../stats/step-snapshot';
import { stepPoints } from '../store/step-points';
import { TEST_PIPELINE_CONFIG } from '../../test/support/replay-in-process';
import { ipv4 } from '../../test/synth/addresses';
import { LINKTYPE_RAW } from '../../test/synth/link';
import { packetBytes } from '../../test/synth/packet';
import { TrafficPipeline } from './traffic-pipeline';

const S = 1_000_000; // µs
/** A step boundary (5 s steps). */
const T0 = 1_700_000_000 * S;
const packet = packetBytes({
  link: { type: 'raw' },
  net: { version: 4, src: ipv4('10.0.0.5'), dst: ipv4('93.184.216.34') },
  l4: { type: 'udp', srcPort: 40000, dstPort: 53 },
  payloadLength: 100,
});

function pipeline(): { p: TrafficPipeline; steps: StepSnapshot[]; send: (tsUs: number) => void } {
  const steps: StepSnapshot[] = [];
  const p = new TrafficPipeline(
    { ...TEST_PIPELINE_CONFIG, flows: { ...TEST_PIPELINE_CONFIG.flows, udpIdleSeconds: 60 } },
    { classifier: null, onStep: (s) => steps.push(s) },
  );
  const ifIndex = p.addInterface('eth0', LINKTYPE_RAW);
  const send = (tsUs: number): void => p.onPacket(ifIndex, packet, 0, packet.length, packet.length, tsUs);
  return { p, steps, send };
}

const endsMs = (steps: StepSnapshot[]): number[] => steps.map((s) => (s.endMs * 1000 - T0) / S);

describe('the probe heartbeat', () => {
  it('every closed step has one, traffic or not: drops of the step, flows and hosts at its end', () => {
    const { p, steps, send } = pipeline();
    send(T0 + 1 * S);
    p.addDrops(0, 3);
    // Quiet for 20 s, less than the UDP idle time: the flow is still open, every step closes.
    p.advanceTo(T0 + 21 * S);
    expect(endsMs(steps)).toEqual([5, 10, 15, 20]);
    expect(steps[0].interfaces).toEqual([{ ifname: 'eth0', bytes: packet.length, packets: 1, drops: 3 }]);
    expect(steps.map((s) => s.probe)).toEqual([
      { drops: 3, flows: 1, hosts: 1 },
      { drops: 0, flows: 1, hosts: 1 },
      { drops: 0, flows: 1, hosts: 1 },
      { drops: 0, flows: 1, hosts: 1 },
    ]);
    expect(steps.slice(1).every((s) => s.interfaces.length + s.hosts.length + s.protocols.length === 0)).toBe(
      true,
    );
    // A quiet step is one point: the heartbeat, at the step end.
    expect(stepPoints(steps[1], 'edge').map((pt) => pt.toLineProtocol())).toEqual([
      `probe,probe=edge drops=0i,flows=1i,hosts=1i,up=1i ${(T0 + 10 * S) / 1000}`,
    ]);
  });

  it('a long empty gap in a file is skipped in one go: no heartbeats once the flows have ended', () => {
    const { p, steps, send } = pipeline();
    send(T0 + 1 * S);
    send(T0 + 3600 * S + 1 * S);
    p.finish();
    const ends = endsMs(steps);
    // Heartbeats go on while the flow is open (60 s idle), stop once it has ended, and start
    // again with the packets an hour later.
    expect(ends.filter((t) => t < 3600)).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65]);
    expect(steps[ends.indexOf(65)].probe.flows).toBe(0);
    expect(ends.filter((t) => t >= 3600)).toEqual([3605]);
    expect(steps[steps.length - 1].interfaces).toEqual([
      { ifname: 'eth0', bytes: packet.length, packets: 1, drops: 0 },
    ]);
  });

  it('the wall clock closes idle steps one by one, as live capture does', () => {
    const { p, steps } = pipeline();
    p.advanceTo(T0 + 2 * S); // the first call only starts the step grid
    for (let t = T0 + 2 * S; t <= T0 + 30 * S; t += S / 10) p.advanceTo(t);
    expect(endsMs(steps)).toEqual([5, 10, 15, 20, 25, 30]);
    expect(steps.every((s) => s.probe.flows === 0 && s.interfaces.length === 0)).toBe(true);
  });
});
