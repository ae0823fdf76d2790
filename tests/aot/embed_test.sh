#!/usr/bin/env bash
# Ahead-of-time compilation end to end (issue 8), as a user would do it:
#
#   (a) train the digits classifier briefly and export its inference
#       function, weights, a batch of test images and the JIT's logits
#       (digits_classifier --export-dir);
#   (b) graphc compile the exported IR with the weights embedded; the
#       object needs only graphc_* runtime symbols and the C library;
#   (c) install graphc into a temporary prefix and build examples/embed
#       against it (find_package(graphc), graphc::runtime only) with the
#       generated object;
#   (d) run it: the same predictions as the JIT, the same logits bit for
#       bit, the same results on caller-supplied memory, no heap allocation
#       in Run(), a clear error for an input of the wrong shape;
#  (d') build it again with the model compiled at build time by the
#       installed graphc (graphc_compile_model) for --march=x86-64-v3: the
#       same predictions;
#   (e) nm/ldd: the embed binary has no LLVM (or Abseil) symbol or library;
#   (f) a program using the JIT (graphc::compiler, graphc::nn) builds
#       against the same install and runs.
#
# usage: embed_test.sh SOURCE_DIR BUILD_DIR DIGITS_CLASSIFIER GRAPHC
set -euo pipefail

