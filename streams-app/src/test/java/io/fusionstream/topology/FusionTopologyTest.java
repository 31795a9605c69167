package io.fusionstream.topology;

import static io.fusionstream.topology.TopologyFixture.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.Modality;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Windows, out-of-order and late events, missing modalities and batching, on the real topology. */
class FusionTopologyTest {

  @Test
  void threeModalitiesGiveOnePredictionPerSessionWindow() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.sendText("s1", T + 1_000, "good call today");
      f.sendImage("s1", T + 2_000, 10, 200);
      f.sendAudio("s1", T + 3_000, 800, (short) 1000);
      f.sendText("s1", T + 4_000, "really good");
      f.settle();
      assertThat(f.predictions.isEmpty()).as("window still open").isTrue();

      long closedAt = f.wallClockMs();
      f.sendText("s1", T + 12_500, "next window"); // stream time passes end + grace of [T, T+10s)
      f.settle();

      List<FusedPrediction> out = f.readPredictions();
      assertThat(out).hasSize(1);
      FusedPrediction p = out.get(0);
      assertThat(p.getSessionId()).isEqualTo("s1");
      assertThat(p.getWindowStart()).isEqualTo(Instant.ofEpochMilli(T));
      assertThat(p.getWindowEnd()).isEqualTo(Instant.ofEpochMilli(T + 10_000));
      assertThat(p.getModalitiesPresent()).containsExactly(Modality.TEXT, Modality.IMAGE, Modality.AUDIO);
      assertThat(p.getModalityEventCounts()).containsExactlyInAnyOrderEntriesOf(
          Map.of("text", 2, "image", 1, "audio", 1));
      assertThat(p.getModalityWeights().keySet()).containsExactlyInAnyOrder("text", "image", "audio");
      assertThat(p.getModelVersion()).isEqualTo("mean-test-1");
      assertThat(p.getEmittedAt().toEpochMilli()).isBetween(closedAt, f.wallClockMs());
      // The embedding is the model's, computed from the mean of the two text vectors.
      float[] t1 = f.textEncoder.encode(List.of("good call today"))[0];
      float[] t2 = f.textEncoder.encode(List.of("really good"))[0];
      float[] meanText = new float[t1.length];
      for (int i = 0; i < t1.length; i++) {
        meanText[i] = (t1[i] + t2[i]) / 2;
      }
      float[] grey = f.imageEncoder.encode(List.of(new io.fusionstream.decode.DecodedImage(10, 10, filled(300, 200))))[0];
      assertThat(p.getEmbedding()).hasSize(8 + 4 + 4);
      float[] expected = MeanFusionModel.fuse(new io.fusionstream.fusion.FusionInput(Map.of(
          Modality.TEXT, meanText, Modality.IMAGE, grey,
          Modality.AUDIO, f.audioEncoder.encode(List.of(decodedAudio(800, (short) 1000)))[0]))).embedding();
      for (int i = 0; i < expected.length; i++) {
        assertThat(p.getEmbedding().get(i)).isCloseTo(expected[i], within(1e-5f));
      }
      assertThat(f.predictions.isEmpty()).isTrue();
      assertThat(f.metrics.count("windows.emitted.close")).isEqualTo(1);
      assertThat(f.metrics.count("events.in.text")).isEqualTo(3);
    }
  }

  @Test
  void windowWithOnlyTextIsFusedFromText() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.sendText("s1", T + 1_000, "just words");
      f.sendText("s1", T + 20_000, "later");
      f.settle();
      List<FusedPrediction> out = f.readPredictions();
      assertThat(out).hasSize(1);
      assertThat(out.get(0).getModalitiesPresent()).containsExactly(Modality.TEXT);
      assertThat(out.get(0).getModalityEventCounts()).containsExactlyEntriesOf(Map.of("text", 1));
      assertThat(out.get(0).getModalityWeights()).containsOnlyKeys("text");
      assertThat(out.get(0).getConsistency()).isEqualTo(1f);
      assertThat(f.predictions.isEmpty()).isTrue();
    }
  }

  @Test
  void windowMissingARequiredModalityIsSkippedAndCounted() {
    try (TopologyFixture f = new TopologyFixture(Map.of(FusionConfig.REQUIRED_MODALITIES, "text,image"))) {
      f.sendText("s1", T + 1_000, "only text here");
      f.sendText("s2", T + 1_000, "text and");
      f.sendImage("s2", T + 2_000, 5, 10);
      f.closeIdleWindows();
      List<FusedPrediction> out = f.readPredictions();
      assertThat(out).extracting(FusedPrediction::getSessionId).containsExactly("s2");
      assertThat(f.metrics.count("windows.skipped." + SessionWindowAggregator.REASON_MISSING_MODALITY)).isEqualTo(1);
      assertThat(f.predictions.isEmpty()).isTrue();
    }
  }

  @Test
  void outOfOrderEventWithinGraceIsIncluded() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.sendText("s1", T + 1_000, "first");
      f.sendText("s1", T + 11_000, "next window"); // stream time T+11s < end + grace = T+12s
      f.sendText("s1", T + 9_000, "late but in grace");
      f.settle();
      assertThat(f.predictions.isEmpty()).isTrue();
      f.sendText("s1", T + 12_000, "closes the first window");
      f.settle();
      List<FusedPrediction> out = f.readPredictions();
      assertThat(out).hasSize(1);
      assertThat(out.get(0).getWindowStart()).isEqualTo(Instant.ofEpochMilli(T));
      assertThat(out.get(0).getModalityEventCounts()).containsEntry("text", 2);
      assertThat(f.metrics.count("late.dropped.text")).isZero();
      assertThat(f.predictions.isEmpty()).isTrue();
    }
  }

  @Test
  void eventAfterGraceIsDroppedAndCountedNotEmittedAgain() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.sendText("s1", T + 1_000, "first");
      f.sendText("s1", T + 13_000, "closes the first window");
      f.settle();
      assertThat(f.readPredictions()).hasSize(1);

      f.sendText("s1", T + 2_000, "too late");
      f.sendAudio("s1", T + 5_000, 80, (short) 5);
      f.settle();
      assertThat(f.metrics.count("late.dropped.text")).isEqualTo(1);
      assertThat(f.metrics.count("late.dropped.audio")).isEqualTo(1);
      assertThat(f.predictions.isEmpty()).as("no second result for a closed window").isTrue();

      f.sendText("s1", T + 30_000, "closes the second window");
      f.settle();
      List<FusedPrediction> out = f.readPredictions();
      assertThat(out).hasSize(1);
      assertThat(out.get(0).getWindowStart()).isEqualTo(Instant.ofEpochMilli(T + 10_000));
      assertThat(out.get(0).getModalityEventCounts()).containsExactlyEntriesOf(Map.of("text", 1));
    }
  }

  @Test
  void sessionsAreWindowedApart() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.sendText("a", T + 1_000, "alpha one");
      f.sendText("b", T + 1_500, "beta");
      f.sendText("a", T + 2_000, "alpha two");
      f.sendImage("b", T + 3_000, 4, 50);
      // The record key is wrong: the session id in the value decides.
      f.text.pipeInput("wrong-key", TopologyFixture.textEvent("a", T + 4_000, "alpha three"));
      f.closeIdleWindows();
      Map<String, FusedPrediction> bySession = new java.util.HashMap<>();
      for (FusedPrediction p : f.readPredictions()) {
        assertThat(bySession.put(p.getSessionId(), p)).as("one result per session window").isNull();
      }
      assertThat(bySession).containsOnlyKeys("a", "b");
      assertThat(bySession.get("a").getModalityEventCounts()).containsExactlyEntriesOf(Map.of("text", 3));
      assertThat(bySession.get("b").getModalityEventCounts())
          .containsExactlyInAnyOrderEntriesOf(Map.of("text", 1, "image", 1));
      assertThat(f.predictions.isEmpty()).isTrue();
    }
  }

  @Test
  void hoppingWindowsCountAnEventInEveryWindowThatHoldsIt() {
    try (TopologyFixture f = new TopologyFixture(Map.of(FusionConfig.WINDOW_ADVANCE_MS, 5_000L))) {
      f.sendText("s1", T + 7_000, "in two windows");   // [T, T+10) and [T+5, T+15)
      f.sendText("s1", T + 12_000, "in two more");     // [T+5, T+15) and [T+10, T+20)
      f.sendText("s1", T + 40_000, "closes them all");
      f.settle();
      List<FusedPrediction> out = f.readPredictions();
      assertThat(out).extracting(p -> p.getWindowStart().toEpochMilli() - T)
          .containsExactly(0L, 5_000L, 10_000L);
      assertThat(out).extracting(p -> p.getModalityEventCounts().get("text")).containsExactly(1, 2, 1);
      assertThat(out).allSatisfy(p ->
          assertThat(p.getWindowEnd().toEpochMilli() - p.getWindowStart().toEpochMilli()).isEqualTo(10_000L));
      assertThat(f.predictions.isEmpty()).isTrue();
    }
  }

  @Test
  void idleWindowIsEmittedOnTheWallClockWithoutNewTraffic() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.sendText("s1", T + 1_000, "last words of the session");
      f.sendAudio("s1", T + 2_000, 400, (short) 300);
      f.settle();
      // The window [T, T+10s) is due at end + grace = T+12s; the idle timeout is 5 s on top.
      f.advanceWallClockTo(T + 12_000);
      f.settle();
      assertThat(f.predictions.isEmpty()).as("not before end + grace").isTrue();
      f.advanceWallClockTo(T + 17_000);
      f.settle();
      List<FusedPrediction> out = f.readPredictions();
      assertThat(out).hasSize(1);
      assertThat(out.get(0).getModalityEventCounts()).containsExactlyInAnyOrderEntriesOf(Map.of("text", 1, "audio", 1));
      assertThat(f.metrics.count("windows.emitted.idle")).isEqualTo(1);

      // A straggler for the emitted window is dropped, and stream-time closing does not emit it twice.
      f.sendText("s1", T + 3_000, "straggler");
      f.sendText("s1", T + 40_000, "much later");
      f.settle();
      assertThat(f.metrics.count("late.dropped.text")).isEqualTo(1);
      assertThat(f.predictions.isEmpty()).isTrue();
    }
  }

  @Test
  void batchesOfManyGiveTheSameResultsAsBatchesOfOne() {
    List<FusedPrediction> one = runMixedSessions(1);
    List<FusedPrediction> many = runMixedSessions(16);
    assertThat(many).hasSameSizeAs(one).hasSize(6);
    for (int i = 0; i < one.size(); i++) {
      FusedPrediction a = one.get(i);
      FusedPrediction b = many.get(i);
      assertThat(b.getSessionId()).isEqualTo(a.getSessionId());
      assertThat(b.getWindowStart()).isEqualTo(a.getWindowStart());
      assertThat(b.getLabel()).isEqualTo(a.getLabel());
      assertThat(b.getModalityEventCounts()).isEqualTo(a.getModalityEventCounts());
      for (int j = 0; j < a.getEmbedding().size(); j++) {
        assertThat(b.getEmbedding().get(j)).isCloseTo(a.getEmbedding().get(j), within(1e-5f));
      }
      a.getScores().forEach((label, s) -> assertThat(b.getScores().get(label)).isCloseTo(s, within(1e-5f)));
    }
  }

  private static List<FusedPrediction> runMixedSessions(int batchSize) {
    try (TopologyFixture f = new TopologyFixture(Map.of(FusionConfig.MAX_BATCH_SIZE, batchSize))) {
      for (int s = 0; s < 3; s++) {
        String session = "s" + s;
        for (int w = 0; w < 2; w++) {
          long base = T + w * 10_000L;
          f.sendText(session, base + 100 * s, "word " + s + " bad " + w);
          f.sendImage(session, base + 200, 3 + s, 40 * w + s);
          f.sendAudio(session, base + 300, 100 + s, (short) (200 * s + w));
          f.sendText(session, base + 400, "more words " + (s * w));
        }
      }
      f.closeIdleWindows();
      if (batchSize > 1) {
        assertThat(f.textEncoder.batchSizes).as("text was encoded in batches").anyMatch(n -> n > 1);
        assertThat(f.model.batchSizes).as("windows were fused in batches").anyMatch(n -> n > 1);
      } else {
        assertThat(f.textEncoder.batchSizes).containsOnly(1);
      }
      assertThat(f.textEncoder.batchSizes).allMatch(n -> n <= batchSize);
      List<FusedPrediction> out = new java.util.ArrayList<>(f.readPredictions());
      out.sort(java.util.Comparator.comparing(FusedPrediction::getSessionId)
          .thenComparing(FusedPrediction::getWindowStart));
      return out;
    }
  }

  @Test
  void maxPoolingTakesTheElementwiseMaximumAndPrefixedTopicsAreUsed() {
    try (TopologyFixture f = new TopologyFixture(Map.of(FusionConfig.WINDOW_POOLING, "max",
        FusionConfig.TOPIC_PREFIX, "prod."))) {
      assertThat(f.config.textTopic()).isEqualTo("prod.text-events");
      f.sendImage("s1", T + 1_000, 2, 10);
      f.sendImage("s1", T + 2_000, 2, 200);
      f.sendText("s1", T + 30_000, "closes");
      f.settle();
      List<FusedPrediction> out = f.readPredictions();
      assertThat(out).hasSize(1);
      float[] bright = f.imageEncoder.encode(List.of(new io.fusionstream.decode.DecodedImage(2, 2, filled(12, 200))))[0];
      float[] expected = MeanFusionModel.fuse(new io.fusionstream.fusion.FusionInput(Map.of(Modality.IMAGE, bright)))
          .embedding();
      for (int i = 0; i < expected.length; i++) {
        assertThat(out.get(0).getEmbedding().get(i)).isCloseTo(expected[i], within(1e-5f));
      }
    }
  }

  @Test
  void atLeastOnceGivesTheSameWindows() {
    try (TopologyFixture f = new TopologyFixture(Map.of("processing.guarantee", "at_least_once"))) {
      f.sendText("s1", T + 1_000, "one");
      f.sendAudio("s1", T + 1_500, 100, (short) 10);
      f.sendText("s1", T + 30_000, "closes");
      f.settle();
      List<FusedPrediction> out = f.readPredictions();
      assertThat(out).hasSize(1);
      assertThat(out.get(0).getModalityEventCounts()).containsExactlyInAnyOrderEntriesOf(Map.of("text", 1, "audio", 1));
    }
  }

  @Test
  void internalNamesAreExplicitAndStable() {
    try (TopologyFixture f = new TopologyFixture()) {
      String description = f.topology.describe().toString();
      assertThat(f.topology.describe().subtopologies()).hasSize(2);
      assertThat(description).contains(FusionTopology.REPARTITION + "-repartition",
          FusionTopology.ENCODE_PENDING_STORE, FusionTopology.WINDOW_STORE, FusionTopology.FUSE_PENDING_STORE,
          "fusion-text-decode", "fusion-image-decode", "fusion-audio-decode", "fusion-window", "fusion-fuse");
      assertThat(description).doesNotContain("KSTREAM-", "KTABLE-");
    }
  }

  @Test
  void eachFuseBatchBorrowsTheCurrentModelAndReturnsIt() {
    List<String> events = new java.util.ArrayList<>();
    MeanFusionModel inner = new MeanFusionModel();
    java.util.concurrent.atomic.AtomicInteger version = new java.util.concurrent.atomic.AtomicInteger(1);
    java.util.function.Supplier<io.fusionstream.fusion.FusionModel> leases = () -> {
      int v = version.get();
      events.add("borrow v" + v);
      return new io.fusionstream.fusion.FusionModel() {
        @Override public String version() { return "v" + v; }
        @Override public List<String> labels() { return inner.labels(); }
        @Override public List<io.fusionstream.fusion.FusionOutput> predict(List<io.fusionstream.fusion.FusionInput> b) {
          return inner.predict(b);
        }
        @Override public void close() { events.add("return v" + v); }
      };
    };
    try (TopologyFixture f = new TopologyFixture(Map.of(), leases)) {
      f.sendText("s1", T + 1_000, "first");
      f.sendText("s1", T + 13_000, "closes the first window");
      f.settle();
      version.set(2); // a hot swap between batches
      f.sendText("s1", T + 25_000, "closes the second window");
      f.settle();
      assertThat(f.readPredictions()).extracting(FusedPrediction::getModelVersion).containsExactly("v1", "v2");
      assertThat(events).containsExactly("borrow v1", "return v1", "borrow v2", "return v2");
    }
  }

  private static byte[] filled(int n, int value) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) value);
    return b;
  }

  private static io.fusionstream.decode.DecodedAudio decodedAudio(int samples, short amplitude) {
    float[] s = new float[samples];
    for (int i = 0; i < samples; i++) {
      s[i] = (i % 2 == 0 ? amplitude : -amplitude) / 32768f;
    }
    return new io.fusionstream.decode.DecodedAudio(s, 8_000);
  }
}
