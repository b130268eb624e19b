# radiofield — the two commands:
#   make demo   set up, build, and run the main job on a built-in default
#   make test   set up, build, and run the whole test suite
# Other targets: setup, build, cuda (compile + link the CUDA preset), bench, format, clean.

CACHE ?= $(HOME)/.cache/radiofield
export CCACHE_DIR ?= $(CACHE)/ccache
export CCACHE_MAXSIZE ?= 5G
JOBS ?= $(shell nproc)
BIN := build/cpu/bin/radiofield

.PHONY: demo test setup configure build cuda bench format clean

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

bench: build
	$(BIN) bench rt

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.cu' '*.cuh')

clean:
	rm -rf build
