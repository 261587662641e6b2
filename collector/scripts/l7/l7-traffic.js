#!/usr/bin/env node
// Generates application traffic between local processes on 127.0.0.0/8 for the L7 test
// captures (see ../record-l7-captures.sh). Each scenario runs its own server and clients in
// this process, each client on its own source address/port so every exchange is its own flow.
//
//   node l7-traffic.js dns        UDP DNS queries + answers (server 127.0.10.1:53)
//   node l7-traffic.js http       HTTP/1.1 GETs with Host headers (server 127.0.20.1:80)
//   node l7-traffic.js tls C K    TLS handshakes with SNI (server 127.0.30.1:443, cert C, key K)
//   node l7-traffic.js ssh        SSH banner + KEXINIT exchange (server 127.0.40.1:22)
//   node l7-traffic.js misc       NTP query and an unclassifiable TCP exchange (127.0.50.x)
'use strict';

const dgram = require('node:dgram');
const net = require('node:net');
const http = require('node:http');
const tls = require('node:tls');
const fs = require('node:fs');
const crypto = require('node:crypto');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- DNS
const DNS_NAMES = [
  'www.youtube.com',
  'www.netflix.com',
  'www.facebook.com',
  'www.google.com',
  'www.example.org',
];

function encodeName(name) {
  const parts = name
    .split('.')
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function dnsQuery(id, name) {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4); // QDCOUNT
  const q = Buffer.concat([encodeName(name), Buffer.from([0, 1, 0, 1])]); // A, IN
  return Buffer.concat([header, q]);
}

function dnsAnswer(query, addressOctets) {
  const header = Buffer.from(query.subarray(0, 12));
  header.writeUInt16BE(0x8180, 2); // QR RD RA
  header.writeUInt16BE(1, 6); // ANCOUNT
  const question = query.subarray(12);
  const answer = Buffer.alloc(16);
  answer.writeUInt16BE(0xc00c, 0); // pointer to the question name
  answer.writeUInt16BE(1, 2); // A
  answer.writeUInt16BE(1, 4); // IN
  answer.writeUInt32BE(300, 6); // TTL
  answer.writeUInt16BE(4, 10);
  Buffer.from(addressOctets).copy(answer, 12);
  return Buffer.concat([header, question, answer]);
}

