import path from 'node:path';

import type { FlowClassifier } from './classifier';

/** Where `npm run build:addon` (node-gyp) puts the addon, relative to the collector package root. */
const ADDON_RELATIVE_PATH = path.join('build', 'Release', 'packetflux_ndpi.node');

const LIBNDPI_MISSING =
  "packetflux: libndpi not found: install it with 'apt-get install libndpi-dev' (Debian/Ubuntu)";

/** The object the native addon's `NdpiClassifier` constructor returns (see native/packetflux-ndpi.cc). */
export interface NativeNdpiClassifier extends Pick<
  FlowClassifier,
  'feed' | 'finish' | 'release' | 'protocolName' | 'categoryName' | 'close'
> {
  /** `[protocolId, categoryId]` per flow slot, updated in place by `feed`/`finish`/`release`. */
  readonly results: Uint16Array;
  readonly protocolCount: number;
  readonly categoryCount: number;
}

export interface NdpiAddon {
  NdpiClassifier: new (maxFlows: number) => NativeNdpiClassifier;
  /** nDPI's release string, e.g. `4.2.0`. */
  ndpiVersion: string;
  ndpiApiVersion: number;
  /** Packets of a TCP / UDP flow after which detection gives up (ndpiReader's -T / -U defaults). */
  maxTcpPackets: number;
  maxUdpPackets: number;
}

export interface NdpiClassifierConfig {
  /** Capacity of the flow table: flow slots are `0 .. maxFlows-1`. */
  maxFlows: number;
}

export interface NdpiClassifierDeps {
  /** The loaded addon; defaults to `loadNdpiAddon()`. */
  addon?: NdpiAddon;
}

/** The collector package root, from `src/classify` (jest, ts-node) as from `dist/classify`. */
export function collectorPackageRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

/**
 * Loads the nDPI addon from `build/Release/packetflux_ndpi.node` under the collector package.
 * Throws an Error that says what to do when libndpi or the built addon is missing.
 */
export function loadNdpiAddon(
  addonPath: string = path.join(collectorPackageRoot(), ADDON_RELATIVE_PATH),
): NdpiAddon {
  const holder: { exports: unknown } = { exports: {} };
  try {
    process.dlopen(holder, addonPath);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/libndpi/i.test(message)) {
      throw new Error(LIBNDPI_MISSING, { cause: err });
    }
    if (/cannot open shared object file|no such file|not found/i.test(message)) {
      throw new Error(
        `packetflux: the nDPI addon is not built (${addonPath}): run 'npm run build:addon --workspace collector'` +
          ` (it needs libndpi: 'apt-get install libndpi-dev' on Debian/Ubuntu)`,
        { cause: err },
      );
    }
    throw new Error(`packetflux: cannot load the nDPI addon ${addonPath}: ${message}`, { cause: err });
  }
  return holder.exports as NdpiAddon;
}

/**
 * nDPI classification of flows by flow-table slot, as ndpiReader classifies them: the result of
 * a flow is final once nDPI knows its application protocol and has nothing more to dissect, or
 * after 80 TCP / 24 UDP packets, or when `finish` is called; an unknown flow is then guessed
 * (by port and address). Results are read from a typed array the addon shares, and names are
 * cached here, so only `feed`, `finish` and `release` cross into native code.
 */
export class NdpiClassifier implements FlowClassifier {
  readonly ndpiVersion: string;
  private readonly native: NativeNdpiClassifier;
  private readonly results: Uint16Array;
  private readonly protocolNames: string[] = [];
  private readonly categoryNames: string[] = [];
  private closed = false;

  constructor(config: NdpiClassifierConfig, deps: NdpiClassifierDeps = {}) {
    if (!Number.isInteger(config.maxFlows) || config.maxFlows < 1 || config.maxFlows > 1 << 24) {
      throw new RangeError(`maxFlows must be an integer in [1, ${1 << 24}], got ${config.maxFlows}`);
    }
    const addon = deps.addon ?? loadNdpiAddon();
    this.ndpiVersion = addon.ndpiVersion;
    this.native = new addon.NdpiClassifier(config.maxFlows);
    this.results = this.native.results;
  }

  feed(
    flowSlot: number,
    buf: Buffer,
    ipOffset: number,
    ipLength: number,
    tsMillis: number,
    fromInitiator: boolean,
  ): boolean {
    return this.native.feed(flowSlot, buf, ipOffset, ipLength, tsMillis, fromInitiator);
  }

  finish(flowSlot: number): void {
    this.native.finish(flowSlot);
  }

  protocolOf(flowSlot: number): number {
    return this.results[flowSlot * 2] ?? 0;
  }

  categoryOf(flowSlot: number): number {
    return this.results[flowSlot * 2 + 1] ?? 0;
  }

  release(flowSlot: number): void {
    this.native.release(flowSlot);
  }

  protocolName(protocolId: number): string {
    let name = this.protocolNames[protocolId];
    if (name === undefined) {
      name = this.closed ? 'Unknown' : this.native.protocolName(protocolId);
      if (!this.closed) this.protocolNames[protocolId] = name;
    }
    return name;
  }

  categoryName(categoryId: number): string {
    let name = this.categoryNames[categoryId];
    if (name === undefined) {
      name = this.closed ? 'Unspecified' : this.native.categoryName(categoryId);
      if (!this.closed) this.categoryNames[categoryId] = name;
    }
    return name;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.close();
  }
}
