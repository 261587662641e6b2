/** The part of npm `cap` (libpcap binding, no bundled types) that PacketFlux uses. */
declare module 'cap' {
  export class Cap {
    /** Opens `device` with a BPF `filter`; libpcap copies each packet into `buffer`. Returns the link type name. */
    open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
    on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): this;
    close(): void;
  }
}
