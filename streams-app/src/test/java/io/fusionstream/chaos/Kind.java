package io.fusionstream.chaos;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * One kind of bad input: what to send, on which topic, and what the pipeline must do about it.
 * Each kind has a good session of its own, sent right after the bad input, whose prediction shows
 * that the pipeline went on.
 *
 * @param name what the kind is, as printed
 * @param topic where the bad input goes (a topic name, or where else it is put)
 * @param expect what must show that the bad input was handled
 * @param scenario sends the bad input and the good session
 * @param insideSession the bad input is an event of the good session itself (keyed by it), not a
 *     record of its own before it
 */
record Kind(String name, String topic, Expect expect, Scenario scenario, boolean insideSession) {

  /** The dead letter (or metric) that must show the bad input was handled. */
  record Expect(Check check, String value) {
    static Expect reason(String exact) {
      return new Expect(Check.EXACT, exact);
    }

    static Expect reasonStartingWith(String prefix) {
      return new Expect(Check.PREFIX, prefix);
    }

    static Expect anyReason() {
      return new Expect(Check.ANY, null);
    }

    /** A valid input: no dead letter at all. */
    static Expect noDeadLetter() {
      return new Expect(Check.NONE, null);
    }

    /** Nothing can be dead-lettered: this Prometheus counter on /metrics must rise instead. */
    static Expect counterRises(String counter) {
      return new Expect(Check.COUNTER, counter);
    }

    boolean accepts(String reason) {
      return switch (check) {
        case EXACT -> value.equals(reason);
        case PREFIX -> reason != null && reason.startsWith(value);
        case ANY -> reason != null && !reason.isBlank();
        case NONE, COUNTER -> false;
      };
    }

    @Override
    public String toString() {
      return switch (check) {
        case EXACT -> "reason " + value;
        case PREFIX -> "reason " + value + "*";
        case ANY -> "any reason";
        case NONE -> "no dead letter";
        case COUNTER -> value + " rises";
      };
    }
  }

  enum Check { EXACT, PREFIX, ANY, NONE, COUNTER }

  /** Sends a kind's bad input and its good session. */
  @FunctionalInterface
  interface Scenario {
    Sent run(Sender sender, Ids ids) throws Exception;
  }

  /**
   * The record key of the bad input (so its dead letter can be found) and the id of the good
   * session that follows it.
   */
  record Ids(String badKey, String session) {}

  /**
   * What a scenario sent.
   *
   * @param bad where the bad records landed: their dead letters carry these coordinates
   * @param sessionAtMs event time (and wall-clock send time) of the good session
   * @param counts the events per modality the good session's prediction must count
   * @param modelVersion the model version its prediction must carry, or null for any
   * @param counterBefore for {@link Check#COUNTER}: the counter's value before the bad input
   */
  record Sent(List<RecordMetadata> bad, long sessionAtMs, Map<String, Integer> counts, String modelVersion,
      double counterBefore) {}

  Ids ids() {
    String slug = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    return insideSession ? new Ids("good-" + slug, "good-" + slug) : new Ids("bad-" + slug, "good-" + slug);
  }
}
