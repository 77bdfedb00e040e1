"""Reads JSON lines on stdin; for each prints json.dumps(json.loads(line)) as a
JSON string line, so the tests compare the kit's serializer with Python's."""
import json
import sys

for line in sys.stdin:
    print(json.dumps(json.dumps(json.loads(line))), flush=True)
