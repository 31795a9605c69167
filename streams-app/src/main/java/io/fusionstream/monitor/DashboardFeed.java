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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>Pipeline threads only enqueue; the feed thread renders each event once and queues it per client,
 * and each client's own sender writes it, so a slow browser never slows the pipeline or the other
 * browsers. Predictions and dead letters are flushed to the clients a few times per tick.
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
   * @param maxClients most clients subscribed at once; {@link #subscribe} refuses more
   * @param clientQueue events waiting for one client; a client that falls this far behind is dropped
   */
  public record Settings(Duration tick, int history, int sessions, int deadLetters, double disagreementThreshold,
      int maxClients, int clientQueue) {
    public static final int DEFAULT_MAX_CLIENTS = 16;
    public static final int DEFAULT_CLIENT_QUEUE = 256;

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
      if (maxClients < 1 || clientQueue < 2) {
        throw new IllegalArgumentException("maxClients >= 1 and clientQueue >= 2 required");
      }
    }

    public Settings(Duration tick, int history, int sessions, int deadLetters, double disagreementThreshold) {
      this(tick, history, sessions, deadLetters, disagreementThreshold, DEFAULT_MAX_CLIENTS, DEFAULT_CLIENT_QUEUE);
    }

    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(1), 300, 50, 20, 0.5);
    }

    public Settings withMaxClients(int max) {
      return new Settings(tick, history, sessions, deadLetters, disagreementThreshold, max, clientQueue);
    }

    public Settings withClientQueue(int events) {
      return new Settings(tick, history, sessions, deadLetters, disagreementThreshold, maxClients, events);
    }
  }

  /**
   * A browser connection; implementations send one server-sent event. Each client has its own
   * sender thread and bounded queue, so a send that blocks (a browser that stopped reading) holds
   * up that client only, and a client whose queue fills is dropped.
   */
  public interface Client {
    /** Sends one event; an exception drops the client. */
    void send(String event, String json) throws Exception;

    /** Called once when the feed drops the client (failed send, too slow, or the feed closed). */
    default void dropped() {}
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
  private volatile java.util.function.DoubleSupplier thresholdSource;
  private final LongSupplier clock;
  private final ObjectMapper json = new ObjectMapper();
  private final ScheduledExecutorService executor;
  private final List<Subscriber> clients = new CopyOnWriteArrayList<>();
  private final AtomicInteger subscribed = new AtomicInteger();
  private final ExecutorService senders;
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
    this.thresholdSource = settings::disagreementThreshold;
    this.clock = clock;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "dashboard-feed");
      t.setDaemon(true);
      return t;
    });
    AtomicInteger senderThreads = new AtomicInteger();
    this.senders = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "dashboard-client-" + senderThreads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.previous = Sample.take(metrics, System.nanoTime());
    metrics.bindDashboardClients(subscribed::get);
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

  /**
   * Where the disagreement threshold comes from from now on: the serving model's, which training
   * fitted on validation, instead of the fixed {@link Settings#disagreementThreshold()}. A source
   * that fails (the model store closing) falls back on the fixed one.
   */
  public void disagreementThreshold(java.util.function.DoubleSupplier source) {
    thresholdSource = Objects.requireNonNull(source, "source");
  }

  private double threshold() {
    try {
      return thresholdSource.getAsDouble();
    } catch (RuntimeException e) {
      return settings.disagreementThreshold();
    }
  }

  public void onPrediction(FusedPrediction prediction) {
    long updates;
    synchronized (this) {
      updates = updatesBySession.merge(prediction.getSessionId(), 1L, Long::sum);
      if (updatesBySession.size() > settings.sessions() * 4) {
        updatesBySession.keySet().retainAll(latestBySession.keySet());
      }
    }
    pendingPredictions.add(PredictionView.of(prediction, threshold(), updates));
  }

  public void onDeadLetter(String reason, String topic, int partition, long offset, String message) {
    pendingDeadLetters.add(DeadLetterView.of(reason, topic, partition, offset, message, clock.getAsLong()));
  }

  /** The pipeline state to show when no Kafka Streams client is bound to the metrics. */
  public void onState(String state) {
    reportedState.set(Objects.requireNonNull(state, "state"));
  }

  // ---- clients ------------------------------------------------------------------------------------

  /**
   * Adds a client unless {@link Settings#maxClients()} are subscribed already; it first gets a
   * {@code hello} with the current history.
   *
   * @return false when refused for the cap
   */
  public boolean subscribe(Client client) {
    Objects.requireNonNull(client, "client");
    if (subscribed.incrementAndGet() > settings.maxClients()) {
      subscribed.decrementAndGet();
      metrics.dashboardSubscriptionRefused();
      return false;
    }
    Subscriber sub = new Subscriber(client, settings.clientQueue());
    executor.execute(guarded(() -> {
      if (sub.offer("hello", toJson(hello()))) {
        clients.add(sub);
        sub.start();
      }
    }));
    return true;
  }

  public void unsubscribe(Client client) {
    for (Subscriber sub : clients) {
      if (sub.client == client) {
        drop(sub, null);
      }
    }
  }

  /** Whether {@link #subscribe} would accept one more client now. */
  public boolean hasRoom() {
    return subscribed.get() < settings.maxClients();
  }

  public int clientCount() {
    return clients.size();
  }

  // ---- state, for the HTTP server and tests ---------------------------------------------------------

  /** Everything a newly opened page needs, as JSON. */
  synchronized Map<String, Object> hello() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("modalities", PredictionView.modalityOrder());
    out.put("disagreementThreshold", threshold());
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
      // as for predictions: a burst is cut to what the list shows, which also bounds each queued event
      int from = Math.max(0, deadLetters.size() - settings.deadLetters());
      broadcast("deadletters", deadLetters.subList(from, deadLetters.size()));
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
    for (Subscriber sub : clients) {
      if (!sub.offer(event, body) && drop(sub, "fell " + settings.clientQueue() + " events behind")) {
        metrics.dashboardClientDropped(FusionMetrics.DROPPED_SLOW);
      }
    }
  }

  /**
   * Removes the client once, stops its sender and tells it; {@code why} null for an unsubscribe.
   *
   * @return whether this call dropped it (false: it was dropped already)
   */
  private boolean drop(Subscriber sub, String why) {
    if (!sub.dropped.compareAndSet(false, true)) {
      return false;
    }
    clients.remove(sub);
    subscribed.decrementAndGet();
    sub.stop();
    if (why != null) {
      LOG.debug("Dropping dashboard client: {}", why);
    }
    try {
      sub.client.dropped();
    } catch (RuntimeException e) {
      LOG.debug("Dashboard client failed to close", e);
    }
    return true;
  }

  /** One client: its queue, drained by its own sender task. */
  private final class Subscriber implements Runnable {
    final Client client;
    final BlockingQueue<String[]> queue;
    final java.util.concurrent.atomic.AtomicBoolean dropped = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Future<?> sender;

    Subscriber(Client client, int capacity) {
      this.client = client;
      this.queue = new ArrayBlockingQueue<>(capacity);
    }

    boolean offer(String event, String body) {
      return queue.offer(new String[] {event, body});
    }

    void start() {
      try {
        sender = senders.submit(this);
      } catch (RejectedExecutionException closed) {
        drop(this, "feed closed");
      }
    }

    void stop() {
      Future<?> f = sender;
      if (f != null) {
        f.cancel(true);
      }
    }

    @Override
    public void run() {
      try {
        while (!dropped.get()) {
          String[] next = queue.take();
          client.send(next[0], next[1]);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        LOG.debug("Dropping dashboard client after a failed send", e);
        if (drop(this, null)) {
          metrics.dashboardClientDropped(FusionMetrics.DROPPED_SEND_FAILED);
        }
      }
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
    for (Subscriber sub : clients) {
      drop(sub, "feed closed");
    }
    senders.shutdownNow();
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
