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
    return (topic, p) -> {
      if (p == null) {
        return null;
      }
      byte[] key = keySerde.serializer().serialize(topic, p.key());
      byte[] value = valueSerde.serializer().serialize(topic, p.value());
      int size = 1 + 2 * Long.BYTES + 2 * Integer.BYTES + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
      return Bin.write(VERSION, size, out -> {
        out.writeLong(p.timestamp());
        out.writeLong(p.enqueuedWallMs());
        Bin.writeBytes(out, key);
        Bin.writeBytes(out, value);
      });
    };
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
