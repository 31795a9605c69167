package io.fusionstream.serde;

import java.util.List;
import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry protocol FusionStream speaks. Implemented over HTTP by
 * {@link RestSchemaRegistryClient} and in memory by {@code registry.InMemorySchemaRegistryClient}.
 * Failures carry the registry's error code: see {@link SchemaRegistryException}.
 */
public interface SchemaRegistryClient extends AutoCloseable {

  /** Registers the schema under the subject (or finds it there) and returns its global id. */
  int register(String subject, Schema schema);

  /** The schema with this global id; {@link SchemaRegistryException} 40403 if there is none. */
  Schema getSchemaById(int id);

  /** The id of a schema already registered under the subject, without registering it. */
  int getId(String subject, Schema schema);

  /** The newest version registered under the subject. */
  SchemaVersion getLatestVersion(String subject);

  SchemaVersion getVersion(String subject, int version);

  List<Integer> getVersions(String subject);

  List<String> getSubjects();

  /** Whether the schema could be registered under the subject at its compatibility level. */
  boolean testCompatibility(String subject, Schema schema);

  /** The subject's compatibility level, or the global one when the subject has none. */
  CompatibilityLevel getCompatibility(String subject);

  /** Sets the subject's level; a null subject sets the global level. */
  void setCompatibility(String subject, CompatibilityLevel level);

  @Override
  default void close() {}
}
