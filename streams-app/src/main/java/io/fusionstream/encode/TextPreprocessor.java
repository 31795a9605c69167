package io.fusionstream.encode;

import ai.djl.Model;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
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
 * token embeddings are pooled (mean over the attention mask, or the [CLS] token) and normalised in
 * Java, because ONNX Runtime's NDArray has almost no operations.
 */
final class TextPreprocessor implements Preprocessor<String> {
  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";

  private final HuggingFaceTokenizer tokenizer;
  private final OutputSpec output;
  private volatile List<String> inputNames = List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);

  TextPreprocessor(HuggingFaceTokenizer tokenizer, OutputSpec output) {
    this.tokenizer = tokenizer;
    this.output = output;
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
    int tokens = (int) shape.get(1);
    int dims = (int) shape.get(2);
    float[] values = hidden.toType(DataType.FLOAT32, false).toFloatArray();
    long[] mask = maskOf(input, batchSize * tokens);
    float[][] rows = new float[batchSize][dims];
    for (int b = 0; b < batchSize; b++) {
      if (output.pooling() == Pooling.CLS) {
        System.arraycopy(values, b * tokens * dims, rows[b], 0, dims);
      } else if (output.pooling() == Pooling.MEAN) {
        meanOverMask(values, mask, b, tokens, dims, rows[b]);
      } else {
        throw new EncodeException(output.pooling() + " pooling does not apply to text");
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
