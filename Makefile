# radiofield — the two commands:
#   make demo   set up, build, and run the main job on a built-in default
#   make test   set up, build, and run the whole test suite
# Other targets: setup, build, cuda (the whole CUDA preset), cuda-check (its CUDA targets
# only), gpu-debs (packages for a GPU machine, see scripts/gpu/build.sh), bench, format,
# format-check (CI: fails on code that differs from .clang-format), fuzz (every parser's
# libFuzzer target for FUZZ_SECONDS each, default 20; docs/fuzzing.md), clean.

CACHE ?= $(HOME)/.cache/radiofield
export CCACHE_DIR ?= $(CACHE)/ccache
export CCACHE_MAXSIZE ?= 5G
# Paths relative to the checkout, so fresh clones elsewhere reuse the cached objects.
export CCACHE_BASEDIR ?= $(CURDIR)
JOBS ?= $(shell nproc)
BIN := build/cpu/bin/radiofield

.PHONY: datasets datasets-full demo test setup configure build cuda cuda-check gpu-debs bench fuzz format format-check clean

demo: build
	scripts/demo.sh $(BIN)

test: build
	ctest --preset cpu -j $(JOBS)

setup:
	scripts/setup.sh

configure: setup
	@test -f build/cpu/build.ninja || cmake --preset cpu

build: configure
	cmake --build --preset cpu -j $(JOBS)

cuda: setup
	@test -f build/cuda/build.ninja || cmake --preset cuda
	cmake --build --preset cuda -j $(JOBS)

# Only the targets that hold CUDA code (and link it), so CI stays quick.
cuda-check: setup
	@test -f build/cuda/build.ninja || cmake --preset cuda
	cmake --build --preset cuda -j $(JOBS) --target radiofield_nn radiofield_splat radiofield_models test_nn test_splat

# .deb files for a GPU machine without a package registry (see scripts/gpu/build.sh).
gpu-debs:
	scripts/gpu/fetch-debs.sh

# Ray-traced datasets for the models (scripts/datasets.sh): quick = CPU minutes, full = paper size.
datasets: build
	RADIOFIELD=$(BIN) scripts/datasets.sh quick data

datasets-full: build
	RADIOFIELD=$(BIN) scripts/datasets.sh full data

bench: build
	$(BIN) bench rt

# The parsers under libFuzzer + ASan + UBSan (clang; build/fuzz, no LibTorch), FUZZ_SECONDS
# (default 20) per target from the seed corpus in fuzz/corpus/.
fuzz: setup
	JOBS=$(JOBS) scripts/fuzz.sh

SOURCES = $$(git ls-files '*.cpp' '*.hpp' '*.cu' '*.cuh')

format:
	clang-format -i $(SOURCES)

format-check: setup
	@clang-format --dry-run -Werror $(SOURCES) || { echo "format-check: run 'make format' (clang-format $$(clang-format --version | grep -o '[0-9][0-9.]*' | head -1), .clang-format)"; exit 1; }
	@echo "format-check: every C++ file follows .clang-format"

clean:
	rm -rf build
