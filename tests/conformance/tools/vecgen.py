"""Step and vector builders the vector generators share (gen_workspace_vectors.py, gen_resources_vectors.py)."""
import json


def ok(op, params, result):
    """A successful step; every one states its expected result."""
    return {"op": op, "params": params, "expect": {"ok": True, "result": result}}


def err(op, params, code, field=None, contains=None):
    e = {"code": code}
    if field is not None:
        e["field"] = field
    if contains is not None:
        e["message_contains"] = contains
    return {"op": op, "params": params, "expect": {"ok": False, "error": e}}


def sim(method, path, body=None):
    """A request to the simulator's control API."""
    s = {"method": method, "path": path}
    if body is not None:
        s["body"] = body
    return {"sim": s}


def v(name, desc, steps, **kw):
    d = {"name": name, "description": desc}
    d.update(kw)
    d["steps"] = steps
    return d


def dump(fn, doc):
    with open(fn, "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
