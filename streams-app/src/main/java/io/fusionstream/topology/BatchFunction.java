package io.fusionstream.topology;

import java.util.List;

/**
 * What a batching stage does with one batch: encode events, fuse windows. Gets the pending records
 * oldest first and returns the records to forward, and the members it rejects: a batch never fails
 * because of one member. Throwing fails the task (a failure that is not any one member's fault, such
 * as a model that fails on every input); the batch stays in the store and is processed again after
 * the restart.
 */
@FunctionalInterface
public interface BatchFunction<K, V, KOut, VOut> {
  BatchResult<KOut, VOut> apply(List<PendingRecord<K, V>> batch, long wallClockMs);
}
