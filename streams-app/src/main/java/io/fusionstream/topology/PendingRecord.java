package io.fusionstream.topology;

/**
 * One record waiting in a batching stage's store.
 *
 * @param timestamp the record's event time, kept for the output record
 * @param enqueuedWallMs wall-clock time it entered the batch, for the max-delay trigger
 */
public record PendingRecord<K, V>(K key, V value, long timestamp, long enqueuedWallMs) {}
