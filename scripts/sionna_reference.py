#!/usr/bin/env python3
"""Generate Sionna RT reference paths for radiofield's ray-tracer tests.

Writes tests/rt/data/sionna/<scene>.json (one file per example scene) from
Sionna RT's own PathSolver, run on copies of Sionna's bundled example scenes
kept in tests/rt/data/sionna/scenes/<scene>/.  The C++ tests compare against
these files and never need Sionna.  See docs/sionna-comparison.md.

Setup (once; keep the venv OUTSIDE the repository):

    # Dr.Jit's LLVM backend (used when there is no GPU) needs a *recent*
    # libLLVM: with Debian 12's LLVM 14/15 the JIT aborts with
    # "LLVM ERROR: Cannot select: ... fmaximum".  LLVM 19 works.  Debian 12
    # ships it in bookworm main since its later point releases (package
    # libllvm19, version 1:19.1.7-3~deb12u1): no backports or other
    # repository needed, just a fresh package list.
    apt-get update && apt-get install -y libllvm19
    export DRJIT_LIBLLVM_PATH=/usr/lib/x86_64-linux-gnu/libLLVM.so.19.1

    python3 -m venv ~/.cache/radiofield/sionna-venv
    ~/.cache/radiofield/sionna-venv/bin/pip install sionna-rt==2.2.0
    # (pulls mitsuba 3.9.1 and drjit 1.5.0)

Run (from the repository root):

    ~/.cache/radiofield/sionna-venv/bin/python scripts/sionna_reference.py
    # options: --scenes box floor_wall   --samples 1000000   --copy-scenes
    #          --los-check   (prints the LoS phase/amplitude convention check)
    #          --no-verify   (skip the independent exhaustive image-method check)

The completeness scenes (simple_street_canyon_with_cars, etoile, munich; see
COMPLETENESS) are solved at 1e5 and 1e6 rays: their JSON keeps the union of
Sionna's paths (each with `found_at`, the ray counts that found it) and the
counts by depth of each run (`num_paths_by_depth_at`).  munich is too large to
copy into the repository and is read from the installed package.  The
exhaustive cross-check runs only on scenes of at most 100 triangles.

The script uses the Mitsuba variant "llvm_ad_mono_polarized" (CPU).  If
DRJIT_LIBLLVM_PATH is unset it tries libLLVM 19+ from the usual Debian paths.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "rt" / "data" / "sionna"
SCENE_DIR = DATA / "scenes"

FREQUENCY_HZ = 3.5e9
MAX_DEPTH = 3
SAMPLES_PER_SRC = 1_000_000
SEED = 42
VARIANT = "llvm_ad_mono_polarized"

# Tx/Rx pairs per scene (metres, scene coordinates).  Chosen outside the
# geometry, with specular reflections; a few deliberately exercise blocking
# or reflection points that fall off a finite surface.
PAIRS: dict[str, list[tuple[tuple[float, float, float], tuple[float, float, float]]]] = {
    # metal plate 1 m x 1 m at z = 0, centred at the origin
    "simple_reflector": [
        ((-1.0, 0.0, 1.0), (1.0, 0.0, 1.0)),      # reflection at the centre
        ((-2.0, 0.3, 1.5), (1.5, -0.2, 0.8)),     # oblique reflection
        ((0.0, -1.0, 2.0), (0.3, 0.8, 0.5)),
        ((-1.0, 0.2, -1.0), (1.0, -0.1, -1.5)),   # from below (two-sided surface)
        ((-1.0, 0.0, 1.0), (4.0, 0.0, 1.0)),      # specular point off the plate: LoS only
    ],
    # concrete floor 4 m x 4 m at z = 0; brick wall in the plane x = 0,
    # y in [-1.75, 1.75], z in [0.9, 2.9]
    "floor_wall": [
        ((-1.0, -0.5, 1.5), (-1.2, 0.8, 1.8)),    # same side of the wall
        ((-1.5, 0.0, 1.5), (1.5, 0.0, 1.5)),      # LoS blocked by the wall, floor path under it
        ((1.0, 1.0, 0.5), (1.5, -1.0, 2.5)),
        ((-0.5, -1.5, 2.0), (-1.5, 1.5, 0.7)),
    ],
    # closed metal cube [-5, 5] x [-5, 5] x [0, 5]
    "box": [
        ((-2.0, -1.0, 1.5), (2.5, 1.5, 2.0)),     # inside
        ((1.0, 3.0, 4.0), (-3.0, -2.0, 1.0)),     # inside
        ((0.0, 0.0, 2.5), (3.0, -2.5, 1.0)),      # inside
        ((-10.0, -2.0, 3.0), (-8.0, 6.0, 1.0)),   # outside, reflection on the x = -5 face
    ],
    # metal ground x in [-20, 0], y in [-10, 10] at z = 0 and a 1 m x 1 m
    # metal plate at z = 10 centred above the origin
    "double_reflector": [
        ((-0.6, 0.1, 4.0), (0.2, -0.1, 6.0)),     # ground <-> small plate bounces
        ((-0.3, 0.0, 2.0), (-0.2, 0.1, 2.5)),
        ((-4.0, -1.0, 3.0), (-0.3, 0.2, 8.0)),
        ((-10.0, 2.0, 6.0), (-2.0, -1.0, 2.0)),
    ],
    # six box buildings along a street that runs along x (y ~ -8.6 .. 9.6),
    # concrete floor at z ~ -0.03
    "simple_street_canyon": [
        ((-20.0, 0.0, 10.0), (20.0, 2.0, 1.5)),
        ((0.0, -3.0, 20.0), (40.0, 5.0, 1.5)),
        ((-45.0, 5.0, 5.0), (45.0, -5.0, 1.5)),
        ((25.0, -4.0, 3.0), (-25.0, 6.0, 1.5)),
    ],
    # --- completeness scenes (COMPLETENESS below): larger scenes whose long depth-3
    # paths are easy to miss with too few rays.  Pairs were drawn at random in the
    # streets (open sky above both ends, ground below, nothing within 3 m around,
    # Tx and Rx in line of sight 50-250 m apart) and the ones with the most depth-3
    # paths at 1e5 rays kept.
    # the street canyon with 8 low-poly cars (234 triangles)
    "simple_street_canyon_with_cars": [
        ((-18.5, 3.5, 15.0), (54.3, 7.8, 1.5)),
        ((-28.0, 0.4, 10.0), (32.1, -3.1, 1.5)),
        ((60.7, -0.8, 20.0), (-59.1, 1.5, 1.5)),
    ],
    # Paris around the Arc de Triomphe (565 objects, 13,098 triangles, 2.5 MB)
    "etoile": [
        ((-217.8, -34.7, 20.0), (-132.9, -42.4, 1.5)),
        ((-121.3, 119.5, 20.0), (-143.9, 78.0, 1.5)),
        ((-91.6, -67.9, 6.0), (-230.8, -6.0, 1.5)),
        ((-15.2, 1.4, 6.0), (-151.1, 138.1, 1.5)),
    ],
    # Munich (2,367 objects, 38,936 triangles, 11 MB: not copied into the repository)
    "munich": [
        ((-14.2, 122.6, 20.0), (25.5, 26.4, 1.5)),
        ((11.5, 33.7, 6.0), (51.8, 91.0, 1.5)),
        ((9.6, 37.4, 20.0), (89.0, 93.6, 1.5)),
    ],
}

# Scenes whose references record Sionna's paths at several ray counts (--completeness-
# samples): the JSON keeps the union of the runs (every path Sionna finds at any of the
# counts, the target for our tracer), each path with the counts that found it, and per
# pair the counts by depth of each run.
COMPLETENESS = {"simple_street_canyon_with_cars", "etoile", "munich"}
COMPLETENESS_SAMPLES = [100_000, 1_000_000]

# Scenes too large to commit: read from the installed Sionna package; their JSON names
# the scene "sionna:<name>/<name>.xml" (the C++ side takes the package's scenes folder
# on the command line: `radiofield bench rt --sionna-scenes DIR`).
PACKAGE_ONLY = {"munich"}

INTERACTION_NAMES = {0: "none", 1: "specular", 2: "diffuse", 4: "refraction",
                     8: "diffraction", 16: "sensing"}


def find_libllvm() -> None:
    """Point Dr.Jit at a recent libLLVM if the user did not."""
    if os.environ.get("DRJIT_LIBLLVM_PATH"):
        return
    cands = []
    for pat in ("/usr/lib/x86_64-linux-gnu/libLLVM.so.*",
                "/usr/lib/x86_64-linux-gnu/libLLVM-*.so",
                "/usr/lib/llvm-*/lib/libLLVM*.so*",
                "/usr/lib/aarch64-linux-gnu/libLLVM*.so*"):
        cands += glob.glob(pat)

    def major(p: str) -> int:
        import re
        m = re.search(r"LLVM[-.]?(?:so\.)?(\d+)", os.path.basename(p))
        if not m:
            m = re.search(r"llvm-(\d+)", p)
        return int(m.group(1)) if m else 0

    cands = [c for c in cands if major(c) >= 16]
    if cands:
        best = max(cands, key=major)
        os.environ["DRJIT_LIBLLVM_PATH"] = best
        print(f"[sionna_reference] DRJIT_LIBLLVM_PATH={best}")
    else:
        print("[sionna_reference] warning: no libLLVM >= 16 found; Dr.Jit's LLVM "
              "backend may abort ('Cannot select ... fmaximum'). "
              "apt-get install libllvm19 and set DRJIT_LIBLLVM_PATH.",
              file=sys.stderr)


def import_sionna():
    find_libllvm()
    try:
        import mitsuba as mi
        import drjit as dr
    except ImportError:
        sys.exit("[sionna_reference] mitsuba/drjit not installed. Create the venv "
                 "described at the top of scripts/sionna_reference.py:\n"
                 "  python3 -m venv ~/.cache/radiofield/sionna-venv\n"
                 "  ~/.cache/radiofield/sionna-venv/bin/pip install sionna-rt==2.2.0\n"
                 "and run this script with that venv's python.")
    mi.set_variant(VARIANT)
    try:
        import sionna.rt as rt
    except ImportError:
        sys.exit("[sionna_reference] sionna-rt is not installed in this Python. "
                 "pip install sionna-rt==2.2.0 into the venv described at the top of "
                 "scripts/sionna_reference.py and run with that venv's python.")
    return mi, dr, rt


def copy_scene(rt, name: str, force: bool) -> Path:
    """Copy the scene's XML and its meshes from the installed package."""
    if name in PACKAGE_ONLY:
        return Path(getattr(rt.scene, name))
    dst = SCENE_DIR / name
    xml = dst / f"{name}.xml"
    if xml.exists() and not force:
        return xml
    src_xml = Path(getattr(rt.scene, name))
    src = src_xml.parent
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.rglob("*"):
        if f.is_file() and f.suffix in (".xml", ".ply"):
            out = dst / f.relative_to(src)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, out)
    return xml


