package io.fusionstream.topology;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Binary serde of {@link PendingRecord}, over the serdes of its key and value. */
final class PendingRecordSerde<K, V> implements Serde<PendingRecord<K, V>> {
  private static final byte VERSION = 1;
  private final Serde<K> keySerde;
  private final Serde<V> valueSerde;

  PendingRecordSerde(Serde<K> keySerde, Serde<V> valueSerde) {
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
  }

  @Override
  public Serializer<PendingRecord<K, V>> serializer() {
    return (topic, p) -> p == null ? null : Bin.write(VERSION, out -> {
      out.writeLong(p.timestamp());
      out.writeLong(p.enqueuedWallMs());
      Bin.writeBytes(out, keySerde.serializer().serialize(topic, p.key()));
      Bin.writeBytes(out, valueSerde.serializer().serialize(topic, p.value()));
    });
  }

  @Override
  public Deserializer<PendingRecord<K, V>> deserializer() {
    return (topic, data) -> data == null ? null : Bin.read(data, VERSION, "pending record", in -> {
      long timestamp = in.readLong();
      long enqueued = in.readLong();
      K key = keySerde.deserializer().deserialize(topic, Bin.readBytes(in));
      V value = valueSerde.deserializer().deserialize(topic, Bin.readBytes(in));
      return new PendingRecord<>(key, value, timestamp, enqueued);
    });
  }
}
