package io.fusionstream.config;

import java.util.Locale;

/**
 * How an instance spreads over the cores: Kafka Streams threads (tasks in parallel) and each
 * engine's threads per model call. Unset values are derived so that stream threads x engine threads
 * is about the core count: stream threads default to the cores, because tasks share nothing and
 * scale with cores while MiniLM gains 10 % from a second ONNX Runtime thread at batch 64
 * (docs/encoders.md); engine threads then default to cores / stream threads, so lowering
 * {@code num.stream.threads} (few partitions, one big model) hands the cores to the engines.
 *
 * @param cores processors the JVM sees (cgroup CPU limits included)
 * @param streamThreads {@code num.stream.threads}
 * @param onnxThreads ONNX Runtime intra-op threads per call; 0 is ONNX Runtime's own default
 * @param torchThreads PyTorch threads per op; 0 is PyTorch's own default
 */
public record ThreadPlan(int cores, int streamThreads, int onnxThreads, int torchThreads,
    boolean streamThreadsSet, boolean onnxSet, boolean torchSet) {

  public ThreadPlan {
    if (cores < 1 || streamThreads < 1 || onnxThreads < 0 || torchThreads < 0) {
      throw new IllegalArgumentException("cores and stream threads must be positive, engine threads not negative: "
          + cores + ", " + streamThreads + ", " + onnxThreads + ", " + torchThreads);
    }
  }

  /** Fills what is null from the cores. */
  public static ThreadPlan of(int cores, Integer streamThreads, Integer onnxThreads, Integer torchThreads) {
    int stream = streamThreads != null ? streamThreads : defaultStreamThreads(cores);
    int engine = engineThreads(cores, stream);
    return new ThreadPlan(cores, stream, onnxThreads != null ? onnxThreads : engine,
        torchThreads != null ? torchThreads : engine, streamThreads != null, onnxThreads != null,
        torchThreads != null);
  }

  public static int defaultStreamThreads(int cores) {
    return Math.max(1, cores);
  }

  /** Engine threads per call that keep stream threads x engine threads within the cores. */
  public static int engineThreads(int cores, int streamThreads) {
    return Math.max(1, cores / Math.max(1, streamThreads));
  }

  /** One line for the start-up log. */
  public String describe() {
    return String.format(Locale.ROOT, "%d core(s) visible: %d stream thread(s) (%s), ONNX Runtime %s thread(s) per call (%s),"
            + " PyTorch %s thread(s) per op (%s)", cores, streamThreads, origin(streamThreadsSet, "num.stream.threads"),
        engine(onnxThreads), origin(onnxSet, FusionConfig.ENCODER_ONNX_THREADS), engine(torchThreads),
        origin(torchSet, FusionConfig.ENCODER_TORCH_THREADS));
  }

  private static String engine(int threads) {
    return threads == 0 ? "engine-default" : Integer.toString(threads);
  }

  private static String origin(boolean set, String key) {
    return set ? key : "derived";
  }
}
