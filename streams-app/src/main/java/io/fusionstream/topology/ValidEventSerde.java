package io.fusionstream.topology;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
 * State serde of a validated event waiting to be encoded: the ingest time and the event in plain
 * Avro binary with the generated class's schema (our own state needs no registry). The decoded
 * payload is deliberately not written; see {@link ValidEvent}.
 */
final class ValidEventSerde<E extends SpecificRecord, I> implements Serde<ValidEvent<E, I>> {
  private static final byte VERSION = 1;
  private final ModalityRoute<E, I> route;

  ValidEventSerde(ModalityRoute<E, I> route) {
    this.route = route;
  }

  @Override
  public Serializer<ValidEvent<E, I>> serializer() {
    SpecificDatumWriter<E> writer = new SpecificDatumWriter<>(route.eventType());
    return (topic, v) -> v == null ? null : Bin.write(VERSION, out -> {
      out.writeLong(v.ingestWallMs());
      ByteArrayOutputStream avro = new ByteArrayOutputStream();
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(avro, null);
      writer.write(v.event(), enc);
      enc.flush();
      Bin.writeBytes(out, avro.toByteArray());
    });
  }

  @Override
  public Deserializer<ValidEvent<E, I>> deserializer() {
    SpecificDatumReader<E> reader = new SpecificDatumReader<>(route.eventType());
    return (topic, data) -> data == null ? null : Bin.read(data, VERSION, route.name() + " event", in -> {
      long ingest = in.readLong();
      byte[] avro = Bin.readBytes(in);
      E event;
      try {
        event = reader.read(null, DecoderFactory.get().binaryDecoder(avro, null));
      } catch (IOException | RuntimeException e) {
        throw new SerializationException("corrupt pending " + route.name() + " event in state", e);
      }
      return new ValidEvent<>(route.modality(), route.sessionId().apply(event),
          route.eventTime().applyAsLong(event), ingest, event, null);
    });
  }
}
