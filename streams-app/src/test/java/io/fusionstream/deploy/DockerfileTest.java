package io.fusionstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/Dockerfile builds in two stages, runs as a non-root user with the state directory of
 * the shipped config on a volume, and checks /health on the port the config serves it on.
 * No Docker engine is needed: the instructions are read as text.
 */
class DockerfileTest {

  private record Instruction(String keyword, String arguments) {}

  /** Instructions with continuation lines joined and comments dropped. */
  private static List<Instruction> instructions() {
    List<Instruction> result = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : DeployFiles.read(DeployFiles.file("deploy/Dockerfile")).split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      String text = current.toString().strip();
      current.setLength(0);
      if (!text.isEmpty()) {
        int space = text.indexOf(' ');
        result.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1).strip()));
      }
    }
    return result;
  }

  /** The instructions of the last stage: what the image actually is. */
  private static List<Instruction> runtimeStage() {
    List<Instruction> all = instructions();
    int lastFrom = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).keyword().equals("FROM")) {
        lastFrom = i;
      }
    }
    return all.subList(lastFrom, all.size());
  }

  private static List<String> arguments(List<Instruction> instructions, String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
  }

  private static Properties shippedConfig() {
    return DeployFiles.properties(DeployFiles.read(DeployFiles.file("deploy/fusionstream.properties")), "deploy/fusionstream.properties");
  }

  @Test
  void buildsWithMavenThenRunsOnAGlibcJre() {
    List<String> froms = arguments(instructions(), "FROM");
    assertThat(froms).hasSize(2);
    assertThat(froms.get(0)).startsWith("maven:3.9-eclipse-temurin-17").endsWith("AS build");
    assertThat(arguments(instructions(), "RUN")).anySatisfy(run -> assertThat(run).contains("mvn -B -q -DskipTests").contains(" package"));

    String runtime = froms.get(1);
    Matcher arg = Pattern.compile("\\$\\{(\\w+)}").matcher(runtime);
    if (arg.matches()) {
      String name = arg.group(1);
      runtime = arguments(instructions(), "ARG").stream().filter(a -> a.startsWith(name + "=")).findFirst()
          .map(a -> a.substring(name.length() + 1)).orElseThrow(() -> new AssertionError("no default for ARG " + name));
    }
    assertThat(runtime).isEqualTo("eclipse-temurin:17-jre").doesNotContain("alpine");
  }

  @Test
  void copiesTheJarWithItsLibFolderAndTheConfig() {
    List<String> copies = arguments(runtimeStage(), "COPY");
    assertThat(copies).contains(
        "--from=build /src/streams-app/target/fusionstream.jar /app/fusionstream.jar",
        "--from=build /src/streams-app/target/lib/ /app/lib/");
    assertThat(arguments(runtimeStage(), "ENTRYPOINT")).containsExactly("[\"java\", \"-jar\", \"/app/fusionstream.jar\"]");
    String cmd = arguments(runtimeStage(), "CMD").get(0);
    assertThat(cmd).startsWith("[\"run\", \"--config\", ");
    String configPath = cmd.replaceAll(".*\"--config\", \"([^\"]+)\".*", "$1");
    assertThat(copies).contains("deploy/fusionstream.properties " + configPath);
  }

  @Test
  void runsAsANonRootUser() {
    List<String> users = arguments(runtimeStage(), "USER");
    assertThat(users).hasSize(1);
    String user = users.get(0).split(":")[0];
    assertThat(user).isNotIn("root", "0");
    assertThat(String.join("\n", arguments(runtimeStage(), "RUN"))).contains("useradd").contains("--uid " + user);
  }

  @Test
  void stateDirectoryOfTheShippedConfigIsAVolume() {
    String stateDir = shippedConfig().getProperty("state.dir");
    assertThat(stateDir).isNotBlank();
    assertThat(arguments(runtimeStage(), "VOLUME")).anySatisfy(v -> assertThat(v).contains("\"" + stateDir + "\""));
    assertThat(String.join("\n", arguments(runtimeStage(), "RUN"))).as("the volume directory belongs to the app user")
        .contains("chown -R fusion:fusion /var/lib/fusionstream");
  }

  @Test
  void healthCheckCallsHealthOnTheConfiguredPort() {
    String port = shippedConfig().getProperty("fusion.http.port");
    List<String> checks = arguments(runtimeStage(), "HEALTHCHECK");
    assertThat(checks).hasSize(1);
    assertThat(checks.get(0)).contains("CMD curl -fsS").contains("/health").contains("${FUSION_HTTP_PORT}");
    assertThat(String.join(" ", arguments(runtimeStage(), "ENV"))).contains("FUSION_HTTP_PORT=" + port);
    assertThat(arguments(runtimeStage(), "EXPOSE")).containsExactly(port);
  }

  @Test
  void jvmSizesItsHeapFromTheContainerLimitAndStaysOffline() {
    String env = String.join(" ", arguments(runtimeStage(), "ENV"));
    assertThat(env).contains("-XX:MaxRAMPercentage=").contains("-XX:+ExitOnOutOfMemoryError").contains("-Dai.djl.offline=true");
    assertThat(env).as("a fixed -Xmx would ignore the container's memory limit").doesNotContain("-Xmx");
  }

  @Test
  void dockerignoreKeepsBuildOutputOutButNotWhatTheBuildCopies() {
    List<String> ignored = DeployFiles.read(DeployFiles.file(".dockerignore")).lines()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertThat(ignored).contains("**/target/", ".git/");
    for (String copied : List.of("pom.xml", "schemas/", "streams-app/src/", "deploy/fusionstream.properties", "deploy/Dockerfile")) {
      assertThat(ignored).as("%s is needed by the build", copied)
          .noneSatisfy(pattern -> assertThat(copied).startsWith(pattern.replace("**/", "")));
    }
  }
}
