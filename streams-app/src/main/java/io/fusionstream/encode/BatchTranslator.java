package io.fusionstream.encode;

import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.util.List;

/**
 * Adapts a {@link Preprocessor} to DJL: the whole list is one batch (no batchifier, we pad
 * ourselves), and everything created in the context's manager is released after the batch.
 */
final class BatchTranslator<I> implements NoBatchifyTranslator<List<I>, float[][]> {
  private static final String INPUT = "fusionstream.input";

  private final Preprocessor<I> preprocessor;

  BatchTranslator(Preprocessor<I> preprocessor) {
    this.preprocessor = preprocessor;
  }

  @Override
  public NDList processInput(TranslatorContext ctx, List<I> batch) {
    NDList input = preprocessor.toInput(ctx.getNDManager(), batch);
    ctx.setAttachment(INPUT, input);
    ctx.setAttachment("fusionstream.size", batch.size());
    return input;
  }

  @Override
  public float[][] processOutput(TranslatorContext ctx, NDList output) {
    NDList input = (NDList) ctx.getAttachment(INPUT);
    int size = (Integer) ctx.getAttachment("fusionstream.size");
    float[][] rows = preprocessor.toVectors(input, output, size);
    if (rows.length != size) {
      throw new EncodeException("model returned " + rows.length + " rows for " + size + " inputs");
    }
    return rows;
  }
}
