package io.fusionstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fusionstream.schema.Modality;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The binary state and repartition formats read back what they wrote, and refuse other versions. */
class StateSerdeTest {

  @Test
  void encodedEventRoundTrips() {
    var serde = new EncodedEvent.EncodedEventSerde();
    EncodedEvent e = new EncodedEvent(Modality.AUDIO, 123L, 456L, new float[] {1.5f, -2f, 0f});
    EncodedEvent back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", e));
    assertThat(back.modality()).isEqualTo(Modality.AUDIO);
    assertThat(back.eventTime()).isEqualTo(123L);
    assertThat(back.ingestWallMs()).isEqualTo(456L);
    assertThat(back.vector()).containsExactly(1.5f, -2f, 0f);
  }

  @Test
  void windowAggregateKeepsPoolsAndMarker() {
    WindowAggregate w = new WindowAggregate();
    w.add(new EncodedEvent(Modality.TEXT, 10, 1, new float[] {1, 2}), 100, false);
    w.add(new EncodedEvent(Modality.TEXT, 5, 2, new float[] {3, 6}), 200, false);
    w.add(new EncodedEvent(Modality.IMAGE, 7, 3, new float[] {9}), 300, false);
    var serde = new WindowAggregate.WindowAggregateSerde();
    WindowAggregate back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", w));
    assertThat(back.lastEventWallMs()).isEqualTo(300);
    ClosedWindow closed = back.close(new WindowKey(20, 0, "s"), false);
    assertThat(closed.modalities().get(Modality.TEXT).embedding()).containsExactly(2f, 4f);
    assertThat(closed.modalities().get(Modality.TEXT).count()).isEqualTo(2);
    assertThat(closed.modalities().get(Modality.TEXT).firstEventTime()).isEqualTo(5);
    assertThat(closed.modalities().get(Modality.TEXT).lastEventTime()).isEqualTo(10);
    assertThat(closed.lastIngestWallMs()).isEqualTo(3);
    WindowAggregate marker = serde.deserializer().deserialize("t",
        serde.serializer().serialize("t", WindowAggregate.emittedMarker()));
    assertThat(marker.emitted()).isTrue();
  }

  @Test
  void maxPoolingKeepsTheElementwiseMaximum() {
    WindowAggregate w = new WindowAggregate();
    w.add(new EncodedEvent(Modality.TEXT, 1, 1, new float[] {1, -5}), 0, true);
    w.add(new EncodedEvent(Modality.TEXT, 2, 1, new float[] {-1, 3}), 0, true);
    assertThat(w.close(new WindowKey(10, 0, "s"), true).modalities().get(Modality.TEXT).embedding())
        .containsExactly(1f, 3f);
  }

  @Test
  void closedWindowRoundTrips() {
    Map<Modality, ClosedWindow.Pooled> mods = new EnumMap<>(Modality.class);
    mods.put(Modality.TEXT, new ClosedWindow.Pooled(new float[] {0.25f}, 3, 1, 9));
    mods.put(Modality.AUDIO, new ClosedWindow.Pooled(new float[] {1f, 2f}, 1, 4, 4));
    ClosedWindow w = new ClosedWindow("sess-ü", 1000, 2000, mods, 77);
    var serde = new ClosedWindow.ClosedWindowSerde();
    ClosedWindow back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", w));
    assertThat(back.sessionId()).isEqualTo("sess-ü");
    assertThat(back.start()).isEqualTo(1000);
    assertThat(back.end()).isEqualTo(2000);
    assertThat(back.lastIngestWallMs()).isEqualTo(77);
    assertThat(back.modalities().keySet()).containsExactly(Modality.TEXT, Modality.AUDIO);
    assertThat(back.modalities().get(Modality.AUDIO).embedding()).containsExactly(1f, 2f);
    assertThat(back.modalities().get(Modality.TEXT).count()).isEqualTo(3);
  }

  @Test
  void unknownFormatVersionIsRefused() {
    byte[] bytes = new EncodedEvent.EncodedEventSerde().serializer()
        .serialize("t", new EncodedEvent(Modality.TEXT, 1, 1, new float[0]));
    bytes[0] = 9;
    assertThatThrownBy(() -> new EncodedEvent.EncodedEventSerde().deserializer().deserialize("t", bytes))
        .hasMessageContaining("format version 9");
  }

  @Test
  void windowKeysOrderByEnd() {
    var a = new WindowKey(2_000, 1_000, "zzz").toBytes();
    var b = new WindowKey(3_000, 0, "aaa").toBytes();
    assertThat(a.compareTo(b)).isNegative();
    assertThat(WindowKey.fromBytes(b)).isEqualTo(new WindowKey(3_000, 0, "aaa"));
    assertThat(WindowKey.endOf(a)).isEqualTo(2_000);
  }

  @Test
  void windowStartsOfTumblingAndHoppingWindows() {
    assertThat(new WindowSpec(10, 10, 0).windowStarts(25)).containsExactly(20L);
    assertThat(new WindowSpec(10, 5, 0).windowStarts(25)).containsExactly(20L, 25L);
    assertThat(new WindowSpec(10, 5, 0).windowStarts(24)).containsExactly(15L, 20L);
    assertThat(new WindowSpec(10, 5, 0).windowStarts(3)).containsExactly(0L);
    assertThat(new WindowSpec(10, 5, 2).isClosed(20, 21)).isFalse();
    assertThat(new WindowSpec(10, 5, 2).isClosed(20, 22)).isTrue();
  }
}
