# The two set-up commands: `make demo` and `make test`. Both install missing
# Debian packages first, then configure and build with CMake (Release).

JOBS ?= $(shell nproc)
BUILD_DIR ?= build
TEST_BUILD_DIR ?= build-test
DEMO_SECONDS ?= 10

.PHONY: all deps build demo demo-kafka test bench clean

all: build

deps:
	@deploy/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	$(BUILD_DIR)/bin/gale local topologies/wordcount.yaml --duration $(DEMO_SECONDS)

demo-kafka: build
	deploy/demo-kafka.sh

test: deps
	cmake -S . -B $(TEST_BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DGALE_WERROR=ON
	cmake --build $(TEST_BUILD_DIR) -j $(JOBS)
	cd $(TEST_BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

bench: build
	bench/run.sh

clean:
	rm -rf $(BUILD_DIR) $(TEST_BUILD_DIR)
