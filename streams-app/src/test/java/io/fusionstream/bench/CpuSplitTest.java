package io.fusionstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark's split of CPU time: thread names to groups, and the inference calls taken out of the stream threads. */
class CpuSplitTest {

  @Test
  void threadsAreGroupedByTheNamesKafkaAndKafkaStreamsGiveThem() {
    assertThat(ProcessProbe.groupOf("bench-r1on-6f0c2a1e-StreamThread-1")).isEqualTo(ProcessProbe.STREAM_THREADS);
    // A stream thread's producer runs on its own I/O thread, named after the stream thread.
    assertThat(ProcessProbe.groupOf("kafka-producer-network-thread | bench-r1on-6f0c-StreamThread-1-producer"))
        .isEqualTo(ProcessProbe.PRODUCER_IO);
    assertThat(ProcessProbe.groupOf("data-plane-kafka-request-handler-3")).isEqualTo(ProcessProbe.BROKER);
    assertThat(ProcessProbe.groupOf("data-plane-kafka-network-thread-0-ListenerName(CLIENT)-PLAINTEXT-1"))
        .isEqualTo(ProcessProbe.BROKER);
    assertThat(ProcessProbe.groupOf("TxnMarkerSenderThread-0")).isEqualTo(ProcessProbe.BROKER);
    assertThat(ProcessProbe.groupOf("main")).isEqualTo(ProcessProbe.BENCH);
    assertThat(ProcessProbe.groupOf("bench-prediction-tail")).isEqualTo(ProcessProbe.BENCH);
    assertThat(ProcessProbe.groupOf("dashboard-feed")).isEqualTo(ProcessProbe.OTHER_JAVA);
  }

  @Test
  void inferenceIsBatchesTimesBatchTimeAndTheGroupsArePerThousandEvents() {
    // 300 texts in batches of 20 at 30 ms, 100 windows fused in batches of 4 at 2 ms: 0.45 + 0.05 s.
    Map<String, Double> cpu = new LinkedHashMap<>();
    cpu.put(ProcessProbe.STREAM_THREADS, 1.5);
    cpu.put(ProcessProbe.BROKER, 0.6);
    cpu.put(ProcessProbe.NOT_JAVA, 0.3);
    PhaseResult phase = new PhaseResult("text", 300, 100, Map.of("text", 300L), Map.of(), Double.NaN, Map.of(),
        Double.NaN, Double.NaN, new long[0], Map.of("encode_text", 20.0, "fuse", 4.0),
        Map.of("encode_text", 30.0, "fuse", 2.0), Map.of(), new ProcessProbe.Usage(0, -1, false, 2.4, cpu), true);

    assertThat(phase.inferenceSeconds()).isCloseTo(0.5, within(1e-9));
    assertThat(phase.cpuPer1000Events(PhaseResult.INFERENCE)).isCloseTo(0.5 * 1000 / 300, within(1e-9));
    assertThat(phase.cpuPer1000Events(ProcessProbe.STREAM_THREADS)).isCloseTo(1.5 * 1000 / 300, within(1e-9));
    assertThat(phase.cpuPer1000Events(ProcessProbe.BROKER)).isCloseTo(2.0, within(1e-9));
    // A phase measured without thread CPU times reports no group rather than zeros.
    PhaseResult unmeasured = new PhaseResult("text", 300, 100, Map.of("text", 300L), Map.of(), Double.NaN, Map.of(),
        Double.NaN, Double.NaN, new long[0], Map.of(), Map.of(), Map.of(), new ProcessProbe.Usage(0, -1, false, 2.4), true);
    assertThat(unmeasured.cpuPer1000Events(ProcessProbe.BROKER)).isNaN();
    assertThat(unmeasured.inferenceSeconds()).isNaN();
  }
}
