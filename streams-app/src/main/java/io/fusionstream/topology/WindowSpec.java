package io.fusionstream.topology;

import java.util.ArrayList;
import java.util.List;

/**
 * Event-time windows aligned to the epoch: tumbling when {@code advanceMs == sizeMs}, hopping when
 * smaller. A window [start, start + size) closes once its session's event time reaches end + grace.
 *
 * <p>Event times come from devices, so every sum here is guarded: an event time past
 * {@link #maxEventTime()} is refused by the decode stage, and below it no window end, end + grace or
 * end + grace + idle timeout can overflow a long.
 */
public record WindowSpec(long sizeMs, long advanceMs, long graceMs) {
  /** Far beyond any real clock (year ~146 million), and leaves room for every sum below. */
  private static final long MAX_EVENT_TIME = Long.MAX_VALUE / 4;
  private static final long MAX_SPAN = Long.MAX_VALUE / 8;

  public WindowSpec {
    if (sizeMs <= 0 || advanceMs <= 0 || advanceMs > sizeMs || graceMs < 0 || sizeMs > MAX_SPAN
        || graceMs > MAX_SPAN) {
      throw new IllegalArgumentException("bad window: size " + sizeMs + ", advance " + advanceMs + ", grace " + graceMs);
    }
  }

  /** The largest event time a window can be computed for without overflow. */
  public static long maxEventTime() {
    return MAX_EVENT_TIME;
  }

  /** Starts of every window that contains {@code eventTime}, oldest first. */
  public List<Long> windowStarts(long eventTime) {
    if (eventTime < 0 || eventTime > MAX_EVENT_TIME) {
      throw new IllegalArgumentException("event time " + eventTime + " is outside 0.." + MAX_EVENT_TIME);
    }
    long first = Math.max(0, eventTime - sizeMs + advanceMs) / advanceMs * advanceMs;
    List<Long> starts = new ArrayList<>((int) Math.min(sizeMs / advanceMs + 1, 1024));
    for (long s = first; s <= eventTime; s += advanceMs) {
      starts.add(s);
    }
    return starts;
  }

  /** End of the window starting at {@code start}. */
  public long end(long start) {
    return start + sizeMs;
  }

  /** Whether a window ending at {@code windowEnd} is closed once its session's time is {@code sessionTime}. */
  public boolean isClosed(long windowEnd, long sessionTime) {
    return sessionTime != Long.MIN_VALUE && windowEnd + graceMs <= sessionTime;
  }
}
