# The two commands of the README: `make run` (the quickstart on the built-in data) and `make test`.
SWIFT ?= swift
# One build for every target, so `make run` after `make test` (or the reverse) does not rebuild.
# Release with testing enabled: the numeric tests are slow in debug.
FLAGS = -c release -Xswiftc -enable-testing
EQX = .build/release/eqx

.PHONY: run test build bench bench-compare deps libs fuzz fuzz-build fuzz-ci

# The Debian packages eqx links against, and the datasets the examples can get from Debian. Each is
# installed only when missing, so with everything present no target needs root (sudo is used otherwise).
LIBS = libopenblas-dev zlib1g-dev libreadline-dev pkg-config
DATASETS = dataset-fashion-mnist
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)
define install_missing
	@if command -v dpkg >/dev/null 2>&1; then \
	  missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then echo "installing$$missing"; \
	    $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; fi; \
	else echo "not a Debian system: install $(1) yourself"; fi
endef

# Everything the build and the examples can use (make test needs only the libraries: an example whose
# dataset is missing is reported as skipped).
deps:
	$(call install_missing,$(LIBS) $(DATASETS))

libs:
	$(call install_missing,$(LIBS))

# `swift test` plans its build with testable imports and so differs from `swift build`: build everything
# (eqx and the tests) once with `swift build --build-tests`, then run the tests from that build.
build: libs
	$(SWIFT) build $(FLAGS) --build-tests

run: build
	$(EQX) run examples/quickstart.eqx

test: build
	$(SWIFT) test $(FLAGS) --skip-build
	bash Tests/run_examples.sh $(EQX)
	python3 Tests/interop/torch_interop.py $(EQX)
	python3 docs/tools/numbers.py $(EQX)
	python3 docs/tools/orbit_merge.py $(EQX)

bench: build
	$(EQX) bench --json

# eqx against bench/pytorch_reference.py, alternating for BENCH_ROUNDS rounds on BENCH_THREADS threads;
# the table also goes into docs/performance.md's generated section.
BENCH_ROUNDS ?= 5
BENCH_THREADS ?= 2
BENCH_STEPS ?= --warmup 2 --iterations 5
bench-compare: build
	python3 bench/compare.py --eqx "$(EQX) bench --json $(BENCH_STEPS)" --torch "python3 bench/pytorch_reference.py --json $(BENCH_STEPS)" \
	  --rounds $(BENCH_ROUNDS) --threads $(BENCH_THREADS) --write docs/performance.md

# libFuzzer targets (fuzz/README.md): the front end and one per data loader. `make fuzz` runs each for
# FUZZ_TIME seconds (600 by default); `make fuzz-ci` for 30 s each; both fail on any crash.
FUZZ_TARGETS = EqxParserFuzz FuzzIDX FuzzNPY FuzzNPZ FuzzSafeTensors FuzzCSV FuzzCIFAR FuzzGzip FuzzTar
FUZZ_TIME ?= 600

fuzz-build: libs
	cd fuzz && $(SWIFT) build -c release -Xswiftc -sanitize=fuzzer -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do bash fuzz/run.sh $$t $(FUZZ_TIME) || exit 1; done

fuzz-ci:
	$(MAKE) fuzz FUZZ_TIME=30
