#!/usr/bin/env python3
"""Client traffic for scripts/record-sample.sh, run inside the client network namespace.

For --seconds, in rounds: DNS lookups (A over IPv4, AAAA over IPv6) of well-known names,
HTTPS to that name with its SNI (curl --resolve, so the name reaches the TLS ClientHello),
plain HTTP downloads, ICMP / ICMPv6 echo (raw sockets, no ping binary needed) and an SSH
banner exchange. Only talks to --server4 / --server6.
"""
import argparse
import os
import socket
import struct
import subprocess
import time

NAMES = [
    'www.youtube.com',
    'www.netflix.com',
    'www.google.com',
    'www.facebook.com',
    'github.com',
    'www.wikipedia.org',
    'www.instagram.com',
    'api.spotify.com',
]


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def dns_query(server: str, family: int, name: str, qtype: int, qid: int) -> None:
    q = struct.pack('!HHHHHH', qid, 0x0100, 1, 0, 0, 0)
    q += b''.join(bytes([len(p)]) + p.encode() for p in name.split('.')) + b'\0'
    q += struct.pack('!HH', qtype, 1)
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.sendto(q, (server, 53))
        try:
            s.recvfrom(4096)
        except socket.timeout:
            print(f'dns timeout for {name}', flush=True)


def ping(server: str, v6: bool, ident: int, count: int) -> None:
    family = socket.AF_INET6 if v6 else socket.AF_INET
    proto = socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP
    with socket.socket(family, socket.SOCK_RAW, proto) as s:
        s.settimeout(1)
        for seq in range(1, count + 1):
            payload = bytes(range(56))
            if v6:
                pkt = struct.pack('!BBHHH', 128, 0, 0, ident, seq) + payload  # kernel fills the checksum
            else:
                head = struct.pack('!BBHHH', 8, 0, 0, ident, seq)
                pkt = struct.pack('!BBHHH', 8, 0, checksum(head + payload), ident, seq) + payload
            s.sendto(pkt, (server, 0))
            try:
                s.recvfrom(2048)
            except socket.timeout:
                pass
            time.sleep(0.2)


def ssh_banner(server: str) -> None:
    subprocess.run(
        ['ssh', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
         '-o', 'ConnectTimeout=3', '-F', '/dev/null', '-p', '22', f'sample@{server}', 'true'],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10, check=False)


def curl(url: str, resolve: str | None) -> None:
    cmd = ['curl', '-sS', '-k', '-o', '/dev/null', '--max-time', '5', '--noproxy', '*']
    if resolve:
        cmd += ['--resolve', resolve]
    subprocess.run(cmd + [url], timeout=10, check=False)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument('--server4', required=True)
    p.add_argument('--server6', required=True)
    p.add_argument('--seconds', type=float, default=40)
    args = p.parse_args()
    end = time.monotonic() + args.seconds
    i = 0
    while time.monotonic() < end:
        name = NAMES[i % len(NAMES)]
        v6 = i % 3 == 2
        server = args.server6 if v6 else args.server4
        bracketed = f'[{server}]' if v6 else server
        dns_query(args.server4, socket.AF_INET, name, 1, 0x1000 + i)
        dns_query(args.server6, socket.AF_INET6, name, 28, 0x2000 + i)
        curl(f'https://{name}/', f'{name}:443:{bracketed}')
        if i % 2 == 0:
            curl(f'http://{bracketed}/files/{i % 4}.bin', None)
        ping(server, v6, os.getpid() & 0xFFFF, 2)
        if i % 4 == 1:
            ssh_banner(server)
        i += 1
        time.sleep(1.5)
    print(f'{i} rounds', flush=True)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
