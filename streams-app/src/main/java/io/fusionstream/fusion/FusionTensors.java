package io.fusionstream.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.fusionstream.schema.Modality;
import java.util.List;

/**
 * Turns a batch of windows into the block's input tensors: one zero-filled (B, D_m) array per
 * modality and the (B, M) presence mask. Training and serving both go through here.
 */
final class FusionTensors {
  private FusionTensors() {}

  static NDList inputs(NDManager manager, FusionArchitecture arch, List<FusionInput> batch) {
    int b = batch.size();
    int modalities = FusionArchitecture.ORDER.size();
    float[] mask = new float[b * modalities];
    NDList inputs = new NDList(modalities + 1);
    for (int mi = 0; mi < modalities; mi++) {
      Modality m = FusionArchitecture.ORDER.get(mi);
      int dim = arch.inputDim(m);
      float[] flat = new float[b * dim];
      for (int row = 0; row < b; row++) {
        float[] v = batch.get(row).pooled().get(m);
        if (v == null) {
          continue;
        }
        if (v.length != dim) {
          throw new IllegalArgumentException(
              m + " vector of window " + row + " has " + v.length + " values, the model expects "
                  + dim + " (was it trained with another encoder?)");
        }
        System.arraycopy(v, 0, flat, row * dim, dim);
        mask[row * modalities + mi] = 1f;
      }
      inputs.add(manager.create(flat, new Shape(b, dim)));
    }
    inputs.add(manager.create(mask, new Shape(b, modalities)));
    return inputs;
  }

  /** Sparse labels as the float (B) array SoftmaxCrossEntropyLoss expects. */
  static NDArray labels(NDManager manager, int[] labels) {
    float[] values = new float[labels.length];
    for (int i = 0; i < labels.length; i++) {
      values[i] = labels[i];
    }
    return manager.create(values);
  }
}
