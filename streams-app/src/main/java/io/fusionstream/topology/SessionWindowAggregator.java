package io.fusionstream.topology;

import io.fusionstream.schema.Modality;
import io.fusionstream.topology.PipelineMetrics.EmitTrigger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
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
 * Pools encoded events into event-time windows per session and emits each window exactly once.
 *
 * <p>Stream time is the largest event time this task has seen (kept in a changelogged store so a
 * restart continues from it). A window is emitted when stream time reaches its end + grace, and
 * also, because stream time only moves with new records on this task, by a wall-clock punctuation
 * once the wall clock is {@code idleTimeout} past both its end + grace and its last event: a
 * session's last window does not wait for other sessions' traffic. Events for a window that has
 * closed are dropped and counted. Emitting deletes the window's state in the same processing step.
 */
final class SessionWindowAggregator implements Processor<String, EncodedEvent, String, ClosedWindow> {
  static final String REASON_MISSING_MODALITY = "missing-required-modality";
  private static final String STREAM_TIME = "stream-time";

  private final WindowSpec spec;
  private final long idleTimeoutMs;
  private final boolean maxPooling;
  private final Set<Modality> required;
  private final String windowStoreName;
  private final String clockStoreName;
  private final PipelineMetrics metrics;

  private ProcessorContext<String, ClosedWindow> context;
  private KeyValueStore<Bytes, WindowAggregate> windows;
  private KeyValueStore<String, Long> clock;
  private long streamTime;
  private long idleTickMs;

  SessionWindowAggregator(WindowSpec spec, Duration idleTimeout, boolean maxPooling, Set<Modality> required,
      String windowStoreName, String clockStoreName, PipelineMetrics metrics) {
    this.spec = spec;
    this.idleTimeoutMs = idleTimeout.toMillis();
    this.maxPooling = maxPooling;
    this.required = Set.copyOf(required);
    this.windowStoreName = windowStoreName;
    this.clockStoreName = clockStoreName;
    this.metrics = metrics;
  }

  static ProcessorSupplier<String, EncodedEvent, String, ClosedWindow> supplier(WindowSpec spec,
      Duration idleTimeout, boolean maxPooling, Set<Modality> required, String storePrefix, PipelineMetrics metrics) {
    String windowStore = storePrefix + "windows";
    String clockStore = storePrefix + "window-clock";
    // Windows can be many (one per open session window): RocksDB, so they need not fit in the heap.
    StoreBuilder<KeyValueStore<Bytes, WindowAggregate>> windowsBuilder = Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(windowStore), Serdes.Bytes(), new WindowAggregate.WindowAggregateSerde())
        .withLoggingEnabled(Map.of());
    StoreBuilder<KeyValueStore<String, Long>> clockBuilder = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(clockStore), Serdes.String(), Serdes.Long()).withLoggingEnabled(Map.of());
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, EncodedEvent, String, ClosedWindow> get() {
        return new SessionWindowAggregator(spec, idleTimeout, maxPooling, required, windowStore, clockStore, metrics);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(windowsBuilder, clockBuilder);
      }
    };
  }

  @Override
  public void init(ProcessorContext<String, ClosedWindow> context) {
    this.context = context;
    this.windows = context.getStateStore(windowStoreName);
    this.clock = context.getStateStore(clockStoreName);
    Long saved = clock.get(STREAM_TIME);
    streamTime = saved == null ? Long.MIN_VALUE : saved;
    // The check runs a few times per idle timeout, so a window is emitted within the timeout.
    idleTickMs = Math.max(10, Math.min(idleTimeoutMs / 4, 1000));
    context.schedule(Duration.ofMillis(idleTickMs), PunctuationType.WALL_CLOCK_TIME, this::emitIdle);
  }

  @Override
  public void process(Record<String, EncodedEvent> record) {
    EncodedEvent event = record.value();
    String session = record.key();
    long now = context.currentSystemTimeMs();
    if (event.eventTime() > streamTime) {
      streamTime = event.eventTime();
      clock.put(STREAM_TIME, streamTime);
    }
    boolean late = false;
    for (long start : spec.windowStarts(event.eventTime())) {
      long end = start + spec.sizeMs();
      if (spec.isClosed(end, streamTime)) {
        late = true;
        continue;
      }
      Bytes key = new WindowKey(end, start, session).toBytes();
      WindowAggregate window = windows.get(key);
      if (window == null) {
        window = new WindowAggregate();
      } else if (window.emitted()) {
        late = true;
        continue;
      }
      window.add(event, now, maxPooling);
      windows.put(key, window);
    }
    if (late) {
      metrics.lateDropped(event.modality());
    }
    emitClosedByStreamTime();
  }

  private void emitClosedByStreamTime() {
    if (streamTime == Long.MIN_VALUE) {
      return;
    }
    List<KeyValue<Bytes, WindowAggregate>> due = new ArrayList<>();
    try (KeyValueIterator<Bytes, WindowAggregate> it = windows.all()) {
      while (it.hasNext()) {
        KeyValue<Bytes, WindowAggregate> kv = it.next();
        if (!spec.isClosed(WindowKey.endOf(kv.key), streamTime)) {
          break; // keys are ordered by end
        }
        due.add(kv);
      }
    }
    for (KeyValue<Bytes, WindowAggregate> kv : due) {
      windows.delete(kv.key);
      if (!kv.value.emitted()) {
        emit(WindowKey.fromBytes(kv.key), kv.value, EmitTrigger.CLOSE);
      }
    }
  }

  private void emitIdle(long now) {
    long wait = Math.max(0, idleTimeoutMs - idleTickMs);
    List<KeyValue<Bytes, WindowAggregate>> due = new ArrayList<>();
    try (KeyValueIterator<Bytes, WindowAggregate> it = windows.all()) {
      while (it.hasNext()) {
        KeyValue<Bytes, WindowAggregate> kv = it.next();
        if (WindowKey.endOf(kv.key) + spec.graceMs() + wait > now) {
          break;
        }
        if (!kv.value.emitted() && kv.value.lastEventWallMs() + wait <= now) {
          due.add(kv);
        }
      }
    }
    for (KeyValue<Bytes, WindowAggregate> kv : due) {
      windows.put(kv.key, WindowAggregate.emittedMarker());
      emit(WindowKey.fromBytes(kv.key), kv.value, EmitTrigger.IDLE);
    }
  }

  private void emit(WindowKey key, WindowAggregate window, EmitTrigger trigger) {
    if (!window.hasAll(required)) {
      metrics.windowSkipped(REASON_MISSING_MODALITY);
      return;
    }
    metrics.windowEmitted(trigger);
    context.forward(new Record<>(key.sessionId(), window.close(key, maxPooling), key.end() - 1));
  }
}
