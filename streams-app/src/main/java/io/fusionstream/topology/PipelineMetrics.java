package io.fusionstream.topology;

import io.fusionstream.schema.Modality;

/**
 * What the pipeline reports about itself. The topology only calls these hooks; the monitoring
 * module binds them to Micrometer. Implementations must be thread-safe: every stream thread and
 * the exception handlers call them.
 */
public interface PipelineMetrics {

  /** Why a window left the window stage. */
  enum EmitTrigger {
    /** Stream time passed the window's end + grace. */
    CLOSE,
    /** No stream-time progress, but the wall clock passed end + grace + idle timeout. */
    IDLE
  }

  /** Stage names passed to {@link #batch}. */
  String STAGE_FUSE = "fuse";

  static String encodeStage(Modality modality) {
    return "encode-" + modality.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** One record arrived on a modality's input topic (before validation). */
  void eventIn(Modality modality);

  /** One record went to the dead-letter topic, with its reason code. */
  void deadLetter(String reason);

  /** An event arrived after its window had closed and was not aggregated. */
  void lateDropped(Modality modality);

  void windowEmitted(EmitTrigger trigger);

  /** A closed window was not fused, e.g. {@code missing-required-modality}. */
  void windowSkipped(String reason);

  /** One batch of {@code stage} ran: how many records and how long the model took. */
  void batch(String stage, int size, long nanos);

  /** Wall-clock time from the ingest of a window's last event to its prediction. */
  void endToEndLatency(long millis);

  void prediction(String label);

  /**
   * The modalities present in a window that was fused (called with each prediction). A default
   * no-op so implementations that do not track presence need not change.
   */
  default void modalitiesPresent(java.util.Collection<Modality> present) {}

  /**
   * An event's own time was outside the configured bounds of the wall clock; {@code policy} says what
   * happened to it ({@code dead-letter} or {@code use-arrival-time}).
   */
  default void eventTimeOutOfBounds(Modality modality, String policy) {}

  /** A fusion model version was refused (it does not fit the running encoders) and the old one kept. */
  default void modelRefused() {}

  /** The fusion model version a batch is fused with (called per batch, so a hot swap shows at once). */
  default void modelInUse(String version) {}

  /**
   * A dead letter was refused by Kafka and sent again without its key and value, e.g. reason
   * {@code output-too-large}.
   */
  default void deadLetterPayloadDropped(String reason) {}

  /** A write Kafka refused could not be dead-lettered at all and was skipped. */
  default void outputSkipped(String reason) {}

  PipelineMetrics NOOP = new PipelineMetrics() {
    @Override public void eventIn(Modality modality) {}
    @Override public void deadLetter(String reason) {}
    @Override public void lateDropped(Modality modality) {}
    @Override public void windowEmitted(EmitTrigger trigger) {}
    @Override public void windowSkipped(String reason) {}
    @Override public void batch(String stage, int size, long nanos) {}
    @Override public void endToEndLatency(long millis) {}
    @Override public void prediction(String label) {}
  };
}
