package io.fusionstream.deploy;

import static io.fusionstream.deploy.DeployFiles.listAt;
import static io.fusionstream.deploy.DeployFiles.mapAt;
import static io.fusionstream.deploy.DeployFiles.mapsAt;
import static io.fusionstream.deploy.DeployFiles.stringAt;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The KEDA ScaledObject in deploy/k8s/autoscale scales the StatefulSet of the base on the lag of
 * the application's own consumer group on the topics the ConfigMap names, and never beyond the
 * input partition count the production guide creates the topics with.
 */
class AutoscaleManifestTest {
  private static final Path AUTOSCALE = DeployFiles.file("deploy/k8s/autoscale");

  private static Map<String, Object> scaledObject() {
    List<Object> docs = DeployFiles.yamlDocuments(AUTOSCALE.resolve("scaledobject.yaml"));
    assertThat(docs).hasSize(1);
    return DeployFiles.map(docs.get(0), "scaledobject.yaml");
  }

  private static Map<String, Object> statefulSet() {
    return DeployFiles.yamlMap(DeployFiles.file("deploy/k8s/base/statefulset.yaml"));
  }

  private static Properties config() {
    Map<String, Object> configMap = DeployFiles.yamlMap(DeployFiles.file("deploy/k8s/base/configmap.yaml"));
    return DeployFiles.properties(String.valueOf(mapAt(configMap, "data").get("fusionstream.properties")),
        "ConfigMap");
  }

  /** The partition count of `topics create` in the Kubernetes steps of docs/production.md. */
  private static int documentedInputPartitions() {
    String docs = DeployFiles.read(DeployFiles.file("docs/production.md"));
    Matcher m = Pattern.compile("topics create --bootstrap-servers \\S+ --partitions (\\d+)").matcher(docs);
    assertThat(m.find()).as("a topics create command in docs/production.md").isTrue();
    return Integer.parseInt(m.group(1));
  }

  @Test
  void scalesTheBaseStatefulSet() {
    Map<String, Object> so = scaledObject();
    assertThat(stringAt(so, "apiVersion")).isEqualTo("keda.sh/v1alpha1");
    assertThat(stringAt(so, "kind")).isEqualTo("ScaledObject");
    assertThat(stringAt(so, "spec.scaleTargetRef.kind")).isEqualTo("StatefulSet");
    assertThat(stringAt(so, "spec.scaleTargetRef.apiVersion")).isEqualTo("apps/v1");
    assertThat(stringAt(so, "spec.scaleTargetRef.name")).isEqualTo(stringAt(statefulSet(), "metadata.name"));
    Map<String, Object> kustomization = DeployFiles.yamlMap(AUTOSCALE.resolve("kustomization.yaml"));
    assertThat(listAt(kustomization, "resources")).contains("../base", "scaledobject.yaml");
  }

  @Test
  void replicasStayWithinTheInputPartitionsAndKeepAStandbyPod() {
    Map<String, Object> spec = mapAt(scaledObject(), "spec");
    int max = ((Number) spec.get("maxReplicaCount")).intValue();
    int min = ((Number) spec.get("minReplicaCount")).intValue();
    assertThat(max).as("maxReplicaCount = input partitions").isEqualTo(documentedInputPartitions());
    int standbys = Integer.parseInt(config().getProperty("num.standby.replicas", "0"));
    assertThat(min).as("a pod for each standby copy besides the active one").isGreaterThanOrEqualTo(standbys + 1)
        .isLessThanOrEqualTo(max);
  }

  @Test
  void triggersReadTheApplicationsGroupOnEachInputTopic() {
    Properties config = config();
    List<Map<String, Object>> triggers = mapsAt(scaledObject(), "spec.triggers");
    assertThat(triggers).extracting(t -> stringAt(t, "metadata.topic")).containsExactlyInAnyOrder(
        config.getProperty("fusion.topic.text"), config.getProperty("fusion.topic.image"),
        config.getProperty("fusion.topic.audio"));
    for (Map<String, Object> t : triggers) {
      assertThat(t.get("type")).isEqualTo("kafka");
      assertThat(stringAt(t, "metadata.consumerGroup")).isEqualTo(config.getProperty("application.id"));
      assertThat(stringAt(t, "metadata.bootstrapServers")).isEqualTo(config.getProperty("bootstrap.servers"));
      assertThat(Long.parseLong(stringAt(t, "metadata.lagThreshold"))).isPositive();
      // KEDA refuses the two together; idle consumers beyond the partitions would be wasted pods.
      assertThat(stringAt(t, "metadata.limitToPartitionsWithLag")).isEqualTo("true");
      assertThat(stringAt(t, "metadata.allowIdleConsumers")).isEqualTo("false");
      // Kafka Streams reads new partitions from the start; KEDA must count their lag the same way.
      assertThat(stringAt(t, "metadata.offsetResetPolicy")).isEqualTo("earliest");
    }
  }
}
