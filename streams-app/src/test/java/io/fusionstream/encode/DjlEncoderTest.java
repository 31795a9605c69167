package io.fusionstream.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.LambdaBlock;
import io.fusionstream.schema.Modality;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared plumbing, with a toy model: vector = [x, 2x]; it refuses values over 100. */
class DjlEncoderTest {

  private static DjlEncoder<Float> toy(boolean failEverything) {
    Model model = Model.newInstance("toy", Device.cpu(), "PyTorch");
    model.setBlock(new LambdaBlock(list -> {
      NDArray x = list.singletonOrThrow();
      if (failEverything || x.max().getFloat() > 100) {
        throw new IllegalStateException("value out of range");
      }
      return new NDList(x.concat(x.mul(2), 1));
    }));
    Preprocessor<Float> preprocessor = new Preprocessor<>() {
      @Override
      public NDList toInput(NDManager manager, List<Float> batch) {
        float[] values = new float[batch.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = batch.get(i);
        }
        return new NDList(manager.create(values).reshape(batch.size(), 1));
      }

      @Override
      public float[][] toVectors(NDList input, NDList output, int batchSize) {
        return OutputSpec.first().rows(output.get(0), batchSize);
      }
    };
    return new DjlEncoder<>(Modality.AUDIO, "toy@1", 2, model, null, preprocessor, Device.cpu(), 3, false);
  }

  @Test
  void splitsIntoBatchesAndKeepsOrder() {
    try (DjlEncoder<Float> encoder = toy(false)) {
      float[][] v = encoder.encode(List.of(1f, 2f, 3f, 4f, 5f, 6f, 7f));
      assertThat(encoder.plan(List.of(1f, 2f, 3f, 4f, 5f, 6f, 7f))).hasSize(3);
      for (int i = 0; i < 7; i++) {
        assertThat(v[i]).containsExactly(i + 1f, 2 * (i + 1f));
      }
    }
  }

  @Test
  void anInputThatFailsAloneIsNamedAndTheRestOfItsBatchIsNotBlamed() {
    try (DjlEncoder<Float> encoder = toy(false)) {
      assertThatThrownBy(() -> encoder.encode(List.of(1f, 2f, 3f, 4f, 500f, 6f)))
          .isInstanceOf(PoisonInputException.class)
          .satisfies(e -> assertThat(((PoisonInputException) e).index()).isEqualTo(4))
          .hasMessageContaining("toy@1");
    }
  }

  @Test
  void aModelThatFailsOnEverythingIsAModelFailureNotPoison() {
    try (DjlEncoder<Float> encoder = toy(true)) {
      assertThatThrownBy(() -> encoder.encode(List.of(1f, 2f)))
          .isInstanceOf(EncodeException.class)
          .isNotInstanceOf(PoisonInputException.class)
          .hasMessageContaining("batch of 2");
    }
  }

  @Test
  void closedEncodersRefuseWork() {
    DjlEncoder<Float> encoder = toy(false);
    encoder.close();
    encoder.close(); // idempotent
    assertThatThrownBy(() -> encoder.encode(List.of(1f))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void emptyInputGivesNoRows() {
    try (DjlEncoder<Float> encoder = toy(false)) {
      assertThat(encoder.encode(List.of())).isEmpty();
    }
  }
}
