package io.fusionstream.encode;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrayAdapter;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.fusionstream.encode.OutputSpec.Pooling;
import java.util.ArrayList;
import java.util.List;

/**
 * Texts to BERT-style inputs (input_ids, attention_mask, token_type_ids: whichever the model
 * declares), padded to the longest text of the batch and truncated to the max sequence length; the
 * token embeddings are pooled (mean over the attention mask, or the [CLS] token) and normalised with
 * NDArray operations, so that one vector per text, not every token's, reaches the Java heap.
 */
final class TextPreprocessor implements Preprocessor<String> {
  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";

  private final HuggingFaceTokenizer tokenizer;
  /** The engine that runs the pooling operations when the model's own engine has none. */
  static final String OPS_ENGINE = "PyTorch";

  private final OutputSpec output;
  private final boolean poolOnEngine;
  private volatile List<String> inputNames = List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);

  TextPreprocessor(HuggingFaceTokenizer tokenizer, OutputSpec output) {
    this(tokenizer, output, true);
  }

  /** @param poolOnEngine false pools on the Java heap (the reference for tests) */
  TextPreprocessor(HuggingFaceTokenizer tokenizer, OutputSpec output, boolean poolOnEngine) {
    this.tokenizer = tokenizer;
    this.output = output;
    this.poolOnEngine = poolOnEngine;
  }

  /** The same tokenizer and output, pooled on the Java heap. */
  TextPreprocessor pooledInJava() {
    return new TextPreprocessor(tokenizer, output, false);
  }

  @Override
  public void prepare(Model model) {
    List<String> declared = new ArrayList<>(model.describeInput().keys());
    if (!declared.contains(INPUT_IDS)) {
      throw new EncodeException(
          "text model " + model.getName() + " has no input_ids input; inputs: " + declared);
    }
    inputNames = List.copyOf(declared);
  }

  @Override
  public NDList toInput(NDManager manager, List<String> batch) {
    Encoding[] encodings = tokenizer.batchEncode(batch);
    NDList list = new NDList(inputNames.size());
    for (String name : inputNames) {
      long[][] rows = new long[encodings.length][];
      for (int i = 0; i < encodings.length; i++) {
        rows[i] =
            switch (name) {
              case INPUT_IDS -> encodings[i].getIds();
              case ATTENTION_MASK -> encodings[i].getAttentionMask();
              case TOKEN_TYPE_IDS -> encodings[i].getTypeIds();
              default -> throw new EncodeException("unknown text model input '" + name + "'");
            };
      }
      NDArray array = manager.create(rows);
      array.setName(name);
      list.add(array);
    }
    return list;
  }

  @Override
  public float[][] toVectors(NDList input, NDList out, int batchSize) {
    NDArray hidden = output.select(out);
    Shape shape = hidden.getShape();
    if (shape.dimension() == 2 || output.pooling() == Pooling.NONE) {
      return output.rows(hidden, batchSize); // already one vector per text
    }
    if (shape.dimension() != 3) {
      throw new EncodeException("expected token embeddings [b, tokens, dims], got " + shape);
    }
    if (output.pooling() != Pooling.MEAN && output.pooling() != Pooling.CLS) {
      throw new EncodeException(output.pooling() + " pooling does not apply to text");
    }
    if (poolOnEngine) {
      try (NDManager ops = opsManager(hidden)) {
        if (ops != null) {
          return rows(pool(ops.from(hidden), maskArray(input, ops)), batchSize, (int) shape.get(2));
        }
      }
    }
    return poolInJava(input, hidden, batchSize);
  }

  /**
   * Pooling and normalisation as NDArray operations, so only [batch, dims] comes back to Java rather
   * than [batch, tokens, dims].
   */
  private NDArray pool(NDArray hidden, NDArray mask) {
    NDArray tokens = hidden.toType(DataType.FLOAT32, false);
    NDArray pooled;
    if (output.pooling() == Pooling.CLS) {
      pooled = tokens.get(":, 0, :");
    } else if (mask == null) {
      pooled = tokens.mean(new int[] {1});
    } else {
      NDArray weights = mask.toType(DataType.FLOAT32, false).expandDims(2); // [b, tokens, 1]
      NDArray counted = weights.sum(new int[] {1}).maximum(1f); // [b, 1]: an all-pad row stays zero
      pooled = tokens.mul(weights).sum(new int[] {1}).div(counted);
    }
    if (output.normalize()) {
      // A zero vector stays zero, as in Vectors.l2Normalize.
      pooled = pooled.div(pooled.norm(new int[] {1}, true).maximum(Float.MIN_NORMAL));
    }
    return pooled;
  }

  private static float[][] rows(NDArray pooled, int batchSize, int dims) {
    float[] flat = pooled.toFloatArray();
    if (flat.length != batchSize * dims) {
      throw new EncodeException("pooled output " + pooled.getShape() + " is not [" + batchSize + ", " + dims + "]");
    }
    float[][] rows = new float[batchSize][dims];
    for (int b = 0; b < batchSize; b++) {
      System.arraycopy(flat, b * dims, rows[b], 0, dims);
    }
    return rows;
  }

  /**
   * Where the pooling operations run. An engine with NDArray operations (PyTorch) pools on the
   * output's own manager; ONNX Runtime's NDArray has almost none, so its output is copied natively
   * into a PyTorch manager of this call, on the same GPU when PyTorch has CUDA, and closed with it.
   * DJL's implicit fallback for ONNX Runtime arrays would put the copies into a manager nobody
   * closes. Null: no engine with operations, pool in Java.
   */
  static NDManager opsManager(NDArray hidden) {
    if (!(hidden instanceof NDArrayAdapter)) {
      return hidden.getManager().newSubManager();
    }
    if (!Engine.hasEngine(OPS_ENGINE)) {
      return null;
    }
    Engine torch = Engine.getEngine(OPS_ENGINE);
    Device device = hidden.getDevice().isGpu() && torch.hasCapability(StandardCapabilities.CUDA)
        ? hidden.getDevice() : Device.cpu();
    return torch.newBaseManager(device);
  }

  private static NDArray maskArray(NDList input, NDManager ops) {
    for (NDArray array : input) {
      if (ATTENTION_MASK.equals(array.getName())) {
        return ops.from(array);
      }
    }
    return null; // a model without a mask input: every token counts
  }

  /**
   * The same pooling on the Java heap: the fallback without an engine that has operations, and the
   * reference the tests compare the engine's pooling with.
   */
  float[][] poolInJava(NDList input, NDArray hidden, int batchSize) {
    Shape shape = hidden.getShape();
    int tokens = (int) shape.get(1);
    int dims = (int) shape.get(2);
    float[] values = Vectors.floats(hidden);
    long[] mask = maskOf(input, batchSize * tokens);
    float[][] rows = new float[batchSize][dims];
    for (int b = 0; b < batchSize; b++) {
      if (output.pooling() == Pooling.CLS) {
        System.arraycopy(values, b * tokens * dims, rows[b], 0, dims);
      } else {
        meanOverMask(values, mask, b, tokens, dims, rows[b]);
      }
      if (output.normalize()) {
        Vectors.l2Normalize(rows[b]);
      }
    }
    return rows;
  }

  private static void meanOverMask(
      float[] values, long[] mask, int b, int tokens, int dims, float[] row) {
    int counted = 0;
    for (int t = 0; t < tokens; t++) {
      if (mask[b * tokens + t] == 0) {
        continue;
      }
      counted++;
      int base = (b * tokens + t) * dims;
      for (int d = 0; d < dims; d++) {
        row[d] += values[base + d];
      }
    }
    for (int d = 0; d < dims; d++) {
      row[d] /= Math.max(1, counted);
    }
  }

  private static long[] maskOf(NDList input, int expected) {
    for (NDArray array : input) {
      if (ATTENTION_MASK.equals(array.getName())) {
        return array.toLongArray();
      }
    }
    long[] all = new long[expected]; // a model without a mask input: every token counts
    java.util.Arrays.fill(all, 1);
    return all;
  }

  @Override
  public int cost(String input) {
    return input.length();
  }
}
