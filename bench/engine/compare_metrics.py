# Compares metrics.jsonl of the old and new engine: every metric the old wrote must be byte-identical (timing fields excepted).
import json, sys
# usage: compare_metrics.py ROOT (holding old/ and new/ from record_runs.sh and record_resume.sh)
root = sys.argv[1]
timing = {"seconds", "images_per_second"}
ok = True
for run in ["A", "B", "C", "D", "E"]:
    old = [json.loads(l, parse_float=str) for l in open(f"{root}/old/{run}/metrics.jsonl")]
    new = [json.loads(l, parse_float=str) for l in open(f"{root}/new/{run}/metrics.jsonl")]
    assert len(old) == len(new), (run, len(old), len(new))
    compared = 0
    for o, n in zip(old, new):
        for k, v in o.items():
            if k in timing: continue
            compared += 1
            if n.get(k) != v:
                ok = False; print(f"{run} epoch {o['epoch']} {k}: old {v} new {n.get(k)}")
        extra = [k for k in n if k not in o]
        if extra and o["epoch"] == 1: print(f"{run}: new keys {extra}")
    print(f"{run}: {len(old)} epochs, {compared} values compared")
# the resumed run equals the uninterrupted one
for side in ["old", "new"]:
    d = [json.loads(l, parse_float=str) for l in open(f"{root}/{side}/D/metrics.jsonl")]
    e = [json.loads(l, parse_float=str) for l in open(f"{root}/{side}/E/metrics.jsonl")]
    same = all({k: v for k, v in a.items() if k not in timing} == {k: v for k, v in b.items() if k not in timing} for a, b in zip(d, e))
    print(f"{side}: resumed D == uninterrupted E: {same}")
    ok &= same
print("IDENTICAL" if ok else "DIFFERENT")
