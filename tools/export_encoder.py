#!/usr/bin/env python3
"""Export an image or audio encoder from PyTorch to a FusionStream model directory.

The directory holds the network (ONNX `model.onnx` or TorchScript `model.pt`), the `model.json`
that `fusion.encoder.image.model` / `fusion.encoder.audio.model` read (see docs/encoders.md), and,
with --golden, a few inputs plus the embeddings this script computed for them (`golden.json`), so a
Java test can check that the pipeline prepares inputs exactly as the network expects.

Image: torchvision mobilenet_v3_small, resnet18 or vit_b_16 with the classifier head removed
(pooled features out). Audio: a small log-mel CNN defined here. Without --pretrained the weights
are random (seeded) and model.json says so: such a model runs, but its embeddings mean nothing.

  python3 tools/export_encoder.py image --arch mobilenet_v3_small --pretrained --out models/mnv3
  python3 tools/export_encoder.py audio --format torchscript --out models/logmel-cnn --golden

Needs torch and torchvision (Debian: python3-torch python3-torchvision python3-onnx).
"""
import argparse
import json
import math
import os
import struct
import sys
import wave
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
# log10(max(power, FLOOR)): as the pipeline's LogMelSpectrogram, so silence reads -10.
LOG_FLOOR = 1e-10


# ---------------------------------------------------------------------------------------------
# Networks


class Pooled(nn.Module):
    """A CNN trunk followed by global average pooling: [b, 3, h, w] -> [b, channels]."""

    def __init__(self, trunk):
        super().__init__()
        self.trunk = trunk

    def forward(self, x):
        return torch.flatten(F.adaptive_avg_pool2d(self.trunk(x), 1), 1)


def image_network(arch, pretrained, width_mult, size):
    import torchvision.models as tvm

    if arch == "mobilenet_v3_small":
        if pretrained and width_mult != 1.0:
            sys.exit("--width-mult applies to random weights only: the published weights are 1.0")
        net = tvm.mobilenet_v3_small(
            weights=tvm.MobileNet_V3_Small_Weights.IMAGENET1K_V1 if pretrained else None,
            width_mult=width_mult)
        return Pooled(net.features)
    if arch == "resnet18":
        net = tvm.resnet18(weights=tvm.ResNet18_Weights.IMAGENET1K_V1 if pretrained else None)
        net.fc = nn.Identity()  # avgpool + flatten stay: [b, 512]
        return net
    if arch == "vit_b_16":
        if pretrained and size != 224:
            sys.exit("the published vit_b_16 weights take 224 x 224")
        net = tvm.vit_b_16(
            weights=tvm.ViT_B_16_Weights.IMAGENET1K_V1 if pretrained else None, image_size=size)
        net.heads = nn.Identity()  # the class token: [b, 768]
        return net
    sys.exit("unknown image architecture " + arch)


