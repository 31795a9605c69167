package io.fusionstream.topology;

import java.util.ArrayList;
import java.util.List;

/**
 * Event-time windows aligned to the epoch: tumbling when {@code advanceMs == sizeMs}, hopping when
 * smaller. A window [start, start + size) closes once stream time reaches end + grace.
 */
public record WindowSpec(long sizeMs, long advanceMs, long graceMs) {
  public WindowSpec {
    if (sizeMs <= 0 || advanceMs <= 0 || advanceMs > sizeMs || graceMs < 0) {
      throw new IllegalArgumentException("bad window: size " + sizeMs + ", advance " + advanceMs + ", grace " + graceMs);
    }
  }

  /** Starts of every window that contains {@code eventTime}, oldest first. */
  public List<Long> windowStarts(long eventTime) {
    long first = Math.max(0, eventTime - sizeMs + advanceMs) / advanceMs * advanceMs;
    List<Long> starts = new ArrayList<>((int) (sizeMs / advanceMs) + 1);
    for (long s = first; s <= eventTime; s += advanceMs) {
      starts.add(s);
    }
    return starts;
  }

  public boolean isClosed(long windowEnd, long streamTime) {
    return windowEnd + graceMs <= streamTime;
  }
}
