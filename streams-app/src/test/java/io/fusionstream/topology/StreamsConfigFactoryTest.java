package io.fusionstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.config.FusionConfig;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsConfigFactoryTest {

  @Test
  void defaultsToExactlyOnceWithDeadLettersToTheConfiguredTopic() {
    FusionConfig config = new FusionConfig(Map.of(FusionConfig.TOPIC_PREFIX, "prod."));
    Properties p = StreamsConfigFactory.create(config, Map.of("bootstrap.servers", "b:9092"), PipelineMetrics.NOOP);
    assertThat(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    assertThat(p.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("fusionstream");
    assertThat(p.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG)).isEqualTo("prod.fusion-dlq");
    assertThat(p.get(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG))
        .isEqualTo(FusionProcessingExceptionHandler.class.getName());
    assertThat(p.get(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG))
        .isEqualTo(FusionDeserializationExceptionHandler.class.getName());
    assertThat(p.get("bootstrap.servers")).isEqualTo("b:9092");
    assertThat(new StreamsConfig(p).getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
  }

  @Test
  void userSettingsWin() {
    FusionConfig config = new FusionConfig(Map.of());
    Properties p = StreamsConfigFactory.create(config, Map.of(
        StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE,
        StreamsConfig.APPLICATION_ID_CONFIG, "mine"), PipelineMetrics.NOOP);
    assertThat(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("at_least_once");
    assertThat(p.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("mine");
  }
}
