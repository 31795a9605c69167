package io.fusionstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.fusion.Manifest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DatasetSynthCommandTest {
  @TempDir Path dir;

  private static String run(CommandLine cli, int expectedExit, String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(cli.execute(args)).isEqualTo(expectedExit);
    } finally {
      System.setOut(saved);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void writesTheRequestedSessionsAndSaysWhere() throws Exception {
    String out = run(new CommandLine(new DatasetSynthCommand()), 0,
        "--sessions", "6", "--out", dir.toString(), "--seed", "3");
    assertThat(Manifest.read(dir.resolve("manifest.jsonl")).entries()).hasSize(6);
    assertThat(out).contains("wrote 6 sessions").contains("manifest.jsonl");
  }

  @Test
  void refusesZeroSessionsAsAUsageError() {
    CommandLine cli = new CommandLine(new DatasetSynthCommand());
    cli.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
    run(cli, 2, "--sessions", "0", "--out", dir.toString());
  }

  @Test
  void trainWithoutOutNorCompareIsAUsageError() throws Exception {
    Path manifest = java.nio.file.Files.writeString(dir.resolve("m.jsonl"), "");
    CommandLine cli = new CommandLine(new TrainCommand());
    java.io.StringWriter err = new java.io.StringWriter();
    cli.setErr(new java.io.PrintWriter(err));
    run(cli, 2, "--data", manifest.toString());
    assertThat(err.toString()).contains("--out is required");
  }
}
