package io.fusionstream.fusion;

import io.fusionstream.schema.Modality;
import java.util.EnumSet;
import java.util.Set;

/**
 * Settings of one training run.
 *
 * @param modalities the modalities the model may see; others are removed from every window
 * @param modalityDropout probability of hiding each present modality of a training window in an
 *     epoch (at least one always stays), so the model learns to cope with missing ones
 * @param auxWeight weight of the per-modality auxiliary losses
 * @param trustWeight weight of the loss pulling fusion weights towards the modalities whose own
 *     auxiliary head is right (see FusionLoss)
 * @param noiseAugmentation probability that a training window with at least two modalities has one
 *     of them replaced by the vector of a noise input (garbled transcript, random pixels, white
 *     noise) in an epoch, when the trainer is given such vectors; teaches the scorer what a broken
 *     sensor looks like, so it can give it the lowest weight
 * @param patience epochs without a better validation loss before training stops
 */
public record TrainOptions(
    FusionStrategy strategy,
    Set<Modality> modalities,
    int epochs,
    int batchSize,
    float learningRate,
    float weightDecay,
    int patience,
    float modalityDropout,
    float auxWeight,
    float trustWeight,
    float noiseAugmentation,
    int sharedDim,
    int attentionDim,
    int hiddenDim,
    float dropout,
    long seed) {

  public TrainOptions {
    modalities = Set.copyOf(modalities);
    if (modalities.isEmpty()) {
      throw new IllegalArgumentException("train on at least one modality");
    }
    if (epochs < 1 || batchSize < 1 || patience < 1) {
      throw new IllegalArgumentException("epochs, batch size and patience must be positive");
    }
    if (modalityDropout < 0 || modalityDropout >= 1) {
      throw new IllegalArgumentException("modality dropout must be in [0, 1): " + modalityDropout);
    }
    if (noiseAugmentation < 0 || noiseAugmentation > 1) {
      throw new IllegalArgumentException("noise augmentation must be in [0, 1]: " + noiseAugmentation);
    }
  }

  public static TrainOptions defaults(FusionStrategy strategy) {
    return new TrainOptions(
        strategy, EnumSet.allOf(Modality.class), 60, 32, 3e-3f, 1e-4f, 10, 0.25f, 0.5f,
        1.0f, 0.1f, 32, 16, 32,
        0.1f, 42L);
  }

  public TrainOptions withStrategy(FusionStrategy s) {
    return new TrainOptions(s, modalities, epochs, batchSize, learningRate, weightDecay, patience,
        modalityDropout, auxWeight, trustWeight, noiseAugmentation, sharedDim, attentionDim, hiddenDim, dropout, seed);
  }

  public TrainOptions withEpochs(int n) {
    return new TrainOptions(strategy, modalities, n, batchSize, learningRate, weightDecay, patience,
        modalityDropout, auxWeight, trustWeight, noiseAugmentation, sharedDim, attentionDim, hiddenDim, dropout, seed);
  }

  public TrainOptions withSeed(long s) {
    return new TrainOptions(strategy, modalities, epochs, batchSize, learningRate, weightDecay,
        patience, modalityDropout, auxWeight, trustWeight, noiseAugmentation, sharedDim, attentionDim, hiddenDim, dropout, s);
  }

  /** Only {@code only}, and no modality dropout (there would be nothing left to drop to). */
  public TrainOptions singleModality(Modality only) {
    return new TrainOptions(strategy, Set.of(only), epochs, batchSize, learningRate, weightDecay,
        patience, 0f, auxWeight, trustWeight, 0f, sharedDim, attentionDim, hiddenDim, dropout, seed);
  }

  FusionArchitecture architecture(java.util.List<String> labels,
      java.util.Map<Modality, Integer> inputDims) {
    return new FusionArchitecture(
        strategy, labels, inputDims, sharedDim, attentionDim, hiddenDim, dropout);
  }
}
