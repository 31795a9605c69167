package io.fusionstream.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One fusion strategy as a DJL block. Input: the projected modality vectors (B, M, d) and the
 * presence mask (B, M). Output: the fused vector (B, {@link #fusedDim}) and the weight each
 * modality got (B, M), zero for absent modalities and summing to 1 over the present ones.
 */
abstract class StrategyBlock extends AbstractBlock {
  protected final int modalities;
  protected final int dim;

  StrategyBlock(int modalities, int dim) {
    super((byte) 1);
    this.modalities = modalities;
    this.dim = dim;
  }

  abstract NDList fuse(ParameterStore store, NDArray projected, NDArray mask, boolean training);

  /** Length of the fused vector. */
  int fusedDim() {
    return dim;
  }

  @Override
  protected final NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return fuse(store, inputs.get(0), inputs.get(1), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long batch = inputShapes[0].get(0);
    return new Shape[] {new Shape(batch, fusedDim()), new Shape(batch, modalities)};
  }

  /** The value of a parameter of this block, on the device of {@code like}. */
  protected NDArray value(ParameterStore store, ai.djl.nn.Parameter p, NDArray like, boolean training) {
    return store.getValue(p, like.getDevice(), training);
  }
}
