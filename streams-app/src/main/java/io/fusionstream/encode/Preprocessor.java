package io.fusionstream.encode;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Everything that differs between modalities: how a batch of inputs becomes the model's input
 * tensors, and how the model's output becomes one vector per input. The batching, predictor,
 * device and memory plumbing is shared in {@link DjlEncoder}.
 *
 * <p>Implementations must be thread-safe: one instance serves every thread's predictor.
 *
 * @param <I> the decoded input of the modality
 */
public interface Preprocessor<I> {

  /** Called once, with the loaded model, before the first batch (e.g. to read input names). */
  default void prepare(Model model) {}

  /**
   * The model input for a batch. Arrays created on {@code manager} are freed when the batch is
   * done; nothing may outlive it.
   */
  NDList toInput(NDManager manager, List<I> batch);

  /** One row per input of the batch, in order. {@code input} is what {@link #toInput} returned. */
  float[][] toVectors(NDList input, NDList output, int batchSize);

  /**
   * A rough size of one input (text length, sample count) used to group similar inputs into a batch
   * so that one long input does not pad many short ones; 0 when padding does not depend on the
   * input.
   */
  default int cost(I input) {
    return 0;
  }
}
