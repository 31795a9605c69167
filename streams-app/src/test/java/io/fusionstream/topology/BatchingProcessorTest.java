package io.fusionstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The batching stage on its own: size, delay and byte-budget triggers, groups, dead letters of
 * rejected members, and pending records after a restart.
 */
class BatchingProcessorTest {
  private static final String STORE = "pending";
  private MockProcessorContext<String, StageOutput<String>> context;
  private KeyValueStore<Long, PendingRecord<String, String>> store;
  private final List<List<String>> batches = new ArrayList<>();

  @BeforeEach
  void setUp() {
    context = new MockProcessorContext<>();
    store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.Long(),
        new PendingRecordSerde<>(Serdes.String(), Serdes.String())).withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    context.setCurrentSystemTimeMs(0);
  }

  /** Upper-cases the batch; the group is the first letter, so "a.." and "b.." batch separately. */
  private BatchingProcessor<String, String, String, String> processor(int maxBatchSize, long maxDelayMs) {
    return processor(maxBatchSize, maxDelayMs, BatchingProcessor.MemoryBudget.unlimited());
  }

  /** Upper-cases the batch and rejects values containing "poison"; groups by first letter. */
  private BatchingProcessor<String, String, String, String> processor(int maxBatchSize, long maxDelayMs,
      BatchingProcessor.MemoryBudget<String> budget) {
    BatchFunction<String, String, String, String> upper = (batch, now) -> {
      batches.add(batch.stream().map(PendingRecord::value).toList());
      List<Record<String, String>> out = new ArrayList<>();
      List<BatchResult.Rejection> rejected = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        PendingRecord<String, String> p = batch.get(i);
        if (p.value().contains("poison")) {
          rejected.add(new BatchResult.Rejection(i, "test-poison", new IllegalArgumentException("bad " + p.value())));
        } else {
          out.add(new Record<>(p.key(), p.value().toUpperCase(), p.timestamp()));
        }
      }
      return new BatchResult<>(out, rejected);
    };
    BatchingProcessor.DeadLetterRenderer<String, String> render = (member, rejection) -> new DeadLetterRecord(
        member.key().getBytes(), member.value().getBytes(),
        DeadLetters.headers(rejection.reason(), rejection.cause(), "in", 0, 9));
    return new BatchingProcessor<>("test", STORE, maxBatchSize, Duration.ofMillis(maxDelayMs), upper,
        v -> v.charAt(0), budget, render, metrics);
  }

  private final CountingPipelineMetrics metrics = new CountingPipelineMetrics();

  private List<String> forwarded() {
    return context.forwarded().stream().filter(f -> !f.record().value().isDeadLetter())
        .map(f -> f.record().value().value()).toList();
  }

  @Test
  void flushesWhenAGroupIsFullKeepingArrivalOrderAcrossGroups() {
    var p = processor(2, 1_000);
    p.init(context);
    p.process(new Record<>("k", "a1", 1));
    p.process(new Record<>("k", "b1", 2));
    assertThat(forwarded()).isEmpty();
    assertThat(store.approximateNumEntries()).isEqualTo(2);
    p.process(new Record<>("k", "a2", 3)); // group a is full
    assertThat(forwarded()).containsExactly("A1", "B1", "A2");
    assertThat(batches).containsExactly(List.of("a1", "b1", "a2"));
    assertThat(context.forwarded()).extracting(f -> f.record().timestamp()).containsExactly(1L, 2L, 3L);
    assertThat(store.approximateNumEntries()).isZero();
  }

  @Test
  void flushesEarlyWhenThePendingValuesReachTheByteBudget() {
    // each value weighs its length; budget 10 bytes, batch size 100
    var p = processor(100, 1_000, new BatchingProcessor.MemoryBudget<>(10, v -> v.length()));
    p.init(context);
    p.process(new Record<>("k", "a-four", 1)); // 6 bytes
    assertThat(forwarded()).isEmpty();
    p.process(new Record<>("k", "a-five", 2)); // 12 >= 10
    assertThat(forwarded()).containsExactly("A-FOUR", "A-FIVE");
    p.process(new Record<>("k", "a-six", 3)); // the budget starts again after a flush
    assertThat(forwarded()).hasSize(2);
  }

  @Test
  void aRejectedMemberBecomesADeadLetterAndTheRestOfItsBatchGoesOn() {
    var p = processor(3, 1_000);
    p.init(context);
    p.process(new Record<>("k1", "a1", 1));
    p.process(new Record<>("k2", "a-poison", 2));
    p.process(new Record<>("k3", "a3", 3));
    assertThat(forwarded()).containsExactly("A1", "A3");
    var letters = context.forwarded().stream().filter(f -> f.record().value().isDeadLetter()).toList();
    assertThat(letters).hasSize(1);
    DeadLetterRecord letter = letters.get(0).record().value().deadLetter();
    assertThat(new String(letter.value())).isEqualTo("a-poison");
    assertThat(new String(letter.headers().lastHeader(DeadLetters.HEADER_REASON).value())).isEqualTo("test-poison");
    assertThat(new String(letter.headers().lastHeader(DeadLetters.HEADER_OFFSET).value())).isEqualTo("9");
    assertThat(letters.get(0).record().timestamp()).isEqualTo(2L);
    assertThat(metrics.count("dlq.test-poison")).isEqualTo(1);
    assertThat(store.approximateNumEntries()).isZero();
  }

  @Test
  void flushesOnTheWallClockOnceTheOldestWaitedTheMaxDelay() {
    var p = processor(10, 100);
    context.setCurrentSystemTimeMs(1_000);
    p.init(context);
    p.process(new Record<>("k", "a1", 1));
    context.setCurrentSystemTimeMs(1_060);
    p.process(new Record<>("k", "a2", 2));
    var tick = context.scheduledPunctuators().get(0).getPunctuator();
    tick.punctuate(1_099);
    assertThat(forwarded()).isEmpty();
    tick.punctuate(1_100);
    assertThat(forwarded()).containsExactly("A1", "A2");
    assertThat(store.approximateNumEntries()).isZero();
  }

  @Test
  void recordsPendingInTheStoreAtStartAreProcessedFirstAndNotOverwritten() {
    // What a restart finds after restoring the changelog: two records that were never flushed.
    store.put(7L, new PendingRecord<>("k", "a-old", 1, 500));
    store.put(8L, new PendingRecord<>("k", "a-older-batch", 2, 510));
    context.setCurrentSystemTimeMs(10_000);
    var p = processor(3, 100);
    p.init(context);
    p.process(new Record<>("k", "a-new", 3)); // the third of group a: flush
    assertThat(forwarded()).containsExactly("A-OLD", "A-OLDER-BATCH", "A-NEW");
    assertThat(store.approximateNumEntries()).isZero();
  }

  @Test
  void oldPendingRecordsFlushOnTheFirstTickAfterARestart() {
    store.put(3L, new PendingRecord<>("k", "b-left", 1, 500));
    context.setCurrentSystemTimeMs(10_000);
    var p = processor(8, 100);
    p.init(context);
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(10_000);
    assertThat(forwarded()).containsExactly("B-LEFT");
  }

  @Test
  void aFailingBatchStaysPending() {
    BatchingProcessor<String, String, String, String> p = new BatchingProcessor<>("test", STORE, 2,
        Duration.ofMillis(100), (batch, now) -> {
          throw new IllegalStateException("model down");
        }, v -> 0, BatchingProcessor.MemoryBudget.unlimited(), (m, r) -> null, PipelineMetrics.NOOP);
    p.init(context);
    p.process(new Record<>("k", "x", 1));
    // The task fails and is restarted; the batch must still be there.
    assertThatThrownBy(() -> p.process(new Record<>("k", "y", 2))).hasMessage("model down");
    assertThat(store.approximateNumEntries()).isEqualTo(2);
  }

  @Test
  void aFlushReadsNoValueBackFromTheStore() {
    // Reading a pending value back costs a deserialization (the event in Avro, an image's bytes):
    // the records this instance enqueued are flushed from memory and removed with tombstones.
    int[] reads = {0};
    KeyValueStore<Long, PendingRecord<String, String>> counting = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore("counting"), Serdes.Long(), new PendingRecordSerde<>(Serdes.String(),
            Serdes.serdeFrom(Serdes.String().serializer(), (topic, bytes) -> {
              reads[0]++;
              return bytes == null ? null : new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            }))).withLoggingDisabled().build();
    counting.init(context.getStateStoreContext(), counting);
    context.addStateStore(counting);
    BatchingProcessor<String, String, String, String> p = new BatchingProcessor<>("test", "counting", 2,
        Duration.ofMillis(100), (batch, now) -> new BatchResult<>(batch.stream()
            .map(r -> new Record<>(r.key(), r.value().toUpperCase(), r.timestamp())).toList(), List.of()),
        v -> 0, BatchingProcessor.MemoryBudget.unlimited(), (m, r) -> null, PipelineMetrics.NOOP);
    p.init(context);
    p.process(new Record<>("k", "x", 1));
    p.process(new Record<>("k", "y", 2));
    assertThat(forwarded()).containsExactly("X", "Y");
    assertThat(counting.approximateNumEntries()).isZero();
    assertThat(reads[0]).isZero();
  }

  @Test
  void whenALaterBatchOfAFlushFailsTheEarlierOneIsNotRunAgain() {
    // A flush runs several batches when a restart restored pending records: two restored, one new.
    store.put(7L, new PendingRecord<>("k", "a-old", 1, 500));
    store.put(8L, new PendingRecord<>("k", "a-older", 2, 510));
    boolean[] failed = {false};
    List<List<String>> runs = new ArrayList<>();
    BatchingProcessor<String, String, String, String> p = new BatchingProcessor<>("test", STORE, 2,
        Duration.ofMillis(100), (batch, now) -> {
          runs.add(batch.stream().map(PendingRecord::value).toList());
          if (batch.get(0).value().equals("a-new") && !failed[0]) {
            failed[0] = true;
            throw new IllegalStateException("model down once");
          }
          return new BatchResult<>(batch.stream().map(r -> new Record<>(r.key(), r.value(), r.timestamp())).toList(),
              List.of());
        }, v -> 0, BatchingProcessor.MemoryBudget.unlimited(), (m, r) -> null, PipelineMetrics.NOOP);
    context.setCurrentSystemTimeMs(10_000);
    p.init(context);
    assertThatThrownBy(() -> p.process(new Record<>("k", "a-new", 3))).hasMessage("model down once");
    // The restored batch was done and removed; only "a-new" is left, and it runs alone on the next tick.
    context.setCurrentSystemTimeMs(11_000);
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(11_000);
    assertThat(runs).containsExactly(List.of("a-old", "a-older"), List.of("a-new"), List.of("a-new"));
    assertThat(forwarded()).containsExactly("a-old", "a-older", "a-new");
    assertThat(store.approximateNumEntries()).isZero();
  }
}
