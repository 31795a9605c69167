package io.fusionstream.topology;

import static io.fusionstream.topology.TopologyFixture.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.decode.DecodedImage;
import io.fusionstream.decode.ImageDecoder;
import io.fusionstream.decode.Limits;
import io.fusionstream.decode.TextDecoder;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.Modality;
import io.fusionstream.schema.TextEvent;
import java.util.List;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/** The encode batch: one encoder call per modality, arrival order kept, decoding again after a restart. */
class EncodeBatchTest {
  private final FunctionEncoder<String> text = FunctionEncoder.words();
  private final FunctionEncoder<DecodedImage> image = FunctionEncoder.colours();
  private final CountingPipelineMetrics metrics = new CountingPipelineMetrics();

  private EncodeBatch batch(Limits limits) {
    List<ModalityRoute<?, ?>> routes = List.of(
        ModalityRoute.text("t", new TextDecoder(limits), text),
        ModalityRoute.image("i", new ImageDecoder(limits), image));
    return new EncodeBatch(routes, metrics);
  }

  private static PendingRecord<String, ValidEvent<?, ?>> pendingText(String session, long t, String words, boolean decoded) {
    TextEvent e = TopologyFixture.textEvent(session, t, words);
    return new PendingRecord<>(session, new ValidEvent<>(Modality.TEXT, session, t, 1, e, decoded ? words : null), t, 0);
  }

  private static PendingRecord<String, ValidEvent<?, ?>> pendingImage(String session, long t, int side) {
    ImageFrameEvent e = TopologyFixture.imageEvent(session, t, side, 7);
    return new PendingRecord<>(session, new ValidEvent<>(Modality.IMAGE, session, t, 1, e, null), t, 0);
  }

  @Test
  void encodesEachModalityOnceAndKeepsArrivalOrder() {
    List<Record<String, EncodedEvent>> out = batch(Limits.defaults()).apply(List.of(
        pendingText("a", T + 1, "one", true), pendingImage("b", T + 2, 4), pendingText("c", T + 3, "two", false),
        pendingImage("d", T + 4, 5)), 0);
    assertThat(out).extracting(Record::key).containsExactly("a", "b", "c", "d");
    assertThat(out).extracting(r -> r.value().modality())
        .containsExactly(Modality.TEXT, Modality.IMAGE, Modality.TEXT, Modality.IMAGE);
    assertThat(out).extracting(Record::timestamp).containsExactly(T + 1, T + 2, T + 3, T + 4);
    assertThat(text.batchSizes).containsExactly(2);
    assertThat(image.batchSizes).containsExactly(2);
    // "two" had no decoded text (as after a restart) and was decoded again from its event
    assertThat(out.get(2).value().vector()).containsExactly(text.encode(List.of("two"))[0]);
  }

  @Test
  void anEventThatNoLongerDecodesAfterARestartIsDroppedAndCounted() {
    List<Record<String, EncodedEvent>> out = batch(Limits.defaults().withMaxTextChars(3)).apply(List.of(
        pendingText("a", T + 1, "fine", true), pendingText("b", T + 2, "too long now", false)), 0);
    assertThat(out).extracting(Record::key).containsExactly("a");
    assertThat(metrics.count("dlq.text-too-long")).isEqualTo(1);
  }
}
