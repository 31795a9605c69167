package io.fusionstream.topology;

import io.fusionstream.schema.Modality;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The running state of one session window: per modality the pooled embedding (running sum for mean
 * pooling, element-wise max for max pooling, in double so the order events arrive in does not
 * matter beyond rounding), the event count and first/last event time. No payloads: a few KB.
 *
 * <p>A window emitted by the idle timeout stays as an empty marker ({@link #emitted}) until stream
 * time closes it, so an event that still arrives for it is dropped as late instead of opening a
 * second result for the same window.
 */
final class WindowAggregate {
  private boolean emitted;
  private long lastEventWallMs;
  private long lastIngestWallMs;
  private final Map<Modality, Pool> pools = new EnumMap<>(Modality.class);

  private static final class Pool {
    int count;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    double[] values;
  }

  boolean emitted() {
    return emitted;
  }

  long lastEventWallMs() {
    return lastEventWallMs;
  }

  void add(EncodedEvent e, long wallNowMs, boolean maxPooling) {
    Pool p = pools.computeIfAbsent(e.modality(), m -> new Pool());
    float[] v = e.vector();
    if (p.values == null) {
      p.values = new double[v.length];
      for (int i = 0; i < v.length; i++) {
        p.values[i] = v[i];
      }
    } else {
      if (p.values.length != v.length) {
        throw new IllegalStateException(e.modality() + " vector of length " + v.length
            + " does not match the window's " + p.values.length);
      }
      for (int i = 0; i < v.length; i++) {
        p.values[i] = maxPooling ? Math.max(p.values[i], v[i]) : p.values[i] + v[i];
      }
    }
    p.count++;
    p.first = Math.min(p.first, e.eventTime());
    p.last = Math.max(p.last, e.eventTime());
    lastEventWallMs = wallNowMs;
    lastIngestWallMs = Math.max(lastIngestWallMs, e.ingestWallMs());
  }

  boolean hasAll(java.util.Set<Modality> required) {
    return pools.keySet().containsAll(required);
  }

  ClosedWindow close(WindowKey key, boolean maxPooling) {
    Map<Modality, ClosedWindow.Pooled> out = new EnumMap<>(Modality.class);
    pools.forEach((m, p) -> {
      float[] pooled = new float[p.values.length];
      for (int i = 0; i < pooled.length; i++) {
        pooled[i] = (float) (maxPooling ? p.values[i] : p.values[i] / p.count);
      }
      out.put(m, new ClosedWindow.Pooled(pooled, p.count, p.first, p.last));
    });
    return new ClosedWindow(key.sessionId(), key.start(), key.end(), out, lastIngestWallMs);
  }

  /** The marker left behind by an idle emission. */
  static WindowAggregate emittedMarker() {
    WindowAggregate w = new WindowAggregate();
    w.emitted = true;
    return w;
  }

  static final class WindowAggregateSerde implements Serde<WindowAggregate> {
    private static final byte VERSION = 1;
    private static final Modality[] MODALITIES = Modality.values();

    @Override
    public Serializer<WindowAggregate> serializer() {
      return (topic, w) -> w == null ? null : Bin.write(VERSION, 64 + 3 * 1024 * w.pools.size(), out -> write(out, w));
    }

    private static void write(DataOutputStream out, WindowAggregate w) throws IOException {
      out.writeBoolean(w.emitted);
      out.writeLong(w.lastEventWallMs);
      out.writeLong(w.lastIngestWallMs);
      out.writeByte(w.pools.size());
      for (Map.Entry<Modality, Pool> e : w.pools.entrySet()) {
        Pool p = e.getValue();
        out.writeByte(e.getKey().ordinal());
        out.writeInt(p.count);
        out.writeLong(p.first);
        out.writeLong(p.last);
        Bin.writeDoubles(out, p.values);
      }
    }

    @Override
    public Deserializer<WindowAggregate> deserializer() {
      return (topic, data) -> data == null ? null : Bin.read(data, VERSION, "window", WindowAggregateSerde::read);
    }

    private static WindowAggregate read(DataInputStream in) throws IOException {
      WindowAggregate w = new WindowAggregate();
      w.emitted = in.readBoolean();
      w.lastEventWallMs = in.readLong();
      w.lastIngestWallMs = in.readLong();
      int n = in.readByte();
      for (int i = 0; i < n; i++) {
        Pool p = new Pool();
        Modality m = MODALITIES[in.readByte()];
        p.count = in.readInt();
        p.first = in.readLong();
        p.last = in.readLong();
        p.values = Bin.readDoubles(in);
        w.pools.put(m, p);
      }
      return w;
    }
  }
}
