package io.fusionstream.topology;

import io.fusionstream.schema.Modality;
import io.fusionstream.serde.AvroSerializer;
import io.fusionstream.serde.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Dead letters of the batching stages, rendered from what their pending store holds: the event an
 * encode batch rejects goes out in the Confluent wire format it came in (its schema looked up or
 * registered under the input topic's subject; plain Avro binary with a header saying so when the
 * registry refuses), and a window the fuse stage rejects as a JSON summary (it is the pipeline's
 * own intermediate, not anybody's input).
 */
final class StageDeadLetters {
  /** Set on a dead letter whose value is not in the Confluent wire format: {@code avro-binary} or {@code json}. */
  static final String HEADER_VALUE_FORMAT = "fusion.dlq.value.format";

  private StageDeadLetters() {}

  static BatchingProcessor.DeadLetterRenderer<String, ValidEvent<?, ?>> events(List<ModalityRoute<?, ?>> routes,
      SchemaRegistryClient registry, Map<String, ?> serdeSettings) {
    Map<Modality, Serializer<SpecificRecord>> serializers = new EnumMap<>(Modality.class);
    Map<Modality, String> topics = routes.stream()
        .collect(Collectors.toMap(ModalityRoute::modality, ModalityRoute::topic, (a, b) -> a, () -> new EnumMap<>(Modality.class)));
    for (ModalityRoute<?, ?> r : routes) {
      AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(registry);
      serializer.configure(serdeSettings, false);
      serializers.put(r.modality(), serializer);
    }
    return (member, rejection) -> {
      ValidEvent<?, ?> e = member.value();
      ValidEvent.Source source = e.source();
      var headers = DeadLetters.headers(rejection.reason(), rejection.cause(), source.topic(), source.partition(),
          source.offset());
      byte[] value;
      try {
        value = serializers.get(e.modality()).serialize(topics.get(e.modality()), e.event());
      } catch (RuntimeException registryRefused) {
        value = ValidEventSerde.avro(e.event());
        headers.add(HEADER_VALUE_FORMAT, utf8("avro-binary"));
      }
      return new DeadLetterRecord(utf8(e.sessionId()), value, headers);
    };
  }

  static BatchingProcessor.DeadLetterRenderer<String, ClosedWindow> windows() {
    return (member, rejection) -> {
      ClosedWindow w = member.value();
      StringBuilder json = new StringBuilder("{\"session_id\":").append(quote(w.sessionId()))
          .append(",\"window_start\":").append(w.start()).append(",\"window_end\":").append(w.end())
          .append(",\"modalities\":{");
      String sep = "";
      for (Map.Entry<Modality, ClosedWindow.Pooled> m : w.modalities().entrySet()) {
        json.append(sep).append(quote(m.getKey().name().toLowerCase(java.util.Locale.ROOT)))
            .append(":{\"events\":").append(m.getValue().count())
            .append(",\"dimension\":").append(m.getValue().embedding().length).append('}');
        sep = ",";
      }
      json.append("}}");
      var headers = DeadLetters.headers(rejection.reason(), rejection.cause(), null, -1, -1);
      headers.add(HEADER_VALUE_FORMAT, utf8("json"));
      return new DeadLetterRecord(utf8(w.sessionId()), utf8(json.toString()), headers);
    };
  }

  /** Forwards the dead letters a batching stage emitted, as raw records with their headers. */
  static final class Forwarder<V> extends ContextualProcessor<String, StageOutput<V>, byte[], byte[]> {
    private final DeadLetterPolicy policy;

    Forwarder(DeadLetterPolicy policy) {
      this.policy = policy;
    }

    @Override
    public void process(Record<String, StageOutput<V>> record) {
      // applied here, after the pending store, so every stage's letters pass the same policy
      DeadLetterRecord letter = DeadLetters.apply(record.value().deadLetter(), policy);
      context().forward(new Record<>(letter.key(), letter.value(), record.timestamp(), letter.headers()));
    }
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
