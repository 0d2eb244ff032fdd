"""Read locust's CSV summary and print the load test's figures against its targets (exit 1 if missed),
with where the machine's cores went meanwhile (loadtest/cpu.py) when that was measured."""
import csv
import json
import os
import platform
import sys

TARGET_RPS = float(os.environ.get("LOAD_TARGET_RPS", 200))
TARGET_P99_MS = float(os.environ.get("LOAD_TARGET_P99_MS", 500))


def main(stats_path: str, failures_path: str, cpu_path: str | None = None) -> int:
    """Print one line per endpoint, the aggregate and the CPU by family; return 0 when every target is met."""
    with open(stats_path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    print(f"{'endpoint':45} {'requests':>9} {'fail':>6} {'rps':>7} {'p50':>6} {'p95':>6} {'p99':>6}")
    for r in rows:
        print(f"{r['Type'] + ' ' + r['Name']:45.45} {r['Request Count']:>9} {r['Failure Count']:>6} "
              f"{float(r['Requests/s']):7.1f} {r['50%']:>6} {r['95%']:>6} {r['99%']:>6}")
    failures = []
    if os.path.exists(failures_path):
        with open(failures_path, encoding="utf-8") as f:
            failures = list(csv.DictReader(f))
    result = {"rps": round(float(total["Requests/s"]), 1), "p99_ms": float(total["99%"]),
              "p95_ms": float(total["95%"]), "requests": int(total["Request Count"]),
              "failures": int(total["Failure Count"]),
              "errors": [f"{x['Method']} {x['Name']}: {x['Error']} ×{x['Occurrences']}" for x in failures][:10]}
    if cpu_path and os.path.exists(cpu_path):
        with open(cpu_path, encoding="utf-8") as f:
            cpu = json.load(f)
        result["cpu_cores"], result["machine_busy_percent"] = cpu["cores"], cpu["busy_percent"]
        # CPU milliseconds each family spent per request answered: what a request costs, and where.
        result["cpu_ms_per_request"] = {name: round(cores * 1000 / result["rps"], 1) if result["rps"] else None
                                        for name, cores in cpu["cores"].items()}
        print("CPU (cores): " + ", ".join(f"{name} {cores}" for name, cores in cpu["cores"].items())
              + f"; machine {cpu['busy_percent']} % busy over {cpu['seconds']} s")
    result["met"] = (result["rps"] >= TARGET_RPS and result["p99_ms"] <= TARGET_P99_MS
                     and result["failures"] == 0)
    # The interpreter changes the figures by a third (docs/benchmarks.md): say which one served.
    result["python"] = f"{platform.python_version()} ({os.path.realpath(sys.executable)})"
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
