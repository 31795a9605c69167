package io.fusionstream.encode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;

/**
 * Which model output is the embedding and how to turn it into one vector per input.
 *
 * @param name output name; null or empty takes the first output
 * @param pooling how to reduce a non-vector output, see {@link Pooling}
 * @param normalize L2-normalise each vector
 */
public record OutputSpec(String name, Pooling pooling, boolean normalize) {

  /** Reductions of an output with more than two axes. */
  public enum Pooling {
    /** The output already is [batch, dims] (or [batch, ...] flattened as is). */
    NONE,
    /** Text: mean over tokens, weighted by the attention mask. */
    MEAN,
    /** Text: the first token ([CLS]). */
    CLS,
    /** Images: mean over the spatial axes of [batch, channels, h, w]. */
    SPATIAL_MEAN;

    public static Pooling parse(String value) {
      return valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
  }

  public static OutputSpec first() {
    return new OutputSpec(null, Pooling.NONE, false);
  }

  /** The chosen output array of the model. */
  NDArray select(NDList output) {
    if (name == null || name.isEmpty()) {
      return output.get(0);
    }
    NDArray named = output.get(name);
    if (named == null) {
      throw new EncodeException(
          "model has no output named '" + name + "'; outputs: " + describe(output));
    }
    return named;
  }

  private static String describe(NDList list) {
    StringBuilder sb = new StringBuilder();
    for (NDArray a : list) {
      sb.append(a.getName()).append(a.getShape()).append(' ');
    }
    return sb.toString().trim();
  }

  /**
   * Rows of a non-text output: NONE flattens everything after the batch axis, SPATIAL_MEAN averages
   * [b, c, h, w] over h and w. Token poolings need the attention mask and live in the text code.
   */
  float[][] rows(NDArray array, int batchSize) {
    Shape shape = array.getShape();
    float[] flat = array.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
    if (shape.dimension() == 0 || shape.get(0) != batchSize) {
      throw new EncodeException("output shape " + shape + " has no batch axis of " + batchSize);
    }
    int per = flat.length / batchSize;
    int groups = 1;
    if (pooling == Pooling.SPATIAL_MEAN) {
      if (shape.dimension() != 4) {
        throw new EncodeException("spatial-mean pooling needs [b, c, h, w], got " + shape);
      }
      groups = (int) (shape.get(2) * shape.get(3));
    } else if (pooling != Pooling.NONE) {
      throw new EncodeException(pooling + " pooling applies to text models only");
    }
    int dims = per / groups;
    float[][] out = new float[batchSize][dims];
    for (int b = 0; b < batchSize; b++) {
      for (int d = 0; d < dims; d++) {
        double sum = 0;
        int base = b * per + d * groups;
        for (int g = 0; g < groups; g++) {
          sum += flat[base + g];
        }
        out[b][d] = (float) (sum / groups);
      }
      if (normalize) {
        Vectors.l2Normalize(out[b]);
      }
    }
    return out;
  }
}
