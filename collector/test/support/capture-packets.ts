import { readCaptureFile } from '../../src/capture/capture-file-reader';
import { decodePacket } from '../../src/decode/decode-packet';
import { DecodeStatus, PacketView } from '../../src/decode/packet-view';

export interface IpPacket {
  data: Buffer;
  ipOffset: number;
  ipLength: number;
  tsMillis: number;
}

/** Every IP packet of a capture, copied out of the reader's buffer, through the real reader and decoder. */
export async function ipPackets(file: string): Promise<IpPacket[]> {
  const view = new PacketView();
  const linkTypes: number[] = [];
  const packets: IpPacket[] = [];
  await readCaptureFile(file, {
    addInterface: (_name, linkType) => linkTypes.push(linkType) - 1,
    addDrops: () => undefined,
    onPacket(ifIndex, buf, offset, capLen, _wireLen, tsUs) {
      if (decodePacket(view, linkTypes[ifIndex], buf, offset, capLen) !== DecodeStatus.Ok) return;
      const data = Buffer.from(buf.subarray(offset, offset + capLen));
      packets.push({
        data,
        ipOffset: view.ipOffset - offset,
        ipLength: view.ipLength,
        tsMillis: tsUs / 1000,
      });
    },
  });
  return packets;
}
