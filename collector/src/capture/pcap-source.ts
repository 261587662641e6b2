import path from 'node:path';
import type { PacketHandler } from './packet-handler';

/** Where node-gyp puts the capture addon, relative to the collector package root. */
const ADDON_RELATIVE_PATH = path.join('build', 'Release', 'packetflux_pcap.node');
const HEADER_FIELDS = 4;
const TWO_TO_32 = 2 ** 32;

interface NativePcapSource {
  next(timeoutMs: number): number;
  stats(): { received: number; dropped: number; ifDropped: number };
  fanout(groupId: number): void;
  close(): void;
  readonly linkType: number;
}

interface PcapAddon {
  PcapSource: new (
    device: string,
    options: { snaplen: number; bufferBytes: number; timeoutMs: number; bpf: string },
    data: Buffer,
    headers: Float64Array,
  ) => NativePcapSource;
  libpcapVersion: string;
}

export interface PcapSourceConfig {
  device: string;
  /** BPF filter, tcpdump syntax; empty captures everything. */
  bpf: string;
  snaplen: number;
  /** The kernel ring per socket: what absorbs a burst while the pipeline catches up. */
  bufferBytes: number;
  /** How long the kernel holds a partly filled ring block before handing it over. */
  blockTimeoutMs: number;
  /** Packets per batch (one native call each). */
  batchPackets: number;
  /** Join this PACKET_FANOUT group (one interface over several workers); null: none. */
  fanoutGroup: number | null;
  /** Count the interface's own drops (ps_ifdrop): one socket per interface does, or fanout would multiply them. */
  countInterfaceDrops: boolean;
}

/** The collector package root, from `src/capture` (jest) as from `dist/capture`. */
function packageRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

/** Loads the capture addon; the Error says what is missing (libpcap, the build). */
export function loadPcapAddon(): PcapAddon {
  const addonPath = path.join(packageRoot(), ADDON_RELATIVE_PATH);
  const holder: { exports: unknown } = { exports: {} };
  try {
    process.dlopen(holder, addonPath);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const what = /libpcap/i.test(message)
      ? "libpcap is missing: install it with 'apt-get install libpcap0.8' (Debian/Ubuntu)"
      : `the capture addon is not built (${addonPath}): run 'npm run build:addon --workspace collector'` +
        " (it needs libpcap-dev: 'apt-get install libpcap-dev')";
    throw new Error(`live capture is not available: ${what}`, { cause: err });
  }
  return holder.exports as PcapAddon;
}

/**
 * One libpcap capture socket, drained in batches: `poll` blocks up to a timeout for the next
 * batch, then hands its packets to the handler with the kernel's timestamps and wire lengths.
 * It blocks, so it runs in a worker thread. Kernel drops come from `pcap_stats` as deltas.
 */
export class PcapSource {
  readonly linkType: number;
  private readonly native: NativePcapSource;
  private readonly data: Buffer;
  private readonly headers: Float64Array;
  private ifIndex = -1;
  private lastDropped = 0;
  private lastIfDropped = 0;

  constructor(
    private readonly config: PcapSourceConfig,
    addon: PcapAddon = loadPcapAddon(),
  ) {
    // A batch holds `batchPackets` headers, and data for as many full-size packets as fit in 8 MiB.
    this.data = Buffer.alloc(Math.max(8 * 1024 * 1024, config.snaplen * 2));
    this.headers = new Float64Array(config.batchPackets * HEADER_FIELDS);
    try {
      this.native = new addon.PcapSource(
        config.device,
        {
          snaplen: config.snaplen,
          bufferBytes: config.bufferBytes,
          timeoutMs: config.blockTimeoutMs,
          bpf: config.bpf,
        },
        this.data,
        this.headers,
      );
    } catch (err) {
      throw new Error(
        `cannot capture on ${config.device}: ${err instanceof Error ? err.message : String(err)}`,
        {
          cause: err,
        },
      );
    }
    this.linkType = this.native.linkType;
    if (config.fanoutGroup !== null) this.native.fanout(config.fanoutGroup);
  }

  /** Registers the device with the handler; call once before `poll`. */
  attach(handler: PacketHandler): void {
    this.ifIndex = handler.addInterface(this.config.device, this.linkType);
  }

  /**
   * Waits up to `timeoutMs` (0: not at all) for packets, hands one batch to `handler`, and
   * returns how many there were; 0 means the ring was empty.
   */
  poll(handler: PacketHandler, timeoutMs: number): number {
    const n = this.native.next(timeoutMs);
    const h = this.headers;
    const data = this.data;
    const ifIndex = this.ifIndex;
    for (let i = 0, r = 0; i < n; i++, r += HEADER_FIELDS) {
      handler.onPacket(ifIndex, data, h[r + 3], h[r + 1], h[r + 2], h[r]);
    }
    return n;
  }

  /** Hands the kernel's new drops since the last call to `handler`. */
  collectDrops(handler: PacketHandler): void {
    const s = this.native.stats();
    // pcap_stats counters are 32-bit and wrap.
    let drops = (s.dropped - this.lastDropped + TWO_TO_32) % TWO_TO_32;
    this.lastDropped = s.dropped;
    if (this.config.countInterfaceDrops) {
      drops += (s.ifDropped - this.lastIfDropped + TWO_TO_32) % TWO_TO_32;
      this.lastIfDropped = s.ifDropped;
    }
    if (drops > 0) handler.addDrops(this.ifIndex, drops);
  }

  close(): void {
    this.native.close();
  }
}
