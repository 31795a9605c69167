package io.fusionstream.topology;

import static io.fusionstream.topology.TopologyFixture.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.fusionstream.decode.DecodedImage;
import io.fusionstream.decode.ImageDecoder;
import io.fusionstream.decode.Limits;
import io.fusionstream.decode.TextDecoder;
import io.fusionstream.encode.Encoder;
import io.fusionstream.encode.PoisonInputException;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.Modality;
import io.fusionstream.schema.TextEvent;
import java.util.List;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/**
 * The encode batch: one encoder call per modality, arrival order kept, decoding again after a restart,
 * and one failing input never failing its batch.
 */
class EncodeBatchTest {
  private final FunctionEncoder<String> text = FunctionEncoder.words();
  private final FunctionEncoder<DecodedImage> image = FunctionEncoder.colours();
  private final CountingPipelineMetrics metrics = new CountingPipelineMetrics();

  private EncodeBatch batch(Limits limits) {
    return batch(limits, text);
  }

  private EncodeBatch batch(Limits limits, FunctionEncoder<String> textEncoder) {
    List<ModalityRoute<?, ?>> routes = List.of(
        ModalityRoute.text("t", new TextDecoder(limits), textEncoder),
        ModalityRoute.image("i", new ImageDecoder(limits), image));
    return new EncodeBatch(routes, metrics);
  }

  /** The words encoder, except that it throws for any text containing {@code trigger}. */
  private static FunctionEncoder<String> failingOn(String trigger) {
    FunctionEncoder<String> words = FunctionEncoder.words();
    return new FunctionEncoder<>(Modality.TEXT, 8, s -> {
      if (s.contains(trigger)) {
        throw new IllegalStateException("native crash on " + trigger);
      }
      return words.encode(List.of(s))[0];
    });
  }

  private static PendingRecord<String, ValidEvent<?, ?>> pendingText(String session, long t, String words, boolean decoded) {
    TextEvent e = TopologyFixture.textEvent(session, t, words);
    return new PendingRecord<>(session, new ValidEvent<>(Modality.TEXT, session, t, 1, e, decoded ? words : null,
        ValidEvent.Source.UNKNOWN), t, 0);
  }

  private static PendingRecord<String, ValidEvent<?, ?>> pendingImage(String session, long t, int side) {
    ImageFrameEvent e = TopologyFixture.imageEvent(session, t, side, 7);
    return new PendingRecord<>(session, new ValidEvent<>(Modality.IMAGE, session, t, 1, e, null,
        ValidEvent.Source.UNKNOWN), t, 0);
  }

  @Test
  void encodesEachModalityOnceAndKeepsArrivalOrder() {
    List<Record<String, EncodedEvent>> out = batch(Limits.defaults()).apply(List.of(
        pendingText("a", T + 1, "one", true), pendingImage("b", T + 2, 4), pendingText("c", T + 3, "two", false),
        pendingImage("d", T + 4, 5)), 0).outputs();
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
  void anEventThatNoLongerDecodesAfterARestartIsRejectedWithTheDecodersReason() {
    BatchResult<String, EncodedEvent> result = batch(Limits.defaults().withMaxTextChars(3)).apply(List.of(
        pendingText("a", T + 1, "fine", true), pendingText("b", T + 2, "too long now", false)), 0);
    assertThat(result.outputs()).extracting(Record::key).containsExactly("a");
    assertThat(result.rejected()).extracting(BatchResult.Rejection::index, BatchResult.Rejection::reason)
        .containsExactly(tuple(1, "text-too-long"));
  }

  @Test
  void anInputThatFailsTheEncoderAloneIsRejectedAndTheRestOfItsBatchIsEncoded() {
    FunctionEncoder<String> poisoned = failingOn("poison");
    BatchResult<String, EncodedEvent> result = batch(Limits.defaults(), poisoned).apply(List.of(
        pendingText("a", T + 1, "one", true), pendingText("b", T + 2, "poison pill", true),
        pendingImage("c", T + 3, 4), pendingText("d", T + 4, "two", true)), 0);
    assertThat(result.outputs()).extracting(Record::key).containsExactly("a", "c", "d");
    assertThat(result.rejected()).extracting(BatchResult.Rejection::index, BatchResult.Rejection::reason)
        .containsExactly(tuple(1, EncodeBatch.REASON_ENCODE_FAILED));
    assertThat(result.rejected().get(0).cause()).hasMessageContaining("native crash on poison");
    // the same vectors as without the poison
    assertThat(result.outputs().get(2).value().vector()).containsExactly(text.encode(List.of("two"))[0]);
  }

  @Test
  void aPoisonInputAloneInItsBatchIsRejectedBecauseAKnownGoodInputStillEncodes() {
    BatchResult<String, EncodedEvent> result = batch(Limits.defaults(), failingOn("poison")).apply(List.of(
        pendingText("b", T + 2, "poison pill", true)), 0);
    assertThat(result.outputs()).isEmpty();
    assertThat(result.rejected()).extracting(BatchResult.Rejection::reason)
        .containsExactly(EncodeBatch.REASON_ENCODE_FAILED);
  }

  @Test
  void aModelThatFailsOnEveryInputFailsTheBatchInsteadOfDeadLetteringGoodInput() {
    FunctionEncoder<String> broken = new FunctionEncoder<>(Modality.TEXT, 8, s -> {
      throw new IllegalStateException("CUDA out of memory");
    });
    var batch = batch(Limits.defaults(), broken);
    var members = List.of(pendingText("a", T + 1, "one", true), pendingText("b", T + 2, "two", true));
    assertThatThrownBy(() -> batch.apply(members, 0))
        .hasMessageContaining("the model is failing, not the input")
        .hasMessageContaining("CUDA out of memory");
  }

  @Test
  void poisonInputExceptionFromTheEncoderRejectsExactlyTheNamedInput() {
    FunctionEncoder<String> words = FunctionEncoder.words();
    Encoder<String> reporting = new Encoder<>() {
      @Override public Modality modality() { return Modality.TEXT; }
      @Override public int dimension() { return 8; }
      @Override public String modelId() { return "reporting"; }
      @Override public void close() {}
      @Override public float[][] encode(List<String> inputs) {
        int bad = inputs.indexOf("bad input");
        if (bad >= 0) {
          throw new PoisonInputException(bad, "input " + bad + " fails alone", null);
        }
        return words.encode(inputs);
      }
    };
    EncodeBatch batch = new EncodeBatch(List.of(ModalityRoute.text("t", new TextDecoder(Limits.defaults()), reporting)),
        metrics);
    BatchResult<String, EncodedEvent> result = batch.apply(List.of(pendingText("a", T + 1, "one", true),
        pendingText("b", T + 2, "bad input", true), pendingText("c", T + 3, "three", true)), 0);
    assertThat(result.outputs()).extracting(Record::key).containsExactly("a", "c");
    assertThat(result.rejected()).extracting(BatchResult.Rejection::index).containsExactly(1);
  }
}
