package io.fusionstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fusionstream.serde.CompatibilityLevel;
import io.fusionstream.serde.SchemaRegistryException;
import io.fusionstream.serde.SchemaVersion;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class SchemaStoreTest {
  private static final Schema A = SchemaStore.parse("{\"type\": \"record\", \"name\": \"A\", \"fields\": [{\"name\": \"x\", \"type\": \"int\"}]}");
  private static final Schema A2 = SchemaStore.parse(
      "{\"type\": \"record\", \"name\": \"A\", \"fields\": [{\"name\": \"x\", \"type\": \"int\"}, {\"name\": \"y\", \"type\": \"int\", \"default\": 1}]}");
  private static final Schema B = SchemaStore.parse("{\"type\": \"enum\", \"name\": \"B\", \"symbols\": [\"P\", \"Q\"]}");

  private final SchemaStore store = new SchemaStore();

  @Test
  void idsAreGlobalAndVersionsPerSubject() {
    SchemaVersion a = store.register("s1", A);
    SchemaVersion b = store.register("s2", B);
    SchemaVersion aElsewhere = store.register("s3", A);
    SchemaVersion a2 = store.register("s1", A2);

    assertThat(a.id()).isEqualTo(aElsewhere.id());
    assertThat(b.id()).isNotEqualTo(a.id());
    assertThat(a2.id()).isGreaterThan(b.id());
    assertThat(a2.version()).isEqualTo(2);
    assertThat(aElsewhere.version()).isEqualTo(1);
    assertThat(store.register("s1", A)).as("registered again keeps its version").isEqualTo(a);
    assertThat(store.version("s1", "latest")).isEqualTo(a2);
    assertThat(store.subjects()).containsExactly("s1", "s2", "s3");
  }

  @Test
  void aListenerThatFailsRefusesTheChange() {
    store.setListener(new SchemaStore.Listener() {
      @Override
      public void schemaRegistered(SchemaVersion version) {
        throw new SchemaRegistryException(500, SchemaRegistryException.STORE_ERROR, "Kafka is down");
      }

      @Override
      public void compatibilitySet(String subjectOrNull, CompatibilityLevel level) {
        throw new SchemaRegistryException(500, SchemaRegistryException.STORE_ERROR, "Kafka is down");
      }
    });
    assertThatThrownBy(() -> store.register("s1", A)).hasMessageContaining("Kafka is down");
    assertThatThrownBy(() -> store.setCompatibility(null, CompatibilityLevel.NONE)).hasMessageContaining("Kafka is down");
    assertThat(store.subjects()).isEmpty();
    assertThat(store.levelOf(null)).isEqualTo(CompatibilityLevel.BACKWARD);
    assertThatThrownBy(() -> store.byId(1)).isInstanceOf(SchemaRegistryException.class);
  }

  @Test
  void theListenerSeesEachChangeBeforeItIsApplied() {
    List<String> log = new ArrayList<>();
    store.setListener(new SchemaStore.Listener() {
      @Override
      public void schemaRegistered(SchemaVersion v) {
        log.add(v.subject() + " v" + v.version() + " id" + v.id() + " known=" + store.subjects().contains(v.subject()));
      }

      @Override
      public void compatibilitySet(String subjectOrNull, CompatibilityLevel level) {
        log.add(subjectOrNull + "=" + level);
      }
    });
    store.register("s1", A);
    store.register("s1", A);
    store.setCompatibility("s1", CompatibilityLevel.FULL);
    assertThat(log).containsExactly("s1 v1 id1 known=false", "s1=FULL");
  }

  @Test
  void replayRebuildsStateAndNewIdsContinueAfterTheHighest() {
    store.apply(new SchemaVersion("s1", 1, 7, A));
    store.apply(new SchemaVersion("s1", 2, 9, A2));
    store.apply(new SchemaVersion("s1", 2, 9, A2)); // the same record read twice changes nothing
    store.applyCompatibility("s1", CompatibilityLevel.NONE);

    assertThat(store.versions("s1")).extracting(SchemaVersion::version).containsExactly(1, 2);
    assertThat(store.byId(9)).isEqualTo(A2);
    assertThat(store.levelOf("s1")).isEqualTo(CompatibilityLevel.NONE);
    assertThat(store.register("s2", B).id()).isEqualTo(10);
    assertThat(store.register("s3", A).id()).as("a known schema keeps its id").isEqualTo(7);
  }

  @Test
  void invalidSchemasAre42201NotServerErrors() {
    for (String bad : new String[] {"", "{", "{\"type\": \"nope\"}",
        "{\"type\": \"record\", \"name\": \"R\", \"fields\": [{\"name\": \"a\", \"type\": \"int\", \"default\": \"x\"}]}"}) {
      assertThatThrownBy(() -> SchemaStore.parse(bad)).as(bad)
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INVALID_SCHEMA);
            assertThat(e.httpStatus()).isEqualTo(422);
          });
    }
  }

  @Test
  void lookupTellsAnUnknownSubjectFromAnUnknownSchema() {
    store.register("s1", A);
    assertThat(store.lookup("s1", A).version()).isEqualTo(1);
    assertThatThrownBy(() -> store.lookup("s1", B)).isInstanceOfSatisfying(SchemaRegistryException.class,
        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
    assertThatThrownBy(() -> store.lookup("nope", A)).isInstanceOfSatisfying(SchemaRegistryException.class,
        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));
  }

  @Test
  void incompatibleMessageNamesTheProblemAndWhere() {
    store.register("s1", A);
    Schema required = SchemaStore.parse(
        "{\"type\": \"record\", \"name\": \"A\", \"fields\": [{\"name\": \"x\", \"type\": \"int\"}, {\"name\": \"priority\", \"type\": \"int\"}]}");
    assertThatThrownBy(() -> store.register("s1", required))
        .hasMessageContaining("READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1")
        .hasMessageContaining("priority")
        .hasMessageContaining("\"s1\" at level BACKWARD");
  }
}
