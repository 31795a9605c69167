package io.fusionstream.registry;

import io.fusionstream.serde.CompatibilityLevel;
import io.fusionstream.serde.IncompatibleSchemaException;
import io.fusionstream.serde.SchemaRegistryException;
import io.fusionstream.serde.SchemaVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.AvroRuntimeException;

/**
 * The registry's state: global ids, subjects with their versions, compatibility levels. Same rules
 * as Confluent's: one id per distinct schema across all subjects, a schema registered again under a
 * subject keeps its version, and a new version must pass the subject's compatibility level.
 * Synchronized: the HTTP server calls it from many threads. Changes are reported to a
 * {@link Listener} so a durable log (the {@code _schemas} topic) can record them before they count.
 */
public final class SchemaStore {

  /** Records a change durably; throwing refuses the change. */
  public interface Listener {
    void schemaRegistered(SchemaVersion version);

    void compatibilitySet(String subjectOrNull, CompatibilityLevel level);
  }

  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, Integer> idByCanonical = new HashMap<>();
  private final Map<String, List<SchemaVersion>> subjects = new LinkedHashMap<>();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
  private int nextId = 1;
  private Listener listener;

  public synchronized void setListener(Listener listener) {
    this.listener = listener;
  }

  /**
   * Parses a schema sent by a client. Avro reports a bad default value with AvroTypeException, not
   * SchemaParseException, and an unknown type name with an NPE: all count as an invalid schema
   * (42201), never a 500.
   */
  public static Schema parse(String text) {
    if (text == null || text.isBlank()) {
      throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: empty");
    }
    try {
      return new Schema.Parser().parse(text);
    } catch (AvroRuntimeException e) {
      throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA,
          "Invalid schema: " + e.getMessage());
    } catch (NullPointerException e) {
      // Avro 1.12 reports a reference to an undefined type ("type": "nope") as a NullPointerException
      throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA,
          "Invalid schema: it refers to a type it does not define (" + e.getMessage() + ")");
    }
  }

  public synchronized SchemaVersion register(String subject, Schema schema) {
    Optional<SchemaVersion> existing = find(subject, schema);
    if (existing.isPresent()) {
      return existing.get();
    }
    List<String> problems = compatibilityProblems(subject, schema);
    if (!problems.isEmpty()) {
      throw new IncompatibleSchemaException(409,
          "Schema being registered is incompatible with an earlier schema for subject \"" + subject
              + "\" at level " + levelOf(subject), problems);
    }
    String canonical = schema.toString();
    int id = idByCanonical.getOrDefault(canonical, nextId);
    List<SchemaVersion> versions = subjects.getOrDefault(subject, List.of());
    int version = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
    SchemaVersion registered = new SchemaVersion(subject, version, id, schema);
    if (listener != null) {
      listener.schemaRegistered(registered);
    }
    apply(registered);
    return registered;
  }

  /** Replays a change read back from the durable log. */
  public synchronized void apply(SchemaVersion v) {
    schemasById.putIfAbsent(v.id(), v.schema());
    idByCanonical.putIfAbsent(v.schema().toString(), v.id());
    nextId = Math.max(nextId, v.id() + 1);
    List<SchemaVersion> versions = subjects.computeIfAbsent(v.subject(), s -> new ArrayList<>());
    if (versions.stream().noneMatch(x -> x.version() == v.version())) {
      versions.add(v);
    }
  }

  public synchronized void applyCompatibility(String subject, CompatibilityLevel level) {
    if (subject == null) {
      globalLevel = level;
    } else {
      subjectLevels.put(subject, level);
    }
  }

  public synchronized Optional<SchemaVersion> find(String subject, Schema schema) {
    String canonical = schema.toString();
    return subjects.getOrDefault(subject, List.of()).stream()
        .filter(v -> v.schema().toString().equals(canonical))
        .findFirst();
  }

  /**
   * The version of the subject holding this schema: 40401 when the subject does not exist, 40403
   * when it does but has no such schema (Confluent answers the lookup endpoint the same way).
   */
  public synchronized SchemaVersion lookup(String subject, Schema schema) {
    if (!subjects.containsKey(subject)) {
      throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_NOT_FOUND,
          "Subject '" + subject + "' not found.");
    }
    return find(subject, schema).orElseThrow(() -> new SchemaRegistryException(404,
        SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found under subject '" + subject + "'"));
  }

  public synchronized Schema byId(int id) {
    Schema s = schemasById.get(id);
    if (s == null) {
      throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
    }
    return s;
  }

  public synchronized List<String> subjects() {
    return List.copyOf(subjects.keySet());
  }

  public synchronized List<SchemaVersion> versions(String subject) {
    List<SchemaVersion> versions = subjects.get(subject);
    if (versions == null) {
      throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_NOT_FOUND,
          "Subject '" + subject + "' not found.");
    }
    return List.copyOf(versions);
  }

  /** A version number, or "latest" (also -1, as Confluent accepts). */
  public synchronized SchemaVersion version(String subject, String version) {
    List<SchemaVersion> versions = versions(subject);
    if ("latest".equalsIgnoreCase(version) || "-1".equals(version)) {
      return versions.get(versions.size() - 1);
    }
    int v;
    try {
      v = Integer.parseInt(version);
    } catch (NumberFormatException e) {
      throw new SchemaRegistryException(422, 42202, "The specified version '" + version + "' is not a valid version id");
    }
    return versions.stream().filter(x -> x.version() == v).findFirst()
        .orElseThrow(() -> new SchemaRegistryException(404, SchemaRegistryException.VERSION_NOT_FOUND,
            "Version " + version + " not found."));
  }

  /** Problems registering the schema as the subject's next version; empty if it may be. */
  public synchronized List<String> compatibilityProblems(String subject, Schema schema) {
    List<Schema> earlier = subjects.getOrDefault(subject, List.of()).stream().map(SchemaVersion::schema).toList();
    return levelOf(subject).violations(schema, earlier);
  }

  public synchronized CompatibilityLevel levelOf(String subject) {
    return subject == null ? globalLevel : subjectLevels.getOrDefault(subject, globalLevel);
  }

  public synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
    return Optional.ofNullable(subjectLevels.get(subject));
  }

  public synchronized void setCompatibility(String subjectOrNull, CompatibilityLevel level) {
    if (listener != null) {
      listener.compatibilitySet(subjectOrNull, level);
    }
    applyCompatibility(subjectOrNull, level);
  }
}
