package io.fusionstream.encode;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Throughput of one encoder at several batch sizes: warm-up, then as many batches as fit in the
 * time budget (at least three). Prints figures; asserts nothing.
 */
public final class EncoderBenchmark {

  /** One measured batch size. */
  public record Row(String modality, String model, int batchSize, int batches, double itemsPerSecond,
      double msPerBatch, double speedUp) {}

  private EncoderBenchmark() {}

  /**
   * @param pool inputs to cycle through; batches are cut from it in order
   * @param seconds time budget per batch size, after warm-up
   */
  public static <I> List<Row> run(Encoder<I> encoder, List<I> pool, int[] batchSizes,
      int warmUpBatches, double seconds) {
    List<Row> rows = new ArrayList<>();
    double baseline = 0;
    for (int size : batchSizes) {
      int cursor = 0;
      for (int i = 0; i < warmUpBatches; i++) {
        encoder.encode(slice(pool, cursor, size));
        cursor += size;
      }
      int batches = 0;
      long start = System.nanoTime();
      long elapsed;
      do {
        encoder.encode(slice(pool, cursor, size));
        cursor += size;
        batches++;
        elapsed = System.nanoTime() - start;
      } while (batches < 3 || elapsed < seconds * 1e9);
      double itemsPerSecond = batches * (double) size / (elapsed / 1e9);
      if (rows.isEmpty()) {
        baseline = itemsPerSecond;
      }
      rows.add(new Row(encoder.modality().name().toLowerCase(java.util.Locale.ROOT), encoder.modelId(),
          size, batches, itemsPerSecond, elapsed / 1e6 / batches, itemsPerSecond / baseline));
    }
    return rows;
  }

  private static <I> List<I> slice(List<I> pool, int from, int size) {
    List<I> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(pool.get((from + i) % pool.size()));
    }
    return out;
  }

  public static void printHeader(PrintWriter out) {
    out.printf("| %-8s | %-34s | %5s | %9s | %9s | %8s |%n",
        "modality", "model", "batch", "items/s", "ms/batch", "speed-up");
    out.printf("|%s|%s|%s|%s|%s|%s|%n", "-".repeat(10), "-".repeat(36), "-".repeat(7),
        "-".repeat(11), "-".repeat(11), "-".repeat(10));
  }

  public static void print(PrintWriter out, Row row) {
    out.printf("| %-8s | %-34s | %5d | %9.1f | %9.2f | %7.2fx |%n", row.modality(), row.model(),
        row.batchSize(), row.itemsPerSecond(), row.msPerBatch(), row.speedUp());
  }
}
