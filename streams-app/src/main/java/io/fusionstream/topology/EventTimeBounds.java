package io.fusionstream.topology;

import io.fusionstream.config.FusionConfig;

/**
 * How far an event's own time may stray from the wall clock: {@code maxFutureMs} ahead (a device
 * clock running fast), {@code maxAgeMs} behind (a replayed or stuck device; {@code Long.MAX_VALUE}
 * for no bound). Outside the bounds the policy either dead-letters the event or replaces its time
 * with the time it reached Kafka.
 */
record EventTimeBounds(long maxFutureMs, long maxAgeMs, boolean useArrivalTime) {

  static EventTimeBounds of(FusionConfig config) {
    Long age = config.getLong(FusionConfig.EVENT_TIME_MAX_AGE_MS);
    return new EventTimeBounds(config.getLong(FusionConfig.EVENT_TIME_MAX_FUTURE_MS),
        age == null || age < 0 ? Long.MAX_VALUE : age,
        FusionConfig.OUT_OF_BOUNDS_ARRIVAL_TIME.equals(config.getString(FusionConfig.EVENT_TIME_OUT_OF_BOUNDS)));
  }

  /** No bound at all (tests of other behaviour that replay fixed old timestamps). */
  static EventTimeBounds unbounded() {
    return new EventTimeBounds(Long.MAX_VALUE, Long.MAX_VALUE, false);
  }

  String policyName() {
    return useArrivalTime ? FusionConfig.OUT_OF_BOUNDS_ARRIVAL_TIME : FusionConfig.OUT_OF_BOUNDS_DEAD_LETTER;
  }

  /** Whether {@code eventTime} is usable at wall-clock time {@code now}; negative times never are. */
  boolean accepts(long eventTime, long now) {
    if (eventTime < 0 || eventTime > WindowSpec.maxEventTime()) {
      return false;
    }
    // Written as differences so that no bound, however large, overflows.
    boolean tooFarAhead = eventTime > now && eventTime - now > maxFutureMs;
    boolean tooOld = eventTime < now && now - eventTime > maxAgeMs;
    return !tooFarAhead && !tooOld;
  }

  /**
   * The time to use instead of an out-of-bounds one: the Kafka record's timestamp, or the wall clock
   * when that is out of bounds too (a producer with a wrong clock stamps its records with it as well).
   */
  long arrivalTime(long recordTimestamp, long now) {
    return accepts(recordTimestamp, now) ? recordTimestamp : now;
  }
}
