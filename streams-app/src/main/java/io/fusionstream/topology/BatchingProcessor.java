package io.fusionstream.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Collects records across keys into batches for a {@link BatchFunction} and flushes when a batch
 * reaches {@code maxBatchSize} or its oldest record has waited {@code maxDelay} (a wall-clock
 * punctuation checks). Used for both the encode and the fuse stage.
 *
 * <p>Records may fall into groups (the encode stage: one per modality, since each modality has its
 * own model); {@code maxBatchSize} then bounds each group of a batch, and a flush runs all groups
 * together, so records leave in the order they arrived whatever their group. Flushing each group
 * on its own would reorder modalities by up to the batch delay, and the window stage would count
 * some events as late that were not.
 *
 * <p>Pending records live in a changelogged store keyed by an increasing sequence number, not only in
 * memory: Kafka Streams commits the input offset of every record whose {@code process()} returned,
 * so a batch kept only in a list would be lost by a crash. Under exactly-once the store, the
 * outputs of a flush and the input offsets commit together. The pending records are also kept in
 * memory while this instance lives, so a flush reads nothing back from the store unless records
 * were restored into it at start-up; the store is the truth about what is pending, the memory copy
 * only saves work. Reading back is not free: every value read or deleted through the store's API is
 * deserialized (the whole event in Avro, an image's bytes included), which is why a flush removes
 * its records with {@code put(key, null)}, the same tombstone as {@code delete} without the old
 * value. What that memory copy holds is bounded twice: by the batch size, and by a byte budget
 * ({@code maxBytes}, each value weighed by {@code weight}) that flushes early, so 32 pending
 * full-HD frames cannot exhaust the heap.
 *
 * <p>A member the function rejects (it failed on its own) goes to the dead-letter topic as the
 * stage renders it ({@code deadLetter}); the rest of its batch goes on.
 */
final class BatchingProcessor<K, V, KOut, VOut> implements Processor<K, V, KOut, StageOutput<VOut>> {
  private final String stage; // null: the function reports its own batches
  private final String storeName;
  private final int maxBatchSize;
  private final long maxDelayMs;
  private final BatchFunction<K, V, KOut, VOut> function;
  private final ToIntFunction<V> group;
  private final MemoryBudget<V> budget;
  private final DeadLetterRenderer<K, V> deadLetter;
  private final PipelineMetrics metrics;

  private ProcessorContext<KOut, StageOutput<VOut>> context;
  private KeyValueStore<Long, PendingRecord<K, V>> store;
  /** The records this instance enqueued, by sequence; those restored from the store are not here. */
  private final TreeMap<Long, PendingRecord<K, V>> inMemory = new TreeMap<>();
  /** Records pending in the store that were restored at start-up and so are not in memory. */
  private int restoredPending;
  private long nextSequence;
  private final Map<Integer, Integer> pendingPerGroup = new HashMap<>();
  private int pending;
  private long pendingBytes;
  private long oldestEnqueuedMs;

  /** How much memory a pending value holds, and the stage's byte budget for all of them. */
  record MemoryBudget<V>(long maxBytes, ToLongFunction<V> weight) {
    static <V> MemoryBudget<V> unlimited() {
      return new MemoryBudget<>(Long.MAX_VALUE, v -> 0);
    }
  }

  /** Renders a rejected member as a dead letter. */
  @FunctionalInterface
  interface DeadLetterRenderer<K, V> {
    DeadLetterRecord render(PendingRecord<K, V> member, BatchResult.Rejection rejection);
  }

  BatchingProcessor(String stage, String storeName, int maxBatchSize, Duration maxDelay,
      BatchFunction<K, V, KOut, VOut> function, ToIntFunction<V> group, MemoryBudget<V> budget,
      DeadLetterRenderer<K, V> deadLetter, PipelineMetrics metrics) {
    this.stage = stage;
    this.storeName = storeName;
    this.maxBatchSize = maxBatchSize;
    this.maxDelayMs = maxDelay.toMillis();
    this.function = function;
    this.group = group;
    this.budget = budget;
    this.deadLetter = deadLetter;
    this.metrics = metrics;
  }

  /** The supplier, which also declares the pending store so Kafka Streams creates and connects it. */
  static <K, V, KOut, VOut> ProcessorSupplier<K, V, KOut, StageOutput<VOut>> supplier(String stage, String storeName,
      Serde<K> keySerde, Serde<V> valueSerde, int maxBatchSize, Duration maxDelay,
      BatchFunction<K, V, KOut, VOut> function, ToIntFunction<V> group, MemoryBudget<V> budget,
      DeadLetterRenderer<K, V> deadLetter, PipelineMetrics metrics) {
    StoreBuilder<KeyValueStore<Long, PendingRecord<K, V>>> storeBuilder = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(storeName), Serdes.Long(), new PendingRecordSerde<>(keySerde, valueSerde))
        .withLoggingEnabled(Map.of())
        // Most records are enqueued and flushed within one commit interval: with Kafka Streams' record
        // cache the changelog then gets only the tombstone, not the value (the event in Avro, an
        // image's bytes included), and a record still pending at the commit is written as before.
        .withCachingEnabled();
    return new ProcessorSupplier<>() {
      @Override
      public Processor<K, V, KOut, StageOutput<VOut>> get() {
        return new BatchingProcessor<>(stage, storeName, maxBatchSize, maxDelay, function, group, budget,
            deadLetter, metrics);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(storeBuilder);
      }
    };
  }

  @Override
  public void init(ProcessorContext<KOut, StageOutput<VOut>> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    inMemory.clear();
    pendingPerGroup.clear();
    // After a restart the store holds what was pending at the last commit: continue from it.
    pending = 0;
    pendingBytes = 0;
    nextSequence = 0;
    oldestEnqueuedMs = Long.MAX_VALUE;
    try (KeyValueIterator<Long, PendingRecord<K, V>> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<Long, PendingRecord<K, V>> kv = it.next();
        pending++;
        pendingPerGroup.merge(group.applyAsInt(kv.value.value()), 1, Integer::sum);
        nextSequence = Math.max(nextSequence, kv.key + 1);
        oldestEnqueuedMs = Math.min(oldestEnqueuedMs, kv.value.enqueuedWallMs());
      }
    }
    restoredPending = pending;
    if (maxDelayMs > 0) {
      long tick = Math.max(1, Math.min(maxDelayMs / 2, 1000));
      context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, this::onTick);
    }
  }

  @Override
  public void process(Record<K, V> record) {
    long now = context.currentSystemTimeMs();
    long sequence = nextSequence++;
    PendingRecord<K, V> pendingRecord = new PendingRecord<>(record.key(), record.value(), record.timestamp(), now);
    store.put(sequence, pendingRecord);
    inMemory.put(sequence, pendingRecord);
    if (pending++ == 0) {
      oldestEnqueuedMs = now;
    }
    pendingBytes += budget.weight().applyAsLong(record.value());
    int inGroup = pendingPerGroup.merge(group.applyAsInt(record.value()), 1, Integer::sum);
    if (inGroup >= maxBatchSize || maxDelayMs == 0 || pendingBytes >= budget.maxBytes()) {
      flush(now);
    }
  }

  private void onTick(long now) {
    if (pending > 0 && now - oldestEnqueuedMs >= maxDelayMs) {
      flush(now);
    }
  }

  /** Runs every pending record through the function, in order, at most maxBatchSize per group a batch. */
  private void flush(long now) {
    List<Long> sequences = new ArrayList<>(pending);
    List<PendingRecord<K, V>> all = new ArrayList<>(pending);
    if (restoredPending == 0) {
      inMemory.forEach((sequence, record) -> {
        sequences.add(sequence);
        all.add(record);
      });
    } else {
      // Read first, delete later: store iterators need not tolerate deletes while open.
      try (KeyValueIterator<Long, PendingRecord<K, V>> it = store.all()) {
        while (it.hasNext()) {
          KeyValue<Long, PendingRecord<K, V>> kv = it.next();
          PendingRecord<K, V> live = inMemory.get(kv.key);
          sequences.add(kv.key);
          all.add(live == null ? kv.value : live);
        }
      }
    }
    Map<Integer, Integer> inBatch = new HashMap<>();
    int from = 0;
    for (int i = 0; i < all.size(); i++) {
      if (inBatch.merge(group.applyAsInt(all.get(i).value()), 1, Integer::sum) > maxBatchSize) {
        runBatch(sequences.subList(from, i), all.subList(from, i), now);
        from = i;
        inBatch.clear();
        inBatch.put(group.applyAsInt(all.get(i).value()), 1);
      }
    }
    if (from < all.size()) {
      runBatch(sequences.subList(from, all.size()), all.subList(from, all.size()), now);
    }
    inMemory.clear();
    restoredPending = 0;
    pendingPerGroup.clear();
    pending = 0;
    pendingBytes = 0;
    oldestEnqueuedMs = Long.MAX_VALUE;
  }

  private void runBatch(List<Long> sequences, List<PendingRecord<K, V>> batch, long now) {
    long start = System.nanoTime();
    BatchResult<KOut, VOut> result = function.apply(List.copyOf(batch), now);
    if (stage != null) {
      metrics.batch(stage, batch.size(), System.nanoTime() - start);
    }
    for (Record<KOut, VOut> r : result.outputs()) {
      context.forward(r.withValue(StageOutput.of(r.value())));
    }
    for (BatchResult.Rejection rejection : result.rejected()) {
      PendingRecord<K, V> member = batch.get(rejection.index());
      metrics.deadLetter(rejection.reason());
      context.forward(new Record<KOut, StageOutput<VOut>>(null,
          StageOutput.rejected(deadLetter.render(member, rejection)), member.timestamp()));
    }
    // Same transaction as the forwards under exactly-once: a crash before the commit replays both.
    for (Long s : sequences) {
      store.put(s, null);
      // If a later batch of this flush fails, the next flush must not run this one again.
      inMemory.remove(s);
    }
  }
}
