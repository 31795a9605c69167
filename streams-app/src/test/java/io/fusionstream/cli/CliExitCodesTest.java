package io.fusionstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliExitCodesTest {

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    CommandLine cli = FusionCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void usageErrorsExitWithTwoAndSayWhatIsWrong() {
    Result missingSession = run("produce", "--text", "x.txt");
    assertThat(missingSession.code()).isEqualTo(2);
    assertThat(missingSession.err()).contains("--session is required");

    Result badFormat = run("consume", "--format", "xml");
    assertThat(badFormat.code()).isEqualTo(2);
    assertThat(badFormat.err()).contains("Unknown --format 'xml'");

    Result unknownOption = run("demo", "--sesions", "3");
    assertThat(unknownOption.code()).isEqualTo(2);
    assertThat(unknownOption.err()).contains("--sesions");

    Result badDuration = run("demo", "--duration", "soon");
    assertThat(badDuration.code()).isEqualTo(2);
    assertThat(badDuration.err()).contains("not a duration");

    Result unknownCommand = run("fuse-everything");
    assertThat(unknownCommand.code()).isEqualTo(2);
  }

  @Test
  void unknownConfigKeysAreUsageErrorsWithTheNearestKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path file = dir.resolve("bad.properties");
    java.nio.file.Files.writeString(file, "fusion.windw.size.ms=5000\n");
    Result r = run("run", "--config", file.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("did you mean 'fusion.window.size.ms'");
  }

  @Test
  void anUnreachableBrokerIsOneClearLineAndExitCodeOne() throws Exception {
    // Bound but never listening: connections are refused, and no other process can take the port
    // while the test holds it (a port that was merely free a moment ago could be taken).
    try (Socket refusing = new Socket()) {
      refusing.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int closedPort = refusing.getLocalPort();
      Result r = run("topics", "describe", "-b", "localhost:" + closedPort);
      assertThat(r.code()).isEqualTo(1);
      List<String> errors = r.err().lines().filter(l -> l.startsWith("error:")).toList();
      assertThat(errors).hasSize(1);
      assertThat(errors.get(0)).startsWith("error: Cannot reach Kafka at localhost:" + closedPort + " within 10 s");
      assertThat(r.err()).doesNotContain("\tat ");
    }
  }

  @Test
  void everyCommandHasHelpWithAnExample() {
    for (String command : new String[] {"demo", "run", "produce", "consume", "topics", "train", "registry"}) {
      Result r = run(command, "--help");
      assertThat(r.code()).as(command).isZero();
      assertThat(r.out()).as(command).containsIgnoringCase("example");
    }
    assertThat(run("--version").out()).startsWith("FusionStream ");
  }
}
