#!/usr/bin/env bash
# Regenerates the encoder fixtures under streams-app/src/test/resources/encoders/ (random weights,
# reduced width and input size so each stays under 2 MB). Needs python3 with torch + torchvision.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
R=streams-app/src/test/resources/encoders
rm -rf "$R"
$PY tools/export_encoder.py image --width-mult 0.5 --size 64 --golden --out $R/image-onnx
$PY tools/export_encoder.py image --width-mult 0.5 --size 64 --seed 11 --format torchscript --golden --out $R/image-torchscript
$PY tools/export_encoder.py audio --mel-bands 32 --dims 64 --golden --out $R/audio-onnx
$PY tools/export_encoder.py audio --mel-bands 32 --dims 64 --seed 11 --format torchscript --golden --out $R/audio-torchscript