class LogMelCnn(nn.Module):
    """A small audio tower: [b, 1, mels, frames] log-mel -> conv blocks -> mean over time and
    frequency -> linear. Any number of frames works, so chunks of any length can be encoded."""

    def __init__(self, channels=(16, 32, 64), dims=128):
        super().__init__()
        layers = []
        previous = 1
        for c in channels:
            layers += [nn.Conv2d(previous, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(),
                       nn.MaxPool2d(2)]
            previous = c
        self.blocks = nn.Sequential(*layers)
        self.project = nn.Linear(previous, dims)

    def forward(self, mel):
        # log10 power spans about -10 (silence) .. +3: centre and scale it before the convolutions.
        x = self.blocks((mel + 5.0) / 5.0)
        return self.project(torch.mean(x, dim=(2, 3)))


# ---------------------------------------------------------------------------------------------
# Preprocessing: an independent implementation of what model.json tells the pipeline to do.


def center_crop_region(w, h, tw, th):
    """The largest centred region with aspect tw : th (rounded as the pipeline rounds it)."""
    wide, tall = w * th, h * tw
    cw = max(1, int(math.floor(h * tw / th + 0.5))) if wide > tall else w
    ch = max(1, int(math.floor(w * th / tw + 0.5))) if wide < tall else h
    return (w - cw) // 2, (h - ch) // 2, cw, ch


def image_tensor(rgb, spec):
    """uint8 [h, w, 3] RGB -> the model input [1, 3, H, W] (or NHWC) as model.json describes."""
    h, w = rgb.shape[:2]
    if spec["resize"] == "center-crop":
        x, y, cw, ch = center_crop_region(w, h, spec["width"], spec["height"])
        rgb = rgb[y:y + ch, x:x + cw]
    t = torch.from_numpy(rgb.astype(np.float32)).permute(2, 0, 1).unsqueeze(0)
    # Antialiased bilinear: a triangle filter widened by the scale when shrinking (PIL's "bilinear").
    t = F.interpolate(t, size=(spec["height"], spec["width"]), mode="bilinear",
                      align_corners=False, antialias=True)
    if spec["channels"] == "BGR":
        t = t.flip(1)
    mean = torch.tensor(spec["mean"]).view(1, 3, 1, 1)
    std = torch.tensor(spec["std"]).view(1, 3, 1, 1)
    return (t / 255.0 - mean) / std


def hz_to_mel(hz):
    return 2595.0 * np.log10(1.0 + hz / 700.0)


def mel_to_hz(mel):
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


def mel_filterbank(rate, n_fft, bands, min_hz, max_hz):
    """HTK-mel triangles [bands, n_fft / 2 + 1], peak 1 at each centre."""
    edges = mel_to_hz(np.linspace(hz_to_mel(min_hz), hz_to_mel(max_hz), bands + 2))
    hz = np.arange(n_fft // 2 + 1) * rate / n_fft
    fb = np.zeros((bands, hz.size), dtype=np.float64)
    for m in range(bands):
        left, centre, right = edges[m], edges[m + 1], edges[m + 2]
        fb[m] = np.maximum(0, np.minimum((hz - left) / (centre - left), (right - hz) / (right - centre)))
    return torch.from_numpy(fb.astype(np.float32))


def padded_length(samples, spec):
    # The pipeline pads a chunk to at least one FFT frame and to whole hops.
    n = max(samples, spec["fftSize"])
    return (n + spec["hop"] - 1) // spec["hop"] * spec["hop"]


def log_mel(wave_1d, spec):
    """float waveform [samples] -> [1, 1, mels, frames] (log-mel-channel) or [1, mels, frames]."""
    n = padded_length(wave_1d.shape[0], spec)
    x = torch.zeros(1, n)
    x[0, :wave_1d.shape[0]] = torch.from_numpy(wave_1d)
    power = torch.stft(x, spec["fftSize"], spec["hop"], window=torch.hann_window(spec["fftSize"]),
                       center=True, pad_mode="reflect", normalized=False, onesided=True,
                       return_complex=True).abs() ** 2
    fb = mel_filterbank(spec["sampleRate"], spec["fftSize"], spec["melBands"],
                        spec["minHz"], spec["maxHz"])
    mel = torch.log10(torch.clamp(torch.matmul(fb, power), min=LOG_FLOOR))
    return mel.unsqueeze(1) if spec["type"] == "log-mel-channel" else mel


# ---------------------------------------------------------------------------------------------
# Golden inputs: small files a Java test decodes with the pipeline's own decoders.


def write_png(path, rgb):
    """8-bit RGB PNG, no filter: lossless, so both sides see the same pixels."""
    h, w = rgb.shape[:2]
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def golden_images(size):
    """Pictures whose colours and layout differ, in sizes that exercise shrink, enlarge and crop."""
    rng = np.random.default_rng(20240516)
    shapes = [(size + size // 2, size), (size // 2, size + 10), (size, size), (size * 2 - 1, size * 2 - 3)]
    images = []
    for i, (w, h) in enumerate(shapes):
        yy, xx = np.mgrid[0:h, 0:w]
        img = np.zeros((h, w, 3), dtype=np.float64)
        img[..., 0] = 255 * xx / max(1, w - 1)
        img[..., 1] = 255 * (0.5 + 0.5 * np.sin(yy / (3.0 + i)))
        img[..., 2] = 255 * ((xx // (4 + i) + yy // (4 + i)) % 2)
        img += rng.normal(0, 12, img.shape)
        # a red or green square, at different places: left and right differ (a flip would show)
        s = max(2, min(w, h) // 4)
        img[h // 4:h // 4 + s, w // 8 * (i % 3):w // 8 * (i % 3) + s] = [(230, 20, 20), (20, 200, 40)][i % 2]
        images.append(np.clip(np.rint(img), 0, 255).astype(np.uint8))
    return images


def golden_audio(spec, seconds):
    """Chunks of one length (the pipeline pads a batch to its longest chunk, see docs/encoders.md):
    a tone, a chirp, noise, and tone plus noise."""
    rate = spec["sampleRate"]
    n = int(rate * seconds)
    t = np.arange(n) / rate
    rng = np.random.default_rng(7)
    chunks = [
        0.5 * np.sin(2 * np.pi * 440 * t),
        0.4 * np.sin(2 * np.pi * (200 + 1500 * t / seconds) * t),
        0.3 * rng.standard_normal(n),
        0.3 * np.sin(2 * np.pi * 2500 * t) + 0.05 * rng.standard_normal(n),
    ]
    return [np.clip(np.rint(c * 32767), -32768, 32767).astype(np.int16) for c in chunks]


def write_wav(path, pcm, rate):
    with wave.open(path, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes(pcm.astype("<i2").tobytes())


# ---------------------------------------------------------------------------------------------


def calibrate(net, inputs):
    """Random weights with BatchNorm's initial statistics (mean 0, variance 1) let activations
    shrink layer by layer (a random MobileNetV3 put out values near 1e-5). Estimating the
    statistics on sample inputs keeps the outputs near unit scale, so the fixtures test numbers
    that float32 holds well. Weights stay random."""
    for m in net.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
            m.momentum = None  # a plain average over the calibration batches
    net.train()
    with torch.no_grad():
        for x in inputs:
            net(x)
    net.eval()


def export(net, example, fmt, out, dynamic_spatial):
    net.eval()
    if fmt == "onnx":
        path = os.path.join(out, "model.onnx")
        axes = {0: "batch"}
        if dynamic_spatial:
            axes[3] = "frames"
        torch.onnx.export(net, example, path, input_names=["input"], output_names=["embedding"],
                          dynamic_axes={"input": axes, "embedding": {0: "batch"}}, opset_version=14)
        return "model.onnx", "OnnxRuntime"
    path = os.path.join(out, "model.pt")
    with torch.no_grad():
        traced = torch.jit.trace(net, example)
    traced.save(path)
    return "model.pt", "PyTorch"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("modality", choices=["image", "audio"])
    p.add_argument("--arch", help="image: mobilenet_v3_small (default), resnet18, vit_b_16; audio: logmel_cnn")
    p.add_argument("--format", choices=["onnx", "torchscript"], default="onnx")
    p.add_argument("--out", required=True, help="the model directory to write")
    p.add_argument("--pretrained", action="store_true",
                   help="load the published ImageNet weights (downloads them; needs internet)")
    p.add_argument("--seed", type=int, default=7, help="seed of the random weights")
    p.add_argument("--size", type=int, default=224, help="image input side")
    p.add_argument("--width-mult", type=float, default=1.0, help="mobilenet_v3_small channel width")
    p.add_argument("--resize", choices=["stretch", "center-crop"], default="center-crop")
    p.add_argument("--sample-rate", type=int, default=16000)
    p.add_argument("--fft-size", type=int, default=400)
    p.add_argument("--hop", type=int, default=160)
    p.add_argument("--mel-bands", type=int, default=64)
    p.add_argument("--audio-channels", default="16,32,64", help="conv channels of the audio CNN")
    p.add_argument("--dims", type=int, default=128, help="audio embedding size")
    p.add_argument("--golden", action="store_true",
                   help="also write golden/ inputs and golden.json with this network's outputs")
    a = p.parse_args()

    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)
    if a.modality == "image":
        arch = a.arch or "mobilenet_v3_small"
        net = image_network(arch, a.pretrained, a.width_mult, a.size).eval()
        spec = {"width": a.size, "height": a.size, "mean": IMAGENET_MEAN, "std": IMAGENET_STD,
                "channels": "RGB", "layout": "NCHW", "resize": a.resize}
        samples = [image_tensor(rgb, spec) for rgb in golden_images(a.size)]
        example = samples[0]
        if not a.pretrained:
            calibrate(net, [torch.cat(samples + [torch.randn(4, 3, a.size, a.size)])])
    else:
        arch = a.arch or "logmel_cnn"
        if arch != "logmel_cnn":
            sys.exit("audio architectures: logmel_cnn")
        if a.pretrained:
            sys.exit("the log-mel CNN has no published weights: train it, or export your own network")
        net = LogMelCnn(tuple(int(c) for c in a.audio_channels.split(",")), a.dims).eval()
        spec = {"type": "log-mel-channel", "sampleRate": a.sample_rate, "fftSize": a.fft_size,
                "hop": a.hop, "melBands": a.mel_bands, "minHz": 0.0, "maxHz": a.sample_rate / 2.0}
        samples = [log_mel(pcm.astype(np.float32) / 32768.0, spec) for pcm in golden_audio(spec, 1.0)]
        example = samples[0]
        calibrate(net, [torch.cat(samples)])

    model_file, engine = export(net, example, a.format, a.out, a.modality == "audio")
    with torch.no_grad():
        dims = int(net(example).shape[1])
    described = {
        "modality": a.modality,
        "engine": engine,
        "model": model_file,
        "dimension": dims,
        "architecture": arch,
        "pretrained": bool(a.pretrained),
        "weights": ("published ImageNet-1k weights (torchvision)" if a.pretrained else
                    "RANDOM (seed %d), NOT PRETRAINED: runs, but its embeddings carry no meaning" % a.seed),
        "input": dict(spec, name="input"),
        "output": {"name": "embedding" if a.format == "onnx" else None, "pooling": "none",
                   "normalize": False},
    }
    with open(os.path.join(a.out, "model.json"), "w") as f:
        json.dump(described, f, indent=2)
        f.write("\n")

    if a.golden:
        gdir = os.path.join(a.out, "golden")
        os.makedirs(gdir, exist_ok=True)
        entries = []
        with torch.no_grad():
            if a.modality == "image":
                for i, rgb in enumerate(golden_images(a.size)):
                    name = "image-%d.png" % i
                    write_png(os.path.join(gdir, name), rgb)
                    entries.append({"file": "golden/" + name,
                                    "embedding": net(image_tensor(rgb, spec))[0].tolist()})
            else:
                for i, pcm in enumerate(golden_audio(spec, 0.5)):
                    name = "audio-%d.wav" % i
                    write_wav(os.path.join(gdir, name), pcm, spec["sampleRate"])
                    mel = log_mel(pcm.astype(np.float32) / 32768.0, spec)
                    entries.append({"file": "golden/" + name, "embedding": net(mel)[0].tolist()})
        with open(os.path.join(a.out, "golden.json"), "w") as f:
            json.dump({"torch": torch.__version__, "inputs": entries}, f)
            f.write("\n")
    print("%s %s (%s, %d dims, %s) -> %s" % (a.modality, arch, engine, dims,
                                              "pretrained" if a.pretrained else "random weights", a.out))


if __name__ == "__main__":
    main()
