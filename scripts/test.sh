#!/usr/bin/env bash
# Builds graphc and runs the whole test suite (unit tests and FileCheck tests).
#   bash scripts/test.sh              build/      RelWithDebInfo
#   bash scripts/test.sh --sanitize   build-asan/ with AddressSanitizer + UBSan
# JOBS sets the parallelism (default 2); BUILD_DIR overrides the folder.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRAPHC_SANITIZE=OFF)
case ${1-} in
  "") ;;
  --sanitize)
    build_dir=build-asan
    cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRAPHC_SANITIZE=ON)
    ;;
  *)
    echo "usage: bash scripts/test.sh [--sanitize]" >&2
    exit 2
    ;;
esac
build_dir=${BUILD_DIR:-$build_dir}
jobs=${JOBS:-2}

bash scripts/setup.sh
cmake -S . -B "$build_dir" -G Ninja "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j "$jobs"
# ctest's closing line ("100% tests passed, 0 tests failed out of N") is the summary.
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