def f9(x) -> float:
    """float32 value -> JSON float with 9 significant digits (round-trips f32)."""
    return float(f"{float(x):.9g}")


def material_table(scene, dr) -> dict:
    from scipy.constants import epsilon_0 as eps0  # the constant Sionna uses
    omega = 2 * math.pi * float(scene.frequency[0])
    out = {}
    for name, obj in scene.objects.items():
        m = obj.radio_material
        eps_r = float(m.relative_permittivity[0])
        sigma = float(m.conductivity[0])
        out[name] = {
            "object_id": int(obj.object_id),
            "material": m.name,
            "itu_type": getattr(m, "itu_type", None),
            "relative_permittivity": f9(eps_r),
            "conductivity_S_per_m": f9(sigma),
            # complex relative permittivity eta = eps_r - j sigma/(eps0 omega)
            "eta_re": f9(eps_r),
            "eta_im": f9(-sigma / (eps0 * omega)),
            "thickness_m": f9(m.thickness[0]),
            "scattering_coefficient": f9(m.scattering_coefficient[0]),
            "xpd_coefficient": f9(m.xpd_coefficient[0]),
        }
    return out


def setup_scene(mi, rt, xml: Path):
    scene = rt.load_scene(str(xml), merge_shapes=False)
    scene.frequency = FREQUENCY_HZ
    scene.tx_array = rt.PlanarArray(num_rows=1, num_cols=1, pattern="iso",
                                    polarization="V")
    scene.rx_array = rt.PlanarArray(num_rows=1, num_cols=1, pattern="iso",
                                    polarization="V")
    return scene


