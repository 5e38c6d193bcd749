"""One Lambda execution environment for a Python function, as a child process of the load generator.

The X-Ray SDK runs in Lambda mode (LAMBDA_TASK_ROOT and _X_AMZN_TRACE_ID set, as in Lambda): it
sends each subsegment to the daemon address on its own, and never the function segment. That one,
with its Initialization subsegment on a cold start, is what the Lambda service sends; this runtime
sends it too, so a trace looks as it does in AWS. Invocations arrive as JSON lines on stdin:
{"id", "event", "traceId" (32 hex), "parentId" (16 hex or null)}; one JSON line per result on stdout.
Env: FUNCTION_NAME, HANDLER (module.function), LAMBDA_TASK_ROOT, AWS_XRAY_DAEMON_ADDRESS, DYNAMODB_ENDPOINT,
ORDERS_TABLE. INIT is timed from the start of this process.
"""
import time

INIT_START = time.time()

import importlib
import json
import os
import secrets
import socket
import sys
import traceback

FN = os.environ["FUNCTION_NAME"]
REGION = os.environ.get("AWS_REGION", "eu-west-1")
ARN = f"arn:aws:lambda:{REGION}:123456789012:function:{FN}"
host, port = os.environ["AWS_XRAY_DAEMON_ADDRESS"].rsplit(":", 1)
daemon = (host, int(port))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)


def send_segment(doc):
    udp.sendto(b'{"format":"json","version":1}\n' + json.dumps(doc).encode(), daemon)


def main():
    spawned_at = INIT_START
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    module_name, fn_name = os.environ["HANDLER"].rsplit(".", 1)
    handler = None
    ready_at = None
    for line in sys.stdin:
        msg = json.loads(line)
        trace_id = f"1-{msg['traceId'][:8]}-{msg['traceId'][8:]}"
        segment_id = secrets.token_hex(8)
        os.environ["_X_AMZN_TRACE_ID"] = f"Root={trace_id};Parent={segment_id};Sampled=1"
        cold = handler is None
        if cold:
            handler = getattr(importlib.import_module(module_name), fn_name)
            ready_at = time.time()
        start = time.time()
        doc = {
            "name": FN, "id": segment_id, "trace_id": trace_id, "origin": "AWS::Lambda::Function",
            "resource_arn": ARN, "aws": {"function_arn": ARN, "resource_names": [FN], "account_id": "123456789012"},
            "start_time": start,
        }
        if msg.get("parentId"):
            doc["parent_id"] = msg["parentId"]
        if cold:
            doc["start_time"] = spawned_at
            doc["subsegments"] = [{"name": "Initialization", "id": secrets.token_hex(8), "start_time": spawned_at, "end_time": ready_at,
                                   "aws": {"function_arn": ARN}}]
        result = {"id": msg["id"], "cold": cold, "initMs": round((ready_at - spawned_at) * 1000) if cold else 0}
        try:
            handler(msg["event"], None)
            result["ok"] = True
        except Exception as e:  # the Lambda runtime reports it; the function segment carries the fault
            # the function's frames only: in Lambda the runtime's own frames are not the user's code
            root = os.environ["LAMBDA_TASK_ROOT"]
            tb = [f for f in traceback.extract_tb(e.__traceback__) if f.filename.startswith(root)]
            doc["fault"] = True
            doc["cause"] = {"working_directory": os.environ["LAMBDA_TASK_ROOT"], "exceptions": [{
                "id": secrets.token_hex(8), "type": type(e).__name__, "message": str(e),
                "stack": [{"path": f.filename, "line": f.lineno, "label": f.name} for f in reversed(tb)]}]}
            result.update(ok=False, error=f"{type(e).__name__}: {e}")
        doc["end_time"] = time.time()
        send_segment(doc)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
