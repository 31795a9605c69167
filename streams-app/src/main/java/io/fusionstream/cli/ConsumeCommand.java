package io.fusionstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fusionstream.config.FusionConfig;
import io.fusionstream.serde.AvroDeserializer;
import io.fusionstream.serde.AvroSerdeConfig;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Prints fused predictions (or dead letters) as JSON lines or a table. */
@Command(name = "consume", mixinStandardHelpOptions = true,
    description = "Read fused-predictions (or fusion-dlq with --dlq) and print them.",
    footer = {"", "Examples:", "  ./fusion consume --bootstrap-server localhost:9092 --from-beginning --max-messages 10",
        "  ./fusion consume --from-beginning --format avro-json --property print.key=true",
        "  ./fusion consume --group dashboards --property schema.registry.url=http://registry:8081",
        "  ./fusion consume --follow --format table --session call-42",
        "  ./fusion consume --dlq --from-beginning"})
public final class ConsumeCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Mixin ClientOptions client;

  @Option(names = "--dlq", description = "Read the dead-letter topic instead of the predictions.")
  boolean dlq;

  @Option(names = "--format", defaultValue = "json", description = "json (one object per line), avro-json (Avro's"
      + " JSON encoding, as kafka-avro-console-consumer prints it) or table.")
  String format;

  @Option(names = "--from-beginning", description = "Start at the earliest record instead of the latest.")
  boolean fromBeginning;

  @Option(names = {"--max-messages", "--max"}, description = "Stop after this many records (waits for them).")
  Integer max;

  @Option(names = "--group", description = "Consumer group: read from its committed offsets and commit them, as"
      + " kafka-console-consumer --group does (--from-beginning then applies only where the group has none)."
      + " Default: no group, nothing committed.")
  String group;

  @Option(names = "--session", description = "Only this session's records.")
  String session;

  @Option(names = "--follow", description = "Keep waiting for new records until Ctrl-C.")
  boolean follow;

  @Option(names = "--timeout", defaultValue = "0", description = "Give up after this many seconds (0: no limit with --max/--follow).")
  long timeoutSeconds;

  static final String AVRO_JSON = "avro-json";

  private PrintStream out = System.out;
  private boolean printKey;
  private String keySeparator;
  private boolean headerPrinted;

  @Override
  public Integer call() {
    if (!format.equals("json") && !format.equals("table") && !format.equals(AVRO_JSON)) {
      throw new UsageException("Unknown --format '" + format + "': expected json, avro-json or table");
    }
    if (format.equals(AVRO_JSON) && dlq) {
      throw new UsageException("--format avro-json reads Avro values; dead letters are raw bytes: use json or table");
    }
    printKey = Boolean.parseBoolean(client.formatterProperty("print.key", "false"));
    keySeparator = client.formatterProperty("key.separator", "\t");
    FusionConfig config = client.fusionConfig();
    client.requireReachable(Duration.ofSeconds(10));
    String topic = dlq ? config.dlqTopic() : config.predictionsTopic();
    Map<String, Object> props = new HashMap<>(client.clientSettings());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group != null ? group : "fusion-consume-" + UUID.randomUUID());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, false);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      AvroDeserializer<GenericRecord> avro = new AvroDeserializer<>();
      avro.configure(props, false);
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map((PartitionInfo p) -> new TopicPartition(p.topic(), p.partition())).toList();
      if (partitions.isEmpty()) {
        throw new IllegalStateException("Topic " + topic + " does not exist (run ./fusion topics create)");
      }
      if (group != null) {
        consumer.subscribe(List.of(topic));
      } else {
        consumer.assign(partitions);
        if (fromBeginning) {
          consumer.seekToBeginning(partitions);
        } else {
          consumer.seekToEnd(partitions);
        }
      }
      Map<TopicPartition, Long> endAtStart = consumer.endOffsets(partitions);
      long deadline = timeoutSeconds > 0 ? System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos() : Long.MAX_VALUE;
      int printed = 0;
      while (max == null || printed < max) {
        if (System.nanoTime() > deadline) {
          break;
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          if (session != null && !session.equals(r.key())) {
            continue;
          }
          if (format.equals(AVRO_JSON)) {
            printAvroJson(r, avro);
          } else {
            print(dlq ? deadLetter(r) : prediction(r, avro));
          }
          if (max != null && ++printed >= max) {
            break;
          }
        }
        if (!follow && max == null && caughtUp(consumer, endAtStart)) {
          break;
        }
      }
      if (group != null) {
        consumer.commitSync();
      }
      avro.close();
    }
    return 0;
  }

  /** With a group, only once it has its partitions: before that no position means anything. */
  private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    var assigned = consumer.assignment();
    return !assigned.isEmpty() && end.entrySet().stream()
        .allMatch(e -> !assigned.contains(e.getKey()) || consumer.position(e.getKey()) >= e.getValue());
  }

  /**
   * One line per record in Avro's JSON encoding (unions as {"type": value}, bytes as ISO-8859-1
   * strings), the shape kafka-avro-console-consumer prints, so scripts written for it read ours.
   */
  private void printAvroJson(ConsumerRecord<String, byte[]> r, AvroDeserializer<GenericRecord> avro) {
    StringBuilder line = new StringBuilder();
    if (printKey) {
      line.append(r.key()).append(keySeparator);
    }
    if (r.value() == null) {
      line.append("null");
    } else {
      GenericRecord rec = avro.deserialize(r.topic(), r.value());
      try {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.JsonEncoder encoder = org.apache.avro.io.EncoderFactory.get().jsonEncoder(rec.getSchema(), buf);
        new org.apache.avro.generic.GenericDatumWriter<GenericRecord>(rec.getSchema()).write(rec, encoder);
        encoder.flush();
        line.append(buf.toString(StandardCharsets.UTF_8));
      } catch (java.io.IOException e) {
        throw new IllegalStateException("Cannot render record at offset " + r.offset() + " as Avro JSON", e);
      }
    }
    out.println(line);
  }

  private ObjectNode prediction(ConsumerRecord<String, byte[]> r, AvroDeserializer<GenericRecord> avro) {
    GenericRecord rec = avro.deserialize(r.topic(), r.value());
    try {
      ObjectNode node = (ObjectNode) JSON.readTree(rec.toString());
      return node;
    } catch (Exception e) {
      throw new IllegalStateException("Cannot render record at offset " + r.offset() + " as JSON", e);
    }
  }

  private static ObjectNode deadLetter(ConsumerRecord<String, byte[]> r) {
    ObjectNode node = JSON.createObjectNode();
    node.put("topic", r.topic()).put("partition", r.partition()).put("offset", r.offset());
    node.put("key", r.key());
    node.put("value_bytes", r.value() == null ? 0 : r.value().length);
    node.put("value_base64", r.value() == null ? null : Base64.getEncoder().encodeToString(r.value()));
    ObjectNode headers = node.putObject("headers");
    for (Header h : r.headers()) {
      if (!h.key().endsWith("stacktrace")) {
        headers.put(h.key(), text(h.value()));
      }
    }
    return node;
  }

  private static String text(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return "base64:" + Base64.getEncoder().encodeToString(bytes);
    }
  }

  private void print(ObjectNode node) {
    if (format.equals("json")) {
      // Jackson escapes C0 controls; DEL, C1 (a lone U+009B is a CSI to some terminals) and bidi
      // overrides would still reach the terminal raw. They can only occur inside JSON strings.
      out.println(escapeControls(node.toString()));
      return;
    }
    if (dlq) {
      if (!headerPrinted) {
        out.printf("%-20s %6s %10s  %-22s %s%n", "TOPIC", "PART", "OFFSET", "REASON", "MESSAGE");
        headerPrinted = true;
      }
      var h = node.get("headers");
      out.printf("%-20s %6d %10d  %-22s %s%n", safe(node.get("topic").asText()), node.get("partition").asInt(),
          node.get("offset").asLong(), safe(h.path("fusion.dlq.reason").asText("-")),
          safe(h.path("__streams.errors.message").asText("-")));
      return;
    }
    if (!headerPrinted) {
      out.printf("%-18s %-19s %-10s %6s %-18s %6s %s%n", "SESSION", "WINDOW START (UTC)", "LABEL", "P", "MODALITIES", "AGREE", "MODEL");
      headerPrinted = true;
    }
    String label = node.get("label").asText();
    out.printf("%-18s %-19s %-10s %6.3f %-18s %6.2f %s%n", safe(node.get("session_id").asText()),
        Instant.ofEpochMilli(node.get("window_start").asLong()).toString().substring(0, 19), safe(label),
        node.get("scores").path(label).asDouble(), safe(String.join(",",
            java.util.stream.StreamSupport.stream(node.get("modalities_present").spliterator(), false)
                .map(m -> m.asText().toLowerCase()).toList())),
        node.get("consistency").asDouble(), safe(node.get("model_version").asText()));
  }

  /**
   * The text with every control character (C0, DEL, C1) and bidi override written as {@code \\uXXXX}:
   * session ids, reasons and messages come from producers, and raw escape sequences in them would
   * drive the reader's terminal (rewrite earlier lines, set the title, hide text).
   */
  static String safe(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        b.append("\\\\");
      } else if (isUnsafe(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** As {@link #safe} for text that is already JSON: backslashes there are escapes, kept as they are. */
  static String escapeControls(String json) {
    StringBuilder b = new StringBuilder(json.length());
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (isUnsafe(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static boolean isUnsafe(char c) {
    return Character.isISOControl(c) || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
  }
}
