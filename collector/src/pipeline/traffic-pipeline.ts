import type { PacketHandler } from '../capture/packet-handler';
import type { FlowClassifier } from '../classify/classifier';
import { decodePacket } from '../decode/decode-packet';
import { DecodeStatus, PacketView } from '../decode/packet-view';
import { FlowTable, type FlowTableConfig } from '../flows/flow-table';
import { FragmentTable } from '../flows/fragment-table';
import { HostTable } from '../stats/host-table';
import { L7Counters } from '../stats/l7-counters';
import type { LocalNetworks } from '../stats/local-networks';
import type { CaptureCounters } from '../stats/capture-counters';
import type { StepSnapshot } from '../stats/step-snapshot';
import { TrafficSummary } from './traffic-summary';

export interface PipelineConfig {
  stepSeconds: number;
  localNetworks: LocalNetworks;
  maxHosts: number;
  /** A local host without traffic for this long is forgotten (its series simply resume if it returns). */
  hostIdleSeconds: number;
  flows: FlowTableConfig;
  /** Per-host protocol series (`host_l7`); off with `--no-host-protocols`. */
  hostProtocols: boolean;
  maxProtocolsPerHost: number;
}

export interface PipelineDeps {
  /** nDPI, or null to count every flow as `Unknown` (tests of the counting alone). */
  classifier: FlowClassifier | null;
  /** Receives every closed step, empty ones too (they carry the heartbeat); not skipped ones. */
  onStep: (snapshot: StepSnapshot) => void;
}

const MAX_INTERFACES = 256;
const FEEDING = 0;
const CLASSIFIED = 1;
const UNKNOWN_PROTOCOL = 0;
/** Pseudo-protocols for frames that belong to no flow, so protocol series add up to interface totals. */
const NON_IP = -1;
const MALFORMED = -2;

/**
 * The per-packet path: decode, account interface and local-host traffic, find the flow,
 * feed the classifier, and at each step boundary (on the packets' own clock) turn the
 * counters into a snapshot. A flow's bytes are held back until its protocol is final, so
 * every byte of a flow counts under its final protocol.
 */
export class TrafficPipeline implements PacketHandler {
  readonly interfaceNames: string[] = [];
  readonly summary = new TrafficSummary();
  private readonly linkTypes = new Int32Array(MAX_INTERFACES);
  private readonly ifBytes = new Float64Array(MAX_INTERFACES);
  private readonly ifPackets = new Float64Array(MAX_INTERFACES);
  private readonly ifDrops = new Float64Array(MAX_INTERFACES);
  /** Totals since start, per interface. */
  readonly malformed = new Float64Array(MAX_INTERFACES);
  readonly notIp = new Float64Array(MAX_INTERFACES);
  readonly drops = new Float64Array(MAX_INTERFACES);
  // The current step's frames without a flow, per interface.
  private readonly stepNonIpBytes = new Float64Array(MAX_INTERFACES);
  private readonly stepNonIpPackets = new Float64Array(MAX_INTERFACES);
  private readonly stepMalformedBytes = new Float64Array(MAX_INTERFACES);
  private readonly stepMalformedPackets = new Float64Array(MAX_INTERFACES);

  private readonly view = new PacketView();
  private readonly flows: FlowTable;
  private readonly fragments = new FragmentTable();
  readonly hosts: HostTable;
  private readonly l7: L7Counters;
  private readonly stepUs: number;
  private stepEndUs = -1;

  // Per-flow accounting, indexed by flow slot.
  private readonly pendingBytesFromLow: Float64Array;
  private readonly pendingBytesFromHigh: Float64Array;
  private readonly pendingPackets: Float64Array;
  private readonly l7State: Uint8Array;
  private readonly counted: Uint8Array;
  private readonly dirtyFlag: Uint8Array;
  private readonly dirty: Int32Array;
  private dirtyCount = 0;
  private readonly words = new Uint32Array(4);