def solve(rt, scene, samples: int, max_depth: int = MAX_DEPTH):
    solver = rt.PathSolver(deterministic=True)
    return solver(scene, max_depth=max_depth,
                  max_num_paths_per_src=1_000_000,
                  samples_per_src=samples,
                  synthetic_array=True,
                  los=True, specular_reflection=True,
                  diffuse_reflection=False, refraction=False,
                  diffraction=False, edge_diffraction=False,
                  seed=SEED)


def extract_paths(np, paths, id_to_name: dict, rx_i: int = 0, tx_i: int = 0) -> list[dict]:
    a_re, a_im = (np.array(t) for t in paths.a)
    # synthetic array, 1x1 arrays: a is [rx, rx_ant, tx, tx_ant, path]
    a_re = a_re[rx_i, 0, tx_i, 0]
    a_im = a_im[rx_i, 0, tx_i, 0]
    tau = np.array(paths.tau)[rx_i, tx_i]
    valid = np.array(paths.valid)
    valid = valid.reshape(valid.shape[0], -1, valid.shape[-1]) if valid.ndim == 5 else valid
    valid = valid[rx_i, tx_i] if valid.ndim == 3 else valid[rx_i, 0, tx_i, 0]
    th_t = np.array(paths.theta_t)[rx_i, tx_i]
    ph_t = np.array(paths.phi_t)[rx_i, tx_i]
    th_r = np.array(paths.theta_r)[rx_i, tx_i]
    ph_r = np.array(paths.phi_r)[rx_i, tx_i]
    inter = np.array(paths.interactions)[:, rx_i, tx_i]      # [depth, path]
    objs = np.array(paths.objects)[:, rx_i, tx_i]
    prims = np.array(paths.primitives)[:, rx_i, tx_i]
    verts = np.array(paths.vertices)[:, rx_i, tx_i]          # [depth, path, 3]
    out = []
    for p in range(tau.shape[-1]):
        if not bool(valid[p]):
            continue
        types = [int(t) for t in inter[:, p] if int(t) != 0]
        d = len(types)
        a = complex(float(a_re[p]), float(a_im[p]))
        out.append({
            "depth": d,
            "interactions": [INTERACTION_NAMES.get(t, str(t)) for t in types],
            "vertices": [[f9(v) for v in verts[k, p]] for k in range(d)],
            "objects": [id_to_name.get(int(o), int(o)) for o in objs[:d, p]],
            "object_ids": [int(o) for o in objs[:d, p]],
            "primitives": [int(q) for q in prims[:d, p]],
            "tau_s": f9(tau[p]),
            "a_re": f9(a.real),
            "a_im": f9(a.imag),
            "gain_db": f9(20 * math.log10(abs(a))) if abs(a) > 0 else -math.inf,
            "theta_t": f9(th_t[p]), "phi_t": f9(ph_t[p]),
            "theta_r": f9(th_r[p]), "phi_r": f9(ph_r[p]),
        })
    out.sort(key=lambda q: (q["depth"], q["tau_s"]))
    return out



