package io.fusionstream.topology;

import java.util.List;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The outcome of one batch: the records to forward, and the members that failed on their own.
 *
 * @param rejected members that go to the dead-letter topic instead, by their index in the batch
 */
public record BatchResult<KOut, VOut>(List<Record<KOut, VOut>> outputs, List<Rejection> rejected) {

  public BatchResult {
    outputs = List.copyOf(outputs);
    rejected = List.copyOf(rejected);
  }

  public static <KOut, VOut> BatchResult<KOut, VOut> of(List<Record<KOut, VOut>> outputs) {
    return new BatchResult<>(outputs, List.of());
  }

  /** One batch member that failed alone: its index, a reason code and what went wrong. */
  public record Rejection(int index, String reason, Exception cause) {}
}
