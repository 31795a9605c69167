package io.fusionstream.topology;

import io.fusionstream.config.FusionConfig;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Kafka Streams settings: the user's properties win, FusionStream's defaults fill the gaps
 * (exactly-once, dead letters to the configured topic with our handlers, explicit internal names,
 * record size limits that fit the input limits, a stream thread per core, RocksDB's native memory
 * capped for the whole process).
 */
public final class StreamsConfigFactory {
  public static final String DEFAULT_APPLICATION_ID = "fusionstream";

  private StreamsConfigFactory() {}

  public static Properties create(FusionConfig config, Map<?, ?> userProperties, PipelineMetrics metrics) {
    return create(config, userProperties, metrics, null);
  }

  /**
   * As {@link #create(FusionConfig, Map, PipelineMetrics)}, and the exception handlers note the
   * records they fail on in {@code failures} (null: nowhere).
   */
  public static Properties create(FusionConfig config, Map<?, ?> userProperties, PipelineMetrics metrics,
      TaskFailureTracker failures) {
    Properties props = new Properties();
    userProperties.forEach((k, v) -> {
      if (v != null) {
        props.put(k, v);
      }
    });
    props.putIfAbsent(StreamsConfig.APPLICATION_ID_CONFIG, DEFAULT_APPLICATION_ID);
    props.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.putIfAbsent(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, config.dlqTopic());
    props.putIfAbsent(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        FusionDeserializationExceptionHandler.class.getName());
    props.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        FusionProcessingExceptionHandler.class.getName());
    // No global stores here; enabling it is what Kafka 5.0 will do, and Kafka 4.3 warns on every config otherwise.
    props.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    props.putIfAbsent(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        FusionProductionExceptionHandler.class.getName());
    applySizes(props, KafkaSizes.of(config));
    // One stream thread per core unless set; the engines' threads are derived from the same figure.
    props.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.threads().streamThreads());
    // Fails at start-up if a store or internal topic were left with a generated name.
    props.putIfAbsent(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    if (config.rocksDbMemoryBytes() > 0 && !props.containsKey(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)) {
      props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class.getName());
      props.put(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG, config.rocksDbMemoryBytes());
    }
    // The handlers are created by Kafka Streams from class names; the metrics reach them as a config value.
    props.put(DeadLetters.METRICS_CONFIG, metrics);
    props.put(DeadLetterPolicy.CONFIG, DeadLetterPolicy.from(config));
    if (failures != null) {
      props.put(TaskFailureTracker.CONFIG, failures);
    }
    return props;
  }

  /**
   * Under exactly-once a write the producer or broker refuses aborts the whole transaction, whatever
   * the production handler answers, so the records the limits accept must fit before they are sent.
   * A user's setting wins, prefixed or not.
   */
  private static void applySizes(Properties props, KafkaSizes sizes) {
    String maxRecord = Integer.toString(sizes.maxRecordBytes());
    putUnlessSet(props, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        maxRecord);
    // The producer also refuses a record larger than its whole buffer.
    long buffer = Math.max(32L * 1024 * 1024, 2L * sizes.maxRecordBytes());
    putUnlessSet(props, ProducerConfig.BUFFER_MEMORY_CONFIG, StreamsConfig.producerPrefix(ProducerConfig.BUFFER_MEMORY_CONFIG),
        Long.toString(buffer));
    // Changelogs and the repartition topic: the broker's default (about 1 MiB) would refuse them.
    props.putIfAbsent(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), maxRecord);
  }

  private static void putUnlessSet(Properties props, String plainKey, String prefixedKey, String value) {
    if (!props.containsKey(plainKey) && !props.containsKey(prefixedKey)) {
      props.put(prefixedKey, value);
    }
  }
}
