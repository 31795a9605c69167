package io.fusionstream.cli;

import java.io.Console;
import java.io.PrintStream;

/**
 * A one-line progress bar redrawn in place with a carriage return, on a terminal. Written to a file
 * or a pipe (a CI log), every redraw would stay in the output, so there only the finished bar is.
 */
public final class Progress {
  private static final boolean TERMINAL = isTerminal();
  private final String label;
  private final long total;
  private final PrintStream out;
  private long done;
  private int lastDrawn = -1;

  public Progress(String label, long total, PrintStream out) {
    this.label = label;
    this.total = Math.max(1, total);
    this.out = out;
  }

  public void step() {
    step(1, "");
  }

  /** Advances and redraws when the bar moved, with an optional suffix (loss, accuracy...). */
  public void step(long n, String suffix) {
    done = Math.min(total, done + n);
    int percent = (int) (100 * done / total);
    if ((TERMINAL && percent != lastDrawn) || done == total) {
      lastDrawn = percent;
      int width = 30;
      int filled = (int) (width * done / total);
      out.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(width - filled) + "] "
          + done + "/" + total + (suffix.isEmpty() ? "" : " " + suffix));
      out.flush();
    }
  }

  /**
   * Whether standard output is a terminal. Up to JDK 21 there is a console only then; from JDK 22 a
   * console exists either way and says so through {@code isTerminal()}.
   */
  public static boolean isTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }
}
