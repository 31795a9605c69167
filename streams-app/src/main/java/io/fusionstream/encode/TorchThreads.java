package io.fusionstream.encode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread count of the PyTorch engine (built-in encoders, log-mel math, TorchScript models). Several
 * Kafka Streams threads already run batches in parallel, and each PyTorch op spreading over all
 * cores on top of that makes OpenMP threads spin against each other: on 2 busy cores the built-in
 * image encoder ran 6x slower with PyTorch's default than with 1 thread. The setting is {@code
 * fusion.encoder.torch.threads}, derived from the cores and stream threads when unset. DJL reads
 * these properties once, when the engine starts, so they are set before first use, and never over
 * a value the user passed with {@code -Dai.djl.pytorch.num_threads}.
 */
public final class TorchThreads {
  private static final Logger LOG = LoggerFactory.getLogger(TorchThreads.class);
  static final String INTRA = "ai.djl.pytorch.num_threads";
  static final String INTER = "ai.djl.pytorch.num_interop_threads";

  /** What {@link EncoderSettings#defaults()} asks for: one thread, for callers outside the app. */
  public static final int DEFAULT = 1;

  private TorchThreads() {}

  /**
   * @param threads intra-op threads per PyTorch op; 0 leaves DJL's default (all cores). The first
   *     positive value wins for the process: a later, different one is logged and ignored, since the
   *     engine may already run with the first.
   */
  public static synchronized void configure(int threads) {
    if (threads <= 0) {
      return;
    }
    String current = System.getProperty(INTRA);
    if (current != null) {
      if (!current.equals(Integer.toString(threads))) {
        LOG.debug("PyTorch engine keeps {} thread(s) per op ({} already set); {} asked for later is not applied",
            current, INTRA, threads);
      }
      return;
    }
    System.setProperty(INTRA, Integer.toString(threads));
    if (System.getProperty(INTER) == null) {
      System.setProperty(INTER, Integer.toString(threads));
    }
    LOG.debug("PyTorch engine: {} thread(s) per op", threads);
  }

  /**
   * Changes the intra-op thread count of the running engine (for the benchmark's sweep). PyTorch
   * applies it to native threads that run their first parallel op afterwards: call it, then encode
   * on threads that have not run PyTorch yet. Returns the previous count.
   */
  public static synchronized int applyNow(int threads) {
    ai.djl.engine.Engine.getEngine("PyTorch"); // loads the natives, so JniUtils can be called
    int previous = ai.djl.pytorch.jni.JniUtils.getNumThreads();
    ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
    return previous;
  }
}
