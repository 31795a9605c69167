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
 * time and the event in plain Avro binary with its generated class's schema (our own state needs no
 * registry). The decoded payload is deliberately not written; see {@link ValidEvent}.
 */
final class ValidEventSerde implements Serde<ValidEvent<?, ?>> {
  private static final byte VERSION = 1;
  private static final Modality[] MODALITIES = Modality.values();
  private final Map<Modality, ModalityRoute<?, ?>> routes = new EnumMap<>(Modality.class);

  ValidEventSerde(List<ModalityRoute<?, ?>> routes) {
    routes.forEach(r -> this.routes.put(r.modality(), r));
  }

  @Override
  public Serializer<ValidEvent<?, ?>> serializer() {
    return (topic, v) -> v == null ? null : Bin.write(VERSION, out -> {
      out.writeByte(v.modality().ordinal());
      out.writeLong(v.ingestWallMs());
      Bin.writeBytes(out, avro(v.event()));
    });
  }

  private static byte[] avro(SpecificRecord event) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
    new SpecificDatumWriter<SpecificRecord>(event.getSchema()).write(event, enc);
    enc.flush();
    return bytes.toByteArray();
  }

  @Override
  public Deserializer<ValidEvent<?, ?>> deserializer() {
    return (topic, data) -> data == null ? null : Bin.read(data, VERSION, "pending event", in -> {
      Modality modality = MODALITIES[in.readByte()];
      long ingest = in.readLong();
      byte[] avro = Bin.readBytes(in);
      ModalityRoute<?, ?> route = routes.get(modality);
      if (route == null) {
        throw new SerializationException("pending " + modality + " event in state, but no " + modality
            + " route is configured any more");
      }
      return read(route, ingest, avro);
    });
  }

  private static <E extends SpecificRecord, I> ValidEvent<E, I> read(ModalityRoute<E, I> route, long ingest, byte[] avro) {
    E event;
    try {
      event = new SpecificDatumReader<>(route.eventType()).read(null, DecoderFactory.get().binaryDecoder(avro, null));
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("corrupt pending " + route.name() + " event in state", e);
    }
    return new ValidEvent<>(route.modality(), route.sessionId().apply(event),
        route.eventTime().applyAsLong(event), ingest, event, null);
  }
}
