package io.fusionstream.monitor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionstream.schema.FusedPrediction;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live state of the dashboard, pushed to its browsers as it changes.
 *
 * <p>Rates and distributions are sampled from {@link FusionMetrics} once per tick (so the pipeline
 * is wired once, to the metrics), and kept as a rolling history of {@link Snapshot}s. Content the
 * metrics cannot carry (each prediction, each dead letter's message) is fed in through
 * {@link #onPrediction} and {@link #onDeadLetter}.
 *
 * <p>All sending happens on one feed thread: pipeline threads only enqueue, so a slow browser never
 * slows the pipeline. Predictions and dead letters are flushed to the clients a few times per tick.
 *
 * <p>Events sent to a client: {@code hello} once on connect (history, latest predictions, recent dead
 * letters), then {@code snapshot} per tick, {@code predictions} and {@code deadletters} as they come.
 */
public final class DashboardFeed implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DashboardFeed.class);

  /**
   * @param tick how often a snapshot is taken and pushed
   * @param history snapshots kept for a newly opened page (tick x history = chart span)
   * @param sessions sessions whose latest prediction is kept
   * @param deadLetters recent dead letters kept
   * @param disagreementThreshold consistency under which the modalities are flagged as disagreeing
   */
  public record Settings(Duration tick, int history, int sessions, int deadLetters, double disagreementThreshold) {
    public Settings {
      if (tick.isNegative() || tick.isZero()) {
        throw new IllegalArgumentException("tick must be positive, was " + tick);
      }
      if (history < 2 || sessions < 1 || deadLetters < 1) {
        throw new IllegalArgumentException("history >= 2, sessions >= 1 and deadLetters >= 1 required");
      }
      if (disagreementThreshold < 0 || disagreementThreshold > 1) {
        throw new IllegalArgumentException("disagreementThreshold must be in [0, 1], was " + disagreementThreshold);
      }
    }

    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(1), 300, 50, 20, 0.5);
    }
  }

  /** A browser connection; implementations send one server-sent event. */
  public interface Client {
    /** Sends one event; an exception drops the client. */
    void send(String event, String json) throws Exception;
  }

  /** Per-stage batch figures over the last tick: how many batches, and their mean size (null if none). */
  public record BatchStat(double batches, Double mean) {}

  /** One tick of the dashboard; doubles are null where there was nothing to measure. */
  public record Snapshot(
      long t,
      Map<String, Double> eventsPerSec,
      double predictionsPerSec,
      Map<String, Double> latencySeconds,
      Map<String, BatchStat> batch,
      Map<String, Double> deadLettersByReason,
      Map<String, Double> windows,
      double lateDropped,
      double eventsTotal,
      double predictionsTotal,
      String modelVersion,
      String state,
      Map<String, Double> lag) {}

  private final FusionMetrics metrics;
  private final Settings settings;
  private final LongSupplier clock;
  private final ObjectMapper json = new ObjectMapper();
  private final ScheduledExecutorService executor;
  private final List<Client> clients = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<PredictionView> pendingPredictions = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<DeadLetterView> pendingDeadLetters = new ConcurrentLinkedQueue<>();
  private final AtomicReference<String> reportedState = new AtomicReference<>("CREATED");

  // Owned by the feed thread, or guarded by `this` where pipeline threads touch them.
  private final Deque<Snapshot> history = new ArrayDeque<>();
  private final Deque<DeadLetterView> recentDeadLetters = new ArrayDeque<>();
  private final LinkedHashMap<String, PredictionView> latestBySession = new LinkedHashMap<>(64, 0.75f, true);
  private final Map<String, Long> updatesBySession = new LinkedHashMap<>();
  private Sample previous;

  public DashboardFeed(FusionMetrics metrics, Settings settings) {
    this(metrics, settings, System::currentTimeMillis);
  }

  DashboardFeed(FusionMetrics metrics, Settings settings, LongSupplier clock) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = clock;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "dashboard-feed");
      t.setDaemon(true);
      return t;
    });
    this.previous = Sample.take(metrics, System.nanoTime());
  }

  /** Starts taking snapshots and pushing to clients. */
  public DashboardFeed start() {
    long tickMs = settings.tick().toMillis();
    executor.scheduleAtFixedRate(guarded(this::tick), tickMs, tickMs, TimeUnit.MILLISECONDS);
    long flushMs = Math.max(50, tickMs / 4);
    executor.scheduleAtFixedRate(guarded(this::flush), flushMs, flushMs, TimeUnit.MILLISECONDS);
    return this;
  }

  // ---- inputs, called from pipeline threads -------------------------------------------------------

  public void onPrediction(FusedPrediction prediction) {
    long updates;
    synchronized (this) {
      updates = updatesBySession.merge(prediction.getSessionId(), 1L, Long::sum);
      if (updatesBySession.size() > settings.sessions() * 4) {
        updatesBySession.keySet().retainAll(latestBySession.keySet());
      }
    }
    pendingPredictions.add(PredictionView.of(prediction, settings.disagreementThreshold(), updates));
  }

  public void onDeadLetter(String reason, String topic, int partition, long offset, String message) {
    pendingDeadLetters.add(DeadLetterView.of(reason, topic, partition, offset, message, clock.getAsLong()));
  }

  /** The pipeline state to show when no Kafka Streams client is bound to the metrics. */
  public void onState(String state) {
    reportedState.set(Objects.requireNonNull(state, "state"));
  }

  // ---- clients ------------------------------------------------------------------------------------

  /** Adds a client; it first gets a {@code hello} with the current history, on the feed thread. */
  public void subscribe(Client client) {
    executor.execute(guarded(() -> {
      if (send(client, "hello", hello())) {
        clients.add(client);
      }
    }));
  }

  public void unsubscribe(Client client) {
    clients.remove(client);
  }

  public int clientCount() {
    return clients.size();
  }

  // ---- state, for the HTTP server and tests ---------------------------------------------------------

  /** Everything a newly opened page needs, as JSON. */
  synchronized Map<String, Object> hello() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("modalities", PredictionView.modalityOrder());
    out.put("disagreementThreshold", settings.disagreementThreshold());
    out.put("tickMillis", settings.tick().toMillis());
    out.put("history", new ArrayList<>(history));
    List<PredictionView> latest = new ArrayList<>(latestBySession.values());
    Collections.reverse(latest); // most recently updated first
    out.put("predictions", latest);
    out.put("deadLetters", new ArrayList<>(recentDeadLetters));
    return out;
  }

  synchronized List<Snapshot> history() {
    return new ArrayList<>(history);
  }

  synchronized List<PredictionView> latestPredictions() {
    return new ArrayList<>(latestBySession.values());
  }

  synchronized List<DeadLetterView> recentDeadLetters() {
    return new ArrayList<>(recentDeadLetters);
  }

  // ---- the feed thread ------------------------------------------------------------------------------

  /** Takes one snapshot from the metrics and pushes it; package-private so tests can step it. */
  void tick() {
    Sample now = Sample.take(metrics, System.nanoTime());
    Snapshot snapshot = now.since(previous, clock.getAsLong(), metrics, state());
    previous = now;
    synchronized (this) {
      history.addLast(snapshot);
      while (history.size() > settings.history()) {
        history.removeFirst();
      }
    }
    broadcast("snapshot", snapshot);
  }

  /** Moves pending predictions and dead letters into the state and pushes them. */
  void flush() {
    List<PredictionView> predictions = drain(pendingPredictions);
    List<DeadLetterView> deadLetters = drain(pendingDeadLetters);
    synchronized (this) {
      for (PredictionView p : predictions) {
        latestBySession.put(p.session(), p);
      }
      while (latestBySession.size() > settings.sessions()) {
        latestBySession.remove(latestBySession.keySet().iterator().next()); // least recently updated
      }
      for (DeadLetterView d : deadLetters) {
        recentDeadLetters.addFirst(d);
      }
      while (recentDeadLetters.size() > settings.deadLetters()) {
        recentDeadLetters.removeLast();
      }
    }
    if (!predictions.isEmpty()) {
      // A burst larger than the table is cut to what the table can show.
      int from = Math.max(0, predictions.size() - settings.sessions());
      broadcast("predictions", predictions.subList(from, predictions.size()));
    }
    if (!deadLetters.isEmpty()) {
      broadcast("deadletters", deadLetters);
    }
  }

  private String state() {
    return metrics.streamsState().map(Enum::name).orElseGet(reportedState::get);
  }

  private void broadcast(String event, Object payload) {
    if (clients.isEmpty()) {
      return;
    }
    String body = toJson(payload);
    for (Client client : clients) {
      if (!sendRaw(client, event, body)) {
        clients.remove(client);
      }
    }
  }

  private boolean send(Client client, String event, Object payload) {
    return sendRaw(client, event, toJson(payload));
  }

  private static boolean sendRaw(Client client, String event, String body) {
    try {
      client.send(event, body);
      return true;
    } catch (Exception e) {
      LOG.debug("Dropping dashboard client after a failed send of '{}'", event, e);
      return false;
    }
  }

  String toJson(Object payload) {
    try {
      return json.writeValueAsString(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write dashboard payload " + payload.getClass().getSimpleName(), e);
    }
  }

  private static <T> List<T> drain(ConcurrentLinkedQueue<T> queue) {
    List<T> out = new ArrayList<>();
    for (T item; (item = queue.poll()) != null; ) {
      out.add(item);
    }
    return out;
  }

  private static Runnable guarded(Runnable task) {
    // An exception would cancel a periodic task for good; log it and keep the page alive.
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("Dashboard feed task failed", e);
      }
    };
  }

  @Override
  public void close() {
    executor.shutdownNow();
    clients.clear();
  }

  /**
   * The group's consumer lag ({@code fusion_input_lag_records}) summed into {@code input} (the input
   * topics) and {@code internal} (the repartition topic); empty while it is not measured.
   */
  static Map<String, Double> lag(FusionMetrics m) {
    Map<String, Double> out = new TreeMap<>();
    for (io.micrometer.core.instrument.Gauge g : m.registry().find(ConsumerLagGauges.LAG).gauges()) {
      String topic = g.getId().getTag("topic");
      out.merge(topic != null && topic.endsWith("-repartition") ? "internal" : "input", g.value(), Double::sum);
    }
    return out;
  }

  /** Cumulative meter values at one instant; two of them make the rates of a tick. */
  private record Sample(
      long nanos,
      Map<String, Double> events,
      double predictions,
      Map<String, double[]> batches) {

    static Sample take(FusionMetrics m, long nanos) {
      return new Sample(nanos, m.counterByTag(FusionMetrics.EVENTS_IN, "modality"),
          m.counterTotal(FusionMetrics.PREDICTIONS), m.batchTotals());
    }

    Snapshot since(Sample before, long wallMillis, FusionMetrics m, String state) {
      double seconds = Math.max(1e-3, (nanos - before.nanos) / 1e9);
      Map<String, Double> eventRates = new TreeMap<>();
      for (String modality : PredictionView.modalityOrder()) {
        double delta = events.getOrDefault(modality, 0.0) - before.events.getOrDefault(modality, 0.0);
        eventRates.put(modality, delta / seconds);
      }
      Map<String, BatchStat> batchStats = new TreeMap<>();
      batches.forEach((stage, now) -> {
        double[] then = before.batches.getOrDefault(stage, new double[3]);
        double count = now[0] - then[0];
        batchStats.put(stage, new BatchStat(count, count > 0 ? (now[1] - then[1]) / count : null));
      });
      Map<String, Double> latency = new LinkedHashMap<>();
      for (double q : FusionMetrics.LATENCY_QUANTILES) {
        double v = m.endToEndQuantileSeconds(q);
        latency.put("p" + Math.round(q * 100), Double.isNaN(v) ? null : v);
      }
      Map<String, Double> windows = new TreeMap<>(m.counterByTag(FusionMetrics.WINDOWS_EMITTED, "trigger"));
      windows.put("skipped", m.counterTotal(FusionMetrics.WINDOWS_SKIPPED));
      return new Snapshot(wallMillis, eventRates, (predictions - before.predictions) / seconds, latency, batchStats,
          m.counterByTag(FusionMetrics.DEAD_LETTERS, "reason"), windows,
          m.counterTotal(FusionMetrics.LATE_DROPPED), m.counterTotal(FusionMetrics.EVENTS_IN), predictions,
          m.modelVersion().orElse(null), state, lag(m));
    }
  }
}
