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

  @Test
  void recordSizesFollowTheLargestInputLimitPlusHeaderRoom() {
    FusionConfig config = new FusionConfig(Map.of());
    Properties p = StreamsConfigFactory.create(config, Map.of("bootstrap.servers", "b:9092"), PipelineMetrics.NOOP);
    // 8 MiB payload + 512-char session id at 3 bytes + the event's field headroom, then framing and letter headers.
    int expected = 8 * 1024 * 1024 + 3 * 512 + io.fusionstream.decode.Limits.FIELD_HEADROOM_BYTES
        + KafkaSizes.RECORD_OVERHEAD_BYTES + KafkaSizes.DEAD_LETTER_HEADER_BYTES;
    assertThat(config.maxEventBytes()).isEqualTo(8 * 1024 * 1024 + 3 * 512 + io.fusionstream.decode.Limits.FIELD_HEADROOM_BYTES);
    assertThat(p.get(StreamsConfig.producerPrefix("max.request.size"))).isEqualTo(Integer.toString(expected));
    assertThat(p.get(StreamsConfig.topicPrefix("max.message.bytes"))).isEqualTo(Integer.toString(expected));
    assertThat(Long.parseLong((String) p.get(StreamsConfig.producerPrefix("buffer.memory"))))
        .isGreaterThanOrEqualTo(expected);
    assertThat(p.get(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG))
        .isEqualTo(FusionProductionExceptionHandler.class.getName());
    // What the producer of a stream thread really gets.
    Map<String, Object> producer = new StreamsConfig(p).getProducerConfigs("client");
    assertThat(producer.get("max.request.size")).isEqualTo(Integer.toString(expected));
  }

  @Test
  void theLargestLimitDecidesWhicheverModalityItIs() {
    FusionConfig config = new FusionConfig(Map.of(FusionConfig.LIMIT_IMAGE_BYTES, 1_000_000,
        FusionConfig.LIMIT_AUDIO_BYTES, 2_000_000, FusionConfig.LIMIT_TEXT_CHARS, 1_000_000));
    // 1,000,000 chars may take 3,000,000 UTF-8 bytes.
    int event = 3_000_000 + 3 * 512 + io.fusionstream.decode.Limits.FIELD_HEADROOM_BYTES;
    assertThat(config.maxEventBytes()).isEqualTo(event);
    assertThat(KafkaSizes.of(config).maxInputRecordBytes()).isEqualTo(event + KafkaSizes.RECORD_OVERHEAD_BYTES);
    assertThat(KafkaSizes.of(config).maxRecordBytes())
        .isEqualTo(event + KafkaSizes.RECORD_OVERHEAD_BYTES + KafkaSizes.DEAD_LETTER_HEADER_BYTES);
  }

  @Test
  void usersSizeSettingsWinPrefixedOrNot() {
    FusionConfig config = new FusionConfig(Map.of());
    Properties plain = StreamsConfigFactory.create(config, Map.of("max.request.size", "2000000", "bootstrap.servers", "b:9092"), PipelineMetrics.NOOP);
    assertThat(plain).doesNotContainKey(StreamsConfig.producerPrefix("max.request.size"));
    assertThat(new StreamsConfig(plain).getProducerConfigs("c").get("max.request.size")).isEqualTo("2000000");

    Properties prefixed = StreamsConfigFactory.create(config, Map.of(
        StreamsConfig.producerPrefix("max.request.size"), "3000000",
        StreamsConfig.topicPrefix("max.message.bytes"), "3000000"), PipelineMetrics.NOOP);
    assertThat(prefixed.get(StreamsConfig.producerPrefix("max.request.size"))).isEqualTo("3000000");
    assertThat(prefixed.get(StreamsConfig.topicPrefix("max.message.bytes"))).isEqualTo("3000000");
  }

  @Test
  void theFailureTrackerReachesTheHandlersThroughTheConfig() {
    TaskFailureTracker tracker = TaskFailureTracker.from(new FusionConfig(Map.of()));
    Properties p = StreamsConfigFactory.create(new FusionConfig(Map.of()), Map.of(), PipelineMetrics.NOOP, tracker);
    assertThat(p.get(TaskFailureTracker.CONFIG)).isSameAs(tracker);
  }
}
