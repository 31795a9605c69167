package io.fusionstream.encode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread count of the PyTorch engine (built-in encoders, log-mel math). Several Kafka Streams
 * threads already run batches in parallel, and each PyTorch op spreading over all cores on top of
 * that makes OpenMP threads spin against each other: on 2 busy cores the built-in image encoder ran
 * 6x slower with PyTorch's default than with 1 thread. DJL reads these properties once, when the
 * engine starts, so they are set before first use, and never over a value the user passed with
 * {@code -Dai.djl.pytorch.num_threads}.
 */
public final class TorchThreads {
  private static final Logger LOG = LoggerFactory.getLogger(TorchThreads.class);
  static final String INTRA = "ai.djl.pytorch.num_threads";
  static final String INTER = "ai.djl.pytorch.num_interop_threads";

  /** The default of {@code fusion.encoder.torch-threads}. */
  public static final int DEFAULT = 1;

  private TorchThreads() {}

  /** @param threads intra-op threads per PyTorch op; 0 leaves DJL's default (all cores) */
  public static synchronized void configure(int threads) {
    if (threads <= 0 || System.getProperty(INTRA) != null) {
      return;
    }
    System.setProperty(INTRA, Integer.toString(threads));
    if (System.getProperty(INTER) == null) {
      System.setProperty(INTER, Integer.toString(threads));
    }
    LOG.debug("PyTorch engine: {} thread(s) per op", threads);
  }
}
