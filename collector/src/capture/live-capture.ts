import type { Cap as CapHandle } from 'cap';
import type { Logger } from 'pino';
import type { Component } from '../common/component';
import type { PacketHandler } from './packet-handler';

export interface LiveCaptureConfig {
  interfaces: string[];
  /** BPF filter, libpcap syntax; empty captures everything. */
  bpf: string;
  /** libpcap's kernel ring buffer per interface. */
  bufferBytes: number;
}

const LINK_TYPES: Record<string, number> = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LINKTYPE_LINUX_SLL: 113,
  IEEE802_11_RADIO: 127,
};
const MAX_FRAME = 65535;

/** Captures live on one or more interfaces with libpcap (npm `cap`), timestamping on arrival. */
export class LiveCapture implements Component {
  private readonly handles: CapHandle[] = [];
  // `cap` writes each packet into this memory from C: it must stay referenced while open.
  private readonly buffers: Buffer[] = [];
  truncated = 0;

  constructor(
    private readonly config: LiveCaptureConfig,
    private readonly deps: { handler: PacketHandler; logger: Logger },
  ) {
    if (config.interfaces.length === 0) throw new RangeError('at least one interface is needed');
  }

  async start(): Promise<void> {
    // Loaded here, not at import: replay and serve must work where libpcap's addon is absent.
    const { Cap } = await import('cap');
    const handler = this.deps.handler;
    for (const device of this.config.interfaces) {
      const cap = new Cap();
      const buffer = Buffer.alloc(MAX_FRAME);
      let linkName: string;
      try {
        linkName = cap.open(device, this.config.bpf, this.config.bufferBytes, buffer);
      } catch (err) {
        await this.stop();
        const msg = err instanceof Error ? err.message : String(err);
        const hint = /permission|not permitted/i.test(msg)
          ? ' (capturing needs root or CAP_NET_RAW+CAP_NET_ADMIN)'
          : '';
        throw new Error(`cannot capture on ${device}: ${msg}${hint}`, { cause: err });
      }
      const linkType = LINK_TYPES[linkName] ?? Number(/Unknown linktype (\d+)/.exec(linkName)?.[1] ?? -1);
      const ifIndex = handler.addInterface(device, linkType);
      cap.on('packet', (nbytes, truncated) => {
        if (truncated) this.truncated++;
        handler.onPacket(
          ifIndex,
          buffer,
          0,
          nbytes,
          nbytes,
          (performance.timeOrigin + performance.now()) * 1000,
        );
      });
      this.handles.push(cap);
      this.buffers.push(buffer);
      this.deps.logger.info({ device, linkType, bpf: this.config.bpf || undefined }, 'capturing');
    }
  }

  async stop(): Promise<void> {
    for (const cap of this.handles.splice(0)) cap.close();
    this.buffers.length = 0;
  }
}
