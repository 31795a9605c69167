package io.fusionstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * A runtime failure prints one clear line and exits 1; {@code --verbose} (on any command that has
 * it) also prints the stack trace. Usage errors stay picocli's: message, usage, exit 2.
 */
final class OneLineErrors implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
    boolean verbose = parsed.expandedArgs().contains("--verbose") || parsed.expandedArgs().contains("-v");
    if (ex instanceof UsageException) {
      cmd.getErr().println("error: " + ex.getMessage());
      return CommandLine.ExitCode.USAGE;
    }
    cmd.getErr().println("error: " + describe(ex));
    if (verbose) {
      ex.printStackTrace(cmd.getErr());
    } else {
      cmd.getErr().println("(run with --verbose for details)");
    }
    return CommandLine.ExitCode.SOFTWARE;
  }

  /** The innermost message is usually the informative one; keep the outer context too. */
  static String describe(Throwable t) {
    String outer = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != t && root.getMessage() != null && !outer.contains(root.getMessage())) {
      return outer + ": " + root.getMessage();
    }
    return outer;
  }
}
