"""Checks template.yaml for what cfn-lint and `sam validate --lint` miss.

1. No dependency cycle after the SAM transform. The classic one: the bucket's notification needs
   UploadCompleteFunction, so that function (its role, its environment) must not reference the
   bucket resource. cfn-lint does not report it; CloudFormation only does at deploy time.
2. Every function's FILEGATE_BUCKET is the bucket's BucketName (it is built, not !Ref'd).
3. Every function's role grants exactly the actions in EXPECTED_ACTIONS, each on the expected
   resource: no more (least privilege), no fewer (AccessDenied on real AWS, which moto never says).

    python scripts/check_template.py [template.yaml]     # python of .venv: needs aws-sam-cli
"""

import os
import re
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    def load(self):
        return {}


# The transform resolves pseudo parameters; any region does, and no credentials are used.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
path = sys.argv[1] if len(sys.argv) > 1 else "template.yaml"
doc = yaml_parse(open(path).read())
doc["Globals"]["Function"]["CodeUri"] = "s3://bucket/key"  # as after `sam package`
res = transform(doc, {}, NoManagedPolicies())["Resources"]
names = set(res)


def refs(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "Ref" and v in names:
                out.add(v)
            elif k == "Fn::GetAtt":
                n = v[0] if isinstance(v, list) else v.split(".")[0]
                if n in names:
                    out.add(n)
            else:
                if k == "Fn::Sub":
                    text = v if isinstance(v, str) else v[0]
                    out.update(m for m in re.findall(r"\$\{([A-Za-z0-9]+)[}.]", text) if m in names)
                refs(v, out)
    elif isinstance(node, list):
        for x in node:
            refs(x, out)


graph = {}
for name, r in res.items():
    deps = set()
    refs(r.get("Properties", {}), deps)
    d = r.get("DependsOn", [])
    deps.update([d] if isinstance(d, str) else d)
    graph[name] = deps

errors = []
state = {}


def visit(n, path):
    state[n] = "open"
    for m in sorted(graph.get(n, ())):
        if state.get(m) == "open":
            errors.append("dependency cycle: " + " -> ".join(path[path.index(m):] + [m]))
        elif m not in state:
            visit(m, path + [m])
    state[n] = "done"


for n in sorted(graph):
    if n not in state:
        visit(n, [n])

bucket_name = res["FilesBucket"]["Properties"]["BucketName"]
for name, r in sorted(res.items()):
    if r["Type"] == "AWS::Lambda::Function":
        env = r["Properties"].get("Environment", {}).get("Variables", {})
        if env.get("FILEGATE_BUCKET") != bucket_name:
            errors.append(f"{name}: FILEGATE_BUCKET is not FilesBucket's BucketName")

# --- 3. IAM: each function's role grants exactly what its code calls ---
#
# This table must follow the code's SDK calls, not the other way round. Trace each function's
# handlers (functions/*/src, shared/src/ops, shared/src/auth, and the server secret read by
# shared/src/store/aws/mod.rs at start-up) to the store methods they reach, then each AWS adapter
# method (shared/src/store/aws/{dynamo,s3,signer}.rs) to its SDK calls, and list the IAM action
# of each call. A presigned URL needs the action of the operation it signs. Notes:
#   DynamoDB: update_file is a conditional whole-item PutItem (not UpdateItem); UpdateItem is
#     only consume_link / revoke_link (and revoke_key, used by the CLI, no function).
#   S3: HeadObject is s3:GetObject; CreateMultipartUpload, UploadPart and CompleteMultipartUpload
#     are s3:PutObject; the x-amz-tagging header (presigned PUT, CreateMultipartUpload) and
#     commit_object need s3:PutObjectTagging. s3:ListBucket is no call of ours: it makes a
#     HeadObject of a missing object answer 404 (what BlobStore::head maps to None), not 403.
# Scopes: "table" = FilesTable; "secret item" = FilesTable with dynamodb:LeadingKeys limited to
# CFG#secret; "objects" = <bucket>/*; "bucket" = the bucket itself.
TABLE, SECRET_ITEM, OBJECTS, BUCKET = "table", "secret item", "objects", "bucket"
EXPECTED_ACTIONS = {
    # filegate-upload: POST /v1/files, /v1/uploads, /v1/uploads/{id}/complete
    "UploadFunction": {
        "dynamodb:GetItem": {TABLE},  # get_key, get_file, get_idempotency, server_secret
        "dynamodb:PutItem": {TABLE},  # create_file, put_idempotency, update_file, server_secret
        "dynamodb:DeleteItem": {TABLE},  # delete_file (refused type, lost idempotency race)
        "s3:PutObject": {OBJECTS},  # put, presign_put, create/complete_multipart, presign_part
        "s3:GetObject": {OBJECTS},  # get (ranged hashing/sniffing), head (HeadObject)
        "s3:DeleteObject": {OBJECTS},  # delete (failed metadata write, wrong size/hash/type)
        "s3:PutObjectTagging": {OBJECTS},  # tag signed into presign_put, create_multipart, commit_object
        "s3:AbortMultipartUpload": {OBJECTS},  # abort_multipart when create_file fails
        "s3:ListBucket": {BUCKET},  # head: 404, not 403, before the client has uploaded
    },
    # filegate-upload-complete: s3:ObjectCreated, single-PUT uploads only
    "UploadCompleteFunction": {
        "dynamodb:GetItem": {TABLE},  # get_file, server_secret
        "dynamodb:PutItem": {TABLE},  # update_file (whole item), server_secret
        "dynamodb:DeleteItem": {TABLE},  # delete_file (refused type)
        "s3:GetObject": {OBJECTS},  # head (HeadObject), get
        "s3:DeleteObject": {OBJECTS},  # delete (wrong size/hash/type)
        "s3:PutObjectTagging": {OBJECTS},  # commit_object
    },
    # filegate-metadata: GET/PATCH/DELETE /v1/files[/{id}]
    "MetadataFunction": {
        "dynamodb:GetItem": {TABLE},  # get_key, get_file, server_secret
        "dynamodb:PutItem": {TABLE},  # update_file (rename), create_link (?links=true), server_secret
        "dynamodb:Query": {TABLE},  # list_files (list, ?all=true delete)
        "dynamodb:DeleteItem": {TABLE},  # delete_file
        "s3:DeleteObject": {OBJECTS},  # delete
    },
    # filegate-preview: GET|HEAD /v1/files/{id}/preview, /download, /l/{token}
    "PreviewFunction": {
        "dynamodb:GetItem": {TABLE},  # get_key, get_file, get_link, server_secret
        "dynamodb:UpdateItem": {TABLE},  # consume_link
        "dynamodb:PutItem": {SECRET_ITEM},  # server_secret's first write only
        "s3:GetObject": {OBJECTS},  # get, presign_get (redirects)
    },
    # filegate-presign: POST /v1/files/{id}/links, DELETE /v1/links/{token}, GET .../download-url
    "PresignFunction": {
        "dynamodb:GetItem": {TABLE},  # get_key, get_file, server_secret
        "dynamodb:PutItem": {TABLE},  # create_link, server_secret
        "dynamodb:UpdateItem": {TABLE},  # revoke_link
        "s3:GetObject": {OBJECTS},  # presign_get (download-url)
    },
}
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
SECRET_CONDITION = {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["CFG#secret"]}}


