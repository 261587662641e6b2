/** What one step (one InfluxDB timestamp) counted, ready to become points. */
export interface StepSnapshot {
  /** End of the step, epoch milliseconds: the points' timestamp. */
  endMs: number;
  interfaces: InterfaceStep[];
  hosts: HostStep[];
  protocols: ProtocolStep[];
  hostProtocols: HostProtocolStep[];
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
