/** Where sources deliver packets. The buffer is borrowed: copy what you keep after the call. */
export interface PacketHandler {
  /** Registers an interface (a live device, or a pcapng interface block) and returns its index. */
  addInterface(name: string, linkType: number): number;
  onPacket(ifIndex: number, buf: Buffer, offset: number, capLen: number, wireLen: number, tsUs: number): void;
  /** Packets the source reports it lost on an interface (kernel or buffer drops). */
  addDrops(ifIndex: number, drops: number): void;
}
