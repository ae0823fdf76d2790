#!/usr/bin/env bash
# Compiles the functions of tests/tools/compile.gir ahead of time (with and
# without weights, for the host and for --march=x86-64-v3, a class in a
# namespace), links them all into models_main.cc with graphc_runtime alone
# and runs it: exact results, variables, caller-supplied memory, run-time
# errors.
#
# usage: models_test.sh SOURCE_DIR GRAPHC CXX RUNTIME_LIBRARY
set -euo pipefail

if [[ $# -ne 4 ]]; then
  echo "usage: models_test.sh SOURCE_DIR GRAPHC CXX RUNTIME_LIBRARY" >&2
  exit 2
fi
src=$1
graphc=$2
cxx=$3
runtime=$4

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gir=$src/tests/tools/compile.gir
weights=$src/tests/tools/compile_weights/dense.safetensors

"$graphc" compile "$gir" --function=dense --weights="$weights" -o "$tmp/dense"
"$graphc" compile "$gir" --function=dense --weights="$weights" --march=x86-64-v3 -o "$tmp/dense_v3"
"$graphc" compile "$gir" --function=dense -o "$tmp/zero"
"$graphc" compile "$gir" --function=count --class=app::models::Counter -o "$tmp/count"
"$graphc" compile "$gir" --function=big -o "$tmp/big"
"$cxx" -std=c++20 -O1 -Wall -Wextra -Werror -I "$tmp" -I "$src" "$src/tests/aot/models_main.cc" \
  "$tmp"/dense.o "$tmp"/dense_v3.o "$tmp"/zero.o "$tmp"/count.o "$tmp"/big.o "$runtime" -pthread \
  -o "$tmp/models"
"$tmp/models"
