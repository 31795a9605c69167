package io.fusionstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The same scenario against real images: Apache Kafka (KRaft) and Confluent's Schema Registry.
 * Without a Docker engine JUnit reports it skipped ("disabledWithoutDocker"); the in-process
 * variant keeps covering the scenario there.
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ContainersScenarioIT {
  private static final Network NETWORK = Network.newNetwork();

  @Container
  static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse("apache/kafka:4.1.0"))
      .withNetwork(NETWORK).withNetworkAliases("kafka")
      .withListener("kafka:19092");

  @Container
  static final GenericContainer<?> REGISTRY = new GenericContainer<>(DockerImageName.parse("confluentinc/cp-schema-registry:7.9.0"))
      .withNetwork(NETWORK).dependsOn(KAFKA)
      .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
      .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
      .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
      .withExposedPorts(8081)
      .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));

  @Test
  void everySessionWindowGetsExactlyOnePredictionAgainstContainers(@TempDir Path dir) throws Exception {
    String registryUrl = "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8081);
    SessionScenario.Result result = SessionScenario.run(KAFKA.getBootstrapServers(), registryUrl, dir, 8);
    System.out.printf("container scenario: %d windows expected, %d with predictions%n",
        result.expected().size(), result.predictionsPerWindow().size());
    assertThat(result.predictionsPerWindow()).containsOnlyKeys(result.expected());
    assertThat(result.predictionsPerWindow().values()).allMatch(n -> n == 1);
  }
}
