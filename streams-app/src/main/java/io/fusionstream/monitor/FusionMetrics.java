package io.fusionstream.monitor;

import io.fusionstream.schema.Modality;
import io.fusionstream.topology.PipelineMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every FusionStream metric, owned in one Prometheus registry and recorded through typed methods,
 * so metric names and label values live in one place (the Grafana dashboard depends on them).
 *
 * <p>Names are given in Micrometer's dotted form; the Prometheus naming convention turns
 * {@code fusion.events.in} (counter) into {@code fusion_events_in_total} and a timer
 * {@code fusion.encode} into {@code fusion_encode_seconds}. Thread-safe: the pipeline calls it from
 * every stream thread.
 */
public final class FusionMetrics implements PipelineMetrics, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FusionMetrics.class);

  /** Quantiles of the end-to-end latency that are exported as gauges and shown on the dashboard. */
  public static final double[] LATENCY_QUANTILES = {0.5, 0.95, 0.99};

  static final String EVENTS_IN = "fusion.events.in";
  static final String DEAD_LETTERS = "fusion.dead.letters";
  static final String LATE_DROPPED = "fusion.late.events.dropped";
  static final String WINDOWS_EMITTED = "fusion.windows.emitted";
  static final String WINDOWS_SKIPPED = "fusion.windows.skipped";
  static final String BATCH_SIZE = "fusion.batch.size";
  static final String ENCODE = "fusion.encode";
  static final String FUSE = "fusion.fuse";
  static final String END_TO_END = "fusion.end.to.end.latency";
  static final String END_TO_END_QUANTILE = "fusion.end.to.end.latency.quantile";
  static final String MODALITIES_PRESENT = "fusion.window.modalities.present";
  static final String PREDICTIONS = "fusion.predictions";
  static final String MODEL_INFO = "fusion.model.info";
  static final String STREAMS_STATE = "fusion.streams.state";
  static final String TIME_OUT_OF_BOUNDS = "fusion.event.time.out.of.bounds";
  static final String MODEL_REFUSED = "fusion.model.refused";
  static final String DEAD_LETTER_PAYLOADS_DROPPED = "fusion.dead.letter.payloads.dropped";
  static final String OUTPUTS_SKIPPED = "fusion.outputs.skipped";
  static final String TASK_FAILURES = "fusion.task.failures";
  static final String DASHBOARD_CLIENTS = "fusion.dashboard.clients";
  static final String DASHBOARD_CLIENTS_DROPPED = "fusion.dashboard.clients.dropped";
  static final String DASHBOARD_SUBSCRIPTIONS_REFUSED = "fusion.dashboard.subscriptions.refused";
  /** {@code reason} of a dashboard client dropped because its queue filled: it stopped reading. */
  public static final String DROPPED_SLOW = "slow";
  /** {@code reason} of a dashboard client dropped because a send to it failed. */
  public static final String DROPPED_SEND_FAILED = "send_failed";

  private final PrometheusMeterRegistry registry;
  private final Counter modelRefused;
  private final Counter dashboardRefused;
  private final Map<String, Counter> dashboardDropped = new ConcurrentHashMap<>();
  private final Map<Modality, Counter> eventsIn = new EnumMap<>(Modality.class);
  private final Map<Modality, Counter> lateDropped = new EnumMap<>(Modality.class);
  private final Map<Modality, Counter> present = new EnumMap<>(Modality.class);
  private final Map<Modality, Timer> encode = new EnumMap<>(Modality.class);
  private final Map<EmitTrigger, Counter> windowsEmitted = new EnumMap<>(EmitTrigger.class);
  private final Timer fuse;
  private final Timer endToEnd;
  // Reasons, labels and stages are open sets (they come from the pipeline and the model), so their
  // meters are created on first use; Micrometer returns the existing meter on re-registration.
  private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
  private final Map<String, Counter> windowsSkipped = new ConcurrentHashMap<>();
  private final Map<String, Counter> predictions = new ConcurrentHashMap<>();
  private final Map<String, DistributionSummary> batchSizes = new ConcurrentHashMap<>();
  private final Map<String, Counter> payloadsDropped = new ConcurrentHashMap<>();
  private final Map<String, Counter> outputsSkipped = new ConcurrentHashMap<>();
  private final Map<String, Counter> taskFailures = new ConcurrentHashMap<>();
  private final AtomicReference<Gauge> modelInfo = new AtomicReference<>();
  private final AtomicReference<String> modelVersion = new AtomicReference<>();
  private final AtomicReference<KafkaStreams> streams = new AtomicReference<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  public FusionMetrics() {
    this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public FusionMetrics(PrometheusMeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.modelRefused = Counter.builder(MODEL_REFUSED)
        .description("Fusion model versions refused because they do not fit the running encoders")
        .register(registry);
    this.dashboardRefused = Counter.builder(DASHBOARD_SUBSCRIPTIONS_REFUSED)
        .description("Dashboard feed subscriptions refused because fusion.http.max.stream.clients were connected")
        .register(registry);
    // both reasons from the start, so an alert on a rate sees 0 rather than no series
    for (String reason : List.of(DROPPED_SLOW, DROPPED_SEND_FAILED)) {
      dashboardDropped.put(reason, Counter.builder(DASHBOARD_CLIENTS_DROPPED)
          .description("Dashboard feed clients dropped: slow (fell a full queue behind) or send_failed")
          .tag("reason", reason).register(registry));
    }
    for (Modality modality : Modality.values()) {
      String name = modalityLabel(modality);
      eventsIn.put(modality, Counter.builder(EVENTS_IN).description("Events read from the input topics")
          .tag("modality", name).register(registry));
      lateDropped.put(modality, Counter.builder(LATE_DROPPED)
          .description("Events dropped because their window had already closed (after the grace period)")
          .tag("modality", name).register(registry));
      present.put(modality, Counter.builder(MODALITIES_PRESENT)
          .description("Emitted windows in which the modality had at least one event")
          .tag("modality", name).register(registry));
      encode.put(modality, Timer.builder(ENCODE).description("Time to encode one batch of events")
          .tag("modality", name).publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
          .register(registry));
    }
    for (EmitTrigger trigger : EmitTrigger.values()) {
      windowsEmitted.put(trigger, Counter.builder(WINDOWS_EMITTED)
          .description("Session windows emitted, by what closed them: stream time (close) or the idle timeout")
          .tag("trigger", trigger.name().toLowerCase(Locale.ROOT)).register(registry));
    }
    fuse = Timer.builder(FUSE).description("Time to fuse one batch of windows").publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
    endToEnd = Timer.builder(END_TO_END)
        .description("Wall-clock time from the last event of a window to its prediction")
        .publishPercentiles(LATENCY_QUANTILES).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5))
        // A short rolling window, so the quantiles follow the present rather than the last minutes.
        .distributionStatisticExpiry(Duration.ofSeconds(30)).distributionStatisticBufferLength(3)
        .register(registry);
    // The Prometheus registry exports a timer either as a histogram or as a summary: the buckets go
    // in the histogram family, the client-side quantiles in a gauge family of their own.
    for (double q : LATENCY_QUANTILES) {
      Gauge.builder(END_TO_END_QUANTILE, this, m -> m.endToEndQuantileSeconds(q))
          .description("End-to-end latency quantile over the last ~30 s, computed in the application")
          .tag("quantile", Double.toString(q)).baseUnit("seconds").register(registry);
    }
  }

  // ---- pipeline hooks (PipelineMetrics) ---------------------------------------------------------

  @Override
  public void eventIn(Modality modality) {
    eventsIn.get(modality).increment();
  }

  /** A record sent to the dead-letter topic; reason is a short code such as {@code image-too-large}. */
  @Override
  public void deadLetter(String reason) {
    deadLetters.computeIfAbsent(orUnknown(reason), r -> Counter.builder(DEAD_LETTERS)
        .description("Records sent to the dead-letter topic, by reason").tag("reason", r).register(registry))
        .increment();
  }

  @Override
  public void eventTimeOutOfBounds(Modality modality, String policy) {
    Counter.builder(TIME_OUT_OF_BOUNDS)
        .description("Events whose own time was outside the configured bounds of the wall clock, by what was done")
        .tag("modality", modality.name().toLowerCase(java.util.Locale.ROOT)).tag("policy", policy)
        .register(registry).increment();
  }

  @Override
  public void modelRefused() {
    modelRefused.increment();
  }

  @Override
  public void lateDropped(Modality modality) {
    lateDropped.get(modality).increment();
  }

  @Override
  public void windowEmitted(EmitTrigger trigger) {
    windowsEmitted.get(trigger).increment();
  }

  @Override
  public void windowSkipped(String reason) {
    windowsSkipped.computeIfAbsent(orUnknown(reason), r -> Counter.builder(WINDOWS_SKIPPED)
        .description("Closed windows that were not fused, by reason").tag("reason", r).register(registry))
        .increment();
  }

  /**
   * One batch ran: its size goes to {@code fusion_batch_size{stage}}, its time to the encoder's
   * {@code fusion_encode_seconds{modality}} or to {@code fusion_fuse_seconds}. Stage names are
   * label values with underscores ({@code encode-text} becomes {@code encode_text}).
   */
  @Override
  public void batch(String stage, int size, long nanos) {
    String label = stageLabel(stage);
    batchSizes.computeIfAbsent(label, s -> DistributionSummary.builder(BATCH_SIZE)
        .description("Records per batch, by stage").tag("stage", s).publishPercentileHistogram()
        .minimumExpectedValue(1.0).maximumExpectedValue(4096.0).register(registry))
        .record(size);
    if (label.equals(STAGE_FUSE)) {
      fuse.record(nanos, TimeUnit.NANOSECONDS);
      return;
    }
    for (Modality modality : Modality.values()) {
      if (label.equals(stageLabel(PipelineMetrics.encodeStage(modality)))) {
        encode.get(modality).record(nanos, TimeUnit.NANOSECONDS);
        return;
      }
    }
  }

  @Override
  public void endToEndLatency(long millis) {
    // A negative latency means clocks disagree: count it as zero rather than drop it, so the count
    // still matches the predictions.
    endToEnd.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  @Override
  public void prediction(String label) {
    predictions.computeIfAbsent(label, l -> Counter.builder(PREDICTIONS)
        .description("Predictions written, by label").tag("label", l).register(registry)).increment();
  }

  @Override
  public void modalitiesPresent(Collection<Modality> present) {
    for (Modality modality : present) {
      this.present.get(modality).increment();
    }
  }

  @Override
  public void modelInUse(String version) {
    modelVersion(version);
  }

  @Override
  public void deadLetterPayloadDropped(String reason) {
    payloadsDropped.computeIfAbsent(orUnknown(reason), r -> Counter.builder(DEAD_LETTER_PAYLOADS_DROPPED)
        .description("Dead letters Kafka refused, sent again without key and value, by reason")
        .tag("reason", r).register(registry)).increment();
  }

  @Override
  public void outputSkipped(String reason) {
    outputsSkipped.computeIfAbsent(orUnknown(reason), r -> Counter.builder(OUTPUTS_SKIPPED)
        .description("Writes Kafka refused that could not be dead-lettered either, by reason")
        .tag("reason", r).register(registry)).increment();
  }

  /** A stream thread failed on this task ({@code fusion_task_failures_total{task}}); task "none" if unknown. */
  public void taskFailure(String task) {
    taskFailures.computeIfAbsent(orUnknown(task), t -> Counter.builder(TASK_FAILURES)
        .description("Stream thread failures, by the task that failed").tag("task", t).register(registry))
        .increment();
  }

  /** A dashboard client was dropped: {@link #DROPPED_SLOW} or {@link #DROPPED_SEND_FAILED}. */
  public void dashboardClientDropped(String reason) {
    Counter c = dashboardDropped.get(reason);
    if (c == null) {
      throw new IllegalArgumentException("Unknown dashboard drop reason " + reason);
    }
    c.increment();
  }

  /** A browser was turned away from the feed for the client cap. */
  public void dashboardSubscriptionRefused() {
    dashboardRefused.increment();
  }

  /** Exports the number of connected dashboard feed clients ({@code fusion_dashboard_clients}). */
  public void bindDashboardClients(java.util.function.IntSupplier clients) {
    // strong: the supplier is often a method reference nothing else holds
    Gauge.builder(DASHBOARD_CLIENTS, clients, java.util.function.IntSupplier::getAsInt).strongReference(true)
        .description("Dashboard feed clients connected now").register(registry);
  }

  /** Sets the model version in use; the info gauge of the previous version is removed. */
  public void modelVersion(String version) {
    Objects.requireNonNull(version, "version");
    String previous = modelVersion.getAndSet(version);
    if (version.equals(previous)) {
      return;
    }
    Gauge gauge = Gauge.builder(MODEL_INFO, () -> 1).description("The fusion model version in use (value 1)")
        .tag("version", version).register(registry);
    Gauge old = modelInfo.getAndSet(gauge);
    if (old != null && old != gauge) {
      registry.remove(old);
    }
  }

  public Optional<String> modelVersion() {
    return Optional.ofNullable(modelVersion.get());
  }

  // ---- binders ---------------------------------------------------------------------------------

  /**
   * Bridges the client metrics of Kafka Streams (consumer lag, commit rate, thread and task metrics,
   * all under {@code kafka_...}) and exports the client state as {@code fusion_streams_state{state}}
   * (1 for the current state, 0 for the others), which Kafka exports only as a string.
   */
  public void bindKafkaStreams(KafkaStreams kafkaStreams) {
    Objects.requireNonNull(kafkaStreams, "kafkaStreams");
    if (!streams.compareAndSet(null, kafkaStreams)) {
      throw new IllegalStateException("A KafkaStreams client is already bound to these metrics");
    }
    KafkaStreamsMetrics binder = new KafkaStreamsMetrics(kafkaStreams);
    binder.bindTo(registry);
    synchronized (closeables) {
      closeables.add(binder);
    }
    for (KafkaStreams.State state : KafkaStreams.State.values()) {
      Gauge.builder(STREAMS_STATE, kafkaStreams, s -> s.state() == state ? 1 : 0)
          .description("Kafka Streams client state (1 = current)").tag("state", state.name())
          .register(registry);
    }
  }

  public Optional<KafkaStreams.State> streamsState() {
    KafkaStreams bound = streams.get();
    return bound == null ? Optional.empty() : Optional.of(bound.state());
  }

  /** JVM memory, GC, threads, class loading, CPU and uptime, under their usual Micrometer names. */
  public void bindJvm() {
    JvmGcMetrics gc = new JvmGcMetrics();
    for (MeterBinder binder : List.of(new JvmMemoryMetrics(), gc, new JvmThreadMetrics(),
        new ClassLoaderMetrics(), new ProcessorMetrics(), new UptimeMetrics())) {
      binder.bindTo(registry);
    }
    synchronized (closeables) {
      closeables.add(gc);
    }
  }

  // ---- reading ---------------------------------------------------------------------------------

  /** The Prometheus text exposition format 0.0.4 of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** End-to-end latency at quantile q over the rolling window, in seconds; NaN before any record. */
  public double endToEndQuantileSeconds(double q) {
    if (endToEnd.count() == 0) {
      return Double.NaN;
    }
    for (ValueAtPercentile v : endToEnd.takeSnapshot().percentileValues()) {
      if (v.percentile() == q) {
        return v.value(TimeUnit.SECONDS);
      }
    }
    throw new IllegalArgumentException("Quantile " + q + " is not tracked; tracked: 0.5, 0.95, 0.99");
  }

  /** Sum of a counter family over all its label values (used by the dashboard to compute rates). */
  double counterTotal(String name) {
    return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  /** Current counts of a counter family keyed by one tag's value. */
  Map<String, Double> counterByTag(String name, String tag) {
    Map<String, Double> out = new TreeMap<>();
    for (Counter c : registry.find(name).counters()) {
      out.merge(c.getId().getTag(tag), c.count(), Double::sum);
    }
    return out;
  }

  /** Count and total of each batch stage's distribution, keyed by stage. */
  Map<String, double[]> batchTotals() {
    Map<String, double[]> out = new TreeMap<>();
    for (Meter m : registry.find(BATCH_SIZE).summaries()) {
      DistributionSummary s = (DistributionSummary) m;
      out.put(s.getId().getTag("stage"), new double[] {s.count(), s.totalAmount(), s.max()});
    }
    return out;
  }

  @Override
  public void close() {
    List<AutoCloseable> toClose;
    synchronized (closeables) {
      toClose = new ArrayList<>(closeables);
      closeables.clear();
    }
    for (AutoCloseable c : toClose) {
      try {
        c.close();
      } catch (Exception e) {
        // Closing a binder only unregisters listeners; a failure must not stop the others.
        LOG.warn("Closing metrics binder {} failed", c, e);
      }
    }
    registry.close();
  }

  static String modalityLabel(Modality modality) {
    return modality.name().toLowerCase(Locale.ROOT);
  }

  private static String orUnknown(String code) {
    return code == null || code.isBlank() ? "unknown" : code;
  }

  /** Prometheus label values of batch stages use underscores, whatever the pipeline calls them. */
  static String stageLabel(String stage) {
    return orUnknown(stage).replace('-', '_');
  }
}
