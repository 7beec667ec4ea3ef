#!/usr/bin/env python3
"""A real SMTP server for Nuvola's tests: aiosmtpd on loopback, with a certificate of a
throwaway CA, STARTTLS (or implicit TLS) required, AUTH required after TLS, and every
message written into a Maildir.

    smtp-test-server.py serve DIR [--implicit-tls] [--user U --password P]
        makes DIR/ca.pem (the CA to trust), DIR/server.pem and DIR/server.key (for
        localhost and 127.0.0.1), DIR/maildir; listens on a free port of 127.0.0.1,
        prints "READY <port>" and serves until its standard input closes.
    smtp-test-server.py dump DIR
        prints what arrived in DIR/maildir as JSON: one object per message with its
        envelope headers, decoded subject and the plain-text and HTML parts.

Installed into a venv by scripts/setup.sh (target/venv-smtp).
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import socket
import ssl
import subprocess
import sys
import threading

def make_certs(d):
    def run(*args):
        subprocess.run(args, check=True, capture_output=True)
    if os.path.exists(os.path.join(d, "server.pem")):
        return
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.pem", "-subj", "/CN=Nuvola test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{d}/server.key",
        "-out", f"{d}/server.csr", "-subj", "/CN=localhost")
    with open(f"{d}/ext.cnf", "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                "keyUsage=digitalSignature,keyEncipherment\n")
    run("openssl", "x509", "-req", "-in", f"{d}/server.csr", "-CA", f"{d}/ca.pem",
        "-CAkey", f"{d}/ca.key", "-CAcreateserial", "-days", "2",
        "-out", f"{d}/server.pem", "-extfile", f"{d}/ext.cnf")

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def serve(args):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox
    from aiosmtpd.smtp import AuthResult, LoginPassword

    d = os.path.abspath(args.dir)
    os.makedirs(d, exist_ok=True)
    make_certs(d)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(f"{d}/server.pem", f"{d}/server.key")

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == args.user.encode()
              and auth_data.password == args.password.encode())
        return AuthResult(success=ok, handled=False)

    handler = Mailbox(os.path.join(d, "maildir"))
    port = free_port()
    if args.implicit_tls:
        # The whole connection is TLS; aiosmtpd only counts STARTTLS as "TLS" for
        # auth_require_tls, so it would never offer AUTH here.
        controller = Controller(handler, hostname="127.0.0.1", port=port,
                                ssl_context=ctx, server_hostname="localhost",
                                authenticator=authenticator, auth_require_tls=False)
    else:
        controller = Controller(handler, hostname="127.0.0.1", port=port,
                                tls_context=ctx, require_starttls=True,
                                authenticator=authenticator, auth_require_tls=True)
    controller.start()
    print(f"READY {port}", flush=True)
    sys.stdin.read()
    controller.stop()

def text_of(part):
    try:
        return part.get_content()
    except Exception:
        return part.get_payload(decode=True).decode("utf-8", "replace")

def dump(args):
    md = os.path.join(os.path.abspath(args.dir), "maildir", "new")
    out = []
    for name in sorted(os.listdir(md)) if os.path.isdir(md) else []:
        with open(os.path.join(md, name), "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        plain = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        out.append({
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "listUnsubscribe": str(msg["List-Unsubscribe"] or ""),
            "listUnsubscribePost": str(msg["List-Unsubscribe-Post"] or ""),
            "text": text_of(plain) if plain else "",
            "html": text_of(html) if html else "",
        })
    print(json.dumps(out))

def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("dir")
    s.add_argument("--implicit-tls", action="store_true")
    s.add_argument("--user", default="nuvola")
    s.add_argument("--password", default="segreto-di-prova")
    d = sub.add_parser("dump")
    d.add_argument("dir")
    args = p.parse_args()
    serve(args) if args.cmd == "serve" else dump(args)

if __name__ == "__main__":
    main()
