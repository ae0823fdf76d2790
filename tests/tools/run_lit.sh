#!/usr/bin/env bash
# Runs one FileCheck test file, lit style:
#   bash run_lit.sh TEST_FILE GRAPHC FILECHECK
#
# The file's `// RUN: ...` lines (a trailing `\` continues a line) run in
# order, each as a bash pipeline with pipefail. In them:
#   %s  the test file        %S  its folder        %t  a fresh temporary folder
#   graphc, FileCheck        the tools given on the command line
#   not [--status=N] CMD     succeeds if CMD fails normally (exit 1-125, or
#                            exactly N); fails if CMD succeeds, is not found,
#                            or dies from a signal (a crash is never a pass)
# The test passes when every RUN line does.
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: run_lit.sh TEST_FILE GRAPHC FILECHECK" >&2
  exit 2
fi
test_file=$1
graphc_bin=$2
filecheck_bin=$3

graphc() { "$graphc_bin" "$@"; }
FileCheck() { "$filecheck_bin" "$@"; }
not() {
  local want=""
  if [[ ${1-} == --status=* ]]; then
    want=${1#--status=}
    shift
  fi
  local status=0
  "$@" || status=$?
  if ((status == 0)); then
    echo "not: '$*' succeeded; a failure was expected" >&2
    return 1
  elif ((status > 128)); then
    echo "not: '$*' was killed by signal $((status - 128))" >&2
    return 1
  elif ((status >= 126)); then
    echo "not: '$*' could not run (exit $status)" >&2
    return 1
  elif [[ -n $want && $status != "$want" ]]; then
    echo "not: '$*' exited with $status; $want was expected" >&2
    return 1
  fi
}

# Sanitizer reports abort, so that `not` sees a signal rather than exit 1.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}abort_on_error=1
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:abort_on_error=1:print_stacktrace=1

# Collect RUN lines, joining continuations.
runs=()
pending=""
while IFS= read -r line || [[ -n $line ]]; do
  [[ $line =~ ^[[:space:]]*//[[:space:]]*RUN:[[:space:]]?(.*)$ ]] || continue
  body=${BASH_REMATCH[1]}
  if [[ $body == *\\ ]]; then
    pending+="${body%\\} "
  else
    runs+=("$pending$body")
    pending=""
  fi
done <"$test_file"
if [[ -n $pending ]]; then
  echo "$test_file: the last RUN line ends with a backslash" >&2
  exit 1
fi
if [[ ${#runs[@]} -eq 0 ]]; then
  echo "$test_file: no RUN lines" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
q_file=$(printf '%q' "$test_file")
q_dir=$(printf '%q' "$(dirname "$test_file")")
q_tmp=$(printf '%q' "$tmp")

shopt -u patsub_replacement 2>/dev/null || true  # bash 5.2: '&' stays literal below
for cmd in "${runs[@]}"; do
  cmd=${cmd//%s/$q_file}
  cmd=${cmd//%S/$q_dir}
  cmd=${cmd//%t/$q_tmp}
  echo "RUN: $cmd"
  if ! (set -o pipefail; eval "$cmd"); then
    echo "FAILED: $cmd" >&2
    exit 1
  fi
done
