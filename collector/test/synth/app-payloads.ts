/**
 * Minimal, well-formed application payloads for crafted captures (set-up code, allocates):
 * DNS queries and answers, a TLS ClientHello with SNI and a ServerHello, HTTP/1.1 text.
 */

export const DNS_TYPE_A = 1;
export const DNS_TYPE_AAAA = 28;

function dnsName(name: string): Buffer {
  const parts = name.split('.').filter((p) => p.length > 0);
  return Buffer.concat([
    ...parts.map((p) => Buffer.concat([Buffer.of(p.length), Buffer.from(p, 'ascii')])),
    Buffer.of(0),
  ]);
}

/**
 * A DNS query for `name`, or with `answers` (4-byte A or 16-byte AAAA rdata) a response
 * echoing the question.
 */
export function dnsMessage(id: number, name: string, type: number, answers?: readonly Uint8Array[]): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(answers ? 0x8180 : 0x0100, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers ? answers.length : 0, 6);
  const question = Buffer.concat([dnsName(name), Buffer.of(type >> 8, type & 0xff, 0, 1)]);
  const records = (answers ?? []).map((rdata) => {
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(type, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(300, 6);
    rr.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([rr, rdata]);
  });
  return Buffer.concat([header, question, ...records]);
}

function u16(v: number): Buffer {
  return Buffer.of(v >> 8, v & 0xff);
}

function u24(v: number): Buffer {
  return Buffer.of((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
}

function extension(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(body.length), body]);
}

function handshakeRecord(handshakeType: number, body: Buffer): Buffer {
  const handshake = Buffer.concat([Buffer.of(handshakeType), u24(body.length), body]);
  return Buffer.concat([Buffer.of(0x16, 0x03, 0x01), u16(handshake.length), handshake]);
}

function pseudoRandom(seed: number, n: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A TLS 1.2/1.3 ClientHello record naming `serverName` in the SNI extension. */
export function tlsClientHello(serverName: string, seed = 1): Buffer {
  const name = Buffer.from(serverName, 'ascii');
  const sni = extension(0x0000, Buffer.concat([u16(name.length + 3), Buffer.of(0), u16(name.length), name]));
  const groups = extension(0x000a, Buffer.concat([u16(4), u16(0x001d), u16(0x0017)]));
  const pointFormats = extension(0x000b, Buffer.of(1, 0));
  const sigAlgs = extension(0x000d, Buffer.concat([u16(4), u16(0x0403), u16(0x0804)]));
  const versions = extension(0x002b, Buffer.of(4, 0x03, 0x04, 0x03, 0x03));
  const alpn = extension(0x0010, Buffer.concat([u16(3), Buffer.of(2), Buffer.from('h2')]));
  const extensions = Buffer.concat([sni, groups, pointFormats, sigAlgs, versions, alpn]);
  const suites = [0x1301, 0x1302, 0xc02b, 0xc02f];
  const body = Buffer.concat([
    u16(0x0303),
    pseudoRandom(seed, 32),
    Buffer.of(0),
    u16(suites.length * 2),
    ...suites.map(u16),
    Buffer.of(1, 0),
    u16(extensions.length),
    extensions,
  ]);
  return handshakeRecord(0x01, body);
}

/** A TLS 1.2 ServerHello record (no extensions). */
export function tlsServerHello(seed = 2): Buffer {
  const body = Buffer.concat([u16(0x0303), pseudoRandom(seed, 32), Buffer.of(0), u16(0xc02f), Buffer.of(0)]);
  return handshakeRecord(0x02, body);
}

export function httpRequest(host: string, path = '/'): Buffer {
  return Buffer.from(
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: packetflux-synth\r\nAccept: */*\r\n\r\n`,
  );
}

/** An HTTP/1.1 200 response with a body of `bodyLength` bytes (complete in one segment). */
export function httpResponse(bodyLength: number): Buffer {
  const head = Buffer.from(
    `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${bodyLength}\r\n\r\n`,
  );
  return Buffer.concat([head, Buffer.alloc(bodyLength, 'x')]);
}
