"""Smoke test: the local SeaweedFS enforces what filegate's presigned URLs rely on.

The Rust tests trust SeaweedFS to reject what real S3 rejects; this proves it does, so a
SeaweedFS upgrade that stops enforcing something fails here rather than silently weakening them:
expiry, tampering, signed content-length / content-type / x-amz-tagging, and checksums given as
a header or (as aws-sdk-rust hoists them when presigning) in the query string.

    source scripts/emulators.sh; trap emulators_stop EXIT; emulators_start seaweed
    python scripts/check_seaweed_presign.py        # python of .venv: needs boto3
"""

import base64
import hashlib
import http.client
import os
import sys
import time
import urllib.parse
import uuid

import boto3
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

ENDPOINT = os.environ["FILEGATE_TEST_SEAWEED_URL"]
AK = os.environ["FILEGATE_TEST_SEAWEED_ACCESS_KEY"]
SK = os.environ["FILEGATE_TEST_SEAWEED_SECRET_KEY"]
REGION = "us-east-1"
BUCKET = f"fg-check-{uuid.uuid4().hex[:12]}"

s3 = boto3.client(
    "s3", endpoint_url=ENDPOINT, aws_access_key_id=AK, aws_secret_access_key=SK, region_name=REGION,
    config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
)
results = []


def send(method, url, body=None, headers=None):
    """Raw request, so Content-Length and every header are exactly what we say."""
    p = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(p.netloc, timeout=10)
    conn.putrequest(method, f"{p.path}?{p.query}", skip_accept_encoding=True)
    for k, v in (headers or {}).items():
        conn.putheader(k, v)
    conn.endheaders()
    if body:
        conn.send(body)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def check(name, got, want):
    ok = got == want
    results.append(ok)
    print(f"{'ok  ' if ok else 'FAIL'} {name}: got {got}, want {want}")


def presign(op, ttl=60, **params):
    return s3.generate_presigned_url(op, Params={"Bucket": BUCKET, **params}, ExpiresIn=ttl)


def presign_query(key, query, headers):
    """Presigned PUT with extra signed query parameters, as aws-sdk-rust emits for checksums."""
    req = AWSRequest(method="PUT", url=f"{ENDPOINT}/{BUCKET}/{key}?{urllib.parse.urlencode(query)}",
                     headers=headers)
    S3SigV4QueryAuth(Credentials(AK, SK), "s3", REGION, expires=60).add_auth(req)
    return req.url


def b64(digest):
    return base64.b64encode(digest).decode()


body = b"0123456789"
other = b"9876543210"
s3.create_bucket(Bucket=BUCKET)
s3.put_object(Bucket=BUCKET, Key="t/obj", Body=body)

# GET: response-header overrides are honored; any change to the signed URL, or expiry, is 403.
url = presign("get_object", ttl=2, Key="t/obj", ResponseContentType="text/plain",
              ResponseContentDisposition='attachment; filename="a.txt"')
st, h, data = send("GET", url)
check("presigned GET", (st, data, h.get("content-disposition")), (200, body, 'attachment; filename="a.txt"'))
check("presigned GET range", send("GET", url, headers={"Range": "bytes=2-4"})[0::2], (206, b"234"))
sig = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["X-Amz-Signature"][0]
flipped = sig[:-1] + ("0" if sig[-1] != "0" else "1")
check("tampered signature", send("GET", url.replace(sig, flipped))[0], 403)
check("tampered key", send("GET", url.replace("/t/obj", "/t/ob2"))[0], 403)
check("tampered override", send("GET", url.replace("a.txt", "b.txt"))[0], 403)
time.sleep(3)
check("expired GET", send("GET", url)[0], 403)

# PUT: signed headers pin length and type; the body must match what was declared.
url = presign("put_object", Key="t/put", ContentLength=10, ContentType="text/plain")
check("PUT declared length", send("PUT", url, body, {"Content-Length": "10", "Content-Type": "text/plain"})[0], 200)
check("PUT longer body", send("PUT", url, body + b"!", {"Content-Length": "11", "Content-Type": "text/plain"})[0], 403)
check("PUT shorter body", send("PUT", url, body[:4], {"Content-Length": "4", "Content-Type": "text/plain"})[0], 403)
check("PUT other type", send("PUT", url, body, {"Content-Length": "10", "Content-Type": "text/html"})[0], 403)
check("object kept its declared size", s3.head_object(Bucket=BUCKET, Key="t/put")["ContentLength"], 10)

sha = b64(hashlib.sha256(body).digest())
url = presign("put_object", Key="t/sha", ContentLength=10, ChecksumSHA256=sha)
check("PUT sha256 header, other body", send("PUT", url, other, {"Content-Length": "10", "x-amz-checksum-sha256": sha})[0], 400)
check("PUT sha256 header omitted", send("PUT", url, other, {"Content-Length": "10"})[0], 403)
check("PUT sha256 header, right body", send("PUT", url, body, {"Content-Length": "10", "x-amz-checksum-sha256": sha})[0], 200)

url = presign_query("t/qsha", {"x-amz-checksum-sha256": sha, "x-amz-sdk-checksum-algorithm": "SHA256"},
                    {"content-length": "10"})
check("PUT sha256 in query, other body", send("PUT", url, other, {"Content-Length": "10"})[0], 400)
check("PUT sha256 in query, right body", send("PUT", url, body, {"Content-Length": "10"})[0], 200)

md5 = b64(hashlib.md5(body).digest())
url = presign("put_object", Key="t/md5", ContentMD5=md5)
check("PUT Content-MD5, other body", send("PUT", url, other, {"Content-Length": "10", "Content-MD5": md5})[0], 400)

url = presign("put_object", Key="t/tag", Tagging="filegate-status=pending")
check("PUT tagging header omitted", send("PUT", url, body, {"Content-Length": "10"})[0], 403)
check("PUT tagging header sent", send("PUT", url, body, {"Content-Length": "10", "x-amz-tagging": "filegate-status=pending"})[0], 200)
check("tag stored", s3.get_object_tagging(Bucket=BUCKET, Key="t/tag")["TagSet"], [{"Key": "filegate-status", "Value": "pending"}])

# Multipart: a presigned part pins its length too.
upload_id = s3.create_multipart_upload(Bucket=BUCKET, Key="t/mp")["UploadId"]
url = presign("upload_part", Key="t/mp", UploadId=upload_id, PartNumber=1, ContentLength=10)
check("part longer body", send("PUT", url, body + b"!", {"Content-Length": "11"})[0], 403)
st, h, _ = send("PUT", url, body, {"Content-Length": "10"})
check("part declared length", (st, "etag" in h), (200, True))
s3.abort_multipart_upload(Bucket=BUCKET, Key="t/mp", UploadId=upload_id)

failed = results.count(False)
print(f"{len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
