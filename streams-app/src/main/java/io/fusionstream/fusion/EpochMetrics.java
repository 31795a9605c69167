package io.fusionstream.fusion;

/** Loss and accuracy of one epoch, on the training windows (with dropout) and on validation. */
public record EpochMetrics(
    int epoch, double trainLoss, double trainAccuracy, double validationLoss,
    double validationAccuracy) {

  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "epoch %3d  train loss %.4f acc %.3f | validation loss %.4f acc %.3f",
        epoch, trainLoss, trainAccuracy, validationLoss, validationAccuracy);
  }
}
