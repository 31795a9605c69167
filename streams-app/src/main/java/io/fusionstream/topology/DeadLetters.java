package io.fusionstream.topology;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Header names of dead letters. The {@code __streams.errors.*} names are the ones Kafka Streams'
 * built-in dead-letter queue (KIP-1034) writes; we add our reason code.
 */
public final class DeadLetters {
  public static final String HEADER_REASON = "fusion.dlq.reason";
  public static final String HEADER_EXCEPTION = "__streams.errors.exception";
  public static final String HEADER_MESSAGE = "__streams.errors.message";
  public static final String HEADER_STACKTRACE = "__streams.errors.stacktrace";
  public static final String HEADER_TOPIC = "__streams.errors.topic";
  public static final String HEADER_PARTITION = "__streams.errors.partition";
  public static final String HEADER_OFFSET = "__streams.errors.offset";

  /** Config key under which the {@link PipelineMetrics} instance reaches the exception handlers. */
  public static final String METRICS_CONFIG = "fusion.internal.pipeline.metrics";

  private DeadLetters() {}

  static void addReason(List<ProducerRecord<byte[], byte[]>> records, String reason) {
    byte[] value = reason.getBytes(StandardCharsets.UTF_8);
    for (ProducerRecord<byte[], byte[]> r : records) {
      r.headers().remove(HEADER_REASON);
      r.headers().add(HEADER_REASON, value);
    }
  }

  /**
   * Headers of a dead letter that a stage writes itself: the same names as Kafka Streams' own dead
   * letters (exception class and message; no stack trace: the reason and message say what failed),
   * the source record's coordinates where known, and our reason code.
   */
  static org.apache.kafka.common.header.Headers headers(String reason, Exception cause, String topic, int partition,
      long offset) {
    org.apache.kafka.common.header.internals.RecordHeaders h = new org.apache.kafka.common.header.internals.RecordHeaders();
    h.add(HEADER_EXCEPTION, utf8(cause.getClass().getName()));
    h.add(HEADER_MESSAGE, utf8(String.valueOf(cause.getMessage())));
    if (topic != null && !topic.isEmpty()) {
      h.add(HEADER_TOPIC, utf8(topic));
      h.add(HEADER_PARTITION, utf8(Integer.toString(partition)));
      h.add(HEADER_OFFSET, utf8(Long.toString(offset)));
    }
    h.add(HEADER_REASON, utf8(reason));
    return h;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static PipelineMetrics metrics(java.util.Map<String, ?> configs) {
    Object m = configs.get(METRICS_CONFIG);
    return m instanceof PipelineMetrics pm ? pm : PipelineMetrics.NOOP;
  }
}
