package io.fusionstream.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.fusionstream.schema.Modality;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole fusion network, used as is by training and by serving so the two never drift.
 *
 * <p>Input: one (B, D_m) array per modality in {@link FusionArchitecture#ORDER} (zeros where
 * absent) and the presence mask (B, M). Each modality is standardised with frozen training-set
 * statistics, projected into the shared dimension d ({@code tanh(W_m x + b_m)}), fused by the
 * configured {@link StrategyBlock}, and read by the heads (the classifier reads the fused vector
 * and the mask).
 *
 * <p>Output, in this order: label logits (B, L), modality weights (B, M), auxiliary logits of each
 * modality's own classifier (B, M, L), the fused vector before normalisation (B, E), and the mask.
 */
public final class FusionBlock extends AbstractBlock {
  static final int LOGITS = 0;
  static final int WEIGHTS = 1;
  static final int AUX_LOGITS = 2;
  static final int FUSED = 3;
  static final int MASK = 4;

  private final FusionArchitecture arch;
  private final List<Parameter> means = new ArrayList<>();
  private final List<Parameter> scales = new ArrayList<>();
  private final List<Linear> projections = new ArrayList<>();
  private final List<Linear> auxHeads = new ArrayList<>();
  private final StrategyBlock strategy;
  private final Linear hidden;
  private final Linear output;

  public FusionBlock(FusionArchitecture arch) {
    super((byte) 1);
    this.arch = arch;
    int labels = arch.labels().size();
    for (Modality m : FusionArchitecture.ORDER) {
      String name = m.name().toLowerCase(java.util.Locale.ROOT);
      means.add(addParameter(frozen(name + "_mean", arch.inputDim(m), Initializer.ZEROS)));
      scales.add(addParameter(frozen(name + "_scale", arch.inputDim(m), Initializer.ONES)));
      projections.add(
          addChildBlock(name + "_projection", Linear.builder().setUnits(arch.sharedDim()).build()));
    }
    strategy =
        addChildBlock(
            "fusion_" + arch.strategy().id(),
            arch.strategy()
                .newBlock(FusionArchitecture.ORDER.size(), arch.sharedDim(), arch.attentionDim()));
    hidden = addChildBlock("head_hidden", Linear.builder().setUnits(arch.hiddenDim()).build());
    output = addChildBlock("head_output", Linear.builder().setUnits(labels).build());
    for (Modality m : FusionArchitecture.ORDER) {
      auxHeads.add(
          addChildBlock(
              m.name().toLowerCase(java.util.Locale.ROOT) + "_aux_head",
              Linear.builder().setUnits(labels).build()));
    }
  }

  private static Parameter frozen(String name, int size, Initializer init) {
    return Parameter.builder()
        .setName(name)
        .setType(Parameter.Type.OTHER)
        .optShape(new Shape(size))
        .optInitializer(init)
        .optRequiresGrad(false)
        .build();
  }

  public FusionArchitecture architecture() {
    return arch;
  }

  /** Input shapes for a batch of {@code batch} windows, as {@link #initialize} wants them. */
  public Shape[] inputShapes(long batch) {
    List<Shape> shapes = new ArrayList<>();
    for (Modality m : FusionArchitecture.ORDER) {
      shapes.add(new Shape(batch, arch.inputDim(m)));
    }
    shapes.add(new Shape(batch, FusionArchitecture.ORDER.size()));
    return shapes.toArray(Shape[]::new);
  }

  /** Sets the standardisation of one modality: x' = (x - mean) / scale. Call after initialize. */
  public void setStandardisation(Modality m, float[] mean, float[] scale) {
    int i = FusionArchitecture.ORDER.indexOf(m);
    if (mean.length != arch.inputDim(m) || scale.length != arch.inputDim(m)) {
      throw new IllegalArgumentException(
          "standardisation of " + m + " needs " + arch.inputDim(m) + " values");
    }
    replace(means.get(i).getArray(), mean);
    replace(scales.get(i).getArray(), scale);
  }

  /**
   * Swaps in a new tensor rather than writing into the old one: PyTorch's in-place write from a
   * buffer (NDArray.set) runs under a deprecated guard whose native warning goes straight to the
   * process's stderr, where no logger setting can reach it.
   *
   * <p>The swapped-in tensor must own its memory. On the CPU, PyTorch's {@code create} wraps a
   * direct buffer that only the created NDArray keeps alive, and {@code intern} moves the tensor
   * but not that reference: the parameter then reads freed memory once the collector has run and
   * the allocator hands it out again (the NaN loss after a few epochs). The copy made by {@code
   * duplicate} is owned by PyTorch.
   */
  private static void replace(NDArray parameter, float[] values) {
    try (NDArray borrowed = parameter.getManager().create(values, parameter.getShape())) {
      parameter.intern(borrowed.duplicate());
    }
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    int modalities = FusionArchitecture.ORDER.size();
    NDArray mask = inputs.get(modalities);
    NDList projected = new NDList(modalities);
    for (int i = 0; i < modalities; i++) {
      NDArray x = inputs.get(i);
      NDArray standard =
          x.sub(store.getValue(means.get(i), x.getDevice(), training))
              .div(store.getValue(scales.get(i), x.getDevice(), training));
      projected.add(
          projections.get(i).forward(store, new NDList(standard), training).singletonOrThrow().tanh());
    }
    NDArray stacked = NDArrays.stack(projected, 1); // (B, M, d)
    if (training && arch.dropout() > 0) {
      stacked = Dropout.dropout(stacked, arch.dropout(), true).singletonOrThrow();
    }
    NDList fused = strategy.forward(store, new NDList(stacked, mask), training);
    NDArray u = fused.get(0);
    NDArray headInput = headSeesMask() ? u.concat(mask, 1) : u;
    NDArray h =
        Activation.relu(hidden.forward(store, new NDList(headInput), training).singletonOrThrow());
    NDArray logits = output.forward(store, new NDList(h), training).singletonOrThrow();
    NDList aux = new NDList(modalities);
    for (int i = 0; i < modalities; i++) {
      NDArray v = stacked.get(":, " + i + ", :");
      aux.add(auxHeads.get(i).forward(store, new NDList(v), training).singletonOrThrow());
    }
    return new NDList(logits, fused.get(1), NDArrays.stack(aux, 1), u, mask);
  }

  /**
   * The classifier also reads the mask, so it knows which modalities the fused vector came from:
   * without it, a missing voice would look to the head like a calm one. Concat has the mask in u.
   */
  private boolean headSeesMask() {
    return arch.strategy() != FusionStrategy.CONCAT;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long b = inputShapes[0].get(0);
    int m = FusionArchitecture.ORDER.size();
    int l = arch.labels().size();
    return new Shape[] {
      new Shape(b, l), new Shape(b, m), new Shape(b, m, l), new Shape(b, strategy.fusedDim()),
      new Shape(b, m)
    };
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    long b = inputShapes[0].get(0);
    int m = FusionArchitecture.ORDER.size();
    for (int i = 0; i < m; i++) {
      projections.get(i).initialize(manager, dataType, inputShapes[i]);
      auxHeads.get(i).initialize(manager, dataType, new Shape(b, arch.sharedDim()));
    }
    strategy.initialize(
        manager, dataType, new Shape(b, m, arch.sharedDim()), new Shape(b, m));
    int headWidth = strategy.fusedDim() + (headSeesMask() ? m : 0);
    hidden.initialize(manager, dataType, new Shape(b, headWidth));
    output.initialize(manager, dataType, new Shape(b, arch.hiddenDim()));
  }
}
