#!/usr/bin/env python3
"""A local stand-in for the AWS credential endpoints the chain calls over HTTP, for tests.

usage: credential_stand_in.py LOG_FILE   (prints the port it listens on, then serves)
- GET /federation/credentials?account_id=&role_name=  (the SSO portal's GetRoleCredentials)
- GET /container-credentials                           (ECS/EKS container credentials)
- PUT /latest/api/token, GET /latest/meta-data/iam/security-credentials/[ROLE]  (IMDSv2)
Every request is appended to LOG_FILE as one JSON line: method, path, query and the headers
that carry credentials, so a test can compare what pipeops sent with what botocore sends.
"""
import json
import sys
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOG = sys.argv[1]
EXPIRES = (datetime.now(timezone.utc) + timedelta(hours=1))


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def record(self):
        parts = urlsplit(self.path)
        entry = {"method": self.command, "path": parts.path, "query": parse_qs(parts.query),
                 "headers": {k.lower(): v for k, v in self.headers.items()
                             if k.lower() in ("x-amz-sso_bearer_token", "authorization", "x-aws-ec2-metadata-token",
                                              "x-aws-ec2-metadata-token-ttl-seconds")}}
        with open(LOG, "a") as handle:
            handle.write(json.dumps(entry) + "\n")
        return parts

    def reply(self, status, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        parts = self.record()
        if parts.path == "/latest/api/token":
            return self.reply(200, "imds-session-token", "text/plain")
        self.reply(404, {})

    def do_GET(self):
        parts = self.record()
        if parts.path == "/federation/credentials":
            if self.headers.get("x-amz-sso_bearer_token") != "sso-access-token-SECRET":
                return self.reply(401, {"message": "Session token not found or invalid"})
            return self.reply(200, {"roleCredentials": {
                "accessKeyId": "ASIASSOSTANDIN", "secretAccessKey": "sso-secret-SECRET", "sessionToken": "sso-session-SECRET",
                "expiration": int(EXPIRES.timestamp() * 1000)}})
        if parts.path == "/container-credentials":
            if self.headers.get("Authorization") != "container-auth-SECRET":
                return self.reply(403, {"message": "bad token"})
            return self.reply(200, {"AccessKeyId": "ASIACONTAINER", "SecretAccessKey": "container-secret-SECRET",
                                    "Token": "container-session-SECRET", "Expiration": EXPIRES.strftime("%Y-%m-%dT%H:%M:%SZ")})
        if parts.path == "/latest/meta-data/iam/security-credentials/":
            return self.reply(200, "pipeops-instance-role", "text/plain")
        if parts.path == "/latest/meta-data/iam/security-credentials/pipeops-instance-role":
            return self.reply(200, {"Code": "Success", "AccessKeyId": "ASIAINSTANCE", "SecretAccessKey": "imds-secret-SECRET",
                                    "Token": "imds-session-SECRET", "Expiration": EXPIRES.strftime("%Y-%m-%dT%H:%M:%SZ")})
        self.reply(404, {})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
