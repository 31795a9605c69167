package io.fusionstream.deploy;

import static io.fusionstream.deploy.DeployFiles.at;
import static io.fusionstream.deploy.DeployFiles.listAt;
import static io.fusionstream.deploy.DeployFiles.map;
import static io.fusionstream.deploy.DeployFiles.mapAt;
import static io.fusionstream.deploy.DeployFiles.mapsAt;
import static io.fusionstream.deploy.DeployFiles.stringAt;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests under deploy/k8s parse, carry the fields the API server requires, and
 * agree with each other: selectors match pod labels, ports and volumes that are referred to exist,
 * and the Kafka Streams state directory of the config lies on the persistent volume.
 */
class KubernetesManifestsTest {

  private static final Path K8S = DeployFiles.file("deploy/k8s");
  private static final String DNS_1123 = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final String CONFIG_FILE = "fusionstream.properties";

  private record Manifest(Path file, Map<String, Object> body) {
    String kind() {
      return stringAt(body, "kind");
    }

    String name() {
      return stringAt(body, "metadata.name");
    }

    @Override
    public String toString() {
      return kind() + "/" + name() + " in " + file;
    }
  }

  private static List<Manifest> documents() {
    List<Manifest> all = new ArrayList<>();
    for (Path file : DeployFiles.yamlFilesUnder(K8S)) {
      List<Object> docs = DeployFiles.yamlDocuments(file);
      assertThat(docs).as("documents of %s", file).isNotEmpty();
      for (Object doc : docs) {
        assertThat(doc).as("a document of %s (an empty document between two ---?)", file).isInstanceOf(Map.class);
        all.add(new Manifest(file, map(doc, file.toString())));
      }
    }
    return all;
  }

  private static List<Manifest> objects() {
    return documents().stream().filter(m -> !"Kustomization".equals(m.kind())).toList();
  }

  private static List<Manifest> ofKind(String kind) {
    return objects().stream().filter(m -> kind.equals(m.kind())).toList();
  }

  private static Manifest statefulSet() {
    List<Manifest> sets = ofKind("StatefulSet");
    assertThat(sets).as("StatefulSets").hasSize(1);
    return sets.get(0);
  }

  private static Map<String, Object> podLabels() {
    return mapAt(statefulSet().body(), "spec.template.metadata.labels");
  }

