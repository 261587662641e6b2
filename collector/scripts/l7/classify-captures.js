#!/usr/bin/env node
// Classifies pcap files with the nDPI addon the way the flow pipeline does (feed each flow's
// packets until the result is final, finish the rest at the end) and prints a table shaped like
// ndpiReader's "Detected protocols". A dev tool and the driver of the valgrind check:
//
//   node collector/scripts/l7/classify-captures.js collector/testdata/l7/*.pcap
//   valgrind --leak-check=full node collector/scripts/l7/classify-captures.js collector/testdata/l7/*.pcap
//
// Classic pcap, DLT_EN10MB only; flows are bidirectional 5-tuples, bytes are captured lengths.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const addon = require(path.resolve(__dirname, '..', '..', 'build', 'Release', 'packetflux_ndpi.node'));

function* packets(file) {
  const buf = fs.readFileSync(file);
  const le = buf.readUInt32LE(0) === 0xa1b2c3d4 || buf.readUInt32LE(0) === 0xa1b23c4d;
  const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  if ((u32(20) & 0x0fffffff) !== 1) throw new Error(`${file}: only DLT_EN10MB is supported`);
  const nanos = u32(0) === 0xa1b23c4d;
  for (let off = 24; off + 16 <= buf.length;) {
    const ts = u32(off) * 1000 + (nanos ? u32(off + 4) / 1e6 : u32(off + 4) / 1e3);
    const caplen = u32(off + 8);
    const data = buf.subarray(off + 16, off + 16 + caplen);
    off += 16 + caplen;
    let ip = 14;
    let type = data.length >= 14 ? data.readUInt16BE(12) : 0;
    while ((type === 0x8100 || type === 0x88a8) && data.length >= ip + 4) {
      type = data.readUInt16BE(ip + 2);
      ip += 4;
    }
    if (type === 0x0800 || type === 0x86dd) yield { data, ip, ts };
  }
}

function tuple(data, ip) {
  const v = data[ip] >> 4;
  let proto, src, dst, l4, len;
  if (v === 4 && data.length >= ip + 20) {
    if ((data.readUInt16BE(ip + 6) & 0x1fff) !== 0) return null;
    len = data.readUInt16BE(ip + 2);
    if (data.length - ip < len) return null;
    proto = data[ip + 9];
    src = data.subarray(ip + 12, ip + 16).join('.');
    dst = data.subarray(ip + 16, ip + 20).join('.');
    l4 = ip + (data[ip] & 15) * 4;
  } else if (v === 6 && data.length >= ip + 40) {
    len = 40 + data.readUInt16BE(ip + 4);
    proto = data[ip + 6];
    src = data.subarray(ip + 8, ip + 24).toString('hex');
    dst = data.subarray(ip + 24, ip + 40).toString('hex');
    l4 = ip + 40;
  } else return null;
  const ports = (proto === 6 || proto === 17) && data.length >= l4 + 4;
  const sp = ports ? data.readUInt16BE(l4) : 0;
  const dp = ports ? data.readUInt16BE(l4 + 2) : 0;
  return {
    fwd: `${src}:${sp}-${dst}:${dp}/${proto}`,
    rev: `${dst}:${dp}-${src}:${sp}/${proto}`,
    len: Math.min(len, data.length - ip),
  };
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: classify-captures.js FILE.pcap...');
  process.exit(2);
}
const maxFlows = 4096;
const classifier = new addon.NdpiClassifier(maxFlows);
const results = classifier.results;
for (const file of files) {
  const flows = new Map();
  const order = [];
  for (const { data, ip, ts } of packets(file)) {
    const t = tuple(data, ip);
    if (t === null) continue;
    let f = flows.get(t.fwd) || flows.get(t.rev);
    if (!f) {
      if (order.length >= maxFlows) throw new Error(`${file}: more than ${maxFlows} flows`);
      f = { slot: order.length, fwd: t.fwd, final: false, packets: 0, bytes: 0 };
      flows.set(t.fwd, f);
      order.push(f);
    }
    f.packets++;
    f.bytes += data.length;
    if (!f.final) f.final = classifier.feed(f.slot, data, ip, t.len, ts, t.fwd === f.fwd);
  }
  const table = new Map();
  for (const f of order) {
    if (!f.final) classifier.finish(f.slot);
    const name = classifier.protocolName(results[f.slot * 2]);
    const row = table.get(name) || { packets: 0, bytes: 0, flows: 0 };
    row.packets += f.packets;
    row.bytes += f.bytes;
    row.flows++;
    table.set(name, row);
    classifier.release(f.slot);
  }
  console.log(`${path.basename(file)}:`);
  for (const [name, r] of table) {
    console.log(
      `\t${name.padEnd(20)} packets: ${String(r.packets).padEnd(13)} bytes: ${String(r.bytes).padEnd(13)} flows: ${r.flows}`,
    );
  }
}
classifier.close();
