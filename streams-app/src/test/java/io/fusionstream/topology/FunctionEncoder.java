package io.fusionstream.topology;

import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;
import io.fusionstream.encode.Encoder;
import io.fusionstream.schema.Modality;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A deterministic test encoder: each input is mapped on its own by a small function, so the result
 * cannot depend on the batch. Records the size of every batch it was called with.
 */
final class FunctionEncoder<I> implements Encoder<I> {
  private final Modality modality;
  private final int dimension;
  private final Function<I, float[]> function;
  final List<Integer> batchSizes = new ArrayList<>();

  FunctionEncoder(Modality modality, int dimension, Function<I, float[]> function) {
    this.modality = modality;
    this.dimension = dimension;
    this.function = function;
  }

  /** Bag of words hashed into 8 buckets; the text "up" pushes bucket values up, others hash. */
  static FunctionEncoder<String> words() {
    return new FunctionEncoder<>(Modality.TEXT, 8, text -> {
      float[] v = new float[8];
      for (String w : text.toLowerCase().split("\\W+")) {
        if (!w.isEmpty()) {
          int h = 0;
          for (byte b : w.getBytes(StandardCharsets.UTF_8)) {
            h = h * 31 + b;
          }
          v[Math.floorMod(h, 8)] += w.equals("bad") ? -1f : 1f;
        }
      }
      return v;
    });
  }

  /** Mean red, green, blue in [0, 1] and the pixel count in thousands. */
  static FunctionEncoder<DecodedImage> colours() {
    return new FunctionEncoder<>(Modality.IMAGE, 4, img -> {
      double[] sum = new double[3];
      byte[] rgb = img.rgb();
      for (int i = 0; i < rgb.length; i++) {
        sum[i % 3] += rgb[i] & 0xff;
      }
      int pixels = img.width() * img.height();
      return new float[] {(float) (sum[0] / pixels / 255), (float) (sum[1] / pixels / 255),
          (float) (sum[2] / pixels / 255), pixels / 1000f};
    });
  }

  /** Mean, RMS, peak and duration of the samples. */
  static FunctionEncoder<DecodedAudio> loudness() {
    return new FunctionEncoder<>(Modality.AUDIO, 4, a -> {
      double sum = 0;
      double sq = 0;
      double peak = 0;
      for (float s : a.samples()) {
        sum += s;
        sq += s * s;
        peak = Math.max(peak, Math.abs(s));
      }
      int n = Math.max(1, a.samples().length);
      return new float[] {(float) (sum / n), (float) Math.sqrt(sq / n), (float) peak, (float) a.durationSeconds()};
    });
  }

  @Override
  public Modality modality() {
    return modality;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public String modelId() {
    return "test-" + modality.name().toLowerCase() + "@1";
  }

  @Override
  public synchronized float[][] encode(List<I> inputs) {
    batchSizes.add(inputs.size());
    float[][] out = new float[inputs.size()][];
    for (int i = 0; i < inputs.size(); i++) {
      out[i] = function.apply(inputs.get(i));
    }
    return out;
  }

  @Override
  public void close() {}
}
