package io.fusionstream.decode;

/**
 * One input cannot be used: it does not decode, or breaks a configured limit. The topology turns
 * it into a dead letter; {@link #reason()} is a stable, short, kebab-case code used as the metric
 * label and the dead-letter header value (e.g. {@code image-too-large}, {@code audio-bad-header}).
 */
public class InvalidInputException extends Exception {
  private final String reason;

  public InvalidInputException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public InvalidInputException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
