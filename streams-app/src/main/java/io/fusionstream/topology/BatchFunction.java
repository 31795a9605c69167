package io.fusionstream.topology;

import java.util.List;
import org.apache.kafka.streams.processor.api.Record;

/**
 * What a batching stage does with one batch: encode events, fuse windows. Gets the pending records
 * oldest first and returns the records to forward. Throwing fails the task; the batch stays in the
 * store and is processed again after the restart.
 */
@FunctionalInterface
public interface BatchFunction<K, V, KOut, VOut> {
  List<Record<KOut, VOut>> apply(List<PendingRecord<K, V>> batch, long wallClockMs);
}
