"""Checks template.yaml for what cfn-lint and `sam validate --lint` miss.

1. No dependency cycle after the SAM transform. The classic one: the bucket's notification needs
   UploadCompleteFunction, so that function (its role, its environment) must not reference the
   bucket resource. cfn-lint does not report it; CloudFormation only does at deploy time.
2. Every function's FILEGATE_BUCKET is the bucket's BucketName (it is built, not !Ref'd).

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

for e in errors:
    print(e)
print(f"{len(res)} resources checked: " + ("OK" if not errors else f"{len(errors)} problem(s)"))
sys.exit(1 if errors else 0)