def scene_triangles(np, scene):
    """All triangles of the scene as (tri[N,3,3] float64, object name per tri)."""
    tris, names = [], []
    for name, obj in scene.objects.items():
        m = obj.mi_mesh
        v = np.array(m.vertex_positions_buffer(), dtype=np.float64).reshape(-1, 3)
        f = np.array(m.faces_buffer(), dtype=np.int64).reshape(-1, 3)
        tris.append(v[f])
        names += [name] * len(f)
    return np.concatenate(tris), names


def brute_force_specular(np, tris, names, tx, rx, max_depth, eps=1e-6):
    """Exhaustive image method over all triangle sequences (independent check).

    Returns a list of (depth, length, [object names], [vertices]) for every
    valid LoS/specular path, de-duplicated by vertex positions.
    """
    tx = np.asarray(tx, float)
    rx = np.asarray(rx, float)
    p0, e1, e2 = tris[:, 0], tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0]
    n = np.cross(e1, e2)
    n /= np.linalg.norm(n, axis=1, keepdims=True)
    dpl = np.einsum("ij,ij->i", n, p0)
    nt = len(tris)

    def blocked(a, b, skip=()):
        """True if segment a-b hits a triangle (Moller-Trumbore), ignoring skip."""
        d = b - a
        L = np.linalg.norm(d)
        d = d / L
        pv = np.cross(d, e2)
        det = np.einsum("ij,ij->i", e1, pv)
        ok = np.abs(det) > 1e-12
        inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
        tv = a - p0
        u = np.einsum("ij,ij->i", tv, pv) * inv
        qv = np.cross(tv, e1)
        v = np.einsum("j,ij->i", d, qv) * inv
        t = np.einsum("ij,ij->i", e2, qv) * inv
        hit = ok & (u >= -1e-9) & (v >= -1e-9) & (u + v <= 1 + 1e-9) & (t > eps) & (t < L - eps)
        for k in skip:
            hit[k] = False
        return bool(hit.any())

    def inside(pt, k):
        w = pt - p0[k]
        d00, d01, d11 = e1[k] @ e1[k], e1[k] @ e2[k], e2[k] @ e2[k]
        d20, d21 = w @ e1[k], w @ e2[k]
        den = d00 * d11 - d01 * d01
        v = (d11 * d20 - d01 * d21) / den
        w_ = (d00 * d21 - d01 * d20) / den
        return v >= -1e-9 and w_ >= -1e-9 and v + w_ <= 1 + 1e-9

    # group coplanar triangles into planes (normal up to sign, offset)
    planes = []  # (normal, offset, [triangle indices])
    for k in range(nt):
        for pl in planes:
            s_ = pl[0] @ n[k]
            if abs(abs(s_) - 1) < 1e-9 and abs(pl[1] - dpl[k] * np.sign(s_)) < 1e-7:
                pl[2].append(k)
                break
        else:
            planes.append((n[k].copy(), float(dpl[k]), [k]))

    found = []
    if not blocked(tx, rx):
        found.append((0, float(np.linalg.norm(rx - tx)), [], []))
    import itertools
    for depth in range(1, max_depth + 1):
        for seq in itertools.product(range(len(planes)), repeat=depth):
            if any(seq[i] == seq[i + 1] for i in range(depth - 1)):
                continue  # two consecutive reflections in one plane
            imgs = [tx]
            for j in seq:
                q = imgs[-1]
                imgs.append(q - 2 * (planes[j][0] @ q - planes[j][1]) * planes[j][0])
            pts = [None] * depth
            tri_of = [None] * depth
            target = rx
            ok = True
            for i in range(depth - 1, -1, -1):
                nn, dd, members = planes[seq[i]]
                img = imgs[i + 1]
                d = img - target
                den = nn @ d
                if abs(den) < 1e-12:
                    ok = False
                    break
                t = (dd - nn @ target) / den
                if not (eps < t < 1 - eps):
                    ok = False
                    break
                pt = target + t * d
                k = next((k for k in members if inside(pt, k)), None)
                if k is None:
                    ok = False
                    break
                pts[i] = pt
                tri_of[i] = k
                target = pt
            if not ok:
                continue
            chain = [tx] + pts + [rx]
            # the points before and after each vertex lie on the same side of its plane
            for i, j in enumerate(seq):
                nn, dd, _ = planes[j]
                if (nn @ chain[i] - dd) * (nn @ chain[i + 2] - dd) <= 0:
                    ok = False
                    break
            if not ok:
                continue
            if any(blocked(chain[i], chain[i + 1],
                           skip=[k for k in (tri_of[i - 1] if i > 0 else None,
                                             tri_of[i] if i < depth else None)
                                 if k is not None])
                   for i in range(depth + 1)):
                continue
            length = sum(float(np.linalg.norm(chain[i + 1] - chain[i])) for i in range(depth + 1))
            found.append((depth, length, [names[k] for k in tri_of],
                          [list(map(float, p)) for p in pts]))
    return found


