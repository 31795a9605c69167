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
 * <p>Time is per session: each session has its own clock, the largest event time it has sent (a
 * changelogged {@link SessionClock}), and a window closes when <em>its session's</em> time reaches
 * end + grace. One device whose clock runs ahead therefore moves only its own session's time; it
 * cannot make another session's events late (with a shared stream time it stopped every session of
 * the partition). Because a session's time only moves with that session's events, a wall-clock
 * punctuation also emits a window once the wall clock is {@code idleTimeout} past both its
 * end + grace and its last event: a session's last window does not wait for traffic that never
 * comes. Events for a window that has closed are dropped and counted.
 *
 * <p>The wall clock says nothing about events still unread, though: after a restart, or whenever the
 * task works through a backlog, a window's remaining events may still sit in the input topics while
 * its last <em>processed</em> event looks old. So the idle emission also needs the task to be caught
 * up: either the task's own event time (the largest event time of any session on it, changelogged)
 * has passed the window's end + grace, as it does in a live stream with other traffic, or the task
 * has processed nothing for the idle timeout (and, after a start, for at least
 * {@link #STARTUP_QUIET_MS}), as when all traffic stopped.
 *
 * <p>A window emitted by the idle timeout stays as a marker until its session's time closes it, so
 * a straggler is dropped as late instead of opening a second result for the same window. A session
 * silent on the wall clock for {@link #expiryMs} is forgotten: its clock and markers are deleted
 * (a window still open then is emitted first), which bounds the state of sessions that ended.
 */
final class SessionWindowAggregator implements Processor<String, EncodedEvent, String, ClosedWindow> {
  static final String REASON_MISSING_MODALITY = "missing-required-modality";
  /** Sessions are forgotten after at least this much wall-clock silence. */
  static final long MIN_EXPIRY_MS = 60_000;
  /** How long a task that just started must see no input before it counts as quiet. */
  static final long STARTUP_QUIET_MS = 10_000;
  /** The clock store's key of the task's own time; a session id is never blank. */
  private static final String TASK_TIME = "";

  private final WindowSpec spec;
  private final long idleTimeoutMs;
  private final long expiryMs;
  private final boolean maxPooling;
  private final Set<Modality> required;
  private final String windowStoreName;
  private final String clockStoreName;
  private final PipelineMetrics metrics;

  private ProcessorContext<String, ClosedWindow> context;
  private KeyValueStore<Bytes, WindowAggregate> windows;
  private KeyValueStore<String, SessionClock> clocks;
  private long idleTickMs;
  private long lastExpiryScanMs = Long.MIN_VALUE;
  private long taskTime;
  private long quietSinceMs;

  SessionWindowAggregator(WindowSpec spec, Duration idleTimeout, boolean maxPooling, Set<Modality> required,
      String windowStoreName, String clockStoreName, PipelineMetrics metrics) {
    this.spec = spec;
    this.idleTimeoutMs = idleTimeout.toMillis();
    this.expiryMs = Math.max(MIN_EXPIRY_MS, spec.sizeMs() + spec.graceMs() + 2 * idleTimeoutMs);
    this.maxPooling = maxPooling;
    this.required = Set.copyOf(required);
    this.windowStoreName = windowStoreName;
    this.clockStoreName = clockStoreName;
    this.metrics = metrics;
  }

  static ProcessorSupplier<String, EncodedEvent, String, ClosedWindow> supplier(WindowSpec spec,
      Duration idleTimeout, boolean maxPooling, Set<Modality> required, String storePrefix, PipelineMetrics metrics) {
    String windowStore = storePrefix + "windows";
    String clockStore = storePrefix + "session-clocks";
    // Windows can be many (one per open session window): RocksDB, so they need not fit in the heap.
    StoreBuilder<KeyValueStore<Bytes, WindowAggregate>> windowsBuilder = Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(windowStore), Serdes.Bytes(), new WindowAggregate.WindowAggregateSerde())
        .withLoggingEnabled(Map.of())
        // Events of one window often arrive in one batch: the record cache writes the aggregate to
        // the changelog once per commit instead of once per event.
        .withCachingEnabled();
    // A few dozen bytes per active session.
    StoreBuilder<KeyValueStore<String, SessionClock>> clockBuilder = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(clockStore), Serdes.String(), new SessionClock.SessionClockSerde())
        .withLoggingEnabled(Map.of())
        .withCachingEnabled(); // the task's time is rewritten by every event: once per commit is enough
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
    this.clocks = context.getStateStore(clockStoreName);
    SessionClock saved = clocks.get(TASK_TIME);
    taskTime = saved == null ? Long.MIN_VALUE : saved.eventTime();
    // Input may still be on its way (restoring, a backlog upstream): not quiet before a while.
    quietSinceMs = context.currentSystemTimeMs() + Math.max(0, STARTUP_QUIET_MS - idleTimeoutMs);
    // The check runs a few times per idle timeout, so a window is emitted within the timeout.
    idleTickMs = Math.max(10, Math.min(idleTimeoutMs / 4, 1000));
    context.schedule(Duration.ofMillis(idleTickMs), PunctuationType.WALL_CLOCK_TIME, this::onTick);
  }

  @Override
  public void process(Record<String, EncodedEvent> record) {
    EncodedEvent event = record.value();
    String session = record.key();
    long now = context.currentSystemTimeMs();
    quietSinceMs = Math.max(quietSinceMs, now);
    if (event.eventTime() > taskTime) {
      taskTime = event.eventTime();
      clocks.put(TASK_TIME, new SessionClock(taskTime, now, List.of()));
    }
    SessionClock clock = clocks.get(session);
    clock = (clock == null ? SessionClock.empty() : clock).advance(event.eventTime(), now);
    boolean late = false;
    for (long start : spec.windowStarts(event.eventTime())) {
      long end = spec.end(start);
      if (spec.isClosed(end, clock.eventTime())) {
        late = true;
        continue;
      }
      Bytes key = new WindowKey(end, start, session).toBytes();
      WindowAggregate window = windows.get(key);
      if (window == null) {
        window = new WindowAggregate();
        clock = clock.withWindow(end, start);
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
    clocks.put(session, closeBySessionTime(session, clock));
  }

  /** Emits (or, for markers, deletes) the session's windows its own time has closed. */
  private SessionClock closeBySessionTime(String session, SessionClock clock) {
    SessionClock left = clock;
    for (long[] w : clock.windows()) {
      if (!spec.isClosed(w[0], clock.eventTime())) {
        continue;
      }
      WindowKey key = new WindowKey(w[0], w[1], session);
      Bytes bytes = key.toBytes();
      WindowAggregate window = windows.get(bytes);
      windows.put(bytes, null); // delete() would deserialize the old value
      left = left.withoutWindow(w[0], w[1]);
      if (window != null && !window.emitted()) {
        emit(key, window, EmitTrigger.CLOSE);
      }
    }
    return left;
  }

  private void onTick(long now) {
    emitIdle(now);
    if (lastExpiryScanMs == Long.MIN_VALUE || now - lastExpiryScanMs >= Math.max(idleTickMs, expiryMs / 4)) {
      lastExpiryScanMs = now;
      expireSilentSessions(now);
    }
  }

  private void emitIdle(long now) {
    long wait = Math.max(0, idleTimeoutMs - idleTickMs);
    boolean taskQuiet = now - quietSinceMs >= wait;
    List<KeyValue<Bytes, WindowAggregate>> due = new ArrayList<>();
    List<Bytes> orphans = new ArrayList<>();
    try (KeyValueIterator<Bytes, WindowAggregate> it = windows.all()) {
      while (it.hasNext()) {
        KeyValue<Bytes, WindowAggregate> kv = it.next();
        if (WindowKey.endOf(kv.key) + spec.graceMs() + wait > now) {
          break; // keys are ordered by end
        }
        if (!kv.value.emitted()) {
          boolean caughtUp = taskQuiet || spec.isClosed(WindowKey.endOf(kv.key), taskTime);
          if (caughtUp && kv.value.lastEventWallMs() + wait <= now) {
            due.add(kv);
          }
        } else if (clocks.get(WindowKey.fromBytes(kv.key).sessionId()) == null) {
          orphans.add(kv.key); // a marker whose session was forgotten, e.g. state from an older version
        }
      }
    }
    for (KeyValue<Bytes, WindowAggregate> kv : due) {
      windows.put(kv.key, WindowAggregate.emittedMarker());
      emit(WindowKey.fromBytes(kv.key), kv.value, EmitTrigger.IDLE);
    }
    orphans.forEach(key -> windows.put(key, null));
  }

  /**
   * Forgets sessions silent for {@link #expiryMs}: their clocks and markers are what state would keep
   * forever. Silent means on the wall clock and, unless the task is quiet, also in the task's event
   * time: after a restart every session looks silent on the wall clock while its backlog is unread.
   */
  private void expireSilentSessions(long now) {
    boolean taskQuiet = now - quietSinceMs >= Math.max(0, idleTimeoutMs - idleTickMs);
    List<KeyValue<String, SessionClock>> silent = new ArrayList<>();
    try (KeyValueIterator<String, SessionClock> it = clocks.all()) {
      while (it.hasNext()) {
        KeyValue<String, SessionClock> kv = it.next();
        if (!kv.key.equals(TASK_TIME) && kv.value.lastWallMs() <= now - expiryMs
            && (taskQuiet || taskTime - kv.value.eventTime() >= expiryMs)) {
          silent.add(kv);
        }
      }
    }
    for (KeyValue<String, SessionClock> kv : silent) {
      for (long[] w : kv.value.windows()) {
        WindowKey key = new WindowKey(w[0], w[1], kv.key);
        Bytes bytes = key.toBytes();
        WindowAggregate window = windows.get(bytes);
        windows.put(bytes, null); // delete() would deserialize the old value
        if (window != null && !window.emitted()) {
          emit(key, window, EmitTrigger.IDLE);
        }
      }
      clocks.put(kv.key, null);
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
