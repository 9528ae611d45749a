# mediamux: `make run` to start it, `make test` to check it. See README.md.
SWIFT ?= swift
CONFIG ?= configs/single-port.yaml
VENV := .venv-interop
APT_PACKAGES := libssl-dev pkg-config python3-venv

# SRTP=openssl (the default): Debian's libsrtp2 source package built on OpenSSL, linked statically
# (scripts/build-libsrtp2.sh). SRTP=system: the system's shared libsrtp2, on Debian 12 built on NSS, which
# slows down as sessions are added; it builds in a folder of its own so the two never mix.
SRTP ?= openssl
ifeq ($(SRTP),openssl)
SRTP_PREFIX := $(CURDIR)/.build/libsrtp2-openssl
SRTP_LIB := $(SRTP_PREFIX)/lib/libsrtp2.a
BUILD_DIR := .build
APT_PACKAGES += dpkg-dev gcc make
export MEDIAMUX_SRTP_PREFIX := $(SRTP_PREFIX)
export MEDIAMUX_EXPECT_SRTP_BACKEND := openssl
else ifeq ($(SRTP),system)
SRTP_LIB :=
BUILD_DIR := .build-srtp-system
APT_PACKAGES += libsrtp2-dev
SWIFT_FLAGS += --scratch-path $(BUILD_DIR)
export MEDIAMUX_SRTP_PREFIX :=
export MEDIAMUX_EXPECT_SRTP_BACKEND := nss
else
$(error SRTP is openssl or system, not "$(SRTP)")
endif
# Real peers for `make test` only: two browsers (and iproute2/util-linux for their lo-only network
# namespace, nftables to block UDP in it for the ICE-TCP checks), GStreamer for the rtp bridge,
# GStreamer's webrtcbin with libnice, driven from the system python3 through PyGObject, and PostgreSQL's
# server for the cluster tests (which start a throwaway one of their own; `make run` needs none).
TEST_APT_PACKAGES := chromium firefox-esr iproute2 util-linux nftables postgresql gstreamer1.0-tools gstreamer1.0-plugins-base \
	gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-nice python3-gi gir1.2-gstreamer-1.0 \
	gir1.2-gst-plugins-bad-1.0

.PHONY: deps test-deps apt-install srtp build release run lint format test unit-test interop-test bench fuzz fuzz-merge clean

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

## libsrtp2 on OpenSSL, built once into .build/ (nothing to do with SRTP=system).
srtp: deps $(SRTP_LIB)

ifeq ($(SRTP),openssl)
# After deps (order only), which installs the compiler and dpkg-dev it needs, even under make -j.
$(SRTP_LIB): scripts/build-libsrtp2.sh | deps
	bash scripts/build-libsrtp2.sh $(SRTP_PREFIX)
endif

build: srtp
	$(SWIFT) build $(SWIFT_FLAGS)

release: srtp
	$(SWIFT) build $(SWIFT_FLAGS) -c release --product mediamux

## Builds the release binary and starts it with $(CONFIG); Ctrl-C stops it gracefully. A media server
## built for debugging is several times slower.
run: release
	$(BUILD_DIR)/release/mediamux --config $(CONFIG)

$(VENV)/.installed: tests/interop/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r tests/interop/requirements.txt
	touch $@

## The sources as .swift-format lays them out (`make format` rewrites them so).
FORMATTED := Sources Tests Fuzz/Sources Benchmarks/Benchmarks Package.swift Fuzz/Package.swift Benchmarks/Package.swift
lint:
	$(SWIFT) format lint --strict --recursive $(FORMATTED)

format:
	$(SWIFT) format format --in-place --recursive $(FORMATTED)

## Every test: the layout check, Swift unit and socket tests, then real peers (aioice, aiortc, Chromium,
## Firefox, GStreamer) against the binary.
test: test-deps srtp $(VENV)/.installed lint
	$(SWIFT) build $(SWIFT_FLAGS) --build-tests
	$(SWIFT) test $(SWIFT_FLAGS)
	MEDIAMUX_BUILD=$(CURDIR)/$(BUILD_DIR)/debug $(VENV)/bin/python -m pytest -q tests/interop

unit-test: srtp
	$(SWIFT) test $(SWIFT_FLAGS)

interop-test: test-deps $(VENV)/.installed build
	MEDIAMUX_BUILD=$(CURDIR)/$(BUILD_DIR)/debug $(VENV)/bin/python -m pytest -q tests/interop

FUZZ_SECONDS ?= 600
FUZZ_TARGETS := FuzzSTUN FuzzRoute FuzzDTLS FuzzSRTP FuzzSDP FuzzConfig FuzzAPI
# release runs about 4 times as many inputs a second; debug builds in about 40 % less time (6.4 to 6.7
# minutes against 11.4 from clean here), which is what CI's short pass wants.
FUZZ_MODE ?= release
# --sanitize instruments the root package (Fuzz/) and links libFuzzer's main; -Xswiftc and -Xcc instrument
# mediamux's own modules too, or the fuzzer would see no coverage inside the parsers.
FUZZ_BUILD := $(SWIFT) build --package-path Fuzz --scratch-path $(CURDIR)/.build/fuzz -c $(FUZZ_MODE) \
	--sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address

## libFuzzer with AddressSanitizer over each packet parser, the SDP answerer, the configuration loader and
## the API's create body (Fuzz/), FUZZ_SECONDS (600) each, from the corpora in Fuzz/Corpus, built as
## FUZZ_MODE (release). Stops at the first crash, with its input in .build/fuzz/crashes/.
fuzz: srtp
	$(FUZZ_BUILD)
	FUZZ_MODE=$(FUZZ_MODE) bash scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

## Folds what `make fuzz` found into Fuzz/Corpus, keeping only inputs that add coverage.
fuzz-merge:
	$(FUZZ_BUILD)
	FUZZ_MODE=$(FUZZ_MODE) bash scripts/fuzz.sh --merge $(FUZZ_TARGETS)

## Release builds; the micro benchmarks (Benchmarks/, ordo-one/benchmark) checked against their stored
## thresholds; then the load scenarios (scripts/bench.py: mediamux-loadgen against mediamux and
## mediamux-reference). Rewrites the result blocks of docs/benchmarks.md.
bench: srtp
	@$(MAKE) --no-print-directory apt-install PACKAGES="libsrtp2-dev postgresql"
	$(SWIFT) build $(SWIFT_FLAGS) -c release --product mediamux
	$(SWIFT) build $(SWIFT_FLAGS) -c release --product mediamux-loadgen
	$(SWIFT) build $(SWIFT_FLAGS) -c release --product mediamux-reference
	cd Benchmarks && $(SWIFT) package $(SWIFT_FLAGS) benchmark --format markdown --no-progress > ../$(BUILD_DIR)/micro-benchmarks.md
	cd Benchmarks && $(SWIFT) package $(SWIFT_FLAGS) benchmark thresholds check --no-progress
	MEDIAMUX_BUILD=$(CURDIR)/$(BUILD_DIR)/release python3 scripts/bench.py --micro $(BUILD_DIR)/micro-benchmarks.md
	MEDIAMUX_BUILD=$(CURDIR)/$(BUILD_DIR)/release python3 scripts/flood_bench.py
	MEDIAMUX_BUILD=$(CURDIR)/$(BUILD_DIR)/release python3 scripts/cluster_bench.py

clean:
	rm -rf .build .build-srtp-system $(VENV)
