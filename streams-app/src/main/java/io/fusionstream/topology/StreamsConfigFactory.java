package io.fusionstream.topology;

import io.fusionstream.config.FusionConfig;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Kafka Streams settings: the user's properties win, FusionStream's defaults fill the gaps
 * (exactly-once, dead letters to the configured topic with our handlers, explicit internal names).
 */
public final class StreamsConfigFactory {
  public static final String DEFAULT_APPLICATION_ID = "fusionstream";

  private StreamsConfigFactory() {}

  public static Properties create(FusionConfig config, Map<?, ?> userProperties, PipelineMetrics metrics) {
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
    // Fails at start-up if a store or internal topic were left with a generated name.
    props.putIfAbsent(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    // The handlers are created by Kafka Streams from class names; the metrics reach them as a config value.
    props.put(DeadLetters.METRICS_CONFIG, metrics);
    return props;
  }
}
