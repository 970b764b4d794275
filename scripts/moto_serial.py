"""moto_server that handles one request at a time.

moto applies a DynamoDB ConditionExpression and the update it guards as two separate steps, without
a lock, while moto_server serves requests on many threads. Two concurrent UpdateItem calls on the
same item can then both pass the condition, which real DynamoDB never allows (conditional writes on
one item are atomic). Serializing requests restores that guarantee, so the tests "concurrent uses
of a 1-use link give exactly one success" test filegate, not moto's threading.
A read-then-write implementation would still fail it: the lock covers one request, not two.

Usage: python scripts/moto_serial.py -H 127.0.0.1 -p PORT   (the same flags as moto_server)
"""

import argparse
import os
import threading

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


def serialized(app):
    lock = threading.Lock()

    def handle(environ, start_response):
        with lock:
            result = app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        return [body]

    return handle


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        args.host,
        args.port,
        serialized(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
