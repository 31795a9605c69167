package io.fusionstream.serde;

import io.fusionstream.registry.InMemorySchemaRegistryClient;
import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.TextEvent;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Prints serialize + deserialize throughput per schema with a warm (cached) registry client:
 * the serde's own cost per record, without network or broker. Not a test: run it by hand.
 */
public final class SerdeThroughputBench {
  private SerdeThroughputBench() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    run(registry, "text-events", TextEvent.class, SampleRecords.text(), n);
    run(registry, "image-frames", ImageFrameEvent.class, SampleRecords.image(), n);
    run(registry, "audio-chunks", AudioChunkEvent.class, SampleRecords.audio(), n);
    run(registry, "fused-predictions", FusedPrediction.class, SampleRecords.prediction(), n);
  }

  private static <T extends SpecificRecord> void run(InMemorySchemaRegistryClient registry, String topic,
      Class<T> type, T record, int n) {
    Serde<T> serde = AvroSerdes.specific(registry, type);
    long sink = 0;
    for (int round : List.of(0, 1)) { // round 0 warms the JIT up
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        byte[] bytes = serde.serializer().serialize(topic, record);
        sink += bytes.length + serde.deserializer().deserialize(topic, bytes).hashCode() % 2;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      if (round == 1) {
        System.out.printf("%-18s %9.0f round trips/s  (%d bytes each)%n", type.getSimpleName(), n / seconds,
            serde.serializer().serialize(topic, record).length);
      }
    }
    if (sink == 42) {
      System.out.println(); // keeps the loop from being optimised away
    }
  }
}
