package io.fusionstream.topology;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.processor.TaskId;

/**
 * What the three exception handlers share: where they report (metrics, the task-failure tracker),
 * the dead-letter topic, the dead-letter policy and the producer's size limit, read once from the Streams config, and the
 * one way they finish the dead letters Kafka Streams built for them.
 */
final class HandlerSupport {
  final PipelineMetrics metrics;
  final String deadLetterTopic;
  private final Optional<TaskFailureTracker> failures;
  private final int maxRequestSize;
  private final DeadLetterPolicy policy;

  private HandlerSupport(Map<String, ?> configs) {
    this.metrics = DeadLetters.metrics(configs);
    this.failures = TaskFailureTracker.from(configs);
    this.deadLetterTopic = DeadLetters.topic(configs);
    this.maxRequestSize = DeadLetters.maxRequestSize(configs);
    this.policy = DeadLetterPolicy.from(configs);
  }

  static HandlerSupport from(Map<String, ?> configs) {
    return new HandlerSupport(configs);
  }

  /** Before configure(): reports nowhere, Kafka's default size. */
  static HandlerSupport unconfigured() {
    return new HandlerSupport(Map.of());
  }

  /**
   * Tags the letters with their reason, strips what the dead-letter policy keeps out, keeps them writable (a letter too large goes without its
   * payload, saying {@code whyDropped}; under exactly-once a refused send would abort the
   * transaction) and counts them.
   */
  List<ProducerRecord<byte[], byte[]>> finish(List<ProducerRecord<byte[], byte[]>> letters, String reason,
      String whyDropped) {
    List<ProducerRecord<byte[], byte[]>> tagged = DeadLetters.addReason(letters, reason, policy);
    List<ProducerRecord<byte[], byte[]>> writable = DeadLetters.writable(tagged, maxRequestSize, whyDropped);
    metrics.deadLetter(reason);
    return writable;
  }

  /** Notes the record a task is about to fail on, so a failure that repeats names it. */
  void failing(TaskId task, String topic, int partition, long offset, Exception exception) {
    failures.ifPresent(f -> f.failingRecord(task, topic, partition, offset, exception));
  }
}
