package io.fusionstream.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real MiniLM and BGE models from the classpath jars, run by ONNX Runtime, offline. */
class TextEncoderTest {
  private static DjlEncoder<String> minilm;

  @BeforeAll
  static void load() {
    minilm = EncoderFactory.text(EncoderSettings.defaults().withDevice("cpu").withMaxBatchSize(8));
  }

  @AfterAll
  static void close() {
    minilm.close();
  }

  /** anchor, a paraphrase of it, an unrelated sentence. */
  private static final String[][] ENGLISH = {
    {"A man is playing a guitar.", "Someone is strumming a guitar.", "The stock market fell sharply today."},
    {"How do I reset my password?", "I forgot my login password, how can I change it?", "The weather is sunny and warm."},
    {"The cat sleeps on the sofa.", "A kitten is napping on the couch.", "Quarterly revenue increased by ten percent."},
    {"I am very happy with this product.", "This item made me really satisfied.", "The train to Berlin departs at seven."},
    {"The patient has a high fever.", "The sick person's temperature is elevated.", "We painted the fence blue."},
  };

  private static final String[][] CHINESE = {
    {"我喜欢吃苹果", "苹果是我最喜欢的水果", "今天股市大跌"},
    {"今天天气很好，阳光明媚", "今天是晴天，很温暖", "如何重置我的密码"},
    {"这部电影非常好看", "我很喜欢这部影片", "火车七点出发"},
  };

  @Test
  void minilmIsTheRealModel() {
    assertThat(minilm.dimension()).isEqualTo(384);
    assertThat(minilm.modelId()).startsWith("all-minilm-l6-v2-q@");
    assertCloserToParaphrase(minilm, ENGLISH);
  }

  @Test
  void bgeChineseIsSelectableAndRealToo() {
    try (DjlEncoder<String> bge =
        EncoderFactory.text(EncoderSettings.defaults().withTextModel("bge-zh").withDevice("cpu"))) {
      assertThat(bge.dimension()).isEqualTo(512);
      assertThat(bge.modelId()).startsWith("bge-small-zh-v1.5-q@");
      assertCloserToParaphrase(bge, CHINESE);
    }
  }

  @Test
  void vectorsAreUnitLengthAndDeterministic() {
    float[][] v = minilm.encode(List.of("hello world", "hello world", "something else"));
    assertThat(Vectors.norm(v[0])).isCloseTo(1.0, within(1e-4));
    assertThat(v[0]).containsExactly(v[1], within(1e-6f));
    assertThat(Vectors.cosine(v[0], v[2])).isLessThan(0.9);
  }

  @Test
  void paddingIsMaskedOut() {
    // Without bucketing the short text is padded to the long one's length: the mask must hide it.
    try (DjlEncoder<String> plain =
        EncoderFactory.text(EncoderSettings.defaults().withDevice("cpu").withBucketByLength(false))) {
      String shortText = "a short sentence";
      String longText = "a much longer sentence about ".repeat(12) + "many things";
      float[] alone = plain.encode(List.of(shortText))[0];
      float[][] together = plain.encode(List.of(longText, shortText));
      // Not bit-identical: the int8 model quantises activations with a range taken over the whole
      // batch tensor, pad positions included (measured: 0.989). With the mask ignored the padded
      // sentence scores 0.63, so this bound does test the mask.
      double cosine = Vectors.cosine(together[1], alone);
      System.out.printf("padding: cosine(alone, padded in batch) = %.5f%n", cosine);
      assertThat(cosine).isGreaterThan(0.98);
    }
  }

