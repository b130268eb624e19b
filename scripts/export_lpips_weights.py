#!/usr/bin/env python3
"""Write the LPIPS-alex (v0.1) weights file that radiofield's C++ LPIPS loads.

LPIPS = AlexNet trunk (torchvision's ImageNet weights) + five linear heads (the lpips
package's weights/v0.1/alex.pth). Neither can be downloaded on radiofield's build machines,
so radiofield never ships or fetches them: run this where you have them, and pass the
file it writes to radiofield (docs/metrics.md). Without it radiofield reports LPIPS as
unavailable, never a number.

Sources (any one way):
  --lin alex.pth --alexnet alexnet-owt-7be5be79.pth
        alex.pth ships inside the `lpips` pip package (lpips/weights/v0.1/alex.pth; the
        default when lpips is installed); alexnet-owt-7be5be79.pth is torchvision's
        AlexNet_Weights.IMAGENET1K_V1, which torchvision caches under
        ~/.cache/torch/hub/checkpoints/ once it has downloaded it.
  --from-lpips
        build lpips.LPIPS(net="alex") (downloads the AlexNet weights through torchvision
        on a machine with internet access) and export its state_dict.
  --formula
        the deterministic test weights of scripts/metrics_reference.py (meaningless as a
        metric; for checking the C++ loader against a file written by Python).

Format: a TorchScript archive (torch.jit.script of a module tree, then .save), each tensor
a buffer under its lpips state_dict name, dots = submodules: "net.slice1.0.weight" is
module net / slice1 / 0, buffer weight. That is what LibTorch's
torch::serialize::InputArchive reads (and torch::save writes) — see
include/radiofield/train/lpips.hpp for the list of tensors and shapes.

Example:
    pip install lpips torch torchvision
    python scripts/export_lpips_weights.py --alexnet ~/.cache/torch/hub/checkpoints/alexnet-owt-7be5be79.pth \
        -o lpips_alex_v0.1.pt
    radiofield eval ... --lpips-weights lpips_alex_v0.1.pt
This cannot run on radiofield's build machines (no weights there); it was tested with the
--formula weights and with lpips 0.1.4 / torch 2.11 / torchvision 0.26.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

# torchvision alexnet.features index -> lpips slice (lpips/pretrained_networks.py).
TRUNK = {0: "net.slice1.0", 3: "net.slice2.3", 6: "net.slice3.6", 8: "net.slice4.8",
         10: "net.slice5.10"}
SHAPES = {"net.slice1.0": (64, 3, 11, 11), "net.slice2.3": (192, 64, 5, 5),
          "net.slice3.6": (384, 192, 3, 3), "net.slice4.8": (256, 384, 3, 3),
          "net.slice5.10": (256, 256, 3, 3)}
HEADS = {f"lin{i}.model.1.weight": (1, s[0], 1, 1) for i, s in enumerate(SHAPES.values())}


def required() -> dict[str, tuple[int, ...]]:
    names = {}
    for prefix, shape in SHAPES.items():
        names[prefix + ".weight"] = shape
        names[prefix + ".bias"] = (shape[0],)
    names.update(HEADS)
    return names


def from_files(lin_path: Path | None, alexnet_path: Path) -> dict[str, torch.Tensor]:
    if lin_path is None:
        import lpips  # the package ships the heads
        lin_path = Path(lpips.__file__).parent / "weights/v0.1/alex.pth"
    heads = torch.load(lin_path, map_location="cpu")
    trunk = torch.load(alexnet_path, map_location="cpu")
    out = {k: v for k, v in heads.items() if k in HEADS}
    for index, prefix in TRUNK.items():
        for kind in ("weight", "bias"):
            out[f"{prefix}.{kind}"] = trunk[f"features.{index}.{kind}"]
    return out


def from_lpips() -> dict[str, torch.Tensor]:
    import lpips
    return dict(lpips.LPIPS(net="alex", version="0.1", verbose=False).state_dict())


def check(weights: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    out = {}
    for name, shape in required().items():
        if name not in weights:
            sys.exit(f"tensor '{name}' is missing from the sources")
        t = weights[name].detach().to(torch.float32).contiguous()
        if tuple(t.shape) != shape:
            sys.exit(f"tensor '{name}' has shape {tuple(t.shape)}, LPIPS-alex needs {shape}")
        if name.startswith("lin") and float(t.min()) < 0:
            sys.exit(f"linear head '{name}' has negative weights: not lpips' alex.pth")
        out[name] = t
    return out


class Node(torch.nn.Module):
    """A module holding buffers and child nodes; scripted only to be saved."""


def save(weights: dict[str, torch.Tensor], path: Path) -> None:
    root = Node()
    for name, tensor in weights.items():
        *parents, leaf = name.split(".")
        node = root
        for part in parents:
            if not hasattr(node, part):
                node.add_module(part, Node())
            node = getattr(node, part)
        node.register_buffer(leaf, tensor)
    torch.jit.script(root).save(str(path))
    loaded = torch.jit.load(str(path))  # read back and compare
    for name, tensor in weights.items():
        got = loaded
        for part in name.split("."):
            got = getattr(got, part)
        assert torch.equal(got, tensor), name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--alexnet", type=Path, help="torchvision alexnet-owt-7be5be79.pth")
    source.add_argument("--from-lpips", action="store_true", help="use lpips.LPIPS(net='alex')")
    source.add_argument("--formula", action="store_true", help="test weights (not a metric)")
    parser.add_argument("--lin", type=Path, help="lpips weights/v0.1/alex.pth (heads)")
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args()

    if args.formula:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from metrics_reference import formula_lpips_weights
        weights = formula_lpips_weights()
    elif args.from_lpips:
        weights = from_lpips()
    else:
        weights = from_files(args.lin, args.alexnet)
    save(check(weights), args.out)
    print(f"wrote {args.out}: {len(required())} tensors, LPIPS alex v0.1")


if __name__ == "__main__":
    main()