def compare_with_brute_force(np, plist, brute, tol=1e-3):
    """Match Sionna's paths with the exhaustive ones by depth and length."""
    c0 = 299792458.0
    missing, extra = [], []
    used = set()
    for b in brute:
        hit = None
        for j, p in enumerate(plist):
            if j in used or p["depth"] != b[0]:
                continue
            if abs(p["tau_s"] * c0 - b[1]) < tol * max(1.0, b[1]) and p["objects"] == b[2]:
                hit = j
                break
        if hit is None:
            missing.append(b)
        else:
            used.add(hit)
    extra = [p for j, p in enumerate(plist) if j not in used]
    return missing, extra


def field_model_check(np, result: dict) -> float:
    """Recompute every path's a from its vertices with the documented model.

    V-polarised iso antennas: the Tx field is theta_hat(k_tx) (unit amplitude).
    At each specular hit: e_s = unit(k_i x n), e_p,in = e_s x k_i,
    e_p,out = e_s x k_o, E <- R_TE (E.e_s) e_s + R_TM (E.e_p,in) e_p,out with
    R_TE/R_TM the ITU-R P.2040 single-slab coefficients (thickness d).
    a = lambda/(4 pi L) * theta_hat(k_rx_incident) . E  (no exp(-j 2 pi f tau)).
    Returns the largest relative error |a_model - a_sionna|/|a_sionna|.
    """
    lam = result["wavelength_m"]
    mats = result["materials"]

    def theta_hat(k):
        th = math.atan2(math.hypot(k[0], k[1]), k[2])
        ph = math.atan2(k[1], k[0])
        return np.array([math.cos(th) * math.cos(ph), math.cos(th) * math.sin(ph), -math.sin(th)])

    def slab(c, eta, d):
        A = np.sqrt(eta - (1 - c * c))
        rte, rtm = (c - A) / (c + A), (eta * c - A) / (eta * c + A)
        e2q = np.exp(-2j * (2 * np.pi * d / lam) * A)
        return (rte * (1 - e2q) / (1 - rte * rte * e2q),
                rtm * (1 - e2q) / (1 - rtm * rtm * e2q))

    worst = 0.0
    for pr in result["pairs"]:
        for p in pr["paths"]:
            pts = [np.array(pr["tx"], float)] + [np.array(v) for v in p["vertices"]] \
                + [np.array(pr["rx"], float)]
            L = sum(float(np.linalg.norm(pts[i + 1] - pts[i])) for i in range(len(pts) - 1))
            k = (pts[1] - pts[0]) / np.linalg.norm(pts[1] - pts[0])
            E = theta_hat(k).astype(complex)
            for i, obj in enumerate(p["objects"]):
                ko = (pts[i + 2] - pts[i + 1]) / np.linalg.norm(pts[i + 2] - pts[i + 1])
                n = (ko - k) / np.linalg.norm(ko - k)
                m = mats[obj]
                rte, rtm = slab(abs(float(k @ n)), m["eta_re"] + 1j * m["eta_im"],
                                m["thickness_m"])
                es = np.cross(k, n)
                es /= np.linalg.norm(es)
                E = rte * (E @ es) * es + rtm * (E @ np.cross(es, k)) * np.cross(es, ko)
                k = ko
            a = lam / (4 * np.pi * L) * (theta_hat(k) @ E)
            ref = complex(p["a_re"], p["a_im"])
            worst = max(worst, abs(a - ref) / abs(ref))
    return worst


