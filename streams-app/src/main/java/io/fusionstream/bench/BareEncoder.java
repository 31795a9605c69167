package io.fusionstream.bench;

import io.fusionstream.encode.EncodeException;
import io.fusionstream.encode.Encoder;
import java.util.List;

/** The encoder alone, called in a loop on the same inputs and batch size as the pipeline's. */
public final class BareEncoder {
  private BareEncoder() {}

  /** Items per second over one pass of {@code inputs} in batches of {@code batchSize}, after warm-up batches. */
  public static <I> double itemsPerSecond(Encoder<I> encoder, List<I> inputs, int batchSize, int warmUpBatches) {
    try {
      for (int i = 0; i < warmUpBatches; i++) {
        encoder.encode(inputs.subList(0, Math.min(batchSize, inputs.size())));
      }
      long start = System.nanoTime();
      for (int from = 0; from < inputs.size(); from += batchSize) {
        encoder.encode(inputs.subList(from, Math.min(from + batchSize, inputs.size())));
      }
      return inputs.size() / ((System.nanoTime() - start) / 1e9);
    } catch (EncodeException e) {
      throw new IllegalStateException("The bare encoder failed on the benchmark's inputs: " + e.getMessage(), e);
    }
  }
}
