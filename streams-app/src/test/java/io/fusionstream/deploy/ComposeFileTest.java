package io.fusionstream.deploy;

import static io.fusionstream.deploy.DeployFiles.listAt;
import static io.fusionstream.deploy.DeployFiles.map;
import static io.fusionstream.deploy.DeployFiles.mapAt;
import static io.fusionstream.deploy.DeployFiles.stringAt;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml starts the stack in order: every dependency has a condition that can be met
 * (a healthy target has a health check, a completed target is a one-shot), there are no cycles, and
 * the files it mounts and builds from exist. `docker-compose config` (deploy/validate.sh) checks the
 * schema; this test checks what the schema cannot.
 */
class ComposeFileTest {

  private static final Path COMPOSE = DeployFiles.file("docker-compose.yml");
  private static final Set<String> ONE_SHOTS = Set.of("topics", "dataset", "model", "producer");

  private static Map<String, Object> services() {
    return mapAt(DeployFiles.yamlMap(COMPOSE), "services");
  }

  private static Map<String, Object> service(String name) {
    return map(services().get(name), "service " + name);
  }

  private static Map<String, String> dependencies(String name) {
    Object dependsOn = service(name).get("depends_on");
    Map<String, String> conditions = new HashMap<>();
    if (dependsOn == null) {
      return conditions;
    }
    assertThat(dependsOn).as("depends_on of %s must give conditions, not a plain list", name).isInstanceOf(Map.class);
    map(dependsOn, name).forEach((target, spec) -> conditions.put(target, stringAt(spec, "condition")));
    return conditions;
  }

  private static List<String> command(String name) {
    return listAt(service(name), "command").stream().map(String::valueOf).toList();
  }

  private static String environment(String service, String variable) {
    return stringAt(service(service), "environment." + variable);
  }

  @Test
  void hasTheServicesOfTheStack() {
    assertThat(services()).containsKeys("kafka", "schema-registry", "topics", "fusionstream", "prometheus", "grafana", "producer");
  }

  @Test
  void everyLongRunningServiceHasAHealthCheck() {
    for (String name : services().keySet()) {
      if (ONE_SHOTS.contains(name)) {
        continue;
      }
      Object test = DeployFiles.at(service(name), "healthcheck.test");
      assertThat(test).as("healthcheck.test of %s", name).isInstanceOf(List.class);
      assertThat(String.valueOf(test)).as("healthcheck of %s", name).startsWith("[CMD");
    }
    assertThat(String.valueOf(DeployFiles.at(service("fusionstream"), "healthcheck.test"))).contains("/health");
  }

  @Test
  void dependencyConditionsCanBeMet() {
    Set<String> allowed = Set.of("service_started", "service_healthy", "service_completed_successfully");
    for (String name : services().keySet()) {
      for (Map.Entry<String, String> dependency : dependencies(name).entrySet()) {
        String target = dependency.getKey();
        assertThat(services()).as("%s depends on an unknown service", name).containsKey(target);
        assertThat(allowed).as("condition of %s -> %s", name, target).contains(dependency.getValue());
        if ("service_healthy".equals(dependency.getValue())) {
          assertThat(service(target)).as("%s waits for %s to be healthy", name, target).containsKey("healthcheck");
        }
        if ("service_completed_successfully".equals(dependency.getValue())) {
          assertThat(ONE_SHOTS).as("%s waits for %s to complete", name, target).contains(target);
          assertThat(String.valueOf(service(target).get("restart"))).isEqualTo("no");
        }
        assertThat(service(target).containsKey("profiles") && !service(name).containsKey("profiles"))
            .as("%s (default profile) must not depend on %s, which only runs in a profile", name, target).isFalse();
      }
    }
  }

  @Test
  void startsInOrderWithoutCycles() {
    assertThat(dependencies("schema-registry")).containsEntry("kafka", "service_healthy");
    assertThat(dependencies("topics")).containsEntry("kafka", "service_healthy");
    assertThat(dependencies("fusionstream"))
        .containsEntry("kafka", "service_healthy")
        .containsEntry("schema-registry", "service_healthy")
        .containsEntry("topics", "service_completed_successfully");
    assertThat(dependencies("producer")).containsEntry("fusionstream", "service_healthy");

    // Depth-first search for a cycle.
    Map<String, Integer> state = new HashMap<>();
    for (String name : services().keySet()) {
      assertThat(findCycle(name, state, new ArrayList<>())).as("dependency cycle").isEmpty();
    }
  }