if [[ $# -ne 4 ]]; then
  echo "usage: embed_test.sh SOURCE_DIR BUILD_DIR DIGITS_CLASSIFIER GRAPHC" >&2
  exit 2
fi
src=$1
build=$2
digits=$3
graphc=$4

# ctest passes the cmake and the generator of the build being tested.
cmake=${CMAKE:-cmake}
generator=${CMAKE_GENERATOR:-Ninja}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
step() { echo "== $*"; }
fail() {
  echo "FAILED: $*" >&2
  exit 1
}

step "(a) digits_classifier --export-dir"
"$digits" --epochs=3 --export-dir="$tmp/export" >"$tmp/classifier.log"
for f in predict.gir weights.safetensors images.npy labels.npy jit_logits.npy predictions.txt; do
  [[ -s $tmp/export/$f ]] || fail "digits_classifier did not write $f"
done
cat "$tmp/export/predictions.txt"

step "(b) graphc compile"
mkdir -p "$tmp/model"
"$graphc" compile "$tmp/export/predict.gir" --weights "$tmp/export/weights.safetensors" \
  --class=DigitsModel -o "$tmp/model/digits_model"
grep -q '^class DigitsModel {' "$tmp/model/digits_model.h" || fail "digits_model.h declares no class DigitsModel"
# Every undefined symbol of the object is the runtime's (graphc_*) or the
# C library's (defined by libc.so.6 or libm.so.6).
libc=$(ldd "$graphc" | awk '/libc\.so\.6/ {print $3}')
libm=$(ldd "$graphc" | awk '/libm\.so\.6/ {print $3}')
nm -D --defined-only "$libc" "$libm" | awk '{print $NF}' | sed 's/@.*//' | sort -u >"$tmp/libc_symbols"
nm -u "$tmp/model/digits_model.o" | awk '{print $NF}' >"$tmp/undefined"
echo "undefined in digits_model.o: $(tr '\n' ' ' <"$tmp/undefined")"
while read -r symbol; do
  [[ $symbol == graphc_* ]] && continue
  grep -qx -- "$symbol" "$tmp/libc_symbols" || fail "digits_model.o needs $symbol, neither graphc_* nor the C library's"
done <"$tmp/undefined"
# The header says what the object needs.
for symbol in $(grep '^graphc_' "$tmp/undefined" || true); do
  grep -q "^//   .*\b$symbol\b" "$tmp/model/digits_model.h" || fail "digits_model.h does not list $symbol"
done

step "(c) cmake --install, then examples/embed against the installed graphc"
"$cmake" --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log"
[[ -n $(find "$tmp/prefix" -name graphcConfig.cmake) ]] || fail "no graphcConfig.cmake installed"
[[ -f $tmp/prefix/include/graphc/runtime/kernel_abi.h ]] || fail "runtime/kernel_abi.h not installed"
[[ -f $tmp/prefix/include/graphc/graphc/graphc.h ]] || fail "graphc/graphc.h not installed"
"$cmake" -S "$src/examples/embed" -B "$tmp/embed" -G "$generator" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$tmp/prefix" -DDIGITS_MODEL_DIR="$tmp/model" >"$tmp/configure.log" ||
  { cat "$tmp/configure.log"; fail "configuring examples/embed"; }
grep -qi llvm "$tmp/embed/CMakeCache.txt" && fail "configuring examples/embed looked for LLVM"
"$cmake" --build "$tmp/embed" >"$tmp/embed_build.log" || { cat "$tmp/embed_build.log"; fail "building examples/embed"; }
embed=$tmp/embed/embed_digits

step "(d) run embed_digits"
"$embed" "$tmp/export/images.npy" --logits="$tmp/logits.npy" --labels="$tmp/export/labels.npy" | tee "$tmp/embed.out"
diff <(grep '^predictions:' "$tmp/embed.out") "$tmp/export/predictions.txt" ||
  fail "the compiled model's predictions differ from the JIT's"
cmp "$tmp/logits.npy" "$tmp/export/jit_logits.npy" || fail "the compiled model's logits differ from the JIT's"
grep -q '^caller-supplied memory .*: the same results$' "$tmp/embed.out" || fail "caller-supplied memory"
# A wrong input shape is a clear error.
if "$embed" "$tmp/export/labels.npy" 2>"$tmp/wrong.err"; then fail "labels.npy was taken as images"; fi
cat "$tmp/wrong.err"
grep -q 'labels.npy holds i32\[64\]; the model takes f32\[64,64\]' "$tmp/wrong.err" || fail "the wrong-shape message"

step "(d') the installed graphc compiles at build time (graphc_compile_model), for --march=x86-64-v3"
"$cmake" -S "$src/examples/embed" -B "$tmp/embed_v3" -G "$generator" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$tmp/prefix" -DDIGITS_EXPORT_DIR="$tmp/export" -DDIGITS_MARCH=x86-64-v3 \
  >"$tmp/configure_v3.log" || { cat "$tmp/configure_v3.log"; fail "configuring examples/embed for x86-64-v3"; }
"$cmake" --build "$tmp/embed_v3" >"$tmp/embed_v3_build.log" || { cat "$tmp/embed_v3_build.log"; fail "building it"; }
grep -q '^// Target: .*, CPU x86-64-v3$' "$tmp/embed_v3/graphc_models/digits_model.h" || fail "not compiled for x86-64-v3"
"$tmp/embed_v3/embed_digits" "$tmp/export/images.npy" --logits="$tmp/logits_v3.npy" >"$tmp/embed_v3.out"
diff <(grep '^predictions:' "$tmp/embed_v3.out") "$tmp/export/predictions.txt" ||
  fail "the x86-64-v3 model's predictions differ from the JIT's"
if cmp -s "$tmp/logits_v3.npy" "$tmp/export/jit_logits.npy"; then
  echo "x86-64-v3: the same predictions, and the same logits bit for bit"
else
  echo "x86-64-v3: the same predictions (the logits differ in their last bits)"
fi

step "(e) no LLVM in the embed binary"
if nm -C "$embed" | grep -i -E 'llvm|absl'; then fail "embed_digits has LLVM or Abseil symbols"; fi
if ldd "$embed" | grep -i -E 'llvm|absl'; then fail "embed_digits links LLVM or Abseil libraries"; fi
echo "ldd embed_digits: $(ldd "$embed" | awk '{print $1}' | tr '\n' ' ')"
echo "sizes: libgraphc_runtime.a $(stat -c %s "$(find "$tmp/prefix" -name libgraphc_runtime.a)") bytes," \
  "embed_digits $(stat -c %s "$embed") bytes, digits_model.o $(stat -c %s "$tmp/model/digits_model.o") bytes"
step "(f) a JIT user of the installed graphc (graphc::compiler, graphc::nn)"
"$cmake" -S "$src/tests/aot/jit_user" -B "$tmp/jit_user" -G "$generator" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$tmp/prefix" >"$tmp/jit_user_configure.log" ||
  { cat "$tmp/jit_user_configure.log"; fail "configuring tests/aot/jit_user"; }
"$cmake" --build "$tmp/jit_user" >"$tmp/jit_user_build.log" || { cat "$tmp/jit_user_build.log"; fail "building it"; }
"$tmp/jit_user/jit_user" || fail "jit_user"
echo "PASSED"
