#!/usr/bin/env python3
"""Servers for scripts/record-sample.sh, run inside the server network namespace.

HTTP on 80, HTTPS on 443 (any SNI, self-signed certificate made at record time), a DNS
responder on UDP 53 answering A/AAAA for any name with this host's addresses, and an SSH
banner exchange on 22 (no sshd needed). All bind dual-stack on [::]. Stops on SIGTERM/SIGINT.
"""
import argparse
import http.server
import signal
import socket
import socketserver
import ssl
import struct
import sys
import threading


class DualStackHTTPServer(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass


def dns_answer(query: bytes, ipv4: str, ipv6: str) -> bytes | None:
    if len(query) < 12:
        return None
    qid, flags, qdcount = struct.unpack('!HHH', query[:6])
    if flags & 0x8000 or qdcount != 1:
        return None
    pos = 12
    while pos < len(query) and query[pos] != 0:
        pos += 1 + query[pos]
    pos += 1
    if pos + 4 > len(query):
        return None
    qtype, _qclass = struct.unpack('!HH', query[pos:pos + 4])
    question = query[12:pos + 4]
    answers = b''
    count = 0
    if qtype == 1:
        answers = struct.pack('!HHHIH', 0xC00C, 1, 1, 300, 4) + socket.inet_pton(socket.AF_INET, ipv4)
        count = 1
    elif qtype == 28:
        answers = struct.pack('!HHHIH', 0xC00C, 28, 1, 300, 16) + socket.inet_pton(socket.AF_INET6, ipv6)
        count = 1
    header = struct.pack('!HHHHHH', qid, 0x8180, 1, count, 0, 0)
    return header + question + answers


def serve_dns(sock: socket.socket, ipv4: str, ipv6: str) -> None:
    while True:
        try:
            data, peer = sock.recvfrom(4096)
        except OSError:
            return
        reply = dns_answer(data, ipv4, ipv6)
        if reply:
            sock.sendto(reply, peer)


class SshBannerHandler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(5)
        self.request.sendall(b'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n')
        try:
            self.request.recv(4096)  # client banner
            self.request.recv(4096)  # client KEXINIT, then we hang up
        except OSError:
            pass


class DualStackTCPServer(socketserver.ThreadingTCPServer):
    address_family = socket.AF_INET6
    allow_reuse_address = True
    daemon_threads = True

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument('--root', required=True, help='directory served over HTTP(S)')
    p.add_argument('--cert', required=True)
    p.add_argument('--key', required=True)
    p.add_argument('--ipv4', required=True)
    p.add_argument('--ipv6', required=True)
    args = p.parse_args()

    def handler(*a, **kw):
        return QuietHandler(*a, directory=args.root, **kw)

    http_server = DualStackHTTPServer(('::', 80), handler)
    https_server = DualStackHTTPServer(('::', 443), handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.set_alpn_protocols(['http/1.1'])
    https_server.socket = ctx.wrap_socket(https_server.socket, server_side=True)
    ssh_server = DualStackTCPServer(('::', 22), SshBannerHandler)
    dns_sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    dns_sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    dns_sock.bind(('::', 53))

    threads = [
        threading.Thread(target=http_server.serve_forever, daemon=True),
        threading.Thread(target=https_server.serve_forever, daemon=True),
        threading.Thread(target=ssh_server.serve_forever, daemon=True),
        threading.Thread(target=serve_dns, args=(dns_sock, args.ipv4, args.ipv6), daemon=True),
    ]
    for t in threads:
        t.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print('servers ready', flush=True)
    stop.wait()
    for s in (http_server, https_server, ssh_server):
        s.shutdown()
    dns_sock.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
