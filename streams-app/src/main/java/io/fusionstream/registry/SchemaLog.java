package io.fusionstream.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fusionstream.serde.CompatibilityLevel;
import io.fusionstream.serde.SchemaRegistryException;
import io.fusionstream.serde.SchemaVersion;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's durable state: a compacted, single-partition Kafka topic (by default
 * {@code _schemas}) with one record per registration and per compatibility change, keyed and
 * shaped like Confluent's so the latest record per key is what compaction keeps.
 *
 * <p>Writes are synchronous (acks=all, idempotent): a change is acknowledged to the HTTP client
 * only once Kafka has it, so a restart never forgets an id a producer already used. On start the
 * topic is read from the beginning up to the end offset seen then, and replayed into the store.
 */
public final class SchemaLog implements SchemaStore.Listener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SchemaLog.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SCHEMA = "SCHEMA";
  private static final String CONFIG = "CONFIG";

  private final String topic;
  private final Map<String, Object> clientConfig;
  private final Duration timeout;
  private final KafkaProducer<String, String> producer;

  public SchemaLog(String bootstrapServers, String topic, Map<String, Object> extraClientConfig, Duration timeout) {
    this.topic = topic;
    this.timeout = timeout;
    this.clientConfig = new HashMap<>(extraClientConfig);
    clientConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    Map<String, Object> producerConfig = new HashMap<>(clientConfig);
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
    producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), 1_000));
    producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
    producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "schema-registry-log");
    this.producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer());
  }

  public String topic() {
    return topic;
  }

  /** Creates the topic if missing: one partition so the order is total, compacted so nothing expires. */
  public void ensureTopic() {
    try (Admin admin = Admin.create(clientConfig)) {
      Set<String> names = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (names.contains(topic)) {
        return;
      }
      NewTopic t = new NewTopic(topic, Optional.of(1), Optional.empty())
          .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
      admin.createTopics(List.of(t)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      log.info("Created the schema topic {}", topic);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw storeError("Cannot create the schema topic " + topic, e.getCause());
      }
    } catch (TimeoutException e) {
      throw storeError("Timed out creating the schema topic " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw storeError("Interrupted creating the schema topic " + topic, e);
    }
  }

  /** Replays every record up to the current end of the topic; returns how many were applied. */
  public int replayInto(SchemaStore store) {
    Map<String, Object> consumerConfig = new HashMap<>(clientConfig);
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    TopicPartition partition = new TopicPartition(topic, 0);
    int applied = 0;
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (consumer.position(partition, timeout) < end) {
        if (System.nanoTime() > deadline) {
          throw storeError("Timed out reading " + topic + " up to offset " + end, null);
        }
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          if (apply(store, r)) {
            applied++;
          }
        }
      }
    } catch (org.apache.kafka.common.KafkaException e) {
      throw storeError("Cannot read the schema topic " + topic, e);
    }
    return applied;
  }

  private boolean apply(SchemaStore store, ConsumerRecord<String, String> r) {
    if (r.key() == null || r.value() == null) {
      return false; // tombstones and foreign records: nothing this registry wrote
    }
    try {
      JsonNode key = JSON.readTree(r.key());
      JsonNode value = JSON.readTree(r.value());
      String keyType = key.path("keytype").asText();
      if (SCHEMA.equals(keyType)) {
        if (value.path("deleted").asBoolean(false)) {
          return false;
        }
        store.apply(new SchemaVersion(value.get("subject").asText(), value.get("version").asInt(),
            value.get("id").asInt(), SchemaStore.parse(value.get("schema").asText())));
        return true;
      }
      if (CONFIG.equals(keyType)) {
        JsonNode subject = key.get("subject");
        store.applyCompatibility(subject == null || subject.isNull() ? null : subject.asText(),
            CompatibilityLevel.parse(value.get("compatibilityLevel").asText()));
        return true;
      }
      return false;
    } catch (IOException | RuntimeException e) {
      // one unreadable record must not lose the rest of the registry: say where it is, move on
      log.warn("Skipping unreadable record at {}-{} offset {}: {}", r.topic(), r.partition(), r.offset(), e.toString());
      return false;
    }
  }

  @Override
  public void schemaRegistered(SchemaVersion v) {
    ObjectNode key = JSON.createObjectNode().put("keytype", SCHEMA).put("subject", v.subject())
        .put("version", v.version()).put("magic", 1);
    ObjectNode value = JSON.createObjectNode().put("subject", v.subject()).put("version", v.version())
        .put("id", v.id()).put("schemaType", "AVRO").put("schema", v.schema().toString()).put("deleted", false);
    write(key, value, "schema " + v.subject() + " v" + v.version());
  }

  @Override
  public void compatibilitySet(String subjectOrNull, CompatibilityLevel level) {
    ObjectNode key = JSON.createObjectNode().put("keytype", CONFIG);
    if (subjectOrNull == null) {
      key.putNull("subject");
    } else {
      key.put("subject", subjectOrNull);
    }
    key.put("magic", 0);
    ObjectNode value = JSON.createObjectNode().put("compatibilityLevel", level.name());
    write(key, value, "compatibility of " + (subjectOrNull == null ? "the global config" : subjectOrNull));
  }

  private void write(ObjectNode key, ObjectNode value, String what) {
    try {
      producer.send(new ProducerRecord<>(topic, 0, key.toString(), value.toString()))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw storeError("Cannot store " + what + " in " + topic, e.getCause());
    } catch (TimeoutException e) {
      throw storeError("Timed out storing " + what + " in " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw storeError("Interrupted storing " + what, e);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw storeError("Cannot store " + what + " in " + topic, e);
    }
  }

  private static SchemaRegistryException storeError(String message, Throwable cause) {
    String detail = cause == null ? "" : ": " + cause.getMessage();
    SchemaRegistryException e = new SchemaRegistryException(500, SchemaRegistryException.STORE_ERROR, message + detail);
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
