/**
 * Application-protocol classification of flows, as the flow pipeline sees it.
 *
 * Flows are identified by their slot in the flow table (a small integer below the table's
 * capacity), so the classifier can keep per-flow state in an array without hashing. The
 * pipeline feeds only flows that are not yet classified and stops as soon as `feed`
 * reports the result final.
 */
export interface FlowClassifier {
  /**
   * Offers one IP packet (`buf[ipOffset .. ipOffset+ipLength)`, starting at the IPv4/IPv6
   * header) of flow `flowSlot`. `fromInitiator` is true when the packet travels in the
   * direction of the flow's first packet. Returns true when the flow's result is final and
   * it needs no more packets.
   */
  feed(
    flowSlot: number,
    buf: Buffer,
    ipOffset: number,
    ipLength: number,
    tsMillis: number,
    fromInitiator: boolean,
  ): boolean;
  /** Makes the result final now (nDPI's give-up, with guessing): the flow ended or idled out. */
  finish(flowSlot: number): void;
  /**
   * Protocol id of the flow's current result (final or not; 0 = Unknown before any packet), an
   * index for `protocolName`. It is the id ndpiReader's "Detected protocols" table groups by.
   */
  protocolOf(flowSlot: number): number;
  /** Category id of the flow's current result, an index for `categoryName`. */
  categoryOf(flowSlot: number): number;
  /** Frees the slot's state; the slot may then be reused by a new flow. */
  release(flowSlot: number): void;
  /** Application protocol name when known, else master protocol name, else `Unknown`. */
  protocolName(protocolId: number): string;
  categoryName(categoryId: number): string;
  /** Frees everything; the classifier is unusable afterwards. */
  close(): void;
}
