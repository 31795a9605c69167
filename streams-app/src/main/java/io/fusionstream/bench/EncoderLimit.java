package io.fusionstream.bench;

import io.fusionstream.encode.EncodeException;
import io.fusionstream.encode.Encoder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The most one encoder does on this machine without the pipeline: every engine thread count from 1
 * to the cores, each with one caller and with as many parallel callers as the remaining cores allow
 * (the pipeline's stream threads are parallel callers), at batch sizes up to the pipeline's max.
 * The best point is the limit the pipeline is compared with. Prints nothing; asserts nothing.
 */
public final class EncoderLimit {

  /** One measured setting. */
  public record Point(int engineThreads, int callers, int batchSize, double itemsPerSecond) {}

  /** Every point of one modality's sweep, and the best. */
  public record Sweep(String modality, String model, List<Point> points) {
    public Point best() {
      return points.stream().max(Comparator.comparingDouble(Point::itemsPerSecond))
          .orElseThrow(() -> new IllegalStateException("no point measured for " + modality));
    }
  }

  /** An encoder built for a given number of engine threads; closed after its points. */
  public interface EncoderSource<I> {
    Encoder<I> open(int engineThreads);
  }

  private EncoderLimit() {}

  /**
   * Engine threads 1..cores; for each, one caller and {@code cores / threads} callers (when that is
   * more than one), so callers x threads never exceeds the cores.
   */
  public static List<int[]> threadSettings(int cores) {
    List<int[]> out = new ArrayList<>();
    for (int threads = 1; threads <= Math.max(1, cores); threads++) {
      out.add(new int[] {threads, 1});
      int callers = cores / threads;
      if (callers > 1) {
        out.add(new int[] {threads, callers});
      }
    }
    return out;
  }

  /** 1, then powers of 4 below the max, then the max: the shape of the curve without every size. */
  public static List<Integer> batchSizes(int max) {
    List<Integer> out = new ArrayList<>();
    for (int size = 1; size < max; size *= 4) {
      out.add(size);
    }
    out.add(max);
    return out;
  }

  /**
   * The encoder-only limit of a mix of modalities: the time one event of the mix costs is the sum of
   * each modality's share over its best rate, so the limit is the reciprocal of that sum.
   *
   * @param bestPerSecond each modality's best bare rate
   * @param events each modality's events in the mix
   */
  public static double mixedLimit(Map<String, Double> bestPerSecond, Map<String, Long> events) {
    long total = events.values().stream().mapToLong(Long::longValue).sum();
    if (total == 0) {
      return Double.NaN;
    }
    double secondsPerEvent = 0;
    for (Map.Entry<String, Long> e : events.entrySet()) {
      if (e.getValue() == 0) {
        continue;
      }
      Double rate = bestPerSecond.get(e.getKey());
      if (rate == null || !(rate > 0)) {
        return Double.NaN;
      }
      secondsPerEvent += (e.getValue() / (double) total) / rate;
    }
    return 1 / secondsPerEvent;
  }

  /**
   * Sweeps one modality.
   *
   * @param beforeEachSetting called with the engine threads before each setting's callers start
   *     (PyTorch's thread count is process-wide and applies to threads that start afterwards)
   * @param inputs the inputs to cycle through
   * @param seconds measuring time per point, after one warm-up batch per caller
   */
  public static <I> Sweep sweep(String modality, EncoderSource<I> source, java.util.function.IntConsumer beforeEachSetting,
      List<I> inputs, int cores, int maxBatch, double seconds) throws InterruptedException {
    List<Point> points = new ArrayList<>();
    String model = "?";
    Map<Integer, List<int[]>> byThreads = new LinkedHashMap<>();
    for (int[] setting : threadSettings(cores)) {
      byThreads.computeIfAbsent(setting[0], t -> new ArrayList<>()).add(setting);
    }
    for (Map.Entry<Integer, List<int[]>> entry : byThreads.entrySet()) {
      int threads = entry.getKey();
      beforeEachSetting.accept(threads);
      try (Encoder<I> encoder = source.open(threads)) {
        model = encoder.modelId();
        for (int[] setting : entry.getValue()) {
          for (int batch : batchSizes(maxBatch)) {
            points.add(new Point(threads, setting[1], batch,
                measure(encoder, inputs, setting[1], batch, seconds)));
          }
        }
      }
    }
    return new Sweep(modality, model, points);
  }

  /** Items per second of {@code callers} threads encoding batches of {@code batch} for {@code seconds}. */
  static <I> double measure(Encoder<I> encoder, List<I> inputs, int callers, int batch, double seconds)
      throws InterruptedException {
    // Fresh threads per point: PyTorch applies a changed thread count to threads that start later.
    ExecutorService pool = Executors.newFixedThreadPool(callers, r -> {
      Thread t = new Thread(r, "bench-limit-caller");
      t.setDaemon(true);
      return t;
    });
    try {
      CountDownLatch warm = new CountDownLatch(callers);
      CountDownLatch go = new CountDownLatch(1);
      long[] deadline = new long[1];
      List<Future<long[]>> results = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        int offset = c * batch;
        results.add(pool.submit(() -> {
          IntFunction<List<I>> slice = from -> slice(inputs, from, batch);
          encoder.encode(slice.apply(offset));
          warm.countDown();
          go.await();
          long items = 0;
          int cursor = offset;
          long start = System.nanoTime();
          do {
            encoder.encode(slice.apply(cursor));
            cursor += batch * callers;
            items += batch;
          } while (System.nanoTime() < deadline[0]);
          return new long[] {items, System.nanoTime() - start};
        }));
      }
      warm.await();
      deadline[0] = System.nanoTime() + (long) (seconds * 1e9);
      go.countDown();
      double perSecond = 0;
      for (Future<long[]> f : results) {
        long[] r = f.get();
        perSecond += r[0] / (r[1] / 1e9);
      }
      return perSecond;
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof EncodeException encode) {
        throw new IllegalStateException("the bare encoder failed on the benchmark's inputs: " + encode.getMessage(), encode);
      }
      throw new IllegalStateException(cause);
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static <I> List<I> slice(List<I> pool, int from, int size) {
    List<I> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(pool.get(Math.floorMod(from + i, pool.size())));
    }
    return out;
  }
}