  private static List<String> findCycle(String name, Map<String, Integer> state, List<String> path) {
    Integer seen = state.get(name);
    if (seen != null && seen == 2) {
      return List.of();
    }
    path.add(name);
    if (seen != null && seen == 1) {
      return path;
    }
    state.put(name, 1);
    for (String target : dependencies(name).keySet()) {
      List<String> cycle = findCycle(target, state, path);
      if (!cycle.isEmpty()) {
        return cycle;
      }
    }
    state.put(name, 2);
    path.remove(path.size() - 1);
    return List.of();
  }

  @Test
  void kafkaRunsInKraftModeWithAnInternalListenerTheAppUses() {
    assertThat(stringAt(service("kafka"), "image")).startsWith("apache/kafka:");
    assertThat(environment("kafka", "KAFKA_PROCESS_ROLES")).contains("broker").contains("controller");
    assertThat(service("kafka").get("environment").toString()).doesNotContainIgnoringCase("zookeeper");
    String advertised = environment("kafka", "KAFKA_ADVERTISED_LISTENERS");
    String bootstrap = environment("fusionstream", "KAFKA_BOOTSTRAP_SERVERS");
    assertThat(advertised).as("the app's bootstrap address must be an advertised listener").contains("//" + bootstrap);
    assertThat(environment("schema-registry", "SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS")).endsWith("//" + bootstrap);
    assertThat(command("topics")).containsSequence("--bootstrap-servers", bootstrap);
    assertThat(command("producer")).containsSequence("--bootstrap-servers", bootstrap);
  }

  @Test
  void fusionstreamRunsFromTheDockerfileWithTheMountedConfig() {
    for (String name : List.of("fusionstream", "topics", "producer")) {
      String dockerfile = stringAt(service(name), "build.dockerfile");
      assertThat(dockerfile).as("dockerfile of %s", name).isEqualTo("deploy/Dockerfile");
      assertThat(Files.isRegularFile(DeployFiles.repoRoot().resolve(stringAt(service(name), "build.context")).resolve(dockerfile)))
          .isTrue();
      assertThat(stringAt(service(name), "image")).isEqualTo(stringAt(service("fusionstream"), "image"));
    }
    List<String> run = command("fusionstream");
    assertThat(run).startsWith("run", "--config");
    String configPath = run.get(run.indexOf("--config") + 1);
    String mountedFrom = volumes("fusionstream").stream()
        .filter(v -> v.split(":")[1].equals(configPath)).map(v -> v.split(":")[0]).findFirst()
        .orElseThrow(() -> new AssertionError(configPath + " is not mounted"));
    Properties config = DeployFiles.properties(DeployFiles.read(DeployFiles.repoRoot().resolve(mountedFrom)), mountedFrom);
    assertThat(volumes("fusionstream")).as("state.dir must be on a named volume")
        .anySatisfy(v -> assertThat(v).doesNotStartWith(".").endsWith(":" + config.getProperty("state.dir")));

    String registry = environment("fusionstream", "SCHEMA_REGISTRY_URL");
    assertThat(registry).isEqualTo("http://schema-registry:8081");
    assertThat(command("producer")).containsSequence("--schema-registry-url", registry);
    assertThat(command("producer")).containsSequence("produce", "--synthetic");
    assertThat(command("topics")).startsWith("topics", "create");
    assertThat(listAt(service("fusionstream"), "ports")).contains("127.0.0.1:8080:" + config.getProperty("fusion.http.port"));
  }

  @Test
  void onlyTheSyntheticProducerNeedsAProfile() {
    for (String name : services().keySet()) {
      if (name.equals("producer")) {
        assertThat(listAt(service(name), "profiles")).containsExactly("demo");
      } else {
        assertThat(service(name)).as("%s runs in the default profile", name).doesNotContainKey("profiles");
      }
    }
  }

  @Test
  void everyBindMountedFileExists() {
    Set<String> named = new HashSet<>(mapAt(DeployFiles.yamlMap(COMPOSE), "volumes").keySet());
    for (String name : services().keySet()) {
      for (String volume : volumes(name)) {
        String source = volume.split(":")[0];
        if (source.startsWith(".") || source.startsWith("/")) {
          assertThat(DeployFiles.repoRoot().resolve(source)).as("bind mount of %s", name).exists();
        } else {
          assertThat(named).as("named volume of %s", name).contains(source);
        }
      }
    }
  }

  private static List<String> volumes(String service) {
    Object volumes = service(service).get("volumes");
    return volumes == null ? List.of() : listAt(service(service), "volumes").stream().map(String::valueOf).toList();
  }
}
