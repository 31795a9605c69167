package io.fusionstream.topology;

import io.fusionstream.schema.Modality;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One event after encoding, keyed by its session id: all the window stage needs of it.
 *
 * @param ingestWallMs wall-clock time the event entered the pipeline, for end-to-end latency
 */
public record EncodedEvent(Modality modality, long eventTime, long ingestWallMs, float[] vector) {

  /** Binary serde, used on the repartition topic between the encode and the window stage. */
  public static final class EncodedEventSerde implements Serde<EncodedEvent> {
    private static final byte VERSION = 1;
    private static final Modality[] MODALITIES = Modality.values();

    @Override
    public Serializer<EncodedEvent> serializer() {
      return (topic, e) -> e == null ? null : Bin.write(VERSION, out -> {
        out.writeByte(e.modality().ordinal());
        out.writeLong(e.eventTime());
        out.writeLong(e.ingestWallMs());
        Bin.writeFloats(out, e.vector());
      });
    }

    @Override
    public Deserializer<EncodedEvent> deserializer() {
      return (topic, data) -> data == null ? null : Bin.read(data, VERSION, "encoded event",
          in -> new EncodedEvent(MODALITIES[in.readByte()], in.readLong(), in.readLong(), Bin.readFloats(in)));
    }
  }
}
