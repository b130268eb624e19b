#!/usr/bin/env python3
"""Bartlett spectra formed from Sionna RT's paths, as a reference for our spectra.

Reads a Sionna path reference made by scripts/sionna_reference.py
(tests/rt/data/sionna/<scene>.json: per transmitter-receiver pair, each path's coefficient
a, delay tau and arrival angles) and forms, at each receiver, the Bartlett power spectrum of
a virtual planar array in the `bartlett_power` convention (docs/conventions.md), written
independently of our C++ code with numpy:

  baseband coefficient   a_b = a * exp(-j 2 pi f tau)          (Sionna primer)
  arrival direction      u = (sin th cos ph, sin th sin ph, |cos th|)   (planar array: the
                         two half-spaces are indistinguishable, so mirrored to z >= 0)
  element signals        x_k = sum_i a_b,i exp(+j 2 pi / lambda u_i . d_k)
  Bartlett power         P(dir) = |sum_k exp(-j 2 pi / lambda v(dir) . d_k) x_k|^2 / K^2
  grid direction         v = (cos el cos az, cos el sin az, sin el)

with the array in the receiver's x-y plane (no rotation), elements at
((c - (C-1)/2) s, (r - (R-1)/2) s, 0), s = lambda/2.

Usage: scripts/sionna_spectra.py simple_street_canyon   (needs numpy)
Writes tests/rt/data/sionna/<scene>_spectra.json.
"""
import json
import pathlib
import sys

import numpy as np

ROWS, COLS = 4, 4
GRID = {"n_el": 18, "n_az": 72, "el0_deg": 2.5, "az0_deg": 2.5, "step_deg": 5.0}
SPEED_OF_LIGHT = 299792458.0


def bartlett_power(paths, frequency_hz):
    lam = SPEED_OF_LIGHT / frequency_hz
    k0 = 2 * np.pi / lam
    s = lam / 2
    d = np.array([[(c - (COLS - 1) / 2) * s, (r - (ROWS - 1) / 2) * s, 0.0]
                  for r in range(ROWS) for c in range(COLS)])  # [K, 3]
    x = np.zeros(len(d), dtype=complex)
    for p in paths:
        a_b = complex(p["a_re"], p["a_im"]) * np.exp(-2j * np.pi * frequency_hz * p["tau_s"])
        th, ph = p["theta_r"], p["phi_r"]
        u = np.array([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), abs(np.cos(th))])
        x += a_b * np.exp(1j * k0 * d @ u)
    el = np.radians(GRID["el0_deg"] + GRID["step_deg"] * np.arange(GRID["n_el"]))
    az = np.radians(GRID["az0_deg"] + GRID["step_deg"] * np.arange(GRID["n_az"]))
    el, az = np.meshgrid(el, az, indexing="ij")  # [n_el, n_az]
    v = np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], axis=-1)
    steer = np.exp(-1j * k0 * v @ d.T)  # [n_el, n_az, K]
    return np.abs(steer @ x) ** 2 / len(d) ** 2  # [n_el, n_az]


def main():
    scene = sys.argv[1] if len(sys.argv) > 1 else "simple_street_canyon"
    folder = pathlib.Path(__file__).resolve().parent.parent / "tests/rt/data/sionna"
    ref = json.loads((folder / f"{scene}.json").read_text())
    f = ref["frequency_hz"]
    out = {"source": f"{scene}.json", "made_by": "scripts/sionna_spectra.py", "convention": "bartlett_power",
           "station": "receiver", "array": {"rows": ROWS, "cols": COLS, "spacing": "lambda/2"},
           "frequency_hz": f, "grid": GRID, "pairs": []}
    for pair in ref["pairs"]:
        spectrum = bartlett_power(pair["paths"], f)
        out["pairs"].append({"tx": pair["tx"], "rx": pair["rx"],
                             "power": [float(f"{v:.9g}") for v in spectrum.ravel()]})
    target = folder / f"{scene}_spectra.json"
    target.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"wrote {target} ({len(out['pairs'])} receivers, {GRID['n_el']}x{GRID['n_az']} grid)")


if __name__ == "__main__":
    main()
