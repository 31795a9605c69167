package io.fusionstream.topology;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.serde.RestSchemaRegistryClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The pipeline as a process of its own, for {@link CrashRecoveryIT} to kill with SIGKILL and start
 * again. Deterministic test encoders and fusion keep it light; everything else is production code.
 * Arguments: bootstrap servers, schema registry URL, state directory.
 */
public final class CrashTestApp {
  static final String APPLICATION_ID = "fusion-crash-test";
  static final long WINDOW_MS = 2_000;
  static final long GRACE_MS = 15_000;
  static final long IDLE_MS = 2_000;

  private CrashTestApp() {}

  static FusionConfig config() {
    Map<String, Object> settings = new HashMap<>();
    settings.put(FusionConfig.WINDOW_SIZE_MS, WINDOW_MS);
    // Covers the event-time skew between the two input partitions while a restarted instance
    // works through its backlog; windows then close by the idle timeout.
    settings.put(FusionConfig.WINDOW_GRACE_MS, GRACE_MS);
    settings.put(FusionConfig.WINDOW_IDLE_TIMEOUT_MS, IDLE_MS);
    settings.put(FusionConfig.MAX_BATCH_SIZE, 8);
    settings.put(FusionConfig.MAX_BATCH_DELAY_MS, 50L);
    return new FusionConfig(settings);
  }

  public static void main(String[] args) throws InterruptedException {
    String bootstrap = args[0];
    String registryUrl = args[1];
    String stateDir = args[2];
    FusionConfig config = config();
    CountingPipelineMetrics metrics = new CountingPipelineMetrics();
    MeanFusionModel model = new MeanFusionModel();
    var topology = FusionTopology.builder(config, new RestSchemaRegistryClient(Map.of("schema.registry.url", registryUrl)))
        .text(FunctionEncoder.words()).image(FunctionEncoder.colours()).audio(FunctionEncoder.loudness(), 8_000)
        .fusionModel(model).metrics(metrics).build();
    Map<String, Object> user = new HashMap<>();
    user.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
    user.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    user.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    // Static membership: a restarted instance takes its partitions back without waiting for the
    // killed one's session to expire.
    user.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), "crash-test-instance");
    user.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
    Properties props = StreamsConfigFactory.create(config, user, metrics);
    KafkaStreams streams = new KafkaStreams(topology, props);
    CountDownLatch stopped = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      System.out.println("STATE " + now);
      if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
        stopped.countDown();
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close();
      System.out.println("METRICS " + metrics.snapshot());
    }));
    streams.start();
    stopped.await();
    System.out.println("METRICS " + metrics.snapshot());
    System.exit(1); // only reached if Kafka Streams died on its own: the test should see that
  }
}
