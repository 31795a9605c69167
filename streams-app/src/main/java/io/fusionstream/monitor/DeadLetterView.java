package io.fusionstream.monitor;

/**
 * One dead letter as the dashboard lists it.
 *
 * @param message the error message, cut to a readable length
 * @param at wall-clock time it was reported, epoch milliseconds
 */
public record DeadLetterView(String reason, String topic, int partition, long offset, String message, long at) {

  static final int MAX_MESSAGE = 300;

  static DeadLetterView of(String reason, String topic, int partition, long offset, String message, long at) {
    String text = message == null ? "" : message;
    if (text.length() > MAX_MESSAGE) {
      text = text.substring(0, MAX_MESSAGE - 1) + "…";
    }
    return new DeadLetterView(reason == null || reason.isBlank() ? "unknown" : reason, topic, partition, offset,
        text, at);
  }
}
