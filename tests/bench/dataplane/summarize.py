#!/usr/bin/env python3
"""summarize.py OUT - turn a data-plane bench run (tests/bench/dataplane/run)
into tables, plots and summary.md.

Reads OUT/runs.csv, OUT/rtt.csv, OUT/meta.txt; writes OUT/forwarding.csv,
OUT/d1.csv, OUT/parallel.csv, OUT/plots.gp with its data under OUT/plot/,
the PNGs (gnuplot) and OUT/summary.md.  Every figure is a median over the
repetitions with min-max; every ratio is between lines measured in the same
run (D1-D3 of performance.md)."""
import csv
import os
import statistics
import subprocess
import sys
from collections import defaultdict

OUT = sys.argv[1] if len(sys.argv) > 1 else "."
GEN_LAG = 3.0   # % of offered the generator failed to send: generator-bound
SUT_LOSS = 3.0  # % of offered refused or dropped after the generator: SUT-bound
SAT = 0.95      # forwarded below 95 % of offered: saturated

NAMES = {
    "direct": "TG→TS direct",
    "native-netns": "native routed (netns)",
    "native-vrf": "native routed (vrf)",
    "dom0-bridged": "dom0 bridged",
    "domu-routed": "domU routed (lab)",
    "domu-bridged": "domU bridged (lab)",
}


