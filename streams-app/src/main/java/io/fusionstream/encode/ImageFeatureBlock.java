package io.fusionstream.encode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.LambdaBlock;

/**
 * The built-in image encoder, a BASELINE that needs no weights: a joint RGB colour histogram plus
 * gradient-orientation histograms (HOG-like, no block normalisation) on a spatial grid, computed
 * with NDArray operations. It tells colour and layout apart (sky vs. grass, stripes vs. blobs), not
 * objects; plug in a real image model for semantics.
 *
 * <p>Input: [b, 3, S, S] in [0, 1] with S = {@code 2 + grid * cell}. Output: [b, {@link
 * #DIMENSION}], L2-normalised, colour and gradient halves weighted equally.
 */
final class ImageFeatureBlock {
  static final int COLOUR_LEVELS = 4; // per channel: 4^3 = 64 joint colour bins
  static final int GRID = 4;
  static final int CELL = 16;
  static final int ORIENTATIONS = 8; // unsigned, over [0, pi)
  static final int SIDE = GRID * CELL + 2; // +2: the central difference eats one pixel per side
  static final int COLOUR_BINS = COLOUR_LEVELS * COLOUR_LEVELS * COLOUR_LEVELS;
  static final int DIMENSION = COLOUR_BINS + GRID * GRID * ORIENTATIONS;
  private static final float EPS = 1e-6f;
  /** A tenth of one grey level out of 255. */
  private static final float MIN_GRADIENT = 0.1f / 255f;

  private ImageFeatureBlock() {}

  static LambdaBlock block() {
    return new LambdaBlock(list -> new NDList(features(list.singletonOrThrow())), "image-features");
  }

  static NDArray features(NDArray images) {
    NDArray colour = unit(colourHistogram(images));
    NDArray gradient = unit(orientationHistograms(images));
    return unit(colour.concat(gradient, 1));
  }

  /** Fraction of pixels in each of the 64 joint (r, g, b) bins. */
  static NDArray colourHistogram(NDArray images) {
    long batch = images.getShape().get(0);
    NDArray levels = images.mul(COLOUR_LEVELS).clip(0, COLOUR_LEVELS - 0.001f).floor();
    NDArray r = levels.get(new NDIndex(":, 0"));
    NDArray g = levels.get(new NDIndex(":, 1"));
    NDArray b = levels.get(new NDIndex(":, 2"));
    NDArray bin = r.mul(COLOUR_LEVELS * COLOUR_LEVELS).add(g.mul(COLOUR_LEVELS)).add(b);
    NDArray flat = bin.reshape(batch, -1).toType(ai.djl.ndarray.types.DataType.INT64, false);
    long pixels = flat.getShape().get(1);
    return flat.oneHot(COLOUR_BINS).sum(new int[] {1}).div(pixels);
  }

  /**
   * Magnitude-weighted orientation histograms per grid cell. The orientation bin is found without
   * atan2: in the doubled-angle representation (cos 2t, sin 2t) = ((gx^2 - gy^2), 2 gx gy) / m^2,
   * the nearest bin centre is the one with the largest dot product, and opposite gradients (a dark
   * to light edge and a light to dark one) land in the same unsigned bin.
   */
  static NDArray orientationHistograms(NDArray images) {
    NDManager manager = images.getManager();
    long batch = images.getShape().get(0);
    NDArray grey =
        images.get(new NDIndex(":, 0")).mul(0.299f)
            .add(images.get(new NDIndex(":, 1")).mul(0.587f))
            .add(images.get(new NDIndex(":, 2")).mul(0.114f));
    NDArray gx = grey.get(new NDIndex(":, 1:-1, 2:")).sub(grey.get(new NDIndex(":, 1:-1, :-2")));
    NDArray gy = grey.get(new NDIndex(":, 2:, 1:-1")).sub(grey.get(new NDIndex(":, :-2, 1:-1")));
    NDArray squared = gx.square().add(gy.square());
    NDArray cos2 = gx.square().sub(gy.square()).div(squared.add(EPS));
    NDArray sin2 = gx.mul(gy).mul(2).div(squared.add(EPS));
    float[] binCos = new float[ORIENTATIONS];
    float[] binSin = new float[ORIENTATIONS];
    for (int k = 0; k < ORIENTATIONS; k++) {
      double doubled = 2 * Math.PI * k / ORIENTATIONS;
      binCos[k] = (float) Math.cos(doubled);
      binSin[k] = (float) Math.sin(doubled);
    }
    NDArray score =
        cos2.expandDims(-1).mul(manager.create(binCos))
            .add(sin2.expandDims(-1).mul(manager.create(binSin)));
    // Resampling rounding leaves gradients of ~1e-5 on flat areas; normalising a histogram of
    // those would blow noise up into a full-strength texture, so they are gated out.
    NDArray magnitude = squared.sqrt();
    magnitude = magnitude.mul(magnitude.gt(MIN_GRADIENT));
    NDArray weighted = score.argMax(-1).oneHot(ORIENTATIONS).mul(magnitude.expandDims(-1));
    return weighted
        .reshape(batch, GRID, CELL, GRID, CELL, ORIENTATIONS)
        .sum(new int[] {2, 4})
        .reshape(batch, -1);
  }

  /** Row-wise L2 normalisation; an all-zero row (a flat image's gradients) stays zero. */
  private static NDArray unit(NDArray rows) {
    return rows.div(rows.norm(new int[] {1}, true).add(EPS));
  }
}
