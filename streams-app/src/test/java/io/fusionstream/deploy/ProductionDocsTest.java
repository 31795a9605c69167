package io.fusionstream.deploy;

import static io.fusionstream.deploy.DeployFiles.listAt;
import static io.fusionstream.deploy.DeployFiles.mapAt;
import static io.fusionstream.deploy.DeployFiles.stringAt;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/production.md ("Running in production") describes the files as they are. */
class ProductionDocsTest {

  private static final Pattern REPO_PATH =
      Pattern.compile("`((?:deploy|docs)/[A-Za-z0-9_./-]+|docker-compose\\.yml|\\.dockerignore)`");
  private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");

  private static String docs() {
    return DeployFiles.read(DeployFiles.file("docs/production.md"));
  }

  private static String section(String heading) {
    String text = docs();
    int start = text.indexOf("### " + heading + "\n");
    assertThat(start).as("section %s", heading).isNotNegative();
    int end = text.indexOf("\n### ", start + 4);
    return end < 0 ? text.substring(start) : text.substring(start, end);
  }

  private static Map<String, Object> composeServices() {
    return mapAt(DeployFiles.yamlMap(DeployFiles.file("docker-compose.yml")), "services");
  }

  @Test
  void everyRepositoryPathItNamesExists() {
    Set<String> paths = new TreeSet<>();
    for (String doc : List.of("docs/production.md", "deploy/k8s/README.md")) {
      Matcher m = REPO_PATH.matcher(DeployFiles.read(DeployFiles.file(doc)));
      while (m.find()) {
        paths.add(m.group(1));
      }
    }
    assertThat(paths).contains("deploy/Dockerfile", "docker-compose.yml", "deploy/k8s/", "deploy/validate.sh");
    for (String path : paths) {
      assertThat(Files.exists(DeployFiles.file(path))).as("%s named in the docs", path).isTrue();
    }
  }

  @Test
  void composeTableListsTheServicesWithTheirImagesAndPorts() {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    for (String line : section("Docker Compose").lines().toList()) {
      if (line.startsWith("| `")) {
        List<String> cells = new ArrayList<>();
        for (String cell : line.substring(1, line.length() - 1).split("\\|")) {
          cells.add(cell.strip());
        }
        Matcher name = BACKTICKED.matcher(cells.get(0));
        assertThat(name.find()).isTrue();
        rows.put(name.group(1), cells);
      }
    }
    assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(composeServices().keySet());
    for (Map.Entry<String, List<String>> row : rows.entrySet()) {
      Object service = composeServices().get(row.getKey());
      String imageCell = row.getValue().get(1);
      if (DeployFiles.at(service, "build") != null) {
        assertThat(imageCell).as("image of %s", row.getKey()).contains("built from `" + stringAt(service, "build.dockerfile") + "`");
      } else {
        assertThat(imageCell).as("image of %s", row.getKey()).isEqualTo("`" + stringAt(service, "image") + "`");
      }
      String portCell = row.getValue().get(row.getValue().size() - 1);
      List<String> published = DeployFiles.at(service, "ports") == null ? List.of()
          : listAt(service, "ports").stream().map(p -> {
            String[] parts = String.valueOf(p).split(":");
            return parts[parts.length - 2]; // host port, after the loopback address
          }).toList();
      assertThat(portCell.isEmpty() ? List.of() : List.of(portCell)).as("host port of %s", row.getKey())
          .containsExactlyElementsOf(published);
    }
  }

  @Test
  void commandsAndProfileMatchTheComposeFile() {
    String compose = section("Docker Compose");
    assertThat(compose).contains("--profile demo");
    assertThat(listAt(composeServices().get("producer"), "profiles")).containsExactly("demo");
    List<Object> topics = listAt(composeServices().get("topics"), "command");
    assertThat(compose).contains("topics create --partitions " + topics.get(topics.indexOf("--partitions") + 1)
        + " --replication-factor " + topics.get(topics.indexOf("--replication-factor") + 1));
    List<Object> producer = listAt(composeServices().get("producer"), "command");
    assertThat(compose).contains("produce --synthetic " + producer.get(producer.indexOf("--synthetic") + 1));
    assertThat(compose).contains(stringAt(composeServices().get("grafana"), "environment.GF_SECURITY_ADMIN_PASSWORD")
        .replaceAll("\\$\\{(\\w+):\\?[^}]*}", "`$1` (required)"));
  }

  @Test
  void everyConfigKeyItListsIsInTheExampleConfig() {
    String example = DeployFiles.read(DeployFiles.file("deploy/fusionstream.properties"));
    Matcher m = BACKTICKED.matcher(section("Configuration"));
    int keys = 0;
    while (m.find()) {
      String token = m.group(1);
      if (token.matches("(fusion\\.[a-z.]+|application\\.id|state\\.dir|processing\\.guarantee)")) {
        assertThat(example).as("key %s of the docs in deploy/fusionstream.properties", token).containsPattern("(?m)^#?" + Pattern.quote(token) + "=");
        keys++;
      }
    }
    assertThat(keys).isGreaterThanOrEqualTo(18);
  }

  @Test
  void kubernetesNumbersMatchTheManifests() {
    Object set = DeployFiles.yamlDocuments(DeployFiles.file("deploy/k8s/base/statefulset.yaml")).get(0);
    String k8s = section("Kubernetes");
    assertThat(k8s).contains("(" + stringAt(set, "spec.replicas") + " replicas)");
    Object claim = listAt(set, "spec.volumeClaimTemplates").get(0);
    assertThat(k8s).contains(stringAt(claim, "spec.resources.requests.storage").replace("Gi", " GiB"));
    Object container = listAt(set, "spec.template.spec.containers").get(0);
    assertThat(k8s).contains("Requests " + stringAt(container, "resources.requests.cpu") + " CPUs and "
        + stringAt(container, "resources.requests.memory").replace("Gi", " GiB"));
    assertThat(k8s).contains("memory limit " + stringAt(container, "resources.limits.memory").replace("Gi", " GiB"));
    assertThat(k8s).contains("`maxUnavailable: " + stringAt(
        DeployFiles.yamlDocuments(DeployFiles.file("deploy/k8s/base/pdb.yaml")).get(0), "spec.maxUnavailable") + "`");
  }
}