async function runDns() {
  const server = dgram.createSocket('udp4');
  server.on('message', (msg, rinfo) => {
    server.send(dnsAnswer(msg, [192, 0, 2, 10]), rinfo.port, rinfo.address);
  });
  await new Promise((resolve) => server.bind(53, '127.0.10.1', resolve));
  let i = 0;
  for (const name of DNS_NAMES) {
    i++;
    const client = dgram.createSocket('udp4');
    await new Promise((resolve) => client.bind(40000 + i, '127.0.10.2', resolve));
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no DNS answer for ${name}`)), 2000);
      client.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      client.send(dnsQuery(0x1000 + i, name), 53, '127.0.10.1');
    });
    client.close();
    await sleep(20);
  }
  server.close();
}

// ---------------------------------------------------------------- HTTP
const HTTP_HOSTS = [
  'www.netflix.com',
  'www.facebook.com',
  'www.google.com',
  'www.youtube.com',
  'packetflux.test',
];

async function runHttp() {
  const server = http.createServer((req, res) => {
    const body = `<html><body>hello ${req.headers.host}</body></html>\n`;
    res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 100;
  await new Promise((resolve) => server.listen(80, '127.0.20.1', resolve));
  for (const host of HTTP_HOSTS) {
    await new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.20.1',
          port: 80,
          path: '/',
          localAddress: '127.0.20.2',
          agent: false,
          headers: {
            Host: host,
            'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) packetflux-l7',
            Connection: 'close',
          },
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end();
    });
    await sleep(20);
  }
  await new Promise((resolve) => server.close(resolve));
}

// ---------------------------------------------------------------- TLS
const TLS_SNIS = [
  { servername: 'www.youtube.com', maxVersion: 'TLSv1.3' },
  { servername: 'www.netflix.com', maxVersion: 'TLSv1.2' },
  { servername: 'www.facebook.com', maxVersion: 'TLSv1.3' },
  { servername: 'www.google.com', maxVersion: 'TLSv1.2' },
  { servername: 'packetflux.test', maxVersion: 'TLSv1.2' },
];

async function runTls(certFile, keyFile) {
  const server = tls.createServer(
    { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) },
    (socket) => {
      socket.on('data', (d) => socket.write(`echo ${d.length} bytes\n`));
      socket.on('end', () => socket.end());
      socket.on('error', () => {});
    },
  );
  await new Promise((resolve) => server.listen(443, '127.0.30.1', resolve));
  for (const { servername, maxVersion } of TLS_SNIS) {
    await new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: '127.0.30.1',
        port: 443,
        localAddress: '127.0.30.2',
        servername,
        maxVersion,
        rejectUnauthorized: false,
        ALPNProtocols: ['http/1.1'],
      });
      socket.on('secureConnect', () => socket.write(`GET / HTTP/1.1\r\nHost: ${servername}\r\n\r\n`));
      socket.once('data', () => socket.end());
      socket.on('close', resolve);
      socket.on('error', reject);
    });
    await sleep(20);
  }
  await new Promise((resolve) => server.close(resolve));
}

// ---------------------------------------------------------------- SSH
function sshPacket(payload) {
  // RFC 4253 binary packet, no MAC: uint32 length, byte padding, payload, padding (>= 4, to 8)
  let pad = 8 - ((payload.length + 5) % 8);
  if (pad < 4) pad += 8;
  const out = Buffer.alloc(4 + 1 + payload.length + pad);
  out.writeUInt32BE(1 + payload.length + pad, 0);
  out.writeUInt8(pad, 4);
  payload.copy(out, 5);
  crypto.randomFillSync(out, 5 + payload.length, pad);
  return out;
}

function nameList(s) {
  const b = Buffer.alloc(4 + s.length);
  b.writeUInt32BE(s.length, 0);
  b.write(s, 4);
  return b;
}

function kexInit(kex, hostKey, cipher, mac) {
  return sshPacket(
    Buffer.concat([
      Buffer.from([20]), // SSH_MSG_KEXINIT
      crypto.randomBytes(16),
      nameList(kex),
      nameList(hostKey),
      nameList(cipher),
      nameList(cipher),
      nameList(mac),
      nameList(mac),
      nameList('none,zlib@openssh.com'),
      nameList('none,zlib@openssh.com'),
      nameList(''),
      nameList(''),
      Buffer.from([0, 0, 0, 0, 0]),
    ]),
  );
}

async function runSsh() {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.write('SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u1\r\n');
    socket.once('data', () => {
      socket.write(
        kexInit(
          'curve25519-sha256,ecdh-sha2-nistp256,diffie-hellman-group14-sha256',
          'rsa-sha2-512,rsa-sha2-256,ssh-ed25519',
          'chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com',
          'umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com',
        ),
      );
      setTimeout(() => socket.end(), 100);
    });
  });
  await new Promise((resolve) => server.listen(22, '127.0.40.1', resolve));
  await new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.40.1', port: 22, localAddress: '127.0.40.2' });
    let sent = false;
    socket.on('data', () => {
      if (sent) return;
      sent = true;
      socket.write('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n');
      socket.write(
        kexInit(
          'sntrup761x25519-sha512@openssh.com,curve25519-sha256,ecdh-sha2-nistp256,ext-info-c',
          'ssh-ed25519-cert-v01@openssh.com,ssh-ed25519,rsa-sha2-512',
          'chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com',
          'umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com',
        ),
      );
    });
    socket.on('end', () => socket.end());
    socket.on('close', resolve);
    socket.on('error', reject);
  });
  await new Promise((resolve) => server.close(resolve));
}

// ---------------------------------------------------------------- misc
function ntpRequest() {
  const b = Buffer.alloc(48);
  b[0] = 0x23; // LI 0, version 4, mode 3 (client)
  const secs = Math.floor(Date.now() / 1000) + 2208988800;
  b.writeUInt32BE(secs >>> 0, 40);
  return b;
}

async function runMisc() {
  // NTP
  const ntpServer = dgram.createSocket('udp4');
  ntpServer.on('message', (msg, rinfo) => {
    const reply = Buffer.from(msg);
    reply[0] = 0x24; // version 4, mode 4 (server)
    reply[1] = 2; // stratum
    msg.copy(reply, 24, 40, 48); // originate timestamp
    ntpServer.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise((resolve) => ntpServer.bind(123, '127.0.50.1', resolve));
  const ntpClient = dgram.createSocket('udp4');
  await new Promise((resolve) => ntpClient.bind(40123, '127.0.50.2', resolve));
  await new Promise((resolve) => {
    ntpClient.once('message', resolve);
    ntpClient.send(ntpRequest(), 123, '127.0.50.1');
  });
  ntpClient.close();
  ntpServer.close();

  // An opaque binary exchange on an unassigned port: nDPI should leave it Unknown.
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.on('data', (d) => socket.write(crypto.createHash('sha256').update(d).digest()));
    socket.on('end', () => socket.end());
  });
  await new Promise((resolve) => server.listen(47999, '127.0.50.1', resolve));
  await new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.50.1', port: 47999, localAddress: '127.0.50.2' });
    let n = 0;
    const seed = crypto.createHash('sha256').update('packetflux').digest();
    socket.on('connect', () => socket.write(seed));
    socket.on('data', (d) => {
      if (++n >= 3) socket.end();
      else socket.write(d);
    });
    socket.on('close', resolve);
    socket.on('error', reject);
  });
  await new Promise((resolve) => server.close(resolve));
}

const scenarios = { dns: runDns, http: runHttp, tls: runTls, ssh: runSsh, misc: runMisc };
const [scenario, ...rest] = process.argv.slice(2);
if (!scenarios[scenario]) {
  console.error(`usage: l7-traffic.js ${Object.keys(scenarios).join('|')} [args]`);
  process.exit(2);
}
scenarios[scenario](...rest).then(
  () => process.exit(0),
  (err) => {
    console.error(`l7-traffic ${scenario}: ${err.stack || err}`);
    process.exit(1);
  },
);