def read_csv(name):
    path = os.path.join(OUT, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def num(s, default=float("nan")):
    try:
        return float(s)
    except (TypeError, ValueError):
        return default


def med(xs):
    xs = [x for x in xs if x == x]
    return statistics.median(xs) if xs else float("nan")


def meta():
    m = {}
    path = os.path.join(OUT, "meta.txt")
    if os.path.exists(path):
        for line in open(path):
            k, _, v = line.rstrip("\n").partition("=")
            m[k] = v
    return m


def line_title(line):
    cfg, _, var = line.partition("/")
    name = NAMES.get(cfg, cfg)
    if var == "vrd":
        return name + ", vrd"
    if var == "hand":
        return name + ", by hand"
    return name


def fmt(x, d=1):
    return "n/a" if x != x else f"{x:.{d}f}"


def rng(lo, hi, d=1):
    return f"{fmt(lo, d)}–{fmt(hi, d)}"


# ---- forwarding rate vs offered load ----

runs = read_csv("runs.csv")
rtts = read_csv("rtt.csv")
M = meta()

by_line = defaultdict(lambda: defaultdict(list))  # line -> kpps -> [row]
order = []
for r in runs:
    if r["config"].startswith("parallel-"):
        continue
    if r["line"] not in order:
        order.append(r["line"])
    by_line[r["line"]][int(r["offered_kpps"])].append(r)


def clean(rows):
    """The runs no other program disturbed, if there are any (a disturbed run
    is kept only when all repeats were disturbed; `dirty` marks that)."""
    ok = [r for r in rows if r.get("disturbed") != "1"]
    return ok if ok else rows


def step_stats(rows):
    all_rows, rows = rows, clean(rows)
    fwd = [num(r["fwd_kpps"]) for r in rows]
    lag, loss = [], []
    for r in rows:
        off, sent, ref, sink = (num(r[k]) for k in ("offered", "sent", "refused", "sink"))
        lag.append(100 * (1 - (sent + ref) / off) if off else float("nan"))
        loss.append(100 * (ref + sent - sink) / off if off else float("nan"))
    return {
        "n": len(rows),
        "med": med(fwd), "min": min(fwd), "max": max(fwd),
        "tg": med([num(r["tg_pps"]) / 1000 for r in rows]),
        "lag": med(lag), "loss": med(loss),
        "busy": med([num(r["sut_busy_pct"]) for r in rows]),
        "sirq": med([num(r["sut_sirq_pct"]) for r in rows]),
        "send": med([num(r["tg_send_pct"]) for r in rows]),
        "disturbed": sum(r["disturbed"] == "1" for r in all_rows),
        "dirty": all(r["disturbed"] == "1" for r in all_rows),
        "not_idle": sum(r["idle_before"] != "1" for r in all_rows),
    }


stats = {l: {k: step_stats(v) for k, v in sorted(by_line[l].items())} for l in order}

with open(os.path.join(OUT, "forwarding.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["line", "offered_kpps", "n_used", "fwd_med_kpps", "fwd_min_kpps", "fwd_max_kpps",
                "tg_sent_kpps", "gen_lag_pct", "sut_loss_pct", "sut_busy_pct", "sut_sirq_pct",
                "tg_send_pct", "disturbed_runs", "not_idle_runs"])
    for l in order:
        for k, s in stats[l].items():
            w.writerow([l, k, s["n"], fmt(s["med"]), fmt(s["min"]), fmt(s["max"]), fmt(s["tg"]),
                        fmt(s["lag"]), fmt(s["loss"]), fmt(s["busy"]), fmt(s["sirq"]),
                        fmt(s["send"]), s["disturbed"], s["not_idle"]])


def limit_of(s, line):
    gen = s["lag"] > GEN_LAG
    sut = s["loss"] > SUT_LOSS
    who = "the sink" if line == "direct" else "SUT"
    why = (f"generator sent {fmt(100 - s['lag'], 0)} % of offered, {who} lost "
           f"{fmt(s['loss'], 1)} %, CPU{M.get('sut_cpu', '1')} {fmt(s['busy'], 0)} % busy "
           f"({fmt(s['sirq'], 0)} % softirq)")
    if gen and sut:
        return f"generator and {who}", why
    if gen:
        return "generator-bound", why
    if sut:
        return ("sink-bound (its receive path on CPU" + M.get("sut_cpu", "1") + ")"
                if line == "direct" else "SUT-bound"), why
    return "neither (below 95 % by less than the thresholds)", why


def saturation(l):
    st = stats[l]
    if not st:
        return None
    peak_k = max(st, key=lambda k: st[k]["med"])
    sat_k = next((k for k in st if st[k]["med"] < SAT * k), None)
    res = {"peak": st[peak_k]["med"], "peak_at": peak_k, "sat_at": sat_k,
           "max_rate": max(st)}
    if sat_k is not None:
        res["limit"], res["why"] = limit_of(st[sat_k], l)
        d = saturation("direct") if l != "direct" and "direct" in stats else None
        if d and d["sat_at"] is not None and sat_k >= d["sat_at"]:
            # no worse than the testbed without a SUT: the SUT is not what we see
            res["limit"] = f"testbed-bound (TG→TS direct saturates at {d['sat_at']} too)"
    return res


# ---- D1: vrd / hand per offered rate ----

d1 = {}
for l in order:
    cfg, _, var = l.partition("/")
    if var != "vrd" or f"{cfg}/hand" not in stats:
        continue
    rows = []
    v, h = stats[l], stats[f"{cfg}/hand"]
    for k in sorted(set(v) & set(h)):
        vr = sorted(by_line[l][k], key=lambda r: r["rep"])
        hr = sorted(by_line[f"{cfg}/hand"][k], key=lambda r: r["rep"])
        per = [num(a["fwd_kpps"]) / num(b["fwd_kpps"]) for a, b in zip(vr, hr)
               if num(b["fwd_kpps"]) > 0 and "1" not in (a["disturbed"], b["disturbed"])]
        ratio = v[k]["med"] / h[k]["med"] if h[k]["med"] > 0 else float("nan")
        rows.append((k, v[k]["med"], h[k]["med"], ratio, min(per, default=float("nan")),
                     max(per, default=float("nan")), v[k]["dirty"] or h[k]["dirty"]))
    d1[cfg] = rows

with open(os.path.join(OUT, "d1.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["config", "offered_kpps", "vrd_kpps", "hand_kpps", "ratio", "rep_ratio_min",
                "rep_ratio_max"])
    for cfg, rows in d1.items():
        for k, a, b, r, lo, hi, _ in rows:
            w.writerow([cfg, k, fmt(a), fmt(b), fmt(r, 3), fmt(lo, 3), fmt(hi, 3)])

# ---- D2: parallel routers ----

par = defaultdict(list)  # (n, variant, kpps) -> [row]
for r in runs:
    if r["config"].startswith("parallel-"):
        par[(int(r["config"].split("-")[1]), r["variant"], int(r["offered_kpps"]))].append(r)
par_stats = {key: step_stats(rows) for key, rows in sorted(par.items())}
with open(os.path.join(OUT, "parallel.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["routers", "variant", "total_offered_kpps", "n", "agg_med_kpps", "agg_min_kpps",
                "agg_max_kpps", "ratio_to_1", "gen_lag_pct", "sut_loss_pct", "sut_busy_pct"])
    for (n, var, k), s in par_stats.items():
        one = par_stats.get((1, var, k))
        ratio = s["med"] / one["med"] if one and one["med"] > 0 else float("nan")
        w.writerow([n, var, k, s["n"], fmt(s["med"]), fmt(s["min"]), fmt(s["max"]),
                    fmt(ratio, 3), fmt(s["lag"]), fmt(s["loss"]), fmt(s["busy"])])

# ---- D3: RTT ----

rtt = {}  # (line, bg) -> row
rtt_order = []
for r in rtts:
    rtt[(r["line"], int(r["bg_kpps"]))] = r
    if r["line"] not in rtt_order:
        rtt_order.append(r["line"])
bgs = sorted({k for _, k in rtt})

# ---- plots ----

pdir = os.path.join(OUT, "plot")
os.makedirs(pdir, exist_ok=True)
COLORS = {"direct": "black", "native-netns": "#1f77b4", "native-vrf": "#17becf",
          "dom0-bridged": "#2ca02c", "domu-routed": "#d62728", "domu-bridged": "#9467bd"}
PAR_COLORS = {200: "#1f77b4", 500: "#2ca02c", 1000: "#d62728"}


def style(l):
    cfg, _, var = l.partition("/")
    c = COLORS.get(cfg, "#ff7f0e")
    dt = "dt 2" if var == "hand" else "dt 1"
    pt = "pt 6" if var == "hand" else "pt 7"
    return f"lc rgb '{c}' {dt} {pt} lw 2"


def dat(name):
    """Relative to OUT: plots.gp runs there, so a copied result dir re-renders."""
    return os.path.join("plot", name.replace("/", "_") + ".dat")


gp = ["set terminal pngcairo size 960,640 font 'sans,11'", "set grid", "set key left top"]
# forwarding rate vs offered load
plots = ["x title 'offered' lc rgb 'gray' dt 3"]
for l in order:
    with open(os.path.join(OUT, dat("fwd-" + l)), "w") as f:
        f.write("# offered_kpps fwd_med fwd_min fwd_max\n")
        for k, s in stats[l].items():
            f.write(f"{k} {s['med']:.1f} {s['min']:.1f} {s['max']:.1f}\n")
    plots.append(f"'{dat('fwd-' + l)}' using 1:2:3:4 with yerrorlines {style(l)} "
                 f"title '{line_title(l)}'")
gp += ["set output 'forwarding.png'",
       "set title 'Forwarding rate vs offered load (64-byte UDP; median, min–max)'",
       "set xlabel 'offered load (kp/s)'", "set ylabel 'forwarded (kp/s)'",
       "set xrange [0:1050]", "set yrange [0:1050]",
       "plot " + ", \\\n     ".join(plots)]
# RTT vs background load
if rtt_order:
    gp += ["set output 'rtt.png'", "set multiplot layout 1,2",
           "set xlabel 'background load (kp/s)'", "set ylabel 'RTT (ms)'",
           "set logscale y", "set xrange [-20:520]", "set yrange [*:*]",
           "set key left top font 'sans,9'"]
    for col, what in ((2, "p50"), (3, "p99")):
        plots = []
        for l in rtt_order:
            with open(os.path.join(OUT, dat("rtt-" + l)), "w") as f:
                f.write("# bg_kpps p50_ms p99_ms\n")
                for k in bgs:
                    r = rtt.get((l, k))
                    if r and num(r["p50_us"]) == num(r["p50_us"]):
                        f.write(f"{k} {num(r['p50_us']) / 1000:.4f} {num(r['p99_us']) / 1000:.4f}\n")
            plots.append(f"'{dat('rtt-' + l)}' using 1:{col} with linespoints {style(l)} "
                         f"title '{line_title(l)}'")
        gp += [f"set title 'RTT {what} under background traffic'", "plot " + ", \\\n     ".join(plots)]
    gp += ["unset multiplot", "unset logscale y"]
# parallel routers
if par_stats:
    plots = []
    for var in ("vrd", "hand"):
        for k in sorted({k for (_, v, k) in par_stats if v == var}):
            name = f"par-{var}-{k}"
            with open(os.path.join(OUT, dat(name)), "w") as f:
                f.write("# routers agg_med agg_min agg_max\n")
                for (n, v, kk), s in par_stats.items():
                    if v == var and kk == k:
                        f.write(f"{n} {s['med']:.1f} {s['min']:.1f} {s['max']:.1f}\n")
            c = PAR_COLORS.get(k, "#ff7f0e")
            dt = "dt 2 pt 6" if var == "hand" else "dt 1 pt 7"
            who = "vrd" if var == "vrd" else "by hand"
            plots.append(f"'{dat(name)}' using 1:2:3:4 with yerrorlines lc rgb '{c}' {dt} lw 2 "
                         f"title '{k} kp/s total, {who}'")
    gp += ["set output 'parallel.png'",
           "set title 'Parallel routers: aggregate forwarding rate at a fixed total offered load'",
           "set xlabel 'routers (one flow each)'", "set ylabel 'aggregate forwarded (kp/s)'",
           "set logscale x 2", "set xrange [0.8:10]", "set yrange [0:1050]",
           "set key left bottom", "plot " + ", \\\n     ".join(plots)]
with open(os.path.join(OUT, "plots.gp"), "w") as f:
    f.write("\n".join(gp) + "\n")
subprocess.run(["gnuplot", "plots.gp"], cwd=OUT, check=True)

# ---- summary.md ----

S = []
p = S.append
mode = M.get("mode", "?")
p(f"# Data-plane bench ({mode} mode)\n")
p(f"Machine: {M.get('nproc', '?')} CPUs, {M.get('cpu', '?')}, kernel {M.get('kernel', '?')}; "
  f"vrd binary {M.get('vrd', '?')} (source tree {M.get('tree', '?')}). Started {M.get('started', '?')}, {M.get('duration_s', '?')} s.\n")
p(f"Method: 64-byte UDP frames (60 B handed to the veth, no FCS) from bench_tg pinned to "
  f"CPU{M.get('tg_cpu', '0')}; RPS steers the SUT's (and the sink's) softirq to "
  f"CPU{M.get('sut_cpu', '1')}; the sink counts at its nftables ingress hook. "
  f"{M.get('reps', '?')} repetition(s) of {M.get('seconds', '?')} s per offered rate, "
  f"medians with min–max; RTT: {M.get('probes', '?')} ICMP echoes 1 ms apart per point.\n")

n_runs = len(runs)
not_idle = sum(r["idle_before"] != "1" for r in runs)
dist = sum(r["disturbed"] == "1" for r in runs)
retried = sum(int(r["tries"]) > 1 for r in runs)
others = [num(r["others_user_pct"]) for r in runs]
others_gen = [num(r.get("others_gen_pct")) for r in runs if r.get("others_gen_pct")]
rtt_dist = sum(r.get("disturbed") == "1" for r in rtts)
p("## How idle the machine was\n")
p(f"- load average at the start: {M.get('load_start', '?')}"
  + (f" (waited {M['load_wait_s']} s for < 0.5)" if M.get("load_wait_s") else "")
  + f"; at the end: {M.get('load_end', '?')}.")
p(f"- {n_runs} forwarding runs: {n_runs - not_idle} started on an idle machine (all CPUs < 10 % "
  f"busy over 0.5 s), {not_idle} after the bounded wait ran out; {retried} repeated because "
  f"another program used > 10 % of a CPU during the run, {dist} still disturbed after "
  f"2 repeats (kept, flagged in runs.csv).")
if others:
    p(f"- other programs' user time during the runs: median {fmt(med(others))} %, "
      f"max {fmt(max(others))} % of one CPU"
      + (f"; on the generator's CPU: median {fmt(med(others_gen))} %, max {fmt(max(others_gen))} %"
         if others_gen else "") + ".")
p(f"- {len(rtts)} RTT points, {rtt_dist} disturbed after 2 repeats (marked †).")
p("- Medians use only the undisturbed runs of a step when it has any; a step marked † had "
  "none (all its repeats disturbed).")
p("")

p("## Saturation (forwarding rate vs offered load, `forwarding.png`)\n")
p("| line | peak forwarded kp/s (at offered) | saturates at offered kp/s | limited by |")
p("|---|---|---|---|")
for l in order:
    s = saturation(l)
    if not s:
        continue
    if s["sat_at"] is None:
        sat, lim = f"not up to {s['max_rate']}", "—"
    else:
        sat, lim = str(s["sat_at"]), f"{s['limit']}: {s['why']}"
    p(f"| {line_title(l)} | {fmt(s['peak'])} ({s['peak_at']}) | {sat} | {lim} |")
p("")
p(f"\"Saturates at\": the first offered rate forwarded below {int(SAT * 100)} %. "
  f"Generator-bound: the generator sent less than {100 - GEN_LAG:.0f} % of the offered frames "
  f"(its CPU could not keep the schedule); SUT-bound: more than {SUT_LOSS:.0f} % of the offered "
  f"frames were refused by the SUT's full input queue (ENOBUFS) or lost inside it; "
  f"testbed-bound: the line saturates no earlier than TG→TS without a SUT. CPU busy shares "
  f"are tick-sampled from /proc/stat: right near saturation, low for a CPU that idles "
  f"between interrupts.\n")

p("## D1: vrd-built SUT / hand-built SUT (target ≥ 0.95 at every offered rate)\n")
if not d1:
    p("No configuration was measured both ways.\n")
for cfg, rows in d1.items():
    if not rows:
        continue
    worst = min(rows, key=lambda r: r[3])
    ok = "met" if worst[3] >= 0.95 else "NOT met"
    p(f"### {NAMES.get(cfg, cfg)}: min ratio {fmt(worst[3], 3)} at {worst[0]} kp/s ({ok})\n")
    p("| offered kp/s | vrd kp/s | by hand kp/s | ratio (medians) | ratio per repetition min–max |")
    p("|---|---|---|---|---|")
    for k, a, b, r, lo, hi, dirty in rows:
        p(f"| {k}{' †' if dirty else ''} | {fmt(a)} | {fmt(b)} | {fmt(r, 3)} | {rng(lo, hi, 3)} |")
    p("")

p("## D2: parallel routers at a fixed total offered load (target ≥ 0.9 × 1 router)\n")
if par_stats:
    p("| total offered kp/s | routers | vrd kp/s (min–max) | vrd / 1 router | by hand kp/s (min–max) "
      "| by hand / 1 router | vrd / by hand |")
    p("|---|---|---|---|---|---|---|")
    worst = {}
    for k in sorted({k for (_, _, k) in par_stats}):
        for n in sorted({n for (n, _, kk) in par_stats if kk == k}):
            v, h = par_stats.get((n, "vrd", k)), par_stats.get((n, "hand", k))
            v1, h1 = par_stats.get((1, "vrd", k)), par_stats.get((1, "hand", k))
            rv = v["med"] / v1["med"] if v and v1 and v1["med"] > 0 else float("nan")
            rh = h["med"] / h1["med"] if h and h1 and h1["med"] > 0 else float("nan")
            vh = v["med"] / h["med"] if v and h and h["med"] > 0 else float("nan")
            if rv == rv:
                worst[k] = min(worst.get(k, rv), rv)
            p(f"| {k} | {n} | {fmt(v['med']) if v else 'n/a'} ({rng(v['min'], v['max']) if v else ''}) "
              f"| {fmt(rv, 3)} | {fmt(h['med']) if h else 'n/a'} ({rng(h['min'], h['max']) if h else ''}) "
              f"| {fmt(rh, 3)} | {fmt(vh, 3)} |")
    p("")
    for k, w_ in worst.items():
        p(f"- {k} kp/s total: min over N of vrd's N routers / 1 router = {fmt(w_, 3)} "
          f"({'met' if w_ >= 0.9 else 'NOT met'}).")
    p("")
else:
    p("Not measured.\n")

p("## D3: RTT through each configuration under background load (`rtt.png`)\n")
if rtt_order:
    p("| line | background kp/s | forwarded kp/s | p50 ms | p99 ms | lost | p50 / direct p50 |")
    p("|---|---|---|---|---|---|---|")
    for l in rtt_order:
        for k in bgs:
            r = rtt.get((l, k))
            if not r:
                continue
            d = rtt.get(("direct", k))
            ratio = num(r["p50_us"]) / num(d["p50_us"]) if d and num(d["p50_us"]) > 0 else float("nan")
            mark = " †" if r.get("disturbed") == "1" else ""
            p(f"| {line_title(l)}{mark} | {k} | {r['bg_fwd_kpps'] or '—'} | {fmt(num(r['p50_us']) / 1000, 3)} "
              f"| {fmt(num(r['p99_us']) / 1000, 3)} | {r['lost']} | {fmt(ratio, 2)} |")
    p("")
else:
    p("Not measured.\n")

p("## Configurations not measured\n")
missing = []
if M.get("vrf") == "0":
    missing.append("native routed with backend vrf: this kernel has no VRF devices "
                   "(`ip link add x type vrf` fails), probed at the start")
if M.get("domu") == "0":
    missing.append("domU routed and domU bridged: the vrd binary used has no lab driver")
if M.get("failed", "").strip():
    missing.append("could not be built: " + M["failed"].strip())
for m_ in missing:
    p(f"- {m_}")
if not missing:
    p("- none")
p("")
p("Files: runs.csv (every run), forwarding.csv, d1.csv, parallel.csv, rtt.csv, "
  "plots.gp (re-render with `gnuplot plots.gp`).")

with open(os.path.join(OUT, "summary.md"), "w") as f:
    f.write("\n".join(S) + "\n")
print(os.path.join(OUT, "summary.md"))
