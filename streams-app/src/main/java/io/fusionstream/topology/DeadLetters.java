package io.fusionstream.topology;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Header names of dead letters, and what every handler does to the dead letters Kafka Streams'
 * built-in dead-letter queue (KIP-1034) builds: add our reason code, and keep the letter writable
 * (bounded error headers, a timestamp the broker accepts, a size the producer accepts). A dead
 * letter the producer or broker refuses would fail the task on every retry.
 */
public final class DeadLetters {
  public static final String HEADER_REASON = "fusion.dlq.reason";
  public static final String HEADER_EXCEPTION = "__streams.errors.exception";
  public static final String HEADER_MESSAGE = "__streams.errors.message";
  public static final String HEADER_STACKTRACE = "__streams.errors.stacktrace";
  public static final String HEADER_TOPIC = "__streams.errors.topic";
  public static final String HEADER_PARTITION = "__streams.errors.partition";
  public static final String HEADER_OFFSET = "__streams.errors.offset";
  /** Present when the key and value were left out because the letter would not fit; its value says why. */
  public static final String HEADER_PAYLOAD_DROPPED = "fusion.dlq.payload.dropped";
  /** Size in bytes (key + value + headers) of the letter before its payload was dropped. */
  public static final String HEADER_ORIGINAL_SIZE = "fusion.dlq.original.size";
  /** The source record's timestamp when it was too far ahead to be the dead letter's timestamp. */
  public static final String HEADER_ORIGINAL_TIMESTAMP = "fusion.dlq.original.timestamp";

  /** Config key under which the {@link PipelineMetrics} instance reaches the exception handlers. */
  public static final String METRICS_CONFIG = "fusion.internal.pipeline.metrics";

  // A deep stack trace is tens of KB; these bounds keep all error headers well inside
  // KafkaSizes.DEAD_LETTER_HEADER_BYTES.
  static final int MAX_STACKTRACE_BYTES = 16 * 1024;
  static final int MAX_MESSAGE_BYTES = 4 * 1024;
  /**
   * A dead letter carries the source record's time, which for input events is the device's event
   * time. The broker refuses times beyond {@code message.timestamp.after.max.ms} (1 hour by
   * default) ahead of its clock; letters further ahead than this get the wall clock instead.
   */
  static final long MAX_FUTURE_MS = 5 * 60_000L;
  /** Batch and record framing the producer adds; generous, the header room has slack. */
  static final int RECORD_FRAMING_BYTES = 256;
  private static final int KAFKA_DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

  private DeadLetters() {}

  /**
   * The letters with our reason code, bounded error headers, and what {@code policy} lets them keep
   * of the payload, source headers and stack trace. Every handler calls this on the letters the
   * built-in handler made.
   */
  static List<ProducerRecord<byte[], byte[]>> addReason(List<ProducerRecord<byte[], byte[]>> records, String reason,
      DeadLetterPolicy policy) {
    byte[] value = reason.getBytes(StandardCharsets.UTF_8);
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(records.size());
    for (ProducerRecord<byte[], byte[]> r : records) {
      r.headers().remove(HEADER_REASON);
      r.headers().add(HEADER_REASON, value);
      truncateHeader(r.headers(), HEADER_STACKTRACE, MAX_STACKTRACE_BYTES);
      truncateHeader(r.headers(), HEADER_MESSAGE, MAX_MESSAGE_BYTES);
      out.add(new ProducerRecord<>(r.topic(), r.partition(), r.timestamp(), policy.key(r.key()),
          policy.value(r.value()), policy.headers(r.headers(), r.key(), r.value())));
    }
    return out;
  }

  /** A stage's own letter as {@code policy} lets it go out. */
  static DeadLetterRecord apply(DeadLetterRecord letter, DeadLetterPolicy policy) {
    return new DeadLetterRecord(policy.key(letter.key()), policy.value(letter.value()),
        policy.headers(letter.headers(), letter.key(), letter.value()));
  }

