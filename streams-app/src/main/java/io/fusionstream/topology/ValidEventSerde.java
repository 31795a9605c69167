package io.fusionstream.topology;

import io.fusionstream.schema.Modality;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * State serde of validated events waiting to be encoded, any modality: the modality, the ingest
 * time, the event time in use (the time policy may have replaced the event's own), where the event
 * was read, and the event in plain Avro binary with its generated class's schema (our own state
 * needs no registry). The decoded payload is deliberately not written; see {@link ValidEvent}.
 * Version 1 (before event time and source were kept) is still read.
 */
final class ValidEventSerde implements Serde<ValidEvent<?, ?>> {
  private static final byte VERSION = 2;
  private static final byte VERSION_1 = 1;
  private static final Modality[] MODALITIES = Modality.values();
  private final Map<Modality, ModalityRoute<?, ?>> routes = new EnumMap<>(Modality.class);

  ValidEventSerde(List<ModalityRoute<?, ?>> routes) {
    routes.forEach(r -> this.routes.put(r.modality(), r));
  }

  @Override
  public Serializer<ValidEvent<?, ?>> serializer() {
    return (topic, v) -> {
      if (v == null) {
        return null;
      }
      byte[] sourceTopic = v.source().topic().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] event = avro(v.event());
      return Bin.write(VERSION, 64 + sourceTopic.length + event.length, out -> {
        out.writeByte(v.modality().ordinal());
        out.writeLong(v.ingestWallMs());
        out.writeLong(v.eventTime());
        Bin.writeBytes(out, sourceTopic);
        out.writeInt(v.source().partition());
        out.writeLong(v.source().offset());
        Bin.writeBytes(out, event);
      });
    };
  }

  /** The event in plain Avro binary with its generated class's schema. */
  static byte[] avro(SpecificRecord event) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
    try {
      new SpecificDatumWriter<SpecificRecord>(event.getSchema()).write(event, enc);
      enc.flush();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // a byte array does not fail
    }
    return bytes.toByteArray();
  }

  @Override
  public Deserializer<ValidEvent<?, ?>> deserializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      boolean v1 = data.length > 0 && data[0] == VERSION_1;
      return Bin.read(data, v1 ? VERSION_1 : VERSION, "pending event", in -> {
        Modality modality = MODALITIES[in.readByte()];
        long ingest = in.readLong();
        Long eventTime = v1 ? null : in.readLong();
        ValidEvent.Source source = v1 ? ValidEvent.Source.UNKNOWN : new ValidEvent.Source(
            new String(Bin.readBytes(in), java.nio.charset.StandardCharsets.UTF_8), in.readInt(), in.readLong());
        byte[] avro = Bin.readBytes(in);
        ModalityRoute<?, ?> route = routes.get(modality);
        if (route == null) {
          throw new SerializationException("pending " + modality + " event in state, but no " + modality
              + " route is configured any more");
        }
        return read(route, ingest, eventTime, source, avro);
      });
    };
  }

  private static <E extends SpecificRecord, I> ValidEvent<E, I> read(ModalityRoute<E, I> route, long ingest,
      Long eventTime, ValidEvent.Source source, byte[] avro) {
    E event;
    try {
      event = new SpecificDatumReader<>(route.eventType()).read(null, DecoderFactory.get().binaryDecoder(avro, null));
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("corrupt pending " + route.name() + " event in state", e);
    }
    return new ValidEvent<>(route.modality(), route.sessionId().apply(event),
        eventTime != null ? eventTime : route.eventTime().applyAsLong(event), ingest, event, null, source);
  }
}
