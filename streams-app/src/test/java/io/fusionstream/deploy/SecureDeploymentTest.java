package io.fusionstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The deployment files expose what they must and no more: compose publishes on loopback only,
 * Grafana has no anonymous access or default password, the pods bind all interfaces only next to
 * an auth setting, carry no service-account token, and a NetworkPolicy limits their traffic.
 */
class SecureDeploymentTest {
  private static final Path COMPOSE = DeployFiles.file("docker-compose.yml");
  private static final Path K8S = DeployFiles.file("deploy/k8s/base");

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    assertThat(o).isInstanceOf(List.class);
    return (List<Object>) o;
  }

  private static Map<String, Object> services() {
    return map(DeployFiles.yamlMap(COMPOSE).get("services"));
  }

  @Test
  void composePublishesEveryPortOnLoopbackOnly() {
    int published = 0;
    for (Map.Entry<String, Object> service : services().entrySet()) {
      Object ports = map(service.getValue()).get("ports");
      if (ports == null) {
        continue;
      }
      for (Object port : list(ports)) {
        assertThat(String.valueOf(port)).as("port of %s", service.getKey()).startsWith("127.0.0.1:");
        published++;
      }
    }
    assertThat(published).isGreaterThanOrEqualTo(5);
  }

  @Test
  void grafanaHasNoAnonymousAccessNorADefaultPassword() {
    Map<String, Object> env = map(map(services().get("grafana")).get("environment"));
    assertThat(String.valueOf(env.get("GF_AUTH_ANONYMOUS_ENABLED"))).isEqualTo("false");
    assertThat(String.valueOf(env.get("GF_SECURITY_ADMIN_PASSWORD")))
        .startsWith("${GRAFANA_ADMIN_PASSWORD:?").doesNotContain(":-");
  }

  @Test
  void composeAppBindsAllInterfacesOnlyBehindALoopbackPort() {
    Map<String, Object> app = map(services().get("fusionstream"));
    Map<String, Object> env = map(app.get("environment"));
    assertThat(String.valueOf(env.get("FUSION_HTTP_HOST"))).isEqualTo("0.0.0.0");
    assertThat(env).containsKey("FUSION_HTTP_AUTH");
    assertThat(list(app.get("ports"))).allSatisfy(p -> assertThat(String.valueOf(p)).startsWith("127.0.0.1:"));
  }

  @Test
  void theImageBindsAllInterfacesNextToBearerAuth() {
    String dockerfile = DeployFiles.read(DeployFiles.file("deploy/Dockerfile"));
    assertThat(dockerfile).contains("FUSION_HTTP_HOST=0.0.0.0", "FUSION_HTTP_AUTH=bearer");
  }

  private static List<Map<String, Object>> k8sObjects() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Path file : DeployFiles.yamlFilesUnder(K8S)) {
      for (Object doc : DeployFiles.yamlDocuments(file)) {
        out.add(map(doc));
      }
    }
    return out;
  }

  private static Map<String, Object> ofKind(String kind) {
    return k8sObjects().stream().filter(o -> kind.equals(o.get("kind"))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " under " + K8S));
  }

  @Test
  void podsCarryNoServiceAccountTokenAndBindAllInterfacesWithAuth() {
    Map<String, Object> podSpec = map(map(map(ofKind("StatefulSet").get("spec")).get("template")).get("spec"));
    assertThat(podSpec.get("automountServiceAccountToken")).isEqualTo(false);
    Map<String, Object> container = map(list(podSpec.get("containers")).stream()
        .filter(c -> "fusionstream".equals(map(c).get("name"))).findFirst().orElseThrow());
    Map<String, String> env = new java.util.HashMap<>();
    for (Object e : list(container.get("env"))) {
      env.put(String.valueOf(map(e).get("name")), String.valueOf(map(e).get("value")));
    }
    assertThat(env).containsEntry("FUSION_HTTP_HOST", "0.0.0.0").containsEntry("FUSION_HTTP_AUTH", "bearer")
        .containsEntry("FUSION_HTTP_AUTH_EXEMPT_PATHS", "/health,/metrics");
    assertThat(env.get("FUSION_HTTP_AUTH_FILE")).startsWith("/var/run/secrets/");
  }

  @Test
  void aNetworkPolicyAdmitsOnlyMonitoringOn8080AndLimitsEgress() {
    Map<String, Object> policy = ofKind("NetworkPolicy");
    Map<String, Object> spec = map(policy.get("spec"));
    assertThat(list(spec.get("policyTypes"))).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(map(map(spec.get("podSelector")).get("matchLabels")))
        .containsEntry("app.kubernetes.io/name", "fusionstream");

    List<Object> ingress = list(spec.get("ingress"));
    assertThat(ingress).hasSize(1);
    Map<String, Object> rule = map(ingress.get(0));
    assertThat(list(rule.get("ports"))).extracting(p -> map(p).get("port")).containsExactly(8080);
    Map<String, Object> from = map(list(rule.get("from")).get(0));
    assertThat(map(map(from.get("namespaceSelector")).get("matchLabels")))
        .containsEntry("kubernetes.io/metadata.name", "monitoring");

    List<Object> egressPorts = new ArrayList<>();
    for (Object e : list(spec.get("egress"))) {
      list(map(e).get("ports")).forEach(p -> egressPorts.add(map(p).get("port")));
    }
    assertThat(egressPorts).containsOnly(53, 9092, 9093, 8081);
    String kustomization = DeployFiles.read(K8S.resolve("kustomization.yaml"));
    assertThat(kustomization).contains("networkpolicy.yaml");
  }
}
