#!/usr/bin/env python3
"""Reference values for the spectrum metrics -> tests/train/fixtures/metrics_reference.json.

Makes a few deterministic image pairs (smooth random fields like normalised spectra, plus
noise, shifts, an identical pair, a constant pair), quantised to 8 bits as NeRF2's PNG
spectra are, and computes in float64:
  mse, psnr        -- skimage.metrics.mean_squared_error / peak_signal_noise_ratio(data_range=1)
  ssim             -- GRaF's convention (pytorch-ssim form), written below from its definition
                      with torch.nn.functional.conv2d and checked against scikit-image's
                      Gaussian SSIM on the interior, where zero padding plays no part
  ssim_skimage     -- skimage.metrics.structural_similarity(im1, im2, data_range=1)
  lpips_formula    -- only when the `lpips` package imports: lpips.LPIPS(net="alex") with
                      deterministic "formula" weights (below; the C++ test builds the same
                      ones), so the C++ network is checked against lpips itself without the
                      real weights, which cannot be downloaded here
The C++ tests (tests/train/test_metrics.cpp) decode the images and compare to 1e-4.

JSON: images are uint8 row-major [H, W], base64 of the raw bytes, value = byte / 255.
PSNR of an identical pair is +inf, stored as the string "inf" (JSON has no infinity).

Environment (the project's LibTorch venv has torch 2.11.0; add the rest to it):
    ~/.cache/radiofield/venv/bin/pip install scikit-image numpy
    # optional, for lpips_formula (no-deps keeps the venv's torch; torchvision 0.26 = torch 2.11):
    ~/.cache/radiofield/venv/bin/pip install --no-deps --target /tmp/lpips-check \
        lpips==0.1.4 torchvision==0.26.0 tqdm
    PYTHONPATH=/tmp/lpips-check ~/.cache/radiofield/venv/bin/python scripts/metrics_reference.py
"""
from __future__ import annotations

import argparse
import base64
import json
import math
from pathlib import Path

import numpy as np
import skimage
import torch
import torch.nn.functional as F
from skimage.metrics import mean_squared_error, peak_signal_noise_ratio, structural_similarity

OUT = Path(__file__).resolve().parent.parent / "tests/train/fixtures/metrics_reference.json"


def smooth_field(rng: np.random.Generator, h: int, w: int, sigma: float) -> np.ndarray:
    """White noise low-passed by a Gaussian (FFT, periodic), min-max to [0, 1], then
    squared so it has peaks on a dark floor like a normalised spatial spectrum."""
    noise = rng.standard_normal((h, w))
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.fftfreq(w)[None, :]
    gain = np.exp(-2.0 * (math.pi * sigma) ** 2 * (fx**2 + fy**2))
    f = np.real(np.fft.ifft2(np.fft.fft2(noise) * gain))
    f = (f - f.min()) / (f.max() - f.min())
    return f**2


def quantise(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x * 255.0), 0, 255).astype(np.uint8)


