package io.fusionstream.topology;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One session's own event-time progress and the windows it has in the window store.
 *
 * <p>Lateness is judged against this clock, never against other sessions: a device whose clock runs
 * ahead moves only its own session's time, so it cannot make another session's events late. The
 * open-window list lets the window stage close a session's windows without scanning other
 * sessions'; it stays short, since a session only has windows ending after its time - grace
 * (at most (size + grace) / advance + 1 of them) plus emitted markers until they expire.
 *
 * @param eventTime the largest event time seen for the session
 * @param lastWallMs wall-clock time of the session's latest event, for expiry
 * @param windows the (end, start) pairs of the session's windows in the window store
 */
record SessionClock(long eventTime, long lastWallMs, List<long[]> windows) {

  static SessionClock empty() {
    return new SessionClock(Long.MIN_VALUE, Long.MIN_VALUE, List.of());
  }

  SessionClock advance(long eventTime, long wallMs) {
    return new SessionClock(Math.max(this.eventTime, eventTime), Math.max(lastWallMs, wallMs), windows);
  }

  boolean hasWindow(long end, long start) {
    for (long[] w : windows) {
      if (w[0] == end && w[1] == start) {
        return true;
      }
    }
    return false;
  }

  SessionClock withWindow(long end, long start) {
    List<long[]> more = new ArrayList<>(windows.size() + 1);
    more.addAll(windows);
    more.add(new long[] {end, start});
    return new SessionClock(eventTime, lastWallMs, more);
  }

  SessionClock withoutWindow(long end, long start) {
    List<long[]> kept = new ArrayList<>(windows.size());
    for (long[] w : windows) {
      if (w[0] != end || w[1] != start) {
        kept.add(w);
      }
    }
    return new SessionClock(eventTime, lastWallMs, kept);
  }

  /** State serde of the window stage's per-session clock store. */
  static final class SessionClockSerde implements Serde<SessionClock> {
    private static final byte VERSION = 1;

    @Override
    public Serializer<SessionClock> serializer() {
      return (topic, c) -> c == null ? null : Bin.write(VERSION, out -> {
        out.writeLong(c.eventTime());
        out.writeLong(c.lastWallMs());
        out.writeInt(c.windows().size());
        for (long[] w : c.windows()) {
          out.writeLong(w[0]);
          out.writeLong(w[1]);
        }
      });
    }

    @Override
    public Deserializer<SessionClock> deserializer() {
      return (topic, data) -> data == null ? null : Bin.read(data, VERSION, "session clock", in -> {
        long eventTime = in.readLong();
        long wall = in.readLong();
        int n = in.readInt();
        if (n < 0 || n > (data.length - 21) / 16) {
          throw new java.io.IOException("session clock claims " + n + " windows");
        }
        List<long[]> windows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          windows.add(new long[] {in.readLong(), in.readLong()});
        }
        return new SessionClock(eventTime, wall, windows);
      });
    }
  }
}
