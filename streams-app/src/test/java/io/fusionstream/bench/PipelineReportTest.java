package io.fusionstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fusionstream.encode.Encoder;
import io.fusionstream.schema.Modality;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The limit, ratio, amplification and target logic of bench pipeline, on made-up figures. */
class PipelineReportTest {

  @Test
  void mixedLimitAddsEachModalitysCostPerEvent() {
    // One event of each: 1/100 + 1/50 + 1/200 s for 3 events.
    double limit = EncoderLimit.mixedLimit(Map.of("text", 100.0, "image", 50.0, "audio", 200.0),
        Map.of("text", 10L, "image", 10L, "audio", 10L));
    assertThat(limit).isCloseTo(3 / (0.01 + 0.02 + 0.005), within(1e-9));
    // A modality without events does not count; one without a measured rate makes the limit unknown.
    assertThat(EncoderLimit.mixedLimit(Map.of("text", 100.0), Map.of("text", 5L, "image", 0L))).isCloseTo(100.0, within(1e-9));
    assertThat(EncoderLimit.mixedLimit(Map.of("text", 100.0), Map.of("text", 5L, "image", 5L))).isNaN();
  }

  @Test
  void sweepCoversEveryThreadCountWithinTheCores() {
    List<int[]> settings = EncoderLimit.threadSettings(4);
    assertThat(settings).extracting(s -> s[0] + "x" + s[1])
        .containsExactly("1x1", "1x4", "2x1", "2x2", "3x1", "4x1");
    assertThat(settings).allSatisfy(s -> assertThat(s[0] * s[1]).isLessThanOrEqualTo(4));
    assertThat(EncoderLimit.threadSettings(1)).extracting(s -> s[0] + "x" + s[1]).containsExactly("1x1");
    assertThat(EncoderLimit.batchSizes(32)).containsExactly(1, 4, 16, 32);
    assertThat(EncoderLimit.batchSizes(64)).containsExactly(1, 4, 16, 64);
    assertThat(EncoderLimit.batchSizes(1)).containsExactly(1);
  }

  @Test
  void bestPointIsTheFastest() {
    EncoderLimit.Sweep sweep = new EncoderLimit.Sweep("text", "m", List.of(
        new EncoderLimit.Point(1, 1, 1, 300), new EncoderLimit.Point(1, 2, 32, 900), new EncoderLimit.Point(2, 1, 32, 800)));
    assertThat(sweep.best()).isEqualTo(new EncoderLimit.Point(1, 2, 32, 900));
  }

  @Test
  void measureRunsTheRequestedCallersOnFullBatches() throws Exception {
    Set<Thread> threads = Collections.synchronizedSet(new HashSet<>());
    List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
    Encoder<Integer> counting = new Encoder<>() {
      @Override public Modality modality() { return Modality.TEXT; }
      @Override public int dimension() { return 1; }
      @Override public String modelId() { return "counting"; }
      @Override public float[][] encode(List<Integer> inputs) {
        threads.add(Thread.currentThread());
        sizes.add(inputs.size());
        return new float[inputs.size()][1];
      }
      @Override public void close() {}
    };
    double rate = EncoderLimit.measure(counting, List.of(1, 2, 3), 3, 5, 0.05);
    assertThat(rate).isPositive();
    assertThat(threads).hasSize(3);
    assertThat(sizes).isNotEmpty().allSatisfy(size -> assertThat(size).isEqualTo(5));
  }

  @Test
  void bytesAreSortedIntoCategoriesAndAmplificationIsWrittenOverInput() {
    Map<String, String> named = Map.of("r1-image-frames", KafkaBytes.INPUT, "r1-fused-predictions", KafkaBytes.OUTPUT,
        "r1-fusion-dlq", KafkaBytes.DLQ);
    Map<String, Long> before = Map.of("r1-image-frames", 1_000L, "bench-r1-pending-image-changelog", 500L);
    Map<String, Long> after = new LinkedHashMap<>();
    after.put("r1-image-frames", 11_000L); // +10,000 in
    after.put("bench-r1-pending-image-changelog", 12_500L); // +12,000
    after.put("bench-r1-events-by-session-repartition", 3_000L);
    after.put("r1-fused-predictions", 900L);
    after.put("r1-fusion-dlq", 100L);
    after.put("something-else", 1_000_000L); // not the pipeline's: left out
    Map<String, Long> bytes = KafkaBytes.byCategory(before, after, named);
    assertThat(bytes).containsEntry(KafkaBytes.INPUT, 10_000L).containsEntry(KafkaBytes.CHANGELOG, 12_000L)
        .containsEntry(KafkaBytes.REPARTITION, 3_000L).containsEntry(KafkaBytes.OUTPUT, 900L)
        .containsEntry(KafkaBytes.DLQ, 100L);
    assertThat(KafkaBytes.amplification(bytes)).isCloseTo(1.6, within(1e-9));
    assertThat(KafkaBytes.amplification(Map.of(KafkaBytes.CHANGELOG, 5L))).isNaN();
  }