  private static Map<String, Object> appContainer() {
    List<Map<String, Object>> containers = mapsAt(statefulSet().body(), "spec.template.spec.containers");
    return containers.stream().filter(c -> "fusionstream".equals(c.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no container named fusionstream in " + containers));
  }

  private static Properties configProperties() {
    List<Manifest> maps = ofKind("ConfigMap");
    assertThat(maps).as("ConfigMaps").hasSize(1);
    // The key has dots, which the dotted path syntax of DeployFiles.at cannot express.
    String text = String.valueOf(mapAt(maps.get(0).body(), "data").get(CONFIG_FILE));
    assertThat(text).as("ConfigMap key %s", CONFIG_FILE).isNotBlank().isNotEqualTo("null");
    return DeployFiles.properties(text, "ConfigMap " + maps.get(0).name());
  }

  @Test
  void everyDocumentHasApiVersionKindAndAValidName() {
    List<Manifest> objects = objects();
    assertThat(objects).as("Kubernetes objects under %s", K8S).isNotEmpty();
    for (Manifest m : objects) {
      assertThat(stringAt(m.body(), "apiVersion")).as("apiVersion of %s", m).isNotBlank();
      assertThat(m.kind()).as("kind in %s", m.file()).isNotBlank();
      assertThat(m.name()).as("metadata.name of %s", m).isNotBlank().matches(DNS_1123);
    }
    Set<String> seen = new HashSet<>();
    for (Manifest m : objects) {
      assertThat(seen.add(m.kind() + "/" + m.name())).as("%s is defined twice", m).isTrue();
    }
  }

  @Test
  void theDeploymentHasEveryPieceTheIssueAsksFor() {
    Map<String, Long> kinds = objects().stream().collect(Collectors.groupingBy(Manifest::kind, Collectors.counting()));
    assertThat(kinds).containsKeys("StatefulSet", "ConfigMap", "Service", "PodDisruptionBudget");
    assertThat(stringAt(ofKind("PodDisruptionBudget").get(0).body(), "apiVersion")).isEqualTo("policy/v1");
    assertThat(stringAt(statefulSet().body(), "apiVersion")).isEqualTo("apps/v1");
  }

  @Test
  void statefulSetSelectorMatchesItsPodTemplateLabels() {
    Map<String, Object> selector = mapAt(statefulSet().body(), "spec.selector.matchLabels");
    assertThat(selector).isNotEmpty();
    assertThat(podLabels()).containsAllEntriesOf(selector);
  }

  @Test
  void statefulSetIsGovernedByAHeadlessService() {
    String serviceName = stringAt(statefulSet().body(), "spec.serviceName");
    assertThat(serviceName).isNotBlank();
    Manifest governing = ofKind("Service").stream().filter(s -> serviceName.equals(s.name())).findFirst()
        .orElseThrow(() -> new AssertionError("spec.serviceName " + serviceName + " names no Service"));
    assertThat(stringAt(governing.body(), "spec.clusterIP")).as("clusterIP of %s", governing).isEqualTo("None");
  }

  @Test
  void stateDirectoryLiesOnAPersistentVolumeClaim() {
    String stateDir = configProperties().getProperty("state.dir");
    assertThat(stateDir).as("state.dir in the ConfigMap").isNotBlank();

    List<Map<String, Object>> claims = mapsAt(statefulSet().body(), "spec.volumeClaimTemplates");
    assertThat(claims).isNotEmpty();
    Set<String> claimNames = new HashSet<>();
    for (Map<String, Object> claim : claims) {
      claimNames.add(stringAt(claim, "metadata.name"));
      assertThat(listAt(claim, "spec.accessModes")).contains("ReadWriteOnce");
      assertThat(stringAt(claim, "spec.resources.requests.storage")).as("storage request").matches("\\d+[MGT]i");
    }
    Map<String, Object> stateMount = mapsAt(appContainer(), "volumeMounts").stream()
        .filter(mount -> stateDir.equals(mount.get("mountPath"))).findFirst()
        .orElseThrow(() -> new AssertionError("no volume is mounted at state.dir " + stateDir));
    assertThat(claimNames).as("the volume at state.dir must come from a volumeClaimTemplate")
        .contains(String.valueOf(stateMount.get("name")));
  }

  @Test
  void containersHaveImagesPortsAndHealthProbes() {
    Map<String, Object> container = appContainer();
    assertThat(stringAt(container, "image")).isNotBlank();
    List<Map<String, Object>> ports = mapsAt(container, "ports");
    assertThat(ports).isNotEmpty();
    Set<Object> portRefs = new HashSet<>();
    for (Map<String, Object> port : ports) {
      assertThat(port.get("containerPort")).as("containerPort").isInstanceOf(Integer.class);
      portRefs.add(port.get("containerPort"));
      portRefs.add(port.get("name"));
    }
    for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
      assertThat(stringAt(container, probe + ".httpGet.path")).as(probe + " path").isEqualTo("/health");
      assertThat(portRefs).as(probe + " port must be a declared container port").contains(at(container, probe + ".httpGet.port"));
    }
    String httpPort = configProperties().getProperty("fusion.http.port", "8080");
    assertThat(ports).extracting(p -> String.valueOf(p.get("containerPort"))).contains(httpPort);

    List<Object> args = listAt(container, "args");
    assertThat(args).as("container args").startsWith("run", "--config");
    for (Map<String, Object> c : mapsAt(statefulSet().body(), "spec.template.spec.initContainers")) {
      assertThat(stringAt(c, "image")).as("image of init container %s", c.get("name")).isNotBlank();
    }
  }

  @Test
  void podRunsAsTheImagesNonRootUser() {
    Map<String, Object> podSecurity = mapAt(statefulSet().body(), "spec.template.spec.securityContext");
    assertThat(podSecurity.get("runAsNonRoot")).isEqualTo(true);
    assertThat(podSecurity.get("runAsUser")).isNotEqualTo(0);
    assertThat(podSecurity).as("fsGroup makes the volume writable for that user").containsKey("fsGroup");
    String dockerfile = DeployFiles.read(DeployFiles.file("deploy/Dockerfile"));
    assertThat(dockerfile).contains("USER " + podSecurity.get("runAsUser"));
  }

  @Test
  void everyVolumeMountRefersToADeclaredVolume() {
    Map<String, Object> body = statefulSet().body();
    Set<String> volumes = new HashSet<>();
    mapsAt(body, "spec.template.spec.volumes").forEach(v -> volumes.add(String.valueOf(v.get("name"))));
    mapsAt(body, "spec.volumeClaimTemplates").forEach(v -> volumes.add(stringAt(v, "metadata.name")));
    List<Map<String, Object>> containers = new ArrayList<>(mapsAt(body, "spec.template.spec.containers"));
    containers.addAll(mapsAt(body, "spec.template.spec.initContainers"));
    for (Map<String, Object> container : containers) {
      for (Map<String, Object> mount : mapsAt(container, "volumeMounts")) {
        assertThat(volumes).as("volume of mount %s in %s", mount.get("mountPath"), container.get("name"))
            .contains(String.valueOf(mount.get("name")));
      }
    }
    Set<String> configMaps = ofKind("ConfigMap").stream().map(Manifest::name).collect(Collectors.toSet());
    for (Map<String, Object> volume : mapsAt(body, "spec.template.spec.volumes")) {
      String configMap = stringAt(volume, "configMap.name");
      if (configMap != null) {
        assertThat(configMaps).as("ConfigMap of volume %s", volume.get("name")).contains(configMap);
      }
    }
  }

  @Test
  void theConfigFileTheContainerReadsIsBuiltFromTheConfigMap() {
    List<Object> args = listAt(appContainer(), "args");
    String configPath = String.valueOf(args.get(args.indexOf("--config") + 1));
    Path configDir = Path.of(configPath).getParent();
    Map<String, Object> configMount = mapsAt(appContainer(), "volumeMounts").stream()
        .filter(m -> configDir.toString().equals(m.get("mountPath"))).findFirst()
        .orElseThrow(() -> new AssertionError("nothing is mounted at " + configDir));
    // The init container writes that file into the shared volume from the ConfigMap's key.
    Map<String, Object> init = mapsAt(statefulSet().body(), "spec.template.spec.initContainers").get(0);
    assertThat(mapsAt(init, "volumeMounts")).anySatisfy(m -> {
      assertThat(m.get("name")).isEqualTo(configMount.get("name"));
      assertThat(m.get("mountPath")).isEqualTo(configDir.toString());
    });
    assertThat(String.join("\n", listAt(init, "args").stream().map(String::valueOf).toList()))
        .contains(CONFIG_FILE).contains(configPath.substring(configPath.lastIndexOf('/') + 1));
  }

  @Test
  void configMapHoldsAUsableConfig() {
    Properties config = configProperties();
    assertThat(config.getProperty("bootstrap.servers")).isNotBlank();
    assertThat(config.getProperty("schema.registry.url")).startsWith("http");
    assertThat(config.getProperty("application.id")).isNotBlank();
    assertThat(config.getProperty("processing.guarantee")).isEqualTo("exactly_once_v2");
    assertThat(config.stringPropertyNames()).as("no secret in a ConfigMap")
        .doesNotContain("sasl.jaas.config", "basic.auth.user.info", "ssl.truststore.password");
  }

  @Test
  void servicesSelectThePodsAndTargetDeclaredPorts() {
    Set<Object> portRefs = new HashSet<>();
    mapsAt(appContainer(), "ports").forEach(p -> {
      portRefs.add(p.get("name"));
      portRefs.add(p.get("containerPort"));
    });
    List<Manifest> services = ofKind("Service");
    assertThat(services).isNotEmpty();
    for (Manifest service : services) {
      Map<String, Object> selector = mapAt(service.body(), "spec.selector");
      assertThat(selector).as("selector of %s", service).isNotEmpty();
      assertThat(podLabels()).as("pod labels selected by %s", service).containsAllEntriesOf(selector);
      List<Map<String, Object>> ports = mapsAt(service.body(), "spec.ports");
      assertThat(ports).as("ports of %s", service).isNotEmpty();
      for (Map<String, Object> port : ports) {
        assertThat(port.get("port")).as("port of %s", service).isInstanceOf(Integer.class);
        assertThat(portRefs).as("targetPort of %s", service).contains(port.getOrDefault("targetPort", port.get("port")));
      }
    }
  }

  @Test
  void podDisruptionBudgetSelectsThePods() {
    for (Manifest pdb : ofKind("PodDisruptionBudget")) {
      Map<String, Object> selector = mapAt(pdb.body(), "spec.selector.matchLabels");
      assertThat(selector).isNotEmpty();
      assertThat(podLabels()).containsAllEntriesOf(selector);
      Map<String, Object> spec = mapAt(pdb.body(), "spec");
      assertThat(spec.containsKey("maxUnavailable") ^ spec.containsKey("minAvailable"))
          .as("%s sets exactly one of maxUnavailable and minAvailable", pdb).isTrue();
    }
  }

  @Test
  void kustomizationsListExistingResourcesAndLeaveNoManifestOut() {
    List<Manifest> kustomizations = documents().stream().filter(m -> "Kustomization".equals(m.kind())).toList();
    assertThat(kustomizations).extracting(m -> K8S.relativize(m.file()).toString())
        .contains("kustomization.yaml", "base/kustomization.yaml", "gpu/kustomization.yaml");
    Set<Path> listed = new HashSet<>();
    for (Manifest k : kustomizations) {
      for (Object resource : listAt(k.body(), "resources")) {
        Path target = k.file().getParent().resolve(String.valueOf(resource)).normalize();
        assertThat(Files.isRegularFile(target) || Files.isRegularFile(target.resolve("kustomization.yaml")))
            .as("resource %s of %s", resource, k.file()).isTrue();
        listed.add(target);
      }
    }
    for (Manifest object : objects()) {
      assertThat(listed).as("%s is in no kustomization", object.file()).contains(object.file().normalize());
    }
  }

  @Test
  void gpuOverlayRequestsAGpuAndSelectsItForTheEncoders() {
    Manifest gpu = documents().stream().filter(m -> m.file().endsWith(Path.of("gpu", "kustomization.yaml")))
        .findFirst().orElseThrow();
    List<Map<String, Object>> patches = mapsAt(gpu.body(), "patches");
    assertThat(patches).hasSize(1);
    assertThat(stringAt(patches.get(0), "target.kind")).isEqualTo("StatefulSet");
    assertThat(stringAt(patches.get(0), "target.name")).isEqualTo(statefulSet().name());
    Map<String, Object> patch = DeployFiles.yamlMap(stringAt(patches.get(0), "patch"), "GPU patch");
    Map<String, Object> container = mapsAt(patch, "spec.template.spec.containers").get(0);
    assertThat(container.get("name")).isEqualTo(appContainer().get("name"));
    assertThat(mapAt(container, "resources.limits")).containsEntry("nvidia.com/gpu", 1);
    assertThat(mapsAt(container, "env")).anySatisfy(env -> {
      assertThat(env.get("name")).isEqualTo("FUSION_ENCODER_DEVICE");
      assertThat(String.valueOf(env.get("value"))).matches("gpu:\\d+");
    });
  }
}
