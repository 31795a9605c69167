package io.fusionstream.monitor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Liveness and readiness of the application, from what the app tells it.
 *
 * <p>Ready: Kafka Streams is RUNNING and the models are loaded. Live: Kafka Streams has not failed
 * or stopped (a rebalance or a start-up is alive but not ready; a client in ERROR, or one that
 * shut down while the process stays up, needs a restart), and no task keeps failing: Kafka Streams
 * stays RUNNING while it replaces a stream thread that fails on the same record again and again,
 * so {@code failing} reports that loop (see {@code TaskFailureTracker}).
 *
 * @param kafkaStreamsState the name of the Kafka Streams client state, e.g. {@code streams.state().name()}
 * @param modelsLoaded whether the encoders and the fusion model are loaded
 * @param failing why the instance is unhealthy although Kafka Streams runs; empty when it is not
 */
public record HealthCheck(Supplier<String> kafkaStreamsState, BooleanSupplier modelsLoaded,
    Supplier<Optional<String>> failing) {

  private static final Set<String> FAILED = Set.of("ERROR", "PENDING_ERROR", "NOT_RUNNING");

  public HealthCheck {
    Objects.requireNonNull(kafkaStreamsState, "kafkaStreamsState");
    Objects.requireNonNull(modelsLoaded, "modelsLoaded");
    Objects.requireNonNull(failing, "failing");
  }

  /** Without a failure tracker: health follows the Kafka Streams state and the models only. */
  public HealthCheck(Supplier<String> kafkaStreamsState, BooleanSupplier modelsLoaded) {
    this(kafkaStreamsState, modelsLoaded, Optional::empty);
  }

  /** The health as JSON fields, and whether it is ready and alive. */
  public Result evaluate() {
    String state;
    try {
      state = Objects.requireNonNullElse(kafkaStreamsState.get(), "UNKNOWN");
    } catch (RuntimeException e) {
      state = "UNKNOWN";
    }
    boolean models = modelsLoaded.getAsBoolean();
    Optional<String> failure = failing.get();
    String reason = failure.orElse(FAILED.contains(state) ? "Kafka Streams is " + state : null);
    boolean ready = "RUNNING".equals(state) && models && failure.isEmpty();
    boolean live = reason == null;
    return new Result(ready, live, state, models, reason);
  }

  /** One evaluation of the health; {@code reason} says why it is not live (null when it is). */
  public record Result(boolean ready, boolean live, String kafkaStreams, boolean models, String reason) {
    public Map<String, Object> body(boolean readiness) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("status", (readiness ? ready : live) ? "UP" : "DOWN");
      out.put("ready", ready);
      out.put("live", live);
      out.put("kafkaStreams", kafkaStreams);
      out.put("models", models ? "loaded" : "not_loaded");
      if (reason != null) {
        out.put("reason", reason);
      }
      return out;
    }
  }
}