def same_path(np, p: dict, q: dict, tol: float = 1e-3) -> bool:
    """Whether two extracted paths are one: same depth, objects and vertices (tol m)."""
    if p["depth"] != q["depth"] or p["objects"] != q["objects"]:
        return False
    return all(float(np.linalg.norm(np.subtract(a, b))) < tol
               for a, b in zip(p["vertices"], q["vertices"]))


def dump_json(result: dict) -> str:
    """Indented JSON, but one line per path (readable diffs, small files)."""
    pairs = result["pairs"]
    head = json.dumps({k: v for k, v in result.items() if k != "pairs"}, indent=1)
    lines = [head[:-2] + ',\n "pairs": [']
    for i, pr in enumerate(pairs):
        at = ""
        if "num_paths_by_depth_at" in pr:
            at = ', "num_paths_by_depth_at": ' + json.dumps(pr["num_paths_by_depth_at"])
        lines.append('  {"tx": %s, "rx": %s, "num_paths_by_depth": %s%s, "paths": [' % (
            json.dumps(pr["tx"]), json.dumps(pr["rx"]), json.dumps(pr["num_paths_by_depth"]), at))
        for j, p in enumerate(pr["paths"]):
            lines.append("   " + json.dumps(p, separators=(", ", ": "))
                         + ("," if j + 1 < len(pr["paths"]) else ""))
        lines.append("  ]}" + ("," if i + 1 < len(pairs) else ""))
    lines.append(" ]\n}\n")
    text = "\n".join(lines)
    json.loads(text)  # sanity
    return text


