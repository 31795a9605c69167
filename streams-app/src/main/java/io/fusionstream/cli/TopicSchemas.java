package io.fusionstream.cli;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.TextEvent;
import io.fusionstream.serde.AvroSerdeConfig;
import io.fusionstream.serde.SchemaRegistryClient;
import io.fusionstream.serde.SchemaRegistryException;
import io.fusionstream.serde.SchemaVersion;
import io.fusionstream.serde.SubjectNameStrategy;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The value schema of each Avro topic and the subject it lives under, named by the configured
 * {@code value.subject.name.strategy} exactly as the serializers name it, so {@code topics} shows
 * and registers the subjects the pipeline and its producers will use. Keys are plain strings (the
 * session id) and have no subject; the dead-letter topic carries raw bytes.
 */
final class TopicSchemas {

  record Entry(String topic, Schema schema, String subject) {}

  private final SubjectNameStrategy strategy;
  private final List<Entry> entries;

  private TopicSchemas(SubjectNameStrategy strategy, List<Entry> entries) {
    this.strategy = strategy;
    this.entries = entries;
  }

  static TopicSchemas of(FusionConfig config, Map<String, ?> settings) {
    SubjectNameStrategy strategy = new AvroSerdeConfig(settings).subjectNameStrategy(false);
    List<Entry> entries = List.of(
        entry(strategy, config.textTopic(), TextEvent.getClassSchema()),
        entry(strategy, config.imageTopic(), ImageFrameEvent.getClassSchema()),
        entry(strategy, config.audioTopic(), AudioChunkEvent.getClassSchema()),
        entry(strategy, config.predictionsTopic(), FusedPrediction.getClassSchema()));
    return new TopicSchemas(strategy, entries);
  }

  private static Entry entry(SubjectNameStrategy strategy, String topic, Schema schema) {
    return new Entry(topic, schema, strategy.subject(topic, false, schema));
  }

  List<Entry> entries() {
    return entries;
  }

  /** Registers each topic's schema under its subject (idempotent: a registered schema keeps its id). */
  void register(SchemaRegistryClient client, PrintStream out) {
    for (Entry e : entries) {
      int id = client.register(e.subject(), e.schema());
      out.printf("Registered %s for %s: id %d%n", e.subject(), e.topic(), id);
    }
  }

  /**
   * Per topic: its subject, the subject's latest version, and whether this build's schema is
   * registered there. A registry that cannot be asked is one line, not a failed describe.
   */
  void describe(SchemaRegistryClient client, String registryUrl, PrintStream out) {
    out.printf("%nSchemas at %s (value.subject.name.strategy=%s; keys are strings, no key subject):%n",
        registryUrl, strategy.confluentClassName());
    out.printf("%-28s %-48s %-16s %s%n", "TOPIC", "SUBJECT", "LATEST", "THIS BUILD'S SCHEMA");
    for (Entry e : entries) {
      String latest;
      String current;
      try {
        latest = latest(client, e.subject());
        current = current(client, e);
      } catch (SchemaRegistryException ex) {
        out.println("  Schema Registry not answering: " + ex.getMessage());
        return;
      }
      out.printf("%-28s %-48s %-16s %s%n", e.topic(), e.subject(), latest, current);
    }
  }

  private static String latest(SchemaRegistryClient client, String subject) {
    try {
      SchemaVersion v = client.getLatestVersion(subject);
      return "v" + v.version() + " (id " + v.id() + ")";
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND) {
        return "-";
      }
      throw e;
    }
  }

  private static String current(SchemaRegistryClient client, Entry e) {
    try {
      return "registered, id " + client.getId(e.subject(), e.schema());
    } catch (SchemaRegistryException ex) {
      if (ex.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND || ex.isSchemaNotFound()) {
        return "not registered (topics create --register-schemas)";
      }
      throw ex;
    }
  }
}
