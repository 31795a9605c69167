package io.fusionstream.registry;

import io.fusionstream.serde.CompatibilityLevel;
import io.fusionstream.serde.SchemaRegistryClient;
import io.fusionstream.serde.SchemaVersion;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A registry client over a {@link SchemaStore} in this JVM, with the same rules as the HTTP
 * registry: for topology tests and single-process tools that need no server.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
  private final SchemaStore store;
  // ids never change once given, so the serializer's per-record register() can skip the store
  private final Map<String, Map<Schema, Integer>> idBySubjectSchema = new ConcurrentHashMap<>();

  public InMemorySchemaRegistryClient() {
    this(new SchemaStore());
  }

  public InMemorySchemaRegistryClient(SchemaStore store) {
    this.store = store;
  }

  @Override
  public int register(String subject, Schema schema) {
    Integer cached = idBySubjectSchema.getOrDefault(subject, Map.of()).get(schema);
    if (cached != null) {
      return cached;
    }
    int id = store.register(subject, schema).id();
    idBySubjectSchema.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).put(schema, id);
    return id;
  }

  @Override
  public Schema getSchemaById(int id) {
    return store.byId(id);
  }

  @Override
  public int getId(String subject, Schema schema) {
    return store.lookup(subject, schema).id();
  }

  @Override
  public SchemaVersion getLatestVersion(String subject) {
    return store.version(subject, "latest");
  }

  @Override
  public SchemaVersion getVersion(String subject, int version) {
    return store.version(subject, Integer.toString(version));
  }

  @Override
  public List<Integer> getVersions(String subject) {
    return store.versions(subject).stream().map(SchemaVersion::version).toList();
  }

  @Override
  public List<String> getSubjects() {
    return store.subjects();
  }

  @Override
  public boolean testCompatibility(String subject, Schema schema) {
    return store.compatibilityProblems(subject, schema).isEmpty();
  }

  @Override
  public CompatibilityLevel getCompatibility(String subject) {
    return store.levelOf(subject);
  }

  @Override
  public void setCompatibility(String subject, CompatibilityLevel level) {
    store.setCompatibility(subject, level);
  }
}
