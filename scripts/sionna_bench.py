#!/usr/bin/env python3
"""Time Sionna RT's PathSolver on simple_street_canyon (1 Tx, N Rx).

Same settings as scripts/sionna_reference.py (3.5 GHz, max_depth 3, LoS +
specular only, iso V antennas, synthetic array).  Setup: see the header of
scripts/sionna_reference.py (venv with sionna-rt, libLLVM >= 16).

    ~/.cache/radiofield/sionna-venv/bin/python scripts/sionna_bench.py
    # options: --num-rx 100 --samples 1000000 100000 --repeats 3 --threads 2

Prints one line per setting: cold time (first call, includes Dr.Jit kernel
compilation), median warm time, wall and process CPU time (CPU time is the
steadier number on a shared machine), path counts and peak RSS so far.
Note: with samples_per_src 1e6 and 100 Rx the process peaks at ~10 GiB.  Results for our machine are
recorded in docs/sionna-comparison.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sionna_reference as ref  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--num-rx", type=int, default=100)
    ap.add_argument("--samples", type=int, nargs="*", default=[1_000_000, 100_000])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0,
                    help="Dr.Jit worker threads (0 = Dr.Jit default: all cores)")
    args = ap.parse_args()

    mi, dr, rt = ref.import_sionna()
    import numpy as np
    if args.threads:
        dr.set_thread_count(args.threads)
    print(f"sionna-rt {rt.__version__}, mitsuba {mi.__version__}, drjit {dr.__version__}, "
          f"variant {ref.VARIANT}, cpu cores {os.cpu_count()}, "
          f"drjit threads {dr.thread_count()}")

    xml = ref.copy_scene(rt, "simple_street_canyon", False)
    t0 = time.perf_counter()
    scene = ref.setup_scene(mi, rt, xml)
    print(f"load_scene: {time.perf_counter() - t0:.2f} s")

    scene.add(rt.Transmitter("tx", position=mi.Point3f(-20.0, 0.0, 10.0)))
    # Rx grid in the street (x along the street, y across it), 1.5 m high
    n = args.num_rx
    nx = int(round(np.sqrt(n * 4)))  # ~4:1 aspect, street is long
    nx = max(1, min(n, nx))
    ny = int(np.ceil(n / nx))
    xs = np.linspace(-55.0, 55.0, nx)
    ys = np.linspace(-6.0, 7.5, ny)
    k = 0
    for y in ys:
        for x in xs:
            if k == n:
                break
            scene.add(rt.Receiver(f"rx{k}", position=mi.Point3f(float(x), float(y), 1.5)))
            k += 1
    print(f"1 Tx, {k} Rx (grid {nx} x {ny}), max_depth {ref.MAX_DEPTH}")
    print(f"{'samples_per_src':>15} {'cold_s':>8} {'cold_cpu_s':>10} {'warm_median_s':>14} "
          f"{'warm_min_s':>10} {'warm_cpu_s':>10} {'paths':>7} {'paths/rx':>8} {'maxrss_GiB':>10}")
    for samples in args.samples:
        t0, c0 = time.perf_counter(), time.process_time()
        paths = ref.solve(rt, scene, samples)
        dr.eval(paths.a)
        valid = np.array(paths.valid)
        cold, cold_cpu = time.perf_counter() - t0, time.process_time() - c0
        warm, warm_cpu = [], []
        for _ in range(args.repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            paths = ref.solve(rt, scene, samples)
            dr.eval(paths.a)
            valid = np.array(paths.valid)
            warm.append(time.perf_counter() - t0)
            warm_cpu.append(time.process_time() - c0)
        npaths = int(valid.sum())
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(f"{samples:>15} {cold:8.2f} {cold_cpu:10.2f} {statistics.median(warm):14.2f} "
              f"{min(warm):10.2f} {statistics.median(warm_cpu):10.2f} {npaths:>7} "
              f"{npaths / k:8.2f} {rss:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
