package io.fusionstream.encode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;

/**
 * The built-in audio encoder, a BASELINE that needs no weights: the log-mel spectrogram pooled to
 * per-band mean and standard deviation over time, plus mean and standard deviation of the log
 * energy and of the zero-crossing rate over hop-sized blocks. Tells loud from quiet, tonal from
 * noisy, low from high; it does not understand speech.
 *
 * <p>Input: waveform [b, T] zero-padded (T a multiple of the hop, at least the FFT size) and the
 * true lengths [b]; padding is masked out of every statistic. Output: [b, 2 * melBands + 4], raw
 * statistics (log10 units, not normalised), in the order: band means, band stds, energy mean,
 * energy std, zero-crossing mean, zero-crossing std.
 */
final class AudioStatsBlock {
  private static final float EPS = 1e-10f;

  private AudioStatsBlock() {}

  static int dimension(AudioSpec spec) {
    return 2 * spec.melBands() + 4;
  }

  static LambdaBlock block(AudioSpec spec) {
    LogMelSpectrogram logMel = new LogMelSpectrogram(spec);
    return new LambdaBlock(
        list -> new NDList(features(spec, logMel, list.get(0), list.get(1))), "audio-stats");
  }

  static NDArray features(AudioSpec spec, LogMelSpectrogram logMel, NDArray wave, NDArray lengths) {
    NDManager manager = wave.getManager();
    long batch = wave.getShape().get(0);
    long samples = wave.getShape().get(1);
    NDArray len = lengths.toType(DataType.FLOAT32, false).expandDims(1); // [b, 1]

    NDArray mel = logMel.compute(wave); // [b, M, F]
    long frames = mel.getShape().get(2);
    NDArray validFrames = len.div(spec.hop()).floor().add(1);
    NDArray frameMask = manager.arange((float) frames).expandDims(0).lt(validFrames)
        .toType(DataType.FLOAT32, false).expandDims(1); // [b, 1, F]
    NDArray[] bands = maskedMeanStd(mel, frameMask, 2);

    long blocks = samples / spec.hop();
    NDArray blocked = wave.reshape(batch, blocks, spec.hop()); // [b, B, hop]
    NDArray energy = blocked.square().mean(new int[] {2}).add(EPS).log10(); // [b, B]
    // Sign changes between neighbouring samples, counted in the block of the later sample (so the
    // crossings at block boundaries are not lost), as crossings per sample.
    NDArray changes = wave.get(new NDIndex(":, 1:")).mul(wave.get(new NDIndex(":, :-1"))).lt(0)
        .toType(DataType.FLOAT32, false);
    NDArray crossings = manager.zeros(new Shape(batch, 1)).concat(changes, 1)
        .reshape(batch, blocks, spec.hop()).mean(new int[] {2}); // [b, B]
    // Only whole blocks count; a chunk shorter than one hop still has its one (padded) block.
    NDArray validBlocks = len.div(spec.hop()).floor().maximum(1);
    NDArray blockMask = manager.arange((float) blocks).expandDims(0).lt(validBlocks)
        .toType(DataType.FLOAT32, false); // [b, B]
    NDArray[] energyStats = maskedMeanStd(energy, blockMask, 1);
    NDArray[] zcrStats = maskedMeanStd(crossings, blockMask, 1);

    return NDArrays.concat(
        new NDList(
            bands[0], bands[1],
            energyStats[0].expandDims(1), energyStats[1].expandDims(1),
            zcrStats[0].expandDims(1), zcrStats[1].expandDims(1)),
        1);
  }

  /** Mean and (population) standard deviation along {@code axis}, counting only mask == 1. */
  private static NDArray[] maskedMeanStd(NDArray values, NDArray mask, int axis) {
    int[] axes = {axis};
    NDArray count = mask.sum(axes).maximum(1);
    NDArray mean = values.mul(mask).sum(axes).div(count);
    NDArray deviation = values.sub(mean.expandDims(axis)).mul(mask);
    NDArray std = deviation.square().sum(axes).div(count).sqrt();
    return new NDArray[] {mean, std};
  }
}
