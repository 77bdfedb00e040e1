"""Python's json module as a line-oriented service for the tests. Each stdin
line is a JSON request, answered by one stdout line:
  {"op": "dumps", "model": M}  ->  {"text": json.dumps(value of M)}
  {"op": "loads", "text": T}   ->  {"model": model of json.loads(T)}, or {"error": name}
A model spells a Python value with its type, which plain JSON cannot:
  ["int", "123"], ["float", "1.0"] (float() of it; repr() on the way out),
  ["str", s], ["bool", b], ["null"], ["list", [M...]], ["dict", [[key, M]...]]."""
import json
import sys


def value_of(model):
    kind = model[0]
    if kind == "int":
        return int(model[1])
    if kind == "float":
        return float(model[1])
    if kind in ("str", "bool"):
        return model[1]
    if kind == "null":
        return None
    if kind == "list":
        return [value_of(item) for item in model[1]]
    if kind == "dict":
        return {key: value_of(item) for key, item in model[1]}
    raise ValueError(kind)


def model_of(value):
    if value is None:
        return ["null"]
    if isinstance(value, bool):
        return ["bool", value]
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, float):
        return ["float", repr(value)]
    if isinstance(value, str):
        return ["str", value]
    if isinstance(value, list):
        return ["list", [model_of(item) for item in value]]
    if isinstance(value, dict):
        return ["dict", [[key, model_of(item)] for key, item in value.items()]]
    raise TypeError(type(value).__name__)


for line in sys.stdin:
    request = json.loads(line)
    if request["op"] == "dumps":
        answer = {"text": json.dumps(value_of(request["model"]))}
    else:
        try:
            answer = {"model": model_of(json.loads(request["text"]))}
        except (ValueError, RecursionError) as error:
            answer = {"error": type(error).__name__}
    print(json.dumps(answer), flush=True)
