package io.fusionstream.monitor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How much state this instance restores from changelogs and how far it got, so an operator can
 * tell how long a scale-out or a failover will take: {@code fusion_restore_records_remaining{store}}
 * (a gauge, summed over the store's partitions being restored now) and
 * {@code fusion_restore_records_total{store}} (records restored since start). Each restore is
 * logged when it starts (records to restore) and ends (records and time).
 *
 * <p>Kafka Streams calls the listener from its restore threads; per-partition state is kept in
 * concurrent maps so that restores of several partitions of one store add up.
 */
public final class RestoreProgress implements StateRestoreListener {
  static final String REMAINING = "fusion.restore.records.remaining";
  static final String RESTORED = "fusion.restore.records";
  /**
   * Every task restores every store partition at start, mostly a handful of records: one INFO line
   * each would bury the start-up output (36 lines for the demo's 12 partitions). A restore this
   * large takes noticeable time and is worth a line; the metrics count all of them.
   */
  static final long LOGGED_RESTORE_RECORDS = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(RestoreProgress.class);

  private record Restore(String store, long total, long startNanos, AtomicLong remaining) {}

  private final MeterRegistry registry;
  private final Map<TopicPartition, Restore> active = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> remainingByStore = new ConcurrentHashMap<>();
  private final Map<String, Counter> restored = new ConcurrentHashMap<>();

  public RestoreProgress(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  private AtomicLong remaining(String store) {
    return remainingByStore.computeIfAbsent(store, s -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder(REMAINING, value, AtomicLong::get)
          .description("Changelog records this instance still has to restore before the store serves, by store")
          .tag("store", s).register(registry);
      return value;
    });
  }

  private Counter restored(String store) {
    return restored.computeIfAbsent(store, s -> Counter.builder(RESTORED)
        .description("Changelog records restored into local state since start, by store").tag("store", s)
        .register(registry));
  }

  @Override
  public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
    long total = Math.max(0, endingOffset - startingOffset);
    Restore previous = active.put(partition, new Restore(store, total, System.nanoTime(), new AtomicLong(total)));
    if (previous != null) {
      remaining(previous.store()).addAndGet(-previous.remaining().get());
    }
    remaining(store).addAndGet(total);
    restored(store);
    if (total >= LOGGED_RESTORE_RECORDS) {
      LOG.info("Restoring store {} from {}: {} records (offsets {} to {})", store, partition, total, startingOffset,
          endingOffset);
    } else {
      LOG.debug("Restoring store {} from {}: {} records (offsets {} to {})", store, partition, total,
          startingOffset, endingOffset);
    }
  }

  @Override
  public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
    restored(store).increment(numRestored);
    Restore r = active.get(partition);
    if (r != null) {
      long before = r.remaining().get();
      long after = Math.max(0, before - numRestored);
      r.remaining().set(after);
      remaining(store).addAndGet(after - before);
    }
  }

  @Override
  public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
    finish(partition);
    Restore r = active.remove(partition);
    String took = r == null ? "" : " in " + (System.nanoTime() - r.startNanos()) / 1_000_000 + " ms";
    if (totalRestored >= LOGGED_RESTORE_RECORDS) {
      LOG.info("Restored store {} from {}: {} records{}", store, partition, totalRestored, took);
    } else {
      LOG.debug("Restored store {} from {}: {} records{}", store, partition, totalRestored, took);
    }
  }

  @Override
  public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
    finish(partition);
    active.remove(partition);
    LOG.info("Restore of store {} from {} suspended after {} records (the task moved)", store, partition,
        totalRestored);
  }

  private void finish(TopicPartition partition) {
    Restore r = active.get(partition);
    if (r != null) {
      remaining(r.store()).addAndGet(-r.remaining().getAndSet(0));
    }
  }

  /** Records still to restore, summed over stores. */
  public long remaining() {
    return remainingByStore.values().stream().mapToLong(AtomicLong::get).sum();
  }
}