  constructor(
    private readonly config: PipelineConfig,
    private readonly deps: PipelineDeps,
  ) {
    if (!(config.stepSeconds > 0)) throw new RangeError('stepSeconds must be positive');
    this.stepUs = Math.round(config.stepSeconds * 1e6);
    this.flows = new FlowTable(config.flows, (slot) => this.endFlow(slot));
    this.hosts = new HostTable(config.maxHosts);
    this.l7 = new L7Counters(config.maxProtocolsPerHost);
    const cap = config.flows.maxFlows;
    this.pendingBytesFromLow = new Float64Array(cap);
    this.pendingBytesFromHigh = new Float64Array(cap);
    this.pendingPackets = new Float64Array(cap);
    this.l7State = new Uint8Array(cap);
    this.counted = new Uint8Array(cap);
    this.dirtyFlag = new Uint8Array(cap);
    this.dirty = new Int32Array(cap);
  }

  addInterface(name: string, linkType: number): number {
    const existing = this.interfaceNames.indexOf(name);
    if (existing !== -1) return existing;
    if (this.interfaceNames.length === MAX_INTERFACES)
      throw new RangeError(`more than ${MAX_INTERFACES} interfaces`);
    this.linkTypes[this.interfaceNames.length] = linkType;
    this.interfaceNames.push(name);
    this.summary.addInterface(name);
    return this.interfaceNames.length - 1;
  }

  addDrops(ifIndex: number, drops: number): void {
    this.ifDrops[ifIndex] += drops;
    this.drops[ifIndex] += drops;
  }

  /** Running totals; packets and bytes as of the last ended step. */
  counters(): CaptureCounters {
    const interfaces: CaptureCounters['interfaces'] = {};
    this.interfaceNames.forEach((name, i) => {
      interfaces[name] = {
        ...this.summary.interfaceTotals(name),
        drops: this.drops[i],
        malformed: this.malformed[i],
        notIp: this.notIp[i],
      };
    });
    return {
      interfaces,
      flowsCreated: this.summary.flows,
      flowsEvicted: this.flows.evicted,
      flowsActive: this.flows.size,
      hostsDropped: this.hosts.dropped,
      hostsActive: this.hosts.size,
    };
  }

  onPacket(
    ifIndex: number,
    buf: Buffer,
    offset: number,
    capLen: number,
    wireLen: number,
    tsUs: number,
  ): void {
    if (tsUs >= this.stepEndUs) this.advanceTo(tsUs);
    this.ifBytes[ifIndex] += wireLen;
    this.ifPackets[ifIndex]++;
    const view = this.view;
    const status = decodePacket(view, this.linkTypes[ifIndex], buf, offset, capLen);
    const local = this.config.localNetworks;
    const hosts = this.hosts;
    if (status !== DecodeStatus.Ok) {
      if (status === DecodeStatus.NotIp) {
        this.notIp[ifIndex]++;
        this.stepNonIpBytes[ifIndex] += wireLen;
        this.stepNonIpPackets[ifIndex]++;
      } else {
        this.malformed[ifIndex]++;
        this.stepMalformedBytes[ifIndex] += wireLen;
        this.stepMalformedPackets[ifIndex]++;
      }
      if (status === DecodeStatus.SourceOnly && local.contains(view.src, view.ipVersion)) {
        const h = hosts.slotOf(view.src, view.ipVersion, ifIndex);
        if (h !== -1) hosts.addSent(h, wireLen);
        else hosts.dropped++;
      }
      return;
    }

    if (local.contains(view.src, view.ipVersion)) {
      const h = hosts.slotOf(view.src, view.ipVersion, ifIndex);
      if (h !== -1) hosts.addSent(h, wireLen);
      else hosts.dropped++;
    }
    if (local.contains(view.dst, view.ipVersion)) {
      const h = hosts.slotOf(view.dst, view.ipVersion, ifIndex);
      if (h !== -1) hosts.addRcvd(h, wireLen);
      else hosts.dropped++;
    }

    const flows = this.flows;
    let slot = -1;
    let fromLow = false;
    const laterFragment = view.isFragment && view.fragmentOffset !== 0;
    if (laterFragment) {
      const s = this.fragments.find(view);
      if (s !== -1 && flows.isLive(s, this.fragments.foundGeneration)) {
        slot = s;
        fromLow = this.fragments.foundFromLow;
        flows.see(slot, tsUs);
      }
    }
    if (slot === -1) {
      slot = flows.lookup(view, ifIndex, tsUs);
      fromLow = flows.fromLow;
      if (flows.created) {
        this.l7State[slot] = this.deps.classifier ? FEEDING : CLASSIFIED;
        this.counted[slot] = 0;
        this.summary.flows++;
      }
      if (view.isFragment && !laterFragment)
        this.fragments.remember(view, slot, flows.generation[slot], fromLow);
    }

    if (fromLow) this.pendingBytesFromLow[slot] += wireLen;
    else this.pendingBytesFromHigh[slot] += wireLen;
    this.pendingPackets[slot]++;
    if (this.dirtyFlag[slot] === 0) {
      this.dirtyFlag[slot] = 1;
      this.dirty[this.dirtyCount++] = slot;
    }

    const classifier = this.deps.classifier;
    if (classifier && this.l7State[slot] === FEEDING && !laterFragment) {
      const fromInitiator = fromLow === (flows.initiatorIsLow[slot] === 1);
      if (classifier.feed(slot, buf, view.ipOffset, view.ipLength, tsUs / 1000, fromInitiator))
        this.l7State[slot] = CLASSIFIED;
    }
  }

