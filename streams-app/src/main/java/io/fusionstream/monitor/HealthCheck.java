package io.fusionstream.monitor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Liveness and readiness of the application, from what the app tells it.
 *
 * <p>Ready: Kafka Streams is RUNNING and the models are loaded. Live: Kafka Streams has not failed
 * or stopped (a rebalance or a start-up is alive but not ready; a client in ERROR, or one that
 * shut down while the process stays up, needs a restart).
 *
 * @param kafkaStreamsState the name of the Kafka Streams client state, e.g. {@code streams.state().name()}
 * @param modelsLoaded whether the encoders and the fusion model are loaded
 */
public record HealthCheck(Supplier<String> kafkaStreamsState, BooleanSupplier modelsLoaded) {

  private static final Set<String> FAILED = Set.of("ERROR", "PENDING_ERROR", "NOT_RUNNING");

  public HealthCheck {
    Objects.requireNonNull(kafkaStreamsState, "kafkaStreamsState");
    Objects.requireNonNull(modelsLoaded, "modelsLoaded");
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
    boolean ready = "RUNNING".equals(state) && models;
    boolean live = !FAILED.contains(state);
    return new Result(ready, live, state, models);
  }

  /** One evaluation of the health. */
  public record Result(boolean ready, boolean live, String kafkaStreams, boolean models) {
    public Map<String, Object> body(boolean readiness) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("status", (readiness ? ready : live) ? "UP" : "DOWN");
      out.put("ready", ready);
      out.put("live", live);
      out.put("kafkaStreams", kafkaStreams);
      out.put("models", models ? "loaded" : "not_loaded");
      return out;
    }
  }
}
