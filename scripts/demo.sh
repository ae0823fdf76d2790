#!/usr/bin/env bash
# The graphc demo: the digits classifier (examples/digits_classifier.cc), an
# MLP written with graphc's C++ API and graphc::nn, trained as one compiled
# training step, saved, reloaded and evaluated; then the `graphc` tool on a
# sample IR file (a linear-regression training step), on a file with a shape
# error, and the pass pipeline on an MLP training step traced from C++
# (fused, with its buffer plan).
# BUILD_DIR overrides the build folder (default build/).
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${BUILD_DIR:-build}
bash scripts/setup.sh
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j "${JOBS:-2}" --target graphc digits_classifier
graphc=$build_dir/tools/graphc

echo
echo "\$ $build_dir/examples/digits_classifier"
"$build_dir/examples/digits_classifier"

echo
echo "\$ graphc print examples/ir/sample.gir"
"$graphc" print examples/ir/sample.gir
echo
echo "\$ graphc verify examples/ir/sample.gir"
"$graphc" verify examples/ir/sample.gir
echo
bad=$build_dir/bad.gir
cat >"$bad" <<'GIR'
func @f(%x: f32[2], %y: f32[3]) -> (f32[2]) {
  %0 = add %x, %y : f32[2]
  return %0
}
GIR
echo "\$ graphc verify $bad   # adds f32[2] to f32[3]"
status=0
"$graphc" verify "$bad" || status=$?
echo "(exit status $status: bad input)"
[[ $status -eq 1 ]]

echo
step=tests/tools/mlp_train_step.gir
echo "\$ graphc opt $step --stats --passes='inline,fixpoint(canonicalize,cse,dce),fuse,plan-buffers'"
"$graphc" opt "$step" --stats --passes='inline,fixpoint(canonicalize,cse,dce),fuse,plan-buffers' 2>&1