  /** Every step still to come ends after this (epoch µs): the start of the open step. */
  get openStepStartUs(): number {
    return this.stepEndUs < 0 ? -Infinity : this.stepEndUs - this.stepUs;
  }

  /** Closes every step that ends at or before `tsUs` (packet clock, or wall clock when idle). */
  advanceTo(tsUs: number): void {
    if (this.stepEndUs < 0) {
      this.stepEndUs = (Math.floor(tsUs / this.stepUs) + 1) * this.stepUs;
      return;
    }
    while (tsUs >= this.stepEndUs) {
      this.closeStep(false);
      // Skip empty steps in one go (a capture file with a gap of hours). Skipped steps get no
      // heartbeat: on the file's clock nothing was running there, so the API shows a gap.
      if (this.flows.size === 0 && tsUs >= this.stepEndUs)
        this.stepEndUs = (Math.floor(tsUs / this.stepUs) + 1) * this.stepUs;
    }
  }

  /** Ends every flow and emits the last, partial step (end of a replay, shutdown). */
  finish(): void {
    if (this.stepEndUs < 0) return;
    this.closeStep(true);
  }

  private closeStep(final: boolean): void {
    const endUs = this.stepEndUs;
    if (final) this.flows.expireAll();
    else this.flows.expireIdle(endUs);
    let kept = 0;
    for (let i = 0; i < this.dirtyCount; i++) {
      const slot = this.dirty[i];
      if (this.l7State[slot] === CLASSIFIED) {
        this.flushFlow(slot);
        this.dirtyFlag[slot] = 0;
      } else {
        // Still being classified: its bytes wait for the final protocol in a later step.
        this.dirty[kept++] = slot;
      }
    }
    this.dirtyCount = kept;
    const snapshot = this.takeStep(endUs);
    this.hosts.expireIdle(endUs - this.config.hostIdleSeconds * 1e6, (slot) =>
      this.summary.retireHost(this.hosts, slot),
    );
    // Every closed step is emitted, empty or not: it carries the heartbeat.
    snapshot.probe.flows = this.flows.size;
    snapshot.probe.hosts = this.hosts.size;
    this.deps.onStep(snapshot);
    this.stepEndUs = endUs + this.stepUs;
  }

  /** A flow leaves the table: its result becomes final and its held bytes are counted. */
  private endFlow(slot: number): void {
    const classifier = this.deps.classifier;
    if (classifier && this.l7State[slot] === FEEDING) {
      classifier.finish(slot);
      this.l7State[slot] = CLASSIFIED;
    }
    this.flushFlow(slot);
    classifier?.release(slot);
  }