def scope_of(resource, condition):
    if resource == {"Fn::GetAtt": ["FilesTable", "Arn"]}:
        if condition is None:
            return TABLE
        if condition == SECRET_CONDITION:
            return SECRET_ITEM
    elif condition is None and isinstance(resource, dict) and "Fn::Sub" in resource:
        sub = resource["Fn::Sub"]
        text = sub if isinstance(sub, str) else sub[0]
        if re.fullmatch(r"arn:\$\{AWS::Partition\}:s3:::[^/*]+/\*", text):
            return OBJECTS
        if re.fullmatch(r"arn:\$\{AWS::Partition\}:s3:::[^/*]+", text):
            return BUCKET
    return f"unrecognized resource {resource!r} / condition {condition!r}"


def as_list(v):
    return v if isinstance(v, list) else [v]


lambdas = {n for n, r in res.items() if r["Type"] == "AWS::Lambda::Function"}
for name in sorted(lambdas ^ set(EXPECTED_ACTIONS)):
    where = "template.yaml" if name in lambdas else "EXPECTED_ACTIONS"
    errors.append(f"{name}: only in {where}; add it to the other")
for name in sorted(lambdas & set(EXPECTED_ACTIONS)):
    role_ref = res[name]["Properties"].get("Role", {}).get("Fn::GetAtt", [None])[0]
    role = res.get(role_ref, {}).get("Properties")
    if role is None:
        errors.append(f"{name}: its role is not a resource of this template")
        continue
    extra_managed = set(role.get("ManagedPolicyArns", [])) - {BASIC_EXECUTION}
    if extra_managed:
        errors.append(f"{name}: managed policies beyond basic execution: {sorted(extra_managed)}")
    granted = {}
    for policy in role.get("Policies", []):
        for st in as_list(policy["PolicyDocument"].get("Statement", [])):
            if set(st) & {"NotAction", "NotResource", "NotPrincipal"}:
                errors.append(f"{name}: statement {st.get('Sid')} uses Not*; list actions instead")
                continue
            if st.get("Effect") != "Allow":
                continue
            for resource in as_list(st.get("Resource")):
                scope = scope_of(resource, st.get("Condition"))
                for action in as_list(st.get("Action", [])):
                    granted.setdefault(action, set()).add(scope)
    want = EXPECTED_ACTIONS[name]
    for action in sorted(set(granted) | set(want)):
        g, w = granted.get(action, set()), want.get(action, set())
        if g == w:
            continue
        if not g:
            errors.append(f"{name}: {action} on {sorted(w)} is missing (the code calls it)")
        elif not w:
            errors.append(f"{name}: {action} on {sorted(g)} is granted but not called")
        else:
            errors.append(f"{name}: {action} is granted on {sorted(g)}, expected {sorted(w)}")

for e in errors:
    print(e)
print(f"{len(res)} resources checked: " + ("OK" if not errors else f"{len(errors)} problem(s)"))
sys.exit(1 if errors else 0)
