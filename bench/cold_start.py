#!/usr/bin/env python3
"""Time from process start to the first Lambda Runtime API poll, per function binary.

A stand-in Runtime API on 127.0.0.1 records when `GET /2018-06-01/runtime/invocation/next`
first arrives; each binary is started with AWS_LAMBDA_RUNTIME_API pointing at it, timed, and
killed by PID. That interval is the function's own share of a cold start (settings, clients,
the server secret), on top of what Lambda adds for the sandbox and the download.

    bench/cold_start.py [--runs 20] [--profile release] [--backend local|aws]

With --backend aws it needs FILEGATE_TEST_MOTO_URL (scripts/emulators.sh) and a table/bucket
named by FILEGATE_TABLE/FILEGATE_BUCKET (it creates them on moto if missing).
"""
import argparse
import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BINARIES = ["filegate-upload", "filegate-metadata", "filegate-preview", "filegate-presign"]


class RuntimeApi(http.server.BaseHTTPRequestHandler):
    first_poll = None
    event = threading.Event()

    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path.endswith("/runtime/invocation/next") and RuntimeApi.first_poll is None:
            RuntimeApi.first_poll = time.perf_counter()
            RuntimeApi.event.set()
        # Never hand out an invocation: hold the poll until the process is killed.
        time.sleep(5)

    def log_message(self, *args):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--profile", default="release")
    ap.add_argument("--backend", default="local", choices=["local", "aws"])
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{srv.server_address[1]}",
               AWS_LAMBDA_FUNCTION_NAME="bench", AWS_LAMBDA_FUNCTION_MEMORY_SIZE="256",
               AWS_LAMBDA_FUNCTION_VERSION="1", AWS_LAMBDA_LOG_STREAM_NAME="bench",
               AWS_LAMBDA_LOG_GROUP_NAME="bench", RUST_LOG="warn", FILEGATE_BACKEND=args.backend)
    data = tempfile.mkdtemp(prefix="filegate-cold-")
    env["FILEGATE_DATA_DIR"] = data
    if args.backend == "aws":
        moto = os.environ.get("FILEGATE_TEST_MOTO_URL")
        if not moto:
            sys.exit("cold_start: --backend aws needs FILEGATE_TEST_MOTO_URL (source scripts/emulators.sh)")
        import boto3  # from the venv
        env.update(AWS_ENDPOINT_URL=moto, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="test",
                   AWS_SECRET_ACCESS_KEY="test", FILEGATE_S3_FORCE_PATH_STYLE="1",
                   FILEGATE_TABLE=env.get("FILEGATE_TABLE", "filegate-bench"),
                   FILEGATE_BUCKET=env.get("FILEGATE_BUCKET", "filegate-bench"))
        ddb = boto3.client("dynamodb", endpoint_url=moto, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test")
        if env["FILEGATE_TABLE"] not in ddb.list_tables()["TableNames"]:
            ddb.create_table(TableName=env["FILEGATE_TABLE"], BillingMode="PAY_PER_REQUEST",
                             KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}])
    print(f"{'binary':<20} {'median ms':>10} {'p90 ms':>8} {'min ms':>8}  ({args.runs} runs, {args.profile}, {args.backend} backend)")
    for name in BINARIES:
        path = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target")), args.profile, name)
        if not os.path.exists(path):
            sys.exit(f"cold_start: build first: cargo build --{args.profile} --bins (missing {path})")
        samples = []
        for _ in range(args.runs):
            RuntimeApi.first_poll = None
            RuntimeApi.event.clear()
            t0 = time.perf_counter()
            p = subprocess.Popen([path], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                if not RuntimeApi.event.wait(10):
                    err = p.stderr.read(2000) if p.poll() is not None else b""
                    sys.exit(f"cold_start: {name} never polled the Runtime API: {err!r}")
                samples.append((RuntimeApi.first_poll - t0) * 1000)
            finally:
                p.kill()
                p.wait()
        samples.sort()
        p90 = samples[max(0, int(len(samples) * 0.9) - 1)]
        print(f"{name:<20} {statistics.median(samples):>10.1f} {p90:>8.1f} {samples[0]:>8.1f}")
    srv.shutdown()


if __name__ == "__main__":
    main()
