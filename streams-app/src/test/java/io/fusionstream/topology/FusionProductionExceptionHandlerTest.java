package io.fusionstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Response;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Result;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class FusionProductionExceptionHandlerTest {
  private static final String DLQ = "fusion-dlq";
  private static final TaskId TASK = new TaskId(0, 3);
  private static final byte[] SOURCE_KEY = "session-1".getBytes(StandardCharsets.UTF_8);

  private final CountingPipelineMetrics metrics = new CountingPipelineMetrics();
  private final TaskFailureTracker failures = new TaskFailureTracker(5, java.time.Duration.ofMinutes(10),
      java.time.Duration.ofMinutes(1), () -> 0L);

  private FusionProductionExceptionHandler handler(int maxRequestSize) {
    Map<String, Object> configs = new HashMap<>();
    configs.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, DLQ);
    configs.put(StreamsConfig.producerPrefix("max.request.size"), Integer.toString(maxRequestSize));
    configs.put(DeadLetters.METRICS_CONFIG, metrics);
    configs.put(TaskFailureTracker.CONFIG, failures);
    FusionProductionExceptionHandler h = new FusionProductionExceptionHandler();
    h.configure(configs);
    return h;
  }

  /** The context of a changelog write caused by source record image-frames-1@42. */
  private static ErrorHandlerContext context(byte[] sourceValue, long timestamp) {
    return new ErrorHandlerContext() {
      @Override public String topic() { return "image-frames"; }
      @Override public int partition() { return 1; }
      @Override public long offset() { return 42; }
      @Override public Headers headers() { return new RecordHeaders(); }
      @Override public String processorNodeId() { return "fusion-encode"; }
      @Override public TaskId taskId() { return TASK; }
      @Override public long timestamp() { return timestamp; }
      @Override public byte[] sourceRawKey() { return SOURCE_KEY; }
      @Override public byte[] sourceRawValue() { return sourceValue; }
    };
  }

  private static ProducerRecord<byte[], byte[]> changelogWrite(int size) {
    return new ProducerRecord<>("fusionstream-fusion-encode-pending-changelog", 0, 1L, new byte[8], new byte[size]);
  }

  private static String header(ProducerRecord<byte[], byte[]> r, String key) {
    var h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void tooLargeInternalWriteDeadLettersItsSourceRecordAndResumes() {
    byte[] source = new byte[5_000];
    Response response = handler(1_000_000).handleError(context(source, 1_000L), changelogWrite(2_000_000),
        new RecordTooLargeException("The message is 2000100 bytes when serialized"));

    assertThat(response.result()).isEqualTo(Result.RESUME);
    ProducerRecord<byte[], byte[]> letter = response.deadLetterQueueRecords().get(0);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
    assertThat(letter.topic()).isEqualTo(DLQ);
    assertThat(letter.key()).isEqualTo(SOURCE_KEY);
    assertThat(letter.value()).isEqualTo(source);
    assertThat(header(letter, DeadLetters.HEADER_REASON)).isEqualTo(FusionProductionExceptionHandler.REASON_TOO_LARGE);
    assertThat(header(letter, DeadLetters.HEADER_TOPIC)).isEqualTo("image-frames");
    assertThat(header(letter, DeadLetters.HEADER_OFFSET)).isEqualTo("42");
    assertThat(metrics.count("dlq.output-too-large")).isEqualTo(1);
  }

  @Test
  void invalidTimestampDeadLettersWithTheWallClockAndKeepsTheOriginalTime() {
    long farFuture = System.currentTimeMillis() + 3 * 3_600_000L;
    long before = System.currentTimeMillis();
    Response response = handler(1_000_000).handleError(context(new byte[10], farFuture),
        new ProducerRecord<>("fused-predictions", 0, farFuture, new byte[4], new byte[100]),
        new InvalidTimestampException("Timestamp is out of range"));

    assertThat(response.result()).isEqualTo(Result.RESUME);
    ProducerRecord<byte[], byte[]> letter = response.deadLetterQueueRecords().get(0);
    assertThat(header(letter, DeadLetters.HEADER_REASON))
        .isEqualTo(FusionProductionExceptionHandler.REASON_INVALID_TIMESTAMP);
    assertThat(letter.timestamp()).isBetween(before, System.currentTimeMillis());
    assertThat(header(letter, DeadLetters.HEADER_ORIGINAL_TIMESTAMP)).isEqualTo(Long.toString(farFuture));
    assertThat(metrics.count("dlq.output-invalid-timestamp")).isEqualTo(1);
  }

  @Test
  void deadLetterThatWouldBeTooLargeTooLosesItsPayloadButSaysHowLargeItWas() {
    Response response = handler(100_000).handleError(context(new byte[300_000], 1_000L), changelogWrite(300_100),
        new RecordTooLargeException("too large"));

    assertThat(response.result()).isEqualTo(Result.RESUME);
    ProducerRecord<byte[], byte[]> letter = response.deadLetterQueueRecords().get(0);
    assertThat(letter.value()).isNull();
    assertThat(letter.key()).isNull();
    assertThat(header(letter, DeadLetters.HEADER_PAYLOAD_DROPPED)).isEqualTo(FusionProductionExceptionHandler.REASON_TOO_LARGE);
    assertThat(Long.parseLong(header(letter, DeadLetters.HEADER_ORIGINAL_SIZE))).isGreaterThan(300_000);
    assertThat(header(letter, DeadLetters.HEADER_STACKTRACE)).isNull();
    assertThat(header(letter, DeadLetters.HEADER_OFFSET)).isEqualTo("42");
    assertThat(DeadLetters.sizeOf(letter)).isLessThan(100_000);
  }

  @Test
  void refusedDeadLetterIsResentOnceWithoutPayloadThenSkipped() {
    FusionProductionExceptionHandler h = handler(10_000_000);
    ProducerRecord<byte[], byte[]> refused = new ProducerRecord<>(DLQ, null, 1_000L, SOURCE_KEY, new byte[1_045_872]);
    refused.headers().add(DeadLetters.HEADER_REASON, "image-decode-failed".getBytes(StandardCharsets.UTF_8));
    refused.headers().add(DeadLetters.HEADER_STACKTRACE, new byte[20_000]);

    Response first = h.handleError(context(new byte[1_045_872], 1_000L), refused, new RecordTooLargeException("big"));
    assertThat(first.result()).isEqualTo(Result.RESUME);
    ProducerRecord<byte[], byte[]> retry = first.deadLetterQueueRecords().get(0);
    assertThat(retry.topic()).isEqualTo(DLQ);
    assertThat(retry.value()).isNull();
    assertThat(header(retry, DeadLetters.HEADER_REASON)).isEqualTo("image-decode-failed");
    assertThat(header(retry, DeadLetters.HEADER_PAYLOAD_DROPPED)).isEqualTo(FusionProductionExceptionHandler.REASON_TOO_LARGE);
    assertThat(metrics.count("dlq.payload.dropped.output-too-large")).isEqualTo(1);

    // The resent letter refused as well: no third attempt.
    Response second = h.handleError(context(new byte[1_045_872], 1_000L), retry, new RecordTooLargeException("big"));
    assertThat(second.result()).isEqualTo(Result.RESUME);
    assertThat(second.deadLetterQueueRecords()).isEmpty();
    assertThat(metrics.count("output.skipped.output-too-large")).isEqualTo(1);
    assertThat(metrics.count("dlq.total")).isZero();
  }

  @Test
  void tooLargeFoundInTheCauseChainCounts() {
    Response response = handler(1_000_000).handleError(context(new byte[10], 1L), changelogWrite(10),
        new StreamsException(new RecordTooLargeException("wrapped")));
    assertThat(response.result()).isEqualTo(Result.RESUME);
  }

  @Test
  void otherErrorsFailAsBeforeAndNameTheRecord() {
    Response response = handler(1_000_000).handleError(context(new byte[10], 1L), changelogWrite(10),
        new SerializationException("not ours to skip"));

    assertThat(response.result()).isEqualTo(Result.FAIL);
    assertThat(metrics.snapshot()).isEmpty();
    TaskFailureTracker.Decision d = failures.threadFailed(new StreamsException("boom", TASK));
    assertThat(d.record()).hasValueSatisfying(r -> {
      assertThat(r.topic()).isEqualTo("image-frames");
      assertThat(r.partition()).isEqualTo(1);
      assertThat(r.offset()).isEqualTo(42);
    });
  }

  @Test
  void retriableErrorsAreStillRetried() {
    Response response = handler(1_000_000).handleError(context(new byte[10], 1L), changelogWrite(10),
        new NotLeaderOrFollowerException("moving"));
    assertThat(response.result()).isEqualTo(Result.RETRY);
    assertThat(response.deadLetterQueueRecords()).isEmpty();
  }

  @Test
  void errorHeadersAreBoundedSoTheHeaderRoomHolds() {
    ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(DLQ, new byte[1], new byte[1]);
    letter.headers().add(DeadLetters.HEADER_STACKTRACE, "x".repeat(200_000).getBytes(StandardCharsets.UTF_8));
    letter.headers().add(DeadLetters.HEADER_MESSAGE, "y".repeat(50_000).getBytes(StandardCharsets.UTF_8));
    ProducerRecord<byte[], byte[]> out = DeadLetters.addReason(List.of(letter), "image-decode-failed",
        new DeadLetterPolicy(DeadLetterPolicy.Payload.KEEP, true)).get(0);
    assertThat(DeadLetters.sizeOf(out)).isLessThan(KafkaSizes.DEAD_LETTER_HEADER_BYTES);
    assertThat(header(out, DeadLetters.HEADER_STACKTRACE)).startsWith("xxx").endsWith("(truncated)");
  }
}
