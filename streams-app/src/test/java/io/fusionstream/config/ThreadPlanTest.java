package io.fusionstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fusionstream.topology.CountingPipelineMetrics;
import io.fusionstream.topology.StreamsConfigFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ThreadPlanTest {

  @Test
  void unsetThreadsUseEveryCoreWithoutOversubscribing() {
    ThreadPlan plan = new FusionConfig(Map.of()).threads(8);
    assertThat(plan.streamThreads()).isEqualTo(8);
    assertThat(plan.onnxThreads()).isEqualTo(1);
    assertThat(plan.torchThreads()).isEqualTo(1);
    assertThat(plan.describe()).contains("8 core(s)", "8 stream thread(s) (derived)");
  }

  @Test
  void fewerStreamThreadsHandTheCoresToTheEngines() {
    ThreadPlan plan = new FusionConfig(Map.of("num.stream.threads", "2")).threads(8);
    assertThat(plan.streamThreads()).isEqualTo(2);
    assertThat(plan.onnxThreads()).isEqualTo(4);
    assertThat(plan.torchThreads()).isEqualTo(4);
    // More stream threads than cores: still one engine thread each, never zero (= all cores).
    assertThat(new FusionConfig(Map.of("num.stream.threads", 6)).threads(4).onnxThreads()).isEqualTo(1);
  }

  @Test
  void explicitEngineThreadsWinAndReachTheEncoderSettings() {
    FusionConfig config = new FusionConfig(Map.of(FusionConfig.ENCODER_ONNX_THREADS, "3",
        FusionConfig.ENCODER_TORCH_THREADS, "0", "num.stream.threads", "1"));
    assertThat(config.threads(16).onnxThreads()).isEqualTo(3);
    assertThat(config.threads(16).torchThreads()).isZero();
    assertThat(config.threads(16).describe()).contains("ONNX Runtime 3 thread(s) per call (fusion.encoder.onnx.threads)",
        "PyTorch engine-default thread(s) per op (fusion.encoder.torch.threads)");
    assertThat(config.encoderSettings().onnxThreads()).isEqualTo(3);
    assertThat(config.encoderSettings().torchThreads()).isZero();
  }

  @Test
  void theEncoderSettingsOfTheAppFollowTheDerivedPlan() {
    FusionConfig config = new FusionConfig(Map.of("num.stream.threads", "1"));
    int cores = Runtime.getRuntime().availableProcessors();
    assertThat(config.encoderSettings().onnxThreads()).isEqualTo(cores);
    assertThat(config.encoderSettings().torchThreads()).isEqualTo(cores);
  }

  @Test
  void negativeOrNonNumericThreadsAreRefused() {
    assertThatThrownBy(() -> new FusionConfig(Map.of(FusionConfig.ENCODER_ONNX_THREADS, "-1")))
        .isInstanceOf(ConfigException.class).hasMessageContaining(FusionConfig.ENCODER_ONNX_THREADS);
    assertThatThrownBy(() -> new FusionConfig(Map.of("num.stream.threads", "many")).threads(4))
        .isInstanceOf(ConfigException.class).hasMessageContaining("num.stream.threads");
  }

  @Test
  void kafkaStreamsGetsTheDerivedStreamThreadsUnlessTheUserSetThem() {
    Map<String, String> none = new HashMap<>();
    Properties derived = StreamsConfigFactory.create(new FusionConfig(none), none, new CountingPipelineMetrics());
    assertThat(derived.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG))
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    Map<String, String> user = Map.of("num.stream.threads", "3");
    Properties set = StreamsConfigFactory.create(new FusionConfig(user), user, new CountingPipelineMetrics());
    assertThat(set.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo("3");
  }
}
