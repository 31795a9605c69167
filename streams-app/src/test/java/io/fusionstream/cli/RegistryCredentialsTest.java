package io.fusionstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The registry's basic-auth credentials come from a file or the environment, never from a flag. */
class RegistryCredentialsTest {

  @Test
  void theFileWinsOverTheEnvironment(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("user-info"), "fusion:from-file\n");
    Map<String, String> env = Map.of(RegistryCommand.ENV_BASIC_AUTH_USER_INFO, "fusion:from-env");

    assertThat(RegistryCommand.userInfo(file, env)).isEqualTo("fusion:from-file");
    assertThat(RegistryCommand.userInfo(null, env)).isEqualTo("fusion:from-env");
    assertThat(RegistryCommand.userInfo(null, Map.of())).isNull();
    assertThat(RegistryCommand.userInfo(null, Map.of(RegistryCommand.ENV_BASIC_AUTH_USER_INFO, " "))).isNull();
  }

  @Test
  void aNamedFileThatIsMissingOrEmptyIsAnErrorNotAnOpenRegistry(@TempDir Path dir) throws Exception {
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertThatThrownBy(() -> RegistryCommand.userInfo(empty, Map.of()))
        .isInstanceOf(UsageException.class).hasMessageContaining("is empty");
    assertThatThrownBy(() -> RegistryCommand.userInfo(dir.resolve("absent"), Map.of()))
        .isInstanceOf(UsageException.class).hasMessageContaining("Cannot read --basic-auth-user-info-file");
  }

  @Test
  void theOldFlagIsRefusedWithoutEchoingTheSecret() {
    CommandLine cli = FusionCli.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(new StringWriter(), true));

    int code = cli.execute("registry", "-b", "localhost:1", "--basic-auth-user-info", "fusion:hunter2");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--basic-auth-user-info is refused")
        .contains(RegistryCommand.ENV_BASIC_AUTH_USER_INFO).contains("--basic-auth-user-info-file")
        .doesNotContain("hunter2");
  }

  @Test
  void helpOffersTheFileAndTheEnvironmentOnly() {
    String usage = new CommandLine(new RegistryCommand()).getUsageMessage();
    assertThat(usage).contains("--basic-auth-user-info-file").contains(RegistryCommand.ENV_BASIC_AUTH_USER_INFO)
        .doesNotContain("--basic-auth-user-info ").doesNotContain("--basic-auth-user-info fusion");
  }
}
