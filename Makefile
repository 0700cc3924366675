# The two set-up commands: `make demo` and `make test`. Both install missing
# Debian packages first, then configure and build with CMake (Release).
# build/ (make, make demo, make bench, make demo-kafka) is configured without
# the tests; make test builds them in build-test/. A new build directory uses
# Ninja, which compiles a program's sources while the libraries it links are
# still building (make waits target by target); an existing one keeps the
# generator it was configured with.

JOBS ?= $(shell nproc)
BUILD_DIR ?= build
TEST_BUILD_DIR ?= build-test
DEMO_SECONDS ?= 10

.PHONY: all deps build demo demo-kafka test bench clean

all: build

deps:
	@deploy/install-deps.sh

generator = $(if $(wildcard $(1)/CMakeCache.txt),,-G Ninja)
CONFIGURE_BUILD = cmake -S . -B $(BUILD_DIR) $(call generator,$(BUILD_DIR)) \
                  -DCMAKE_BUILD_TYPE=Release -DGALE_BUILD_TESTS=OFF

build: deps
	$(CONFIGURE_BUILD)
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Builds only the gale program and the component libraries the demo loads,
# with progress lines, warnings and errors but no configure chatter; the
# configure log is shown only when it fails.
demo: deps
	@echo "demo: building gale in $(BUILD_DIR)/ (the first build takes about 1.5 minutes on 2 cores)"
	@mkdir -p $(BUILD_DIR) && $(CONFIGURE_BUILD) > $(BUILD_DIR)/configure.log 2>&1 || { cat $(BUILD_DIR)/configure.log; exit 1; }
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target gale
	$(BUILD_DIR)/bin/gale local topologies/wordcount.yaml --duration $(DEMO_SECONDS)

demo-kafka: build
	deploy/demo-kafka.sh

test: deps
	cmake -S . -B $(TEST_BUILD_DIR) $(call generator,$(TEST_BUILD_DIR)) \
	      -DCMAKE_BUILD_TYPE=Release -DGALE_WERROR=ON
	cmake --build $(TEST_BUILD_DIR) -j $(JOBS)
	cd $(TEST_BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

bench: build
	bench/run.sh

clean:
	rm -rf $(BUILD_DIR) $(TEST_BUILD_DIR)
