/** What one step (one InfluxDB timestamp) counted, ready to become points. */
export interface StepSnapshot {
  /** End of the step, epoch milliseconds: the points' timestamp. */
  endMs: number;
  interfaces: InterfaceStep[];
  hosts: HostStep[];
  protocols: ProtocolStep[];
  hostProtocols: HostProtocolStep[];
  /**
   * The collector's heartbeat (`probe` measurement): every step it closes has one, traffic or
   * not, so the API can tell a quiet link (0) from a collector that was not running (a gap).
   */
  probe: ProbeStep;
}

/** Written as `up`=1 plus these; workers of one collector sum them (`mergeSnapshots`). */
export interface ProbeStep {
  /** Packets dropped in the step, all interfaces. */
  drops: number;
  /** Flows in the flow table at the end of the step. */
  flows: number;
  /** Local hosts tracked at the end of the step. */
  hosts: number;
}

export interface InterfaceStep {
  ifname: string;
  bytes: number;
  packets: number;
  drops: number;
}

export interface HostStep {
  ifname: string;
  host: string;
  bytesSent: number;
  bytesRcvd: number;
  packetsSent: number;
  packetsRcvd: number;
}

export interface ProtocolStep {
  ifname: string;
  proto: string;
  category: string;
  bytes: number;
  packets: number;
  /** Flows counted under this protocol for the first time in this step. */
  flows: number;
}

export interface HostProtocolStep {
  ifname: string;
  host: string;
  proto: string;
  category: string;
  bytesSent: number;
  bytesRcvd: number;
}
