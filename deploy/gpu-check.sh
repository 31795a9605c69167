#!/usr/bin/env bash
# GPU run in one command, on a machine with an NVIDIA GPU: builds the application with the CUDA
# natives (-Pgpu), checks that the encoders land on the GPU (GpuDeviceTest), then runs
# `bench encoders` and `bench pipeline` on it and prints their tables (JSON under target/gpu-check/).
#
# Needs: JDK 17, Maven, an NVIDIA driver (nvidia-smi), and for ONNX Runtime's CUDA provider the
# CUDA 12 and cuDNN 9 libraries on the library path. PyTorch's CUDA natives come with their jar.
#
# Usage: deploy/gpu-check.sh [--device gpu:N] [--quick] [-- extra bench pipeline flags]
#   --device gpu:N   the GPU to use (default gpu:0)
#   --quick          a reduced pipeline workload (about 5 minutes instead of 20+)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

device="gpu:0"
quick=false
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --device) device="$2"; shift 2 ;;
    --quick) quick=true; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "gpu-check.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L; then
  echo "gpu-check.sh: no NVIDIA GPU visible (nvidia-smi missing or failing); nothing to check" >&2
  exit 1
fi

out="$root/streams-app/target/gpu-check"
echo "== building with the CUDA natives (mvn -Pgpu)"
mvn -B -q -Pgpu -DskipTests install -pl schemas -am
mvn -B -q -Pgpu -DskipTests package -pl streams-app
mkdir -p "$out"

echo "== model and inputs on $device (GpuDeviceTest; a skip here means an engine saw no GPU)"
mvn -B -Pgpu test -pl streams-app -Dtest=GpuDeviceTest -Dsurefire.failIfNoSpecifiedTests=false \
  | tee "$out/gpu-device-test.log" | grep -E "Tests run:|Skipped|FAIL|GPU" || true
if grep -q "Skipped: [1-9]" "$out/gpu-device-test.log"; then
  echo "gpu-check.sh: an engine sees no GPU (see $out/gpu-device-test.log); the benchmarks would run on the CPU" >&2
  exit 1
fi

java_run() { java ${JAVA_OPTS:-} -Dai.djl.offline=true -jar "$root/streams-app/target/fusionstream.jar" "$@"; }

echo "== bench encoders on $device"
java_run bench encoders --device "$device" --batch-sizes 1,8,32,64,128,256 --seconds 3 | tee "$out/bench-encoders.txt"

echo "== bench pipeline on $device"
if $quick; then
  set -- --sessions 60 --text-sessions 80 --modality-sessions 20 --latency-sessions 20 --limit-seconds 1
else
  set --
fi
java_run bench pipeline --device "$device" --max-batch-size 64 "$@" ${extra[@]+"${extra[@]}"} --json "$out/bench-pipeline.json" \
  | tee "$out/bench-pipeline.txt"
echo "== tables and JSON in $out"
