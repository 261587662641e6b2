/**
 * A small capture holding one BitTorrent peer-wire session, for tests that need nDPI to see
 * BitTorrent (the protocol alert rule's default). Set-up code, built in memory at test time.
 *
 * The session: a local client 192.168.1.20 connects to a public peer 203.0.113.45 (TEST-NET-3)
 * on port 40123, not a BitTorrent port, so that nDPI can only recognise the protocol by its
 * payload: the three-way handshake, then the peer-wire handshake each way (BEP 3: byte 19,
 * "BitTorrent protocol", 8 reserved bytes, the 20-byte info hash, the 20-byte peer id), then
 * an ACK and the FIN exchange.
 */
import { ethernetLink, FrameList, tcpSession } from './crafted-scenario';
import { LINKTYPE_ETHERNET } from './link';
import { MAC_CLIENT, MAC_ROUTER } from './crafted-captures';
import { PcapWriter } from './pcap-writer';

export const BITTORRENT_CLIENT = '192.168.1.20';
export const BITTORRENT_PEER = '203.0.113.45';
export const BITTORRENT_PEER_PORT = 40123;

const PROTOCOL_NAME = 'BitTorrent protocol';

/** The BEP 3 peer-wire handshake: 68 bytes. */
export function bittorrentHandshake(infoHash: Buffer, peerId: Buffer): Buffer {
  if (infoHash.length !== 20 || peerId.length !== 20)
    throw new Error('the info hash and the peer id are 20 bytes each');
  const reserved = Buffer.alloc(8);
  reserved[5] = 0x10; // extension protocol (BEP 10), as common clients announce it
  return Buffer.concat([
    Buffer.of(PROTOCOL_NAME.length),
    Buffer.from(PROTOCOL_NAME, 'ascii'),
    reserved,
    infoHash,
    peerId,
  ]);
}

/** The capture as classic pcap bytes (Ethernet), starting at CRAFTED_EPOCH_SECONDS. */
export function bittorrentCapture(): Buffer {
  const infoHash = Buffer.from('5a8ce26e8a19a877d8ccc927fcc18e34e1f5ff67', 'hex');
  const list = new FrameList();
  tcpSession(list, {
    link: ethernetLink(MAC_CLIENT, MAC_ROUTER),
    client: BITTORRENT_CLIENT,
    server: BITTORRENT_PEER,
    clientPort: 51515,
    serverPort: BITTORRENT_PEER_PORT,
    startMs: 1_000,
    gapMs: 20,
    exchanges: [
      { fromClient: true, data: bittorrentHandshake(infoHash, Buffer.from('-TR3000-packetflux01', 'ascii')) },
      {
        fromClient: false,
        data: bittorrentHandshake(infoHash, Buffer.from('-qB4630-remotepeer02', 'ascii')),
      },
    ],
  });
  const writer = PcapWriter.inMemory({ linkType: LINKTYPE_ETHERNET });
  for (const f of list.inTimeOrder()) writer.write(0, { sec: f.sec, nsec: f.nsec }, f.data, f.wireLength);
  writer.close();
  return writer.contents();
}