def make_pairs(seed: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    pairs = []
    a = smooth_field(rng, 90, 360, 6.0)
    pairs.append(("spectrum_light_noise", a + 0.02 * rng.standard_normal(a.shape), a))
    b = smooth_field(rng, 90, 360, 4.0)
    pairs.append(("spectrum_heavy_noise", b + 0.15 * rng.standard_normal(b.shape), b))
    c = smooth_field(rng, 90, 360, 8.0)
    shifted = 0.8 * np.roll(c, (2, 5), axis=(0, 1)) + 0.1 * smooth_field(rng, 90, 360, 10.0)
    pairs.append(("spectrum_shift_gain", shifted, c))
    d = smooth_field(rng, 32, 48, 3.0)
    pairs.append(("small_identical", d, d))
    pairs.append(("small_constant", np.full((32, 48), 0.2), np.full((32, 48), 0.6)))
    e = smooth_field(rng, 32, 48, 2.0)
    pairs.append(("small_noise", e + 0.05 * rng.standard_normal(e.shape), e))
    pairs.append(("odd_size_unrelated", smooth_field(rng, 37, 53, 3.0),
                  smooth_field(rng, 37, 53, 3.0)))
    pairs.append(("dark_target", smooth_field(rng, 32, 48, 4.0), np.zeros((32, 48))))
    return [(n, quantise(p), quantise(t)) for n, p, t in pairs]


def ssim_graf_map(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """pytorch-ssim: 11x11 Gaussian (sigma 1.5) window, conv2d zero padding 5,
    C1 = 0.01^2, C2 = 0.03^2, biased variances. Returns the SSIM map [H, W]."""
    size, sigma = 11, 1.5
    g = torch.tensor([math.exp(-((i - size // 2) ** 2) / (2 * sigma**2)) for i in range(size)],
                     dtype=torch.float64)
    g = g / g.sum()
    window = torch.outer(g, g)[None, None]
    t1 = torch.from_numpy(x)[None, None]
    t2 = torch.from_numpy(y)[None, None]
    conv = lambda t: F.conv2d(t, window, padding=size // 2)  # noqa: E731
    mu1, mu2 = conv(t1), conv(t2)
    s11 = conv(t1 * t1) - mu1**2
    s22 = conv(t2 * t2) - mu2**2
    s12 = conv(t1 * t2) - mu1 * mu2
    c1, c2 = 0.01**2, 0.03**2
    m = ((2 * mu1 * mu2 + c1) * (2 * s12 + c2)) / ((mu1**2 + mu2**2 + c1) * (s11 + s22 + c2))
    return m[0, 0].numpy()


def check_graf_against_skimage(x: np.ndarray, y: np.ndarray) -> None:
    """Away from the border (>= 5 px) zero padding plays no part, so the map must equal
    scikit-image's Gaussian SSIM (11 taps, sigma 1.5, population covariance)."""
    _, s = structural_similarity(x, y, data_range=1.0, gaussian_weights=True, sigma=1.5,
                                 use_sample_covariance=False, full=True)
    ours = ssim_graf_map(x, y)
    gap = np.abs(ours[5:-5, 5:-5] - s[5:-5, 5:-5]).max()
    assert gap < 1e-10, f"GRaF SSIM map differs from skimage's Gaussian SSIM inside: {gap}"


# LPIPS-alex tensors in the order the C++ lpips_alex_tensor_specs() lists them.
LPIPS_CONVS = [("net.slice1.0", 64, 3, 11), ("net.slice2.3", 192, 64, 5),
               ("net.slice3.6", 384, 192, 3), ("net.slice4.8", 256, 384, 3),
               ("net.slice5.10", 256, 256, 3)]


def formula_lpips_weights() -> dict[str, torch.Tensor]:
    """Deterministic weights both languages can make: tensor j (in spec order), flat
    index k, r = sin(12.9898 k + 78.233 j) in float64; conv weights r sqrt(2 / fan_in),
    biases 0.01 r, linear heads 0.1 |r|; then float32."""
    specs = []
    for prefix, out, cin, k in LPIPS_CONVS:
        specs += [(prefix + ".weight", (out, cin, k, k)), (prefix + ".bias", (out,))]
    specs += [(f"lin{i}.model.1.weight", (1, c[1], 1, 1)) for i, c in enumerate(LPIPS_CONVS)]
    weights = {}
    for j, (name, shape) in enumerate(specs):
        r = np.sin(np.arange(int(np.prod(shape)), dtype=np.float64) * 12.9898 + j * 78.233)
        if name.startswith("lin"):
            r = 0.1 * np.abs(r)
        elif len(shape) == 4:
            r = r * math.sqrt(2.0 / (shape[1] * shape[2] * shape[3]))
        else:
            r = 0.01 * r
        weights[name] = torch.from_numpy(r.reshape(shape)).to(torch.float32)
    return weights


def lpips_formula_net():
    """lpips.LPIPS(alex, v0.1) with formula weights, or None without the lpips package."""
    try:
        import lpips
    except ImportError:
        return None
    net = lpips.LPIPS(net="alex", version="0.1", pretrained=False, pnet_rand=True,
                      verbose=False)
    missing, _ = net.load_state_dict(formula_lpips_weights(), strict=False)
    # lins.K aliases linK (one module, two names); the scaling constants are buffers.
    assert all(m.startswith(("scaling_layer", "lins.")) for m in missing), missing
    return net.eval()


def lpips_value(net, pred8: np.ndarray, target8: np.ndarray) -> float:
    to3 = lambda a: torch.from_numpy(a.astype(np.float32) / 255.0)[None, None].repeat(1, 3, 1, 1)  # noqa: E731
    with torch.no_grad():
        return float(net(to3(pred8), to3(target8), normalize=True).item())


def reference(pred8: np.ndarray, target8: np.ndarray) -> dict:
    x = pred8.astype(np.float64) / 255.0
    y = target8.astype(np.float64) / 255.0
    check_graf_against_skimage(x, y)
    mse = float(mean_squared_error(x, y))
    psnr = "inf" if mse == 0.0 else float(peak_signal_noise_ratio(y, x, data_range=1.0))
    if mse > 0.0:
        assert abs(psnr + 10.0 * math.log10(mse)) < 1e-9
    return {
        "mse": mse,
        "psnr": psnr,
        "ssim": float(ssim_graf_map(x, y).mean()),
        "ssim_skimage": float(structural_similarity(x, y, data_range=1.0)),
    }


def lpips_version() -> str | None:
    try:
        from importlib.metadata import version
        return version("lpips")
    except Exception:  # noqa: BLE001 - not installed
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    net = lpips_formula_net()
    if net is None:
        print("lpips not importable: no lpips_formula values (see the header)")
    entries = []
    for name, pred, target in make_pairs(args.seed):
        entry = {"name": name, "height": pred.shape[0], "width": pred.shape[1]}
        entry.update(reference(pred, target))
        if net is not None:
            entry["lpips_formula"] = lpips_value(net, pred, target)
        entry["pred"] = base64.b64encode(pred.tobytes()).decode("ascii")
        entry["target"] = base64.b64encode(target.tobytes()).decode("ascii")
        entries.append(entry)
        print(f"{name:22s} {pred.shape[0]:3d}x{pred.shape[1]:<3d} mse {entry['mse']:.6f} "
              f"psnr {entry['psnr']} ssim {entry['ssim']:.6f} "
              f"ssim_skimage {entry['ssim_skimage']:.6f} lpips_formula {entry.get('lpips_formula')}")
    doc = {
        "generator": "scripts/metrics_reference.py",
        "seed": args.seed,
        "versions": {"scikit-image": skimage.__version__, "numpy": np.__version__,
                     "torch": torch.__version__, "lpips": lpips_version()},
        "encoding": "uint8 row-major [height, width], base64 of raw bytes; value = byte / 255",
        "psnr_inf": "psnr of an identical pair is the string \"inf\"",
        "pairs": entries,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
