package io.fusionstream.cli;

/**
 * Caps PyTorch's CPU threads before the engine starts. Tiny fusion networks gain nothing from
 * intra-op parallelism, and on a shared machine OpenMP threads spinning for a busy core made
 * training about ten times slower than with one thread.
 */
final class TorchThreads {
  static final String THREADS = "ai.djl.pytorch.num_threads";
  static final String INTEROP = "ai.djl.pytorch.num_interop_threads";

  private TorchThreads() {}

  /** Sets the thread counts unless the user already did (-D...); no effect once PyTorch loaded. */
  static void limit(int threads) {
    if (System.getProperty(THREADS) == null) {
      System.setProperty(THREADS, Integer.toString(threads));
    }
    if (System.getProperty(INTEROP) == null) {
      System.setProperty(INTEROP, "1");
    }
  }
}