def los_check(mi, rt, np) -> None:
    """Free-space LoS: compare a with lambda/(4 pi d) and print its phase."""
    scene = rt.load_scene()
    scene.frequency = FREQUENCY_HZ
    scene.tx_array = rt.PlanarArray(num_rows=1, num_cols=1, pattern="iso", polarization="V")
    scene.rx_array = rt.PlanarArray(num_rows=1, num_cols=1, pattern="iso", polarization="V")
    scene.add(rt.Transmitter("tx", position=mi.Point3f(0, 0, 0)))
    pts = [(10.3, 0, 0), (3, 4, 5), (-7, 2, 1), (0.4, -0.3, 0.2)]
    for i, q in enumerate(pts):
        scene.add(rt.Receiver(f"rx{i}", position=mi.Point3f(*q)))
    paths = solve(rt, scene, 10_000, max_depth=0)
    lam = float(scene.wavelength[0]) if hasattr(scene.wavelength, "__len__") else float(scene.wavelength)
    a_re, a_im = (np.array(t) for t in paths.a)
    print(f"LoS check, f={FREQUENCY_HZ:.4g} Hz, lambda={lam:.9g} m")
    print(f"{'rx':>22} {'d':>8} {'|a|':>12} {'lam/4pi d':>12} {'arg a':>8} "
          f"{'2pi d/lam mod 2pi':>18} {'theta_t':>8} {'phi_t':>8} {'theta_r':>8} {'phi_r':>8}")
    for i, q in enumerate(pts):
        d = float(np.linalg.norm(q))
        a = complex(a_re[i, 0, 0, 0, 0], a_im[i, 0, 0, 0, 0])
        print(f"{str(q):>22} {d:8.4f} {abs(a):12.6e} {lam / (4 * math.pi * d):12.6e} "
              f"{math.atan2(a.imag, a.real):8.4f} {(2 * math.pi * d / lam) % (2 * math.pi):18.4f} "
              f"{float(np.array(paths.theta_t)[i, 0, 0]):8.4f} {float(np.array(paths.phi_t)[i, 0, 0]):8.4f} "
              f"{float(np.array(paths.theta_r)[i, 0, 0]):8.4f} {float(np.array(paths.phi_r)[i, 0, 0]):8.4f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenes", nargs="*", default=list(PAIRS))
    ap.add_argument("--samples", type=int, default=SAMPLES_PER_SRC)
    ap.add_argument("--copy-scenes", action="store_true",
                    help="re-copy the scene XML/PLY files from the installed package")
    ap.add_argument("--los-check", action="store_true")
    ap.add_argument("--no-verify", dest="verify", action="store_false",
                    help="skip the exhaustive image-method cross-check (numpy)")
    args = ap.parse_args()

    mi, dr, rt = import_sionna()
    import numpy as np
    version = rt.__version__
    print(f"sionna-rt {version}, mitsuba {mi.__version__}, drjit {dr.__version__}, "
          f"variant {VARIANT}, LLVM {os.environ.get('DRJIT_LIBLLVM_PATH', '(drjit default)')}")

    if args.los_check:
        los_check(mi, rt, np)

    for name in args.scenes:
        if name not in PAIRS:
            sys.exit(f"unknown scene {name}; known: {', '.join(PAIRS)}")
        xml = copy_scene(rt, name, args.copy_scenes)
        scene = setup_scene(mi, rt, xml)
        id_to_name = {int(o.object_id): n for n, o in scene.objects.items()}
        tris, tri_names = scene_triangles(np, scene)
        completeness = name in COMPLETENESS
        sample_counts = COMPLETENESS_SAMPLES if completeness else [args.samples]
        # The exhaustive check is cubic in the number of planes: small scenes only.
        verify = args.verify and len(tris) <= 100
        scene_name = (f"sionna:{name}/{name}.xml" if name in PACKAGE_ONLY
                      else xml.relative_to(DATA).as_posix())
        result = {
            "sionna_rt_version": version,
            "mitsuba_version": mi.__version__,
            "drjit_version": dr.__version__,
            "variant": VARIANT,
            "frequency_hz": FREQUENCY_HZ,
            "wavelength_m": f9(scene.wavelength[0]) if hasattr(scene.wavelength, "__len__") else f9(scene.wavelength),
            "max_depth": MAX_DEPTH,
            "scene": scene_name,
            "solver": {
                "samples_per_src": sample_counts[-1] if completeness else args.samples,
                "seed": SEED, "deterministic": True,
                "los": True, "specular_reflection": True, "diffuse_reflection": False,
                "refraction": False, "diffraction": False, "synthetic_array": True,
                "merge_shapes": False,
                "antenna": {"pattern": "iso", "polarization": "V",
                            "num_rows": 1, "num_cols": 1, "orientation_rad": [0, 0, 0]},
            },
            "materials": material_table(scene, dr),
            "pairs": [],
        }
        if completeness:
            result["solver"]["samples_per_src_runs"] = sample_counts
            result["paths_are"] = ("union of Sionna's paths over samples_per_src_runs; "
                                   "each path lists the runs that found it in found_at")
        print(f"\n== {name} ({scene_name})")
        print(f"{'pair':>4} {'tx':>22} {'rx':>22} {'rays':>8} "
              + " ".join(f"d{k:<2}" for k in range(MAX_DEPTH + 1)) + "  total  time_s")
        for i, (tx, rx) in enumerate(PAIRS[name]):
            for dev in list(scene.transmitters) + list(scene.receivers):
                scene.remove(dev)
            scene.add(rt.Transmitter("tx", position=mi.Point3f(*tx)))
            scene.add(rt.Receiver("rx", position=mi.Point3f(*rx)))
            plist: list[dict] = []
            counts_at = {}
            for samples in sample_counts:
                t0 = time.perf_counter()
                paths = solve(rt, scene, samples)
                run = extract_paths(np, paths, id_to_name)
                dt = time.perf_counter() - t0
                counts_at[str(samples)] = [sum(1 for p in run if p["depth"] == k)
                                           for k in range(MAX_DEPTH + 1)]
                for p in run:
                    same = next((q for q in plist if same_path(np, p, q)), None)
                    if same is None:
                        if completeness:
                            p["found_at"] = []
                        plist.append(p)
                        same = p
                    if completeness:
                        same["found_at"].append(samples)
                print(f"{i:>4} {str(tx):>22} {str(rx):>22} {samples:>8} "
                      + " ".join(f"{c:>3}" for c in counts_at[str(samples)])
                      + f"  {len(run):>5}  {dt:6.2f}")
            plist.sort(key=lambda q: (q["depth"], q["tau_s"]))
            note = ""
            if verify:
                brute = brute_force_specular(np, tris, tri_names, tx, rx, MAX_DEPTH)
                missing, extra = compare_with_brute_force(np, plist, brute)
                note = f"  exhaustive image method: {len(brute)} paths"
                if missing or extra:
                    note += f", MISSING in Sionna {len(missing)}, EXTRA in Sionna {len(extra)}"
                    for b in missing:
                        print(f"      missing: depth {b[0]} len {b[1]:.4f} {b[2]} {b[3]}")
                    for p in extra:
                        print(f"      extra:   depth {p['depth']} len {p['tau_s'] * 299792458.0:.4f} "
                              f"{p['objects']} {p['vertices']}")
                else:
                    note += ", all matched"
            counts = [sum(1 for p in plist if p["depth"] == k) for k in range(MAX_DEPTH + 1)]
            if completeness:
                print(f"{i:>4} {'':>22} {'':>22} {'union':>8} "
                      + " ".join(f"{c:>3}" for c in counts) + f"  {len(plist):>5}{note}")
            elif note:
                print(note)
            entry = {"tx": list(tx), "rx": list(rx), "num_paths_by_depth": counts}
            if completeness:
                entry["num_paths_by_depth_at"] = counts_at
            entry["paths"] = plist
            result["pairs"].append(entry)
        if verify:
            print(f"field model check (slab Fresnel + Jones, see docs): max |a_model - a|/|a| = "
                  f"{field_model_check(np, result):.2e}")
        out = DATA / f"{name}.json"
        out.write_text(dump_json(result))
        print(f"wrote {out.relative_to(REPO).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