  /**
   * Headers of a dead letter that a stage writes itself: the same names as Kafka Streams' own dead
   * letters (exception class and message; no stack trace: the reason and message say what failed),
   * the source record's coordinates where known, and our reason code.
   */
  static Headers headers(String reason, Exception cause, String topic, int partition, long offset) {
    Headers h = new RecordHeaders();
    h.add(HEADER_EXCEPTION, utf8(cause.getClass().getName()));
    h.add(HEADER_MESSAGE, utf8(String.valueOf(cause.getMessage())));
    if (topic != null && !topic.isEmpty()) {
      h.add(HEADER_TOPIC, utf8(topic));
      h.add(HEADER_PARTITION, utf8(Integer.toString(partition)));
      h.add(HEADER_OFFSET, utf8(Long.toString(offset)));
    }
    h.add(HEADER_REASON, utf8(reason));
    truncateHeader(h, HEADER_MESSAGE, MAX_MESSAGE_BYTES);
    return h;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Copies of the letters that the producer and broker accept: a timestamp far ahead of the wall
   * clock becomes the wall clock (the original kept in a header), and a letter larger than
   * {@code maxBytes} loses its payload ({@link #withoutPayload}, saying {@code whyDropped}).
   */
  static List<ProducerRecord<byte[], byte[]>> writable(List<ProducerRecord<byte[], byte[]>> records, int maxBytes,
      String whyDropped) {
    long now = System.currentTimeMillis();
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(records.size());
    for (ProducerRecord<byte[], byte[]> r : records) {
      if (r.timestamp() != null && r.timestamp() > now + MAX_FUTURE_MS) {
        r.headers().add(HEADER_ORIGINAL_TIMESTAMP, Long.toString(r.timestamp()).getBytes(StandardCharsets.UTF_8));
        r = new ProducerRecord<>(r.topic(), r.partition(), now, r.key(), r.value(), r.headers());
      }
      out.add(sizeOf(r) > maxBytes ? withoutPayload(r, whyDropped) : r);
    }
    return out;
  }

  /**
   * The letter without key, value and stack trace, stamped with the wall clock, saying why and how
   * large it was: what still tells an operator which record was lost when the full letter cannot
   * be written.
   */
  static ProducerRecord<byte[], byte[]> withoutPayload(ProducerRecord<byte[], byte[]> r, String why) {
    Headers headers = new RecordHeaders();
    for (Header h : r.headers()) {
      if (!h.key().equals(HEADER_STACKTRACE) && !h.key().equals(HEADER_PAYLOAD_DROPPED)) {
        headers.add(h);
      }
    }
    if (headers.lastHeader(HEADER_ORIGINAL_SIZE) == null) {
      headers.add(HEADER_ORIGINAL_SIZE, Long.toString(sizeOf(r)).getBytes(StandardCharsets.UTF_8));
    }
    headers.add(HEADER_PAYLOAD_DROPPED, why.getBytes(StandardCharsets.UTF_8));
    // A null timestamp makes the producer stamp the send time, which the broker always accepts.
    return new ProducerRecord<>(r.topic(), r.partition(), null, null, null, headers);
  }

  /** An upper bound of the bytes the producer counts against {@code max.request.size}. */
  static long sizeOf(ProducerRecord<byte[], byte[]> r) {
    long size = RECORD_FRAMING_BYTES + length(r.key()) + length(r.value());
    for (Header h : r.headers()) {
      size += h.key().getBytes(StandardCharsets.UTF_8).length + length(h.value()) + 10;
    }
    return size;
  }

  static PipelineMetrics metrics(Map<String, ?> configs) {
    Object m = configs.get(METRICS_CONFIG);
    return m instanceof PipelineMetrics pm ? pm : PipelineMetrics.NOOP;
  }

  /** The Streams producer's {@code max.request.size}, as the handlers' configs hold it. */
  static int maxRequestSize(Map<String, ?> configs) {
    Object v = configs.get(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
    if (v == null) {
      v = configs.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    }
    if (v == null) {
      return KAFKA_DEFAULT_MAX_REQUEST_SIZE;
    }
    return v instanceof Number n ? n.intValue() : Integer.parseInt(v.toString().trim());
  }

  /** The dead-letter topic the handlers were configured with, or null. */
  static String topic(Map<String, ?> configs) {
    Object t = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    return t == null ? null : t.toString();
  }

  private static void truncateHeader(Headers headers, String key, int maxBytes) {
    Header h = headers.lastHeader(key);
    if (h == null || h.value() == null || h.value().length <= maxBytes) {
      return;
    }
    String text = new String(h.value(), 0, maxBytes, StandardCharsets.UTF_8);
    headers.remove(key);
    headers.add(key, (text + "\n... (truncated)").getBytes(StandardCharsets.UTF_8));
  }

  private static int length(byte[] b) {
    return b == null ? 0 : b.length;
  }
}
