package io.fusionstream.topology;

import io.fusionstream.schema.Modality;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A session window that closed, pooled per modality, on its way to the fuse stage.
 *
 * @param lastIngestWallMs wall-clock ingest time of the window's newest event, for end-to-end latency
 */
public record ClosedWindow(String sessionId, long start, long end, Map<Modality, Pooled> modalities,
    long lastIngestWallMs) {

  /** One modality of a window: the pooled embedding and what went into it. */
  public record Pooled(float[] embedding, int count, long firstEventTime, long lastEventTime) {}

  public Map<Modality, float[]> embeddings() {
    Map<Modality, float[]> out = new EnumMap<>(Modality.class);
    modalities.forEach((m, p) -> out.put(m, p.embedding()));
    return out;
  }

  /** State serde for the fuse stage's pending store. */
  static final class ClosedWindowSerde implements Serde<ClosedWindow> {
    private static final byte VERSION = 1;
    private static final Modality[] MODALITIES = Modality.values();

    @Override
    public Serializer<ClosedWindow> serializer() {
      return (topic, w) -> w == null ? null : Bin.write(VERSION, out -> {
        out.writeUTF(w.sessionId());
        out.writeLong(w.start());
        out.writeLong(w.end());
        out.writeLong(w.lastIngestWallMs());
        out.writeByte(w.modalities().size());
        for (Map.Entry<Modality, Pooled> e : w.modalities().entrySet()) {
          out.writeByte(e.getKey().ordinal());
          out.writeInt(e.getValue().count());
          out.writeLong(e.getValue().firstEventTime());
          out.writeLong(e.getValue().lastEventTime());
          Bin.writeFloats(out, e.getValue().embedding());
        }
      });
    }

    @Override
    public Deserializer<ClosedWindow> deserializer() {
      return (topic, data) -> data == null ? null : Bin.read(data, VERSION, "closed window", in -> {
        String session = in.readUTF();
        long start = in.readLong();
        long end = in.readLong();
        long ingest = in.readLong();
        int n = in.readByte();
        Map<Modality, Pooled> mods = new EnumMap<>(Modality.class);
        for (int i = 0; i < n; i++) {
          Modality m = MODALITIES[in.readByte()];
          int count = in.readInt();
          long first = in.readLong();
          long last = in.readLong();
          mods.put(m, new Pooled(Bin.readFloats(in), count, first, last));
        }
        return new ClosedWindow(session, start, end, mods, ingest);
      });
    }
  }
}