  @Test
  void ratiosUseTheLimitAndTargetsAreJudgedOnMedians() {
    Map<String, Double> best = Map.of("text", 1000.0, "image", 100.0, "audio", 500.0);
    // Mixed limit for equal counts: 3 / (1/1000 + 1/100 + 1/500) = 230.77 events/s.
    List<Repetition> reps = List.of(
        rep(best, 950, 180, 1.5, 1200, 1300),
        rep(best, 880, 150, 2.5, 1500, 1300),
        rep(best, 910, 170, 1.9, 1250, 1300));
    assertThat(reps.get(0).textRatio()).isCloseTo(0.95, within(1e-9));
    assertThat(reps.get(0).mixedLimit()).isCloseTo(3 / (0.001 + 0.01 + 0.002), within(1e-6));
    assertThat(reps.get(0).mixedRatio()).isCloseTo(180 / (3 / 0.013), within(1e-9));
    PipelineReport report = new PipelineReport(setup(), List.of(new EncoderLimit.Sweep("text", "m",
        List.of(new EncoderLimit.Point(1, 2, 32, 1000)))), reps);
    List<PipelineReport.Target> targets = report.targets();
    assertThat(targets).hasSize(4);
    assertThat(targets.get(0).value()).isCloseTo(0.91, within(1e-9)); // median of 0.95, 0.88, 0.91
    assertThat(targets.get(0).met()).isTrue();
    assertThat(targets.get(1).value()).isCloseTo(170 / (3 / 0.013), within(1e-9));
    assertThat(targets.get(1).met()).isTrue(); // 0.737 >= 0.70
    assertThat(targets.get(2).value()).isEqualTo(1250); // p99 median against a bound of 1300
    assertThat(targets.get(2).met()).isTrue();
    assertThat(targets.get(3).value()).isCloseTo(1.9, within(1e-9));
    assertThat(targets.get(3).met()).isTrue();

    StringWriter text = new StringWriter();
    report.print(new PrintWriter(text));
    assertThat(text.toString()).contains("[met] text-only pipeline / best bare text encoder >= 0.9",
        "reported, not a target", "best 1000 items/s (2 caller(s) x 1 engine thread(s), batch 32)");
    assertThat(report.json()).containsKeys("setup", "summary", "targets", "encoder limit", "repetitions");
  }

  @Test
  void aMissedTargetIsReportedAsMissed() {
    Map<String, Double> best = Map.of("text", 1000.0, "image", 100.0, "audio", 500.0);
    List<Repetition> reps = List.of(rep(best, 700, 100, 3.0, 2000, 1300));
    PipelineReport report = new PipelineReport(setup(), List.of(), reps);
    assertThat(report.targets()).noneMatch(PipelineReport.Target::met);
    StringWriter text = new StringWriter();
    report.print(new PrintWriter(text));
    assertThat(text.toString()).contains("[MISSED] text-only", "[MISSED] mixed", "[MISSED] latency p99",
        "[MISSED] image write amplification");
  }

  @Test
  void latencyBoundIsIdleTimeoutTwoBatchDelaysTwoBatchTimesAndACommit() {
    assertThat(Repetition.latencyBoundMs(1000, 50, 30.5, 100)).isEqualTo(1000 + 100 + 61.0 + 100);
  }

  private static Repetition rep(Map<String, Double> best, double textOnlyPerSecond, double mixedPerSecond,
      double imageAmplification, long p99, double bound) {
    PhaseResult on = phase(Map.of("text", 30L, "image", 30L, "audio", 30L), Map.of(), mixedPerSecond, new long[0], Map.of());
    PhaseResult text = phase(Map.of("text", 30L), Map.of("text", textOnlyPerSecond), textOnlyPerSecond, new long[0], Map.of());
    PhaseResult image = phase(Map.of("image", 30L), Map.of("image", 50.0), 50, new long[0],
        Map.of(KafkaBytes.INPUT, 1000L, KafkaBytes.CHANGELOG, (long) (imageAmplification * 1000)));
    PhaseResult audio = phase(Map.of("audio", 30L), Map.of("audio", 200.0), 200, new long[0], Map.of());
    PhaseResult latency = phase(Map.of(), Map.of(), 10, new long[] {p99 / 2, p99}, Map.of());
    PhaseResult off = phase(Map.of("text", 30L, "image", 30L, "audio", 30L), Map.of(), mixedPerSecond / 1.2, new long[0], Map.of());
    return new Repetition(on, off, text, image, audio, latency, best, 1.0, bound);
  }

  private static PhaseResult phase(Map<String, Long> counts, Map<String, Double> perSecond, double all, long[] latencies,
      Map<String, Long> bytes) {
    return new PhaseResult("p", counts.values().stream().mapToLong(Long::longValue).sum(), 0, counts, perSecond, all,
        perSecond, all, Double.NaN, latencies, Map.of(), Map.of(), bytes, new ProcessProbe.Usage(0, -1, false, 0), true);
  }

  private static PipelineReport.Setup setup() {
    return new PipelineReport.Setup(2, 10, 3, 4000, 200, 1000, 32, 50, 100, 10, 10, 10, 2, 3, 3, 1.0, "2 stream threads", java.util.Map.of());
  }
}
