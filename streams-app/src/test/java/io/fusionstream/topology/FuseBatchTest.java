package io.fusionstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fusionstream.fusion.FusionInput;
import io.fusionstream.fusion.FusionModel;
import io.fusionstream.fusion.FusionOutput;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.Modality;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/** The fuse batch: one window that breaks the model never fails the others; a broken model fails the batch. */
class FuseBatchTest {
  private static final int DIM = 4;

  private static PendingRecord<String, ClosedWindow> window(String session, int dim) {
    ClosedWindow w = new ClosedWindow(session, 0, 10_000,
        Map.of(Modality.TEXT, new ClosedWindow.Pooled(new float[dim], 1, 1, 1)), 5);
    return new PendingRecord<>(session, w, 9_999, 0);
  }

  /** The mean model, failing on any input matched by {@code fails}. */
  private static FusionModel failingWhen(Predicate<FusionInput> fails) {
    MeanFusionModel mean = new MeanFusionModel();
    return new FusionModel() {
      @Override public String version() { return mean.version(); }
      @Override public List<String> labels() { return mean.labels(); }
      @Override public void close() {}
      @Override public List<FusionOutput> predict(List<FusionInput> batch) {
        if (batch.stream().anyMatch(fails)) {
          throw new IllegalArgumentException("shape mismatch");
        }
        return mean.predict(batch);
      }
    };
  }

  private static FuseBatch fuse(FusionModel model) {
    return new FuseBatch(() -> model, new PredictionMapper(false), Map.of(Modality.TEXT, DIM), PipelineMetrics.NOOP);
  }

  @Test
  void aWindowTheModelFailsOnIsRejectedAndTheOthersAreFused() {
    FuseBatch batch = fuse(failingWhen(in -> in.pooled().get(Modality.TEXT).length != DIM));
    BatchResult<String, FusedPrediction> result = batch.apply(List.of(window("a", DIM), window("stale", 7),
        window("c", DIM)), 100);
    assertThat(result.outputs()).extracting(Record::key).containsExactly("a", "c");
    assertThat(result.rejected()).extracting(BatchResult.Rejection::index, BatchResult.Rejection::reason)
        .containsExactly(org.assertj.core.api.Assertions.tuple(1, FuseBatch.REASON_FUSE_FAILED));
  }

  @Test
  void aSingleBadWindowIsRejectedBecauseAKnownGoodWindowFuses() {
    FuseBatch batch = fuse(failingWhen(in -> in.pooled().get(Modality.TEXT).length != DIM));
    assertThat(batch.apply(List.of(window("stale", 7)), 100).rejected()).hasSize(1);
  }

  @Test
  void aModelThatFailsOnEveryWindowFailsTheBatch() {
    FuseBatch batch = fuse(failingWhen(in -> true));
    assertThatThrownBy(() -> batch.apply(List.of(window("a", DIM), window("b", DIM)), 100))
        .hasMessageContaining("the model is failing, not the windows");
  }

  @Test
  void aRejectedWindowIsDeadLetteredAsAJsonSummary() {
    var render = StageDeadLetters.windows();
    DeadLetterRecord letter = render.render(window("s\"1", 7),
        new BatchResult.Rejection(0, FuseBatch.REASON_FUSE_FAILED, new IllegalArgumentException("shape mismatch")));
    assertThat(new String(letter.value())).isEqualTo(
        "{\"session_id\":\"s\\\"1\",\"window_start\":0,\"window_end\":10000,"
            + "\"modalities\":{\"text\":{\"events\":1,\"dimension\":7}}}");
    assertThat(new String(letter.headers().lastHeader(DeadLetters.HEADER_REASON).value()))
        .isEqualTo(FuseBatch.REASON_FUSE_FAILED);
    assertThat(new String(letter.headers().lastHeader(StageDeadLetters.HEADER_VALUE_FORMAT).value())).isEqualTo("json");
  }
}
