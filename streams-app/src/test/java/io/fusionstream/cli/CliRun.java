package io.fusionstream.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in this JVM as a user would from a shell, with what it prints kept for assertions. */
final class CliRun {
  private CliRun() {}

  record Result(int code, String out) {}

  /**
   * Commands print to System.out; it is swapped for the run (one run at a time, since System.out
   * is the JVM's) and what was captured is echoed afterwards so the test log still shows it.
   */
  static synchronized Result run(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int code = FusionCli.commandLine().execute(args);
      return new Result(code, buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
      original.print(buf.toString(StandardCharsets.UTF_8));
    }
  }

  static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
