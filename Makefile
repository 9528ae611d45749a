# mediamux: `make run` to start it, `make test` to check it. See README.md.
SWIFT ?= swift
CONFIG ?= configs/single-port.yaml
VENV := .venv-interop
APT_PACKAGES := libsrtp2-dev libssl-dev pkg-config python3-venv
# Real peers for `make test` only: a browser (and iproute2/util-linux for its lo-only network namespace),
# and GStreamer for the rtp bridge.
TEST_APT_PACKAGES := chromium iproute2 util-linux gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good

.PHONY: deps test-deps apt-install build run test unit-test interop-test bench clean

## Installs the Debian packages that are missing (as root, or through sudo).
deps:
	@command -v $(SWIFT) >/dev/null || { echo "swift not found: install a Swift 6.2+ toolchain and put it on PATH"; exit 1; }
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"

test-deps: deps
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_APT_PACKAGES)"

apt-install:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

## Builds and starts mediamux with $(CONFIG); Ctrl-C stops it gracefully.
run: build
	.build/debug/mediamux --config $(CONFIG)

$(VENV)/.installed: tests/interop/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r tests/interop/requirements.txt
	touch $@

## Every test: Swift unit and socket tests, then real peers (aioice, aiortc, Chromium) against the binary.
test: test-deps $(VENV)/.installed
	$(SWIFT) build --build-tests
	$(SWIFT) test
	$(VENV)/bin/python -m pytest -q tests/interop

unit-test: deps
	$(SWIFT) test

interop-test: test-deps $(VENV)/.installed build
	$(VENV)/bin/python -m pytest -q tests/interop

## Release builds; the micro benchmarks (Benchmarks/, ordo-one/benchmark) checked against their stored
## thresholds; then the load scenarios (scripts/bench.py: mediamux-loadgen against mediamux and
## mediamux-reference). Rewrites the result blocks of docs/benchmarks.md.
bench: deps
	$(SWIFT) build -c release --product mediamux
	$(SWIFT) build -c release --product mediamux-loadgen
	$(SWIFT) build -c release --product mediamux-reference
	cd Benchmarks && $(SWIFT) package benchmark --format markdown --no-progress > ../.build/micro-benchmarks.md
	cd Benchmarks && $(SWIFT) package benchmark thresholds check --no-progress
	python3 scripts/bench.py --micro .build/micro-benchmarks.md

clean:
	rm -rf .build $(VENV)