  @Test
  void batchesArePaddedToTheirLongestTextNotToAFixedLength() {
    // The shipped tokenizer.json asks for fixed padding to 128 tokens; we pad to the longest text.
    try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager("OnnxRuntime")) {
      ai.djl.ndarray.NDList input =
          minilm.preprocessor().toInput(manager, List.of("hi", "hello there my friend"));
      assertThat(input.get("input_ids").getShape().getShape()).containsExactly(2, 6);
      assertThat(input.get("attention_mask").toLongArray())
          .containsExactly(1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1);
      assertThat(input.get("token_type_ids")).isNotNull();
    }
  }

  @Test
  void longTextIsTruncatedNotRefused() {
    try (DjlEncoder<String> short16 =
        EncoderFactory.text(EncoderSettings.defaults().withDevice("cpu").withMaxSequenceLength(16))) {
      // Each of these words is one token: [CLS] + 14 words + [SEP] = 16 tokens.
      String words = "the cat sat on the mat and the dog sat on the rug too";
      String huge = (words + " ").repeat(400);
      float[][] v = short16.encode(List.of(huge, words));
      assertThat(v[0]).containsExactly(v[1], within(1e-4f));
    }
  }

  @Test
  void eachThreadGetsItsOwnPredictorAndTheSameAnswers() throws Exception {
    float[] expected = minilm.encode(List.of("threads share the encoder"))[0];
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<float[]>> results = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        results.add(pool.submit(() -> minilm.encode(List.of("threads share the encoder"))[0]));
      }
      for (Future<float[]> result : results) {
        assertThat(result.get()).containsExactly(expected, within(1e-5f));
      }
      assertThat(minilm.predictorCount()).isBetween(2, 4); // the test thread + up to 3 workers
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void bucketingSplitsLongFromShortAndKeepsOrder() {
    List<String> inputs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      inputs.add(i == 4 ? "long ".repeat(200) : "short text " + i);
    }
    List<int[]> plan = minilm.plan(inputs);
    // 9 short texts fit in batches of 8 (+1), and the long one travels alone.
    assertThat(plan).anySatisfy(batch -> assertThat(batch).containsExactly(4));
    assertThat(plan.stream().mapToInt(b -> b.length).sum()).isEqualTo(10);
    assertThat(plan).allSatisfy(batch -> assertThat(batch.length).isLessThanOrEqualTo(8));
    float[][] all = minilm.encode(inputs);
    assertThat(Vectors.cosine(all[7], minilm.encode(List.of(inputs.get(7)))[0])).isGreaterThan(0.98);
    assertThat(Vectors.cosine(all[4], minilm.encode(List.of(inputs.get(4)))[0])).isGreaterThan(0.98);
  }

  @Test
  void poolingOnTheEngineEqualsThePreviousJavaPooling() throws Exception {
    // Mixed lengths, so the batch is padded and the mask matters.
    List<String> texts = List.of("hi", "A man is playing a guitar.", "a much longer sentence about ".repeat(6) + "things",
        "Quarterly revenue increased by ten percent.", "ok");
    assertEnginePoolingMatchesJava(minilm, texts); // mean over the mask
    try (DjlEncoder<String> bge =
        EncoderFactory.text(EncoderSettings.defaults().withTextModel("bge-zh").withDevice("cpu"))) {
      assertEnginePoolingMatchesJava(bge, List.of("我喜欢吃苹果", "今天天气很好，阳光明媚", "好")); // [CLS]
    }
  }

  private static void assertEnginePoolingMatchesJava(DjlEncoder<String> encoder, List<String> texts)
      throws Exception {
    TextPreprocessor engine = (TextPreprocessor) encoder.preprocessor();
    TextPreprocessor java = engine.pooledInJava();
    java.prepare(encoder.model());
    try (ai.djl.inference.Predictor<List<String>, float[][]> onEngine =
            encoder.model().newPredictor(new BatchTranslator<>(engine));
        ai.djl.inference.Predictor<List<String>, float[][]> inJava =
            encoder.model().newPredictor(new BatchTranslator<>(java))) {
      float[][] pooledOnEngine = onEngine.predict(texts);
      float[][] pooledInJava = inJava.predict(texts);
      assertThat(pooledOnEngine).hasNumberOfRows(texts.size());
      for (int i = 0; i < texts.size(); i++) {
        assertThat(pooledOnEngine[i]).hasSize(encoder.dimension()).containsExactly(pooledInJava[i], within(1e-5f));
      }
    }
  }

  @Test
  void onnxRuntimeOutputsArePooledByPyTorchNotInJava() {
    // Without an engine that has operations the pooling falls back to Java: make sure it does not here.
    try (ai.djl.ndarray.NDManager ort = ai.djl.ndarray.NDManager.newBaseManager("OnnxRuntime")) {
      ai.djl.ndarray.NDArray hidden = ort.create(new float[2 * 3 * 4], new ai.djl.ndarray.types.Shape(2, 3, 4));
      try (ai.djl.ndarray.NDManager ops = TextPreprocessor.opsManager(hidden)) {
        assertThat(ops).isNotNull();
        assertThat(ops.getEngine().getEngineName()).isEqualTo(TextPreprocessor.OPS_ENGINE);
      }
    }
  }

  private static void assertCloserToParaphrase(Encoder<String> encoder, String[][] table) {
    for (String[] row : table) {
      float[][] v = encoder.encode(List.of(row));
      double close = Vectors.cosine(v[0], v[1]);
      double far = Vectors.cosine(v[0], v[2]);
      assertThat(close).as("'%s' vs '%s' (%.3f) and '%s' (%.3f)", row[0], row[1], close, row[2], far)
          .isGreaterThan(far + 0.15);
    }
  }
}
