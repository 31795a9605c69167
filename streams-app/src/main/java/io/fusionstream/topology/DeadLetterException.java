package io.fusionstream.topology;

/**
 * Thrown by a processor for one record that cannot be used. The processing exception handler
 * ({@link FusionProcessingExceptionHandler}) turns it into a dead letter carrying the record's
 * original bytes, and processing continues with the next record. The cause, when there is one, is
 * what the dead letter reports as the exception.
 */
public class DeadLetterException extends RuntimeException {
  private final String reason;

  public DeadLetterException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** Stable kebab-case reason code, e.g. {@code missing-session-id}. */
  public String reason() {
    return reason;
  }
}
