package io.fusionstream.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.junit.jupiter.api.Test;

/**
 * Every released version of every schema is kept under {@code schema-history/<Name>/vN.avsc}
 * (fully resolved: named types inlined, as a registry stores it). The current schemas must read
 * data written with any of them: that is what lets consumers upgrade before or after producers,
 * and what the registry's default BACKWARD level will demand of the next registration anyway.
 * Releasing a schema change means adding its vN+1.avsc here.
 */
class SchemaHistoryTest {
  /** The current schema of each topic record (and the shared enum), from the generated classes. */
  private static final Map<String, Schema> CURRENT = Map.of(
      "TextEvent", TextEvent.getClassSchema(),
      "ImageFrameEvent", ImageFrameEvent.getClassSchema(),
      "AudioChunkEvent", AudioChunkEvent.getClassSchema(),
      "FusedPrediction", FusedPrediction.getClassSchema(),
      "Modality", Modality.getClassSchema());

  @Test
  void everyCurrentSchemaHasAHistory() {
    assertThat(history().keySet()).containsExactlyInAnyOrderElementsOf(CURRENT.keySet());
    history().forEach((name, versions) -> assertThat(versions).as(name).isNotEmpty());
  }

  @Test
  void everyCurrentSchemaReadsDataWrittenWithEveryEarlierVersion() {
    List<String> problems = new ArrayList<>();
    history().forEach((name, versions) -> versions.forEach((file, old) ->
        problems.addAll(backwardProblems(name + " (current) reading " + name + "/" + file, CURRENT.get(name), old))));
    assertThat(problems).as("BACKWARD incompatibilities").isEmpty();
  }

  @Test
  void firstReleaseIsWhatTheGeneratedClassesWereBuiltFrom() {
    // guards the history itself: a mistyped v1 would make the check above prove nothing
    history().forEach((name, versions) ->
        assertThat(versions.get("v1.avsc").toString()).as(name + "/v1.avsc").isEqualTo(withoutJavaHints(CURRENT.get(name))));
  }

  /** The generated classes' schemas carry the code generator's string-type hint; the .avsc files do not. */
  private static String withoutJavaHints(Schema schema) {
    return schema.toString().replace(",\"avro.java.string\":\"String\"", "").replace("{\"type\":\"string\"}", "\"string\"");
  }

  @Test
  void theCheckCatchesABreakingChange() {
    Schema v1 = history().get("TextEvent").get("v1.avsc");
    // a new required field: data written with v1 lacks it and there is no default to fill in
    Schema requiredField = withField(TextEvent.getClassSchema(), "{\"name\": \"priority\", \"type\": \"int\"}");
    assertThat(backwardProblems("required field", requiredField, v1)).singleElement().asString()
        .contains("READER_FIELD_MISSING_DEFAULT").contains("priority");
    // a narrowed type: v1 wrote the timestamp as a long
    Schema narrowed = new Schema.Parser().parse(TextEvent.getClassSchema().toString()
        .replace("{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}", "\"int\""));
    assertThat(backwardProblems("narrowed", narrowed, v1)).singleElement().asString().contains("TYPE_MISMATCH");
    // an enum symbol removed: v1 data may hold it
    Schema fewerModalities = new Schema.Parser().parse(Modality.getClassSchema().toString().replace(",\"AUDIO\"", ""));
    assertThat(backwardProblems("enum", fewerModalities, history().get("Modality").get("v1.avsc")))
        .singleElement().asString().contains("MISSING_ENUM_SYMBOLS");
    // the same field with a default is fine
    Schema optionalField = withField(TextEvent.getClassSchema(), "{\"name\": \"priority\", \"type\": \"int\", \"default\": 0}");
    assertThat(backwardProblems("optional field", optionalField, v1)).isEmpty();
  }

  private static List<String> backwardProblems(String what, Schema reader, Schema writer) {
    SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return List.of();
    }
    return result.getResult().getIncompatibilities().stream()
        .map(i -> what + ": " + i.getType() + " at " + i.getLocation() + " - " + i.getMessage())
        .toList();
  }

  private static Schema withField(Schema schema, String fieldJson) {
    String json = schema.toString();
    return new Schema.Parser().parse(json.substring(0, json.lastIndexOf(']')) + "," + fieldJson + "]}");
  }

  /** Name -> (file name -> schema), versions in numeric order. */
  private static Map<String, Map<String, Schema>> history() {
    Map<String, Map<String, Schema>> out = new TreeMap<>();
    Path root = historyRoot();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        Map<String, Schema> versions = new TreeMap<>(Comparator.comparingInt(SchemaHistoryTest::versionOf));
        try (Stream<Path> files = Files.list(dir)) {
          for (Path file : files.filter(f -> f.getFileName().toString().matches("v\\d+\\.avsc")).toList()) {
            versions.put(file.getFileName().toString(), new Schema.Parser().parse(file.toFile()));
          }
        }
        out.put(dir.getFileName().toString(), versions);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the schema history under " + root, e);
    }
    return out;
  }

  private static int versionOf(String fileName) {
    return Integer.parseInt(fileName.substring(1, fileName.indexOf('.')));
  }

  private static Path historyRoot() {
    try {
      return Path.of(SchemaHistoryTest.class.getResource("/schema-history").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
