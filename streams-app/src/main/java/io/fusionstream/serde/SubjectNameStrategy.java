package io.fusionstream.serde;

import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Confluent's three subject name strategies, chosen by {@code key.subject.name.strategy} and
 * {@code value.subject.name.strategy} with Confluent's class names
 * ({@code io.confluent.kafka.serializers.subject.RecordNameStrategy}), their simple names
 * ({@code RecordNameStrategy}) or short ones ({@code record}), so a config written for Confluent's
 * serializers works unchanged. The subjects are the ones Confluent's classes produce, so both kinds
 * of producer register under, and find, the same subjects.
 */
public enum SubjectNameStrategy {
  /** {@code <topic>-key} / {@code <topic>-value}: one schema lineage per topic (the default). */
  TOPIC("TopicNameStrategy", "topic"),
  /** The record's full name: one lineage per record type, shared by every topic carrying it. */
  RECORD("RecordNameStrategy", "record"),
  /** {@code <topic>-<record full name>}: several record types in one topic, each with its lineage. */
  TOPIC_RECORD("TopicRecordNameStrategy", "topic-record");

  static final String CONFLUENT_PACKAGE = "io.confluent.kafka.serializers.subject.";

  private final String simpleName;
  private final String shortName;

  SubjectNameStrategy(String simpleName, String shortName) {
    this.simpleName = simpleName;
    this.shortName = shortName;
  }

  /** Confluent's class name for this strategy, as its serializers' configs spell it. */
  public String confluentClassName() {
    return CONFLUENT_PACKAGE + simpleName;
  }

  public String shortName() {
    return shortName;
  }

  public String subject(String topic, boolean isKey, Schema schema) {
    return switch (this) {
      case TOPIC -> topic + (isKey ? "-key" : "-value");
      case RECORD -> recordName(schema);
      case TOPIC_RECORD -> topic + "-" + recordName(schema);
    };
  }

  private static String recordName(Schema schema) {
    if (schema.getType() != Schema.Type.RECORD) {
      // Confluent refuses primitives under the record strategies too: they have no name to use
      throw new IllegalArgumentException("The record name strategies need a record schema, not " + schema.getType());
    }
    return schema.getFullName();
  }

  /** Confluent's class name, its simple name, or our short name, in any case. */
  public static SubjectNameStrategy parse(String name) {
    String n = name == null ? "" : name.trim();
    if (n.startsWith(CONFLUENT_PACKAGE)) {
      n = n.substring(CONFLUENT_PACKAGE.length());
    }
    for (SubjectNameStrategy s : values()) {
      if (s.simpleName.equalsIgnoreCase(n) || s.shortName.equalsIgnoreCase(n)
          || s.name().equalsIgnoreCase(n.replace('-', '_'))) {
        return s;
      }
    }
    throw new IllegalArgumentException("Unknown subject name strategy '" + name + "': expected "
        + CONFLUENT_PACKAGE + "TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy (or topic, record,"
        + " topic-record)");
  }

  /** Validates a setting at config time, naming the key in the error. */
  static final ConfigDef.Validator VALIDATOR = (key, value) -> {
    try {
      parse((String) value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, value, e.getMessage());
    }
  };

  @Override
  public String toString() {
    return confluentClassName();
  }
}