  private flushFlow(slot: number): void {
    const packets = this.pendingPackets[slot];
    if (packets === 0) return;
    const fromLow = this.pendingBytesFromLow[slot];
    const fromHigh = this.pendingBytesFromHigh[slot];
    this.pendingBytesFromLow[slot] = this.pendingBytesFromHigh[slot] = this.pendingPackets[slot] = 0;
    const classifier = this.deps.classifier;
    const proto = classifier ? classifier.protocolOf(slot) : UNKNOWN_PROTOCOL;
    const category = classifier ? classifier.categoryOf(slot) : 0;
    const ifIndex = this.flows.ifIndex[slot];
    const newFlow = this.counted[slot] === 0;
    this.counted[slot] = 1;
    this.l7.addFlow(ifIndex, proto, category, fromLow + fromHigh, packets, newFlow);
    this.summary.addProtocol(proto, fromLow + fromHigh, packets, newFlow);
    if (!this.config.hostProtocols) return;
    const version = this.flows.ipVersionOf(slot);
    const words = this.words;
    for (const which of [0, 1] as const) {
      this.flows.addressOf(slot, which, words);
      if (!this.config.localNetworks.contains(words, version)) continue;
      const host = this.hosts.slotOf(words, version, ifIndex);
      if (host === -1) continue;
      if (which === 0) this.l7.addHost(host, proto, category, fromLow, fromHigh);
      else this.l7.addHost(host, proto, category, fromHigh, fromLow);
    }
  }

  /** Turns the step's counters into a snapshot and resets them; the caller completes `probe`. */
  private takeStep(endUs: number): StepSnapshot {
    const interfaces: StepSnapshot['interfaces'] = [];
    let drops = 0;
    for (let i = 0; i < this.interfaceNames.length; i++) {
      if (this.ifPackets[i] === 0 && this.ifDrops[i] === 0) continue;
      drops += this.ifDrops[i];
      interfaces.push({
        ifname: this.interfaceNames[i],
        bytes: this.ifBytes[i],
        packets: this.ifPackets[i],
        drops: this.ifDrops[i],
      });
      this.summary.addInterfaceTraffic(this.interfaceNames[i], this.ifBytes[i], this.ifPackets[i]);
      this.ifBytes[i] = this.ifPackets[i] = this.ifDrops[i] = 0;
      if (this.stepNonIpPackets[i] > 0) {
        this.l7.addFlow(i, NON_IP, 0, this.stepNonIpBytes[i], this.stepNonIpPackets[i], false);
        this.summary.addProtocol(NON_IP, this.stepNonIpBytes[i], this.stepNonIpPackets[i], false);
      }
      if (this.stepMalformedPackets[i] > 0) {
        this.l7.addFlow(i, MALFORMED, 0, this.stepMalformedBytes[i], this.stepMalformedPackets[i], false);
        this.summary.addProtocol(MALFORMED, this.stepMalformedBytes[i], this.stepMalformedPackets[i], false);
      }
      this.stepNonIpBytes[i] =
        this.stepNonIpPackets[i] =
        this.stepMalformedBytes[i] =
        this.stepMalformedPackets[i] =
          0;
    }
    const hosts: StepSnapshot['hosts'] = [];
    const h = this.hosts;
    for (let i = 0; i < h.touchedCount; i++) {
      const s = h.touched[i];
      hosts.push({
        ifname: this.interfaceNames[h.ifIndex[s]],
        host: h.address[s],
        bytesSent: h.stepBytesSent[s],
        bytesRcvd: h.stepBytesRcvd[s],
        packetsSent: h.stepPacketsSent[s],
        packetsRcvd: h.stepPacketsRcvd[s],
      });
    }
    h.endStep(endUs);
    const { protocols, hostProtocols } = this.l7.take(this.names);
    return {
      endMs: endUs / 1000,
      interfaces,
      hosts,
      protocols,
      hostProtocols,
      probe: { drops, flows: 0, hosts: 0 },
    };
  }

  /** Resolves ids to names for snapshots and the summary. */
  readonly names = {
    ifname: (ifIndex: number): string => this.interfaceNames[ifIndex],
    host: (slot: number): { ifname: string; host: string } => ({
      ifname: this.interfaceNames[this.hosts.ifIndex[slot]],
      host: this.hosts.address[slot],
    }),
    protocol: (id: number): string =>
      id === NON_IP
        ? 'Non-IP'
        : id === MALFORMED
          ? 'Malformed'
          : (this.deps.classifier?.protocolName(id) ?? 'Unknown'),
    category: (id: number): string => this.deps.classifier?.categoryName(id) ?? 'Unspecified',
  };
}
