#!/usr/bin/env python3
"""Which path-loss law a dataset of path_gain_db spectra follows, cell by cell.

RF-3DGS+ (docs/models.md) renders each cell of the station's spectrum as one single-bounce
path through the surface point the cell sees: a gain times the free-space factor
(lambda / 4 pi (l_prev + l_vd))^2, l_vd from the station to the surface point, l_prev from
there to the moving end. A diffusely scattering surface element instead spreads twice, as the
bistatic radar equation says: 1 / (l_prev^2 l_vd^2). This script measures which of the two
the data follow. It casts each grid cell's ray from the station against the scene stored with
the dataset (Moller-Trumbore, nearest hit: l_vd and the surface point), then, over the
training receivers, fits each cell's value in the dataset's mapped dB units as a constant per
cell plus the law's distance term (its slope fixed by the physics, nothing else fitted), and
prints the residual mean square of each law and of no law at all, with the PSNR it would
give. A model that knows each cell's surface point and gain but nothing of direction cannot
do better than its law's line.

    python3 scripts/path_loss_law.py DATA.h5            # needs numpy and h5py

DATA.h5: `radiofield simulate ... --spectrum path_gain_db` (docs/conventions.md).
"""
from __future__ import annotations

import argparse
import json

import h5py
import numpy as np


def station_directions(f: h5py.File) -> np.ndarray:
    """Unit direction of every grid cell in the global frame, [n_el * n_az, 3]."""
    x, y, z, w = f.attrs["station_orientation"]
    rot = np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                    [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                    [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
    step = f.attrs["grid_step_deg"]
    el = np.deg2rad(f.attrs["grid_el0_deg"] + np.arange(int(f.attrs["grid_n_el"])) * step)
    az = np.deg2rad(f.attrs["grid_az0_deg"] + np.arange(int(f.attrs["grid_n_az"])) * step)
    e, a = np.meshgrid(el, az, indexing="ij")
    local = np.stack([np.cos(e) * np.cos(a), np.cos(e) * np.sin(a), np.sin(e)], -1)
    return local.reshape(-1, 3) @ rot.T


def nearest_hit(origin: np.ndarray, dirs: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Distance along each ray to the nearest triangle (inf where none), Moller-Trumbore."""
    v0, e1, e2 = tris[:, 0], tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0]
    tvec = origin - v0
    qvec = np.cross(tvec, e1)
    best = np.full(len(dirs), np.inf)
    for s in range(0, len(dirs), 512):
        d = dirs[s:s + 512, None, :]
        p = np.cross(d, e2[None])
        det = (e1[None] * p).sum(-1)
        ok = np.abs(det) > 1e-12
        inv = np.where(ok, 1 / np.where(ok, det, 1), 0)
        u = (tvec[None] * p).sum(-1) * inv
        v = (d * qvec[None]).sum(-1) * inv
        t = (e2[None] * qvec[None]).sum(-1) * inv
        hit = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (t > 1e-6)
        best[s:s + 512] = np.where(hit, t, np.inf).min(1)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", help="a path_gain_db dataset (.h5) with its scene")
    args = ap.parse_args()
    with h5py.File(args.data, "r") as f:
        if f.attrs.get("spectrum_convention") != "path_gain_db":
            raise SystemExit(f"{args.data}: not a path_gain_db dataset")
        extra = json.loads(f.attrs["attrs"])
        lo, hi = extra["db_range"]
        scene = json.loads(f.attrs["scene"])
        station = np.array(f.attrs["station_position"], float)
        dirs = station_directions(f)
        spectra = f["spectra"][:].reshape(len(f["positions"]), -1)
        positions = f["positions"][:]
        train = f["split/train"][:]
    tris = np.array([np.array(o["vertices"], float)[t]
                     for o in scene["objects"] for t in o["triangles"]])
    l_vd = nearest_hit(station, dirs, tris)
    cells = np.where(np.isfinite(l_vd))[0]
    surface = station + dirs[cells] * l_vd[cells, None]
    l_prev = np.linalg.norm(surface[None] - positions[train][:, None], axis=-1)  # [N, C]
    values = spectra[train][:, cells]
    inside = (values > 0.02) & (values < 0.98)  # neither clamped nor empty
    laws = {
        "none (a gain per cell)": np.zeros_like(values),
        "paper: (l_prev + l_vd)^-2": -20 * np.log10(l_prev + l_vd[cells]),
        "bistatic: (l_prev l_vd)^-2": -20 * np.log10(l_prev) - 20 * np.log10(l_vd[cells]),
    }
    print(f"{args.data}: {len(train)} training receivers, {len(cells)} of {len(dirs)} cells "
          f"see a surface; median l_vd {np.median(l_vd[cells]):.2f} m, "
          f"median l_prev {np.median(l_prev):.2f} m; {100 * inside.mean():.1f} % of values "
          f"inside the {lo:g} .. {hi:g} dB range")
    for name, loss_db in laws.items():
        r = np.where(inside, values - loss_db / (hi - lo), np.nan)
        r = r - np.nanmean(r, 0, keepdims=True)
        mse = float(np.nanmean(r ** 2))
        print(f"  {name:28s} residual mean square {mse:.5f}  (PSNR {10 * np.log10(1 / mse):.2f} dB)")


if __name__ == "__main__":
    main()
