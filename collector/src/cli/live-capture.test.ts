import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxServer } from '../test-support/influx-server';
import { finished, startCli } from '../test-support/run-cli';
import { tsharkHostBytes, tsharkTotals } from '../test-support/tshark';
import { VethPair } from '../test-support/veth-pair';

function waitFor(stream: NodeJS.ReadableStream | null, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms; got: ${seen}`)),
      timeoutMs,
    );
    stream?.on('data', (c: Buffer) => {
      seen += c.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

// Capturing needs root (CAP_NET_RAW) and network namespaces; CI runs as root.
const describeLive = VethPair.available() ? describe : describe.skip;

describeLive('packetflux capture on a veth pair in a network namespace', () => {
  const influx = new InfluxServer();
  const veth = new VethPair(77);
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'packetflux-live-'));
    veth.create();
    await influx.start();
  });
  afterAll(async () => {
    veth.destroy();
    await influx.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('counts the same packets and bytes as a tcpdump capture running at the same time', async () => {
    const filter = `host ${veth.peerAddress}`;
    const pcap = join(dir, 'reference.pcap');
    const tcpdump = spawn('tcpdump', ['-i', veth.hostIf, '-U', '--immediate-mode', '-w', pcap, filter], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const tcpdumpDone = new Promise((resolve) => tcpdump.once('close', resolve));
    const collector = startCli(
      [
        'capture',
        '-i',
        veth.hostIf,
        '--bpf',
        filter,
        '--step',
        '1s',
        '--influx-url',
        influx.url,
        '--influx-db',
        'live',
        '--spool-dir',
        join(dir, 'spool'),
        '--api-port',
        '0',
      ],
      { PACKETFLUX_LOG_LEVEL: 'info' },
    );
    const collectorDone = finished(collector);
    await Promise.all([
      waitFor(tcpdump.stderr, /listening on/, 10_000),
      waitFor(collector.stderr, /"msg":"capture running/, 10_000),
    ]);

    // Known traffic: 40 ICMP echo requests of 600 bytes and their replies, then 25 UDP datagrams of 1000 bytes.
    veth.exec('ping', ['-c', '40', '-i', '0.02', '-s', '558', '-q', veth.hostAddress]);
    veth.exec(process.execPath, [
      '-e',
      `const s=require('dgram').createSocket('udp4');let n=0;const t=setInterval(()=>{s.send(Buffer.alloc(1000),9,'${veth.hostAddress}');if(++n===25){clearInterval(t);setTimeout(()=>s.close(),100)}},10);`,
    ]);
    await new Promise((r) => setTimeout(r, 1000));
    tcpdump.kill('SIGTERM');
    collector.kill('SIGTERM');
    await tcpdumpDone;
    const result = await collectorDone;
    expect(result.code).toBe(0);

    const reference = await tsharkTotals(pcap);
    // Requests and replies (600 + 14 bytes each way) plus 25 datagrams (1042 bytes), plus ARP and ICMP errors both sides saw.
    expect(reference.packets).toBeGreaterThanOrEqual(80 + 25);
    const [iface] = await influx.rows(
      'SELECT SUM(packets) AS packets, SUM(bytes) AS bytes FROM "interface"',
      'live',
    );
    expect({ packets: iface.packets, bytes: iface.bytes }).toEqual(reference);
    const host = await influx.rows(
      'SELECT SUM(bytes_sent) AS bytesSent, SUM(bytes_rcvd) AS bytesRcvd, SUM(packets_sent) AS packetsSent, SUM(packets_rcvd) AS packetsRcvd FROM "host" GROUP BY "host"',
      'live',
    );
    const peer = host.find((h) => h.host === veth.peerAddress);
    expect(peer).toEqual({
      time: 0,
      host: veth.peerAddress,
      ...(await tsharkHostBytes(pcap, veth.peerAddress)),
    });
  });
});
