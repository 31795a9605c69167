package io.fusionstream.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each strategy against values worked out by hand from its definition. Modality vectors (d = 2):
 * text (1, 2), image (3, -1), audio (0, 4). Rows: all present; image absent; only audio.
 */
class FusionStrategyMathTest {
  private static final float[][] MASKS = {{1, 1, 1}, {1, 0, 1}, {0, 0, 1}};
  private static final float[] VECTORS = {1, 2, 3, -1, 0, 4};

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager(Device.cpu(), DjlFusionModel.ENGINE);
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private NDList run(StrategyBlock block) {
    float[] rows = new float[3 * VECTORS.length];
    for (int r = 0; r < 3; r++) {
      System.arraycopy(VECTORS, 0, rows, r * VECTORS.length, VECTORS.length);
    }
    NDArray projected = manager.create(rows, new Shape(3, 3, 2));
    NDArray mask = manager.create(MASKS);
    return block.forward(new ParameterStore(manager, false), new NDList(projected, mask), false);
  }

  private StrategyBlock init(StrategyBlock block) {
    block.initialize(manager, DataType.FLOAT32, new Shape(3, 3, 2), new Shape(3, 3));
    return block;
  }

  private static void set(Parameter p, float... values) {
    p.getArray().set(FloatBuffer.wrap(values));
  }

  private static void assertRows(NDArray actual, double[][] expected) {
    float[] flat = actual.toFloatArray();
    int width = expected[0].length;
    assertThat(flat).hasSize(expected.length * width);
    for (int r = 0; r < expected.length; r++) {
      for (int c = 0; c < width; c++) {
        assertThat((double) flat[r * width + c])
            .as("row %d column %d", r, c)
            .isCloseTo(expected[r][c], within(1e-5));
      }
    }
  }

  @Test
  void meanAveragesPresentModalitiesOnly() {
    NDList out = run(init(new MeanFusion(3, 2)));
    assertRows(out.get(1), new double[][] {{1 / 3.0, 1 / 3.0, 1 / 3.0}, {0.5, 0, 0.5}, {0, 0, 1}});
    assertRows(out.get(0), new double[][] {{4 / 3.0, 5 / 3.0}, {0.5, 3}, {0, 4}});
  }

  @Test
  void weightedRenormalisesLearnedSoftmaxOverPresentModalities() {
    WeightedFusion block = (WeightedFusion) init(new WeightedFusion(3, 2));
    // exp of the logits: 1, 2, 3
    set(block.logits, 0f, (float) Math.log(2), (float) Math.log(3));
    NDList out = run(block);
    assertRows(out.get(1), new double[][] {{1 / 6.0, 2 / 6.0, 3 / 6.0}, {0.25, 0, 0.75}, {0, 0, 1}});
    assertRows(out.get(0), new double[][] {{7 / 6.0, 2}, {0.25, 3.5}, {0, 4}});
  }

  @Test
  void maxTakesElementWiseMaximumOfPresentModalitiesAndReportsWhoSuppliedIt() {
    NDList out = run(init(new MaxFusion(3, 2)));
    // row 0: 3 from image, 4 from audio; row 1 (no image): 1 from text, 4 from audio
    assertRows(out.get(0), new double[][] {{3, 4}, {1, 4}, {0, 4}});
    assertRows(out.get(1), new double[][] {{0, 0.5, 0.5}, {0.5, 0, 0.5}, {0, 0, 1}});
  }

  @Test
  void attentionIsSoftmaxOfTanhScoresOverPresentModalities() {
    AttentionFusion block = (AttentionFusion) init(new AttentionFusion(3, 2, 2));
    set(block.w, 1, 0, 0, 1); // W = identity
    set(block.b, 0, 0);
    set(block.wa, 1, 0); // score_i = tanh(v_i[0])
    NDList out = run(block);
    double t = Math.exp(Math.tanh(1)); // 2.141818
    double i = Math.exp(Math.tanh(3)); // 2.704896
    double a = Math.exp(Math.tanh(0)); // 1
    double[] all = {t / (t + i + a), i / (t + i + a), a / (t + i + a)};
    double[] noImage = {t / (t + a), 0, a / (t + a)};
    assertThat(all[0]).isCloseTo(0.366316, within(1e-5));
    assertRows(out.get(1), new double[][] {all, noImage, {0, 0, 1}});
    assertRows(
        out.get(0),
        new double[][] {
          {all[0] * 1 + all[1] * 3, all[0] * 2 - all[1] + all[2] * 4},
          {noImage[0], noImage[0] * 2 + noImage[2] * 4},
          {0, 4}
        });
  }

  @Test
  void gatedRenormalisesSigmoidGatesOverPresentModalities() {
    GatedFusion block = (GatedFusion) init(new GatedFusion(3, 2));
    set(block.gateWeight, 1, 0, 0, 1, 0, 0); // text reads its x, image its y, audio nothing
    set(block.gateBias, 0, 0, 0);
    NDList out = run(block);
    double gt = 1 / (1 + Math.exp(-1)); // 0.731059
    double gi = 1 / (1 + Math.exp(1)); // 0.268941
    double ga = 0.5;
    assertRows(
        out.get(1),
        new double[][] {
          {gt / 1.5, gi / 1.5, ga / 1.5}, {gt / (gt + ga), 0, ga / (gt + ga)}, {0, 0, 1}
        });
    double wt = gt / (gt + ga);
    assertRows(out.get(0).get("1:2"), new double[][] {{wt, wt * 2 + (1 - wt) * 4}});
  }

  @Test
  void concatZeroFillsAbsentModalitiesAndAppendsTheMask() {
    NDList out = run(init(new ConcatFusion(3, 2)));
    assertRows(
        out.get(0),
        new double[][] {
          {1, 2, 3, -1, 0, 4, 1, 1, 1}, {1, 2, 0, 0, 0, 4, 1, 0, 1}, {0, 0, 0, 0, 0, 4, 0, 0, 1}
        });
    assertRows(out.get(1), new double[][] {{1 / 3.0, 1 / 3.0, 1 / 3.0}, {0.5, 0, 0.5}, {0, 0, 1}});
  }

  @Test
  void consistencyIsTheJointCompatibilityOfPresentAuxiliaryDistributionsCappedAtOne() {
    float[] probs = {0.7f, 0.2f, 0.1f, 0.1f, 0.2f, 0.7f, 0.6f, 0.3f, 0.1f};
    NDArray c = FusionOutputs.consistency(logits(probs, 3), manager.create(MASKS));
    // all three: 9 x (0.7*0.1*0.6 + 0.2*0.2*0.3 + 0.1*0.7*0.1); text and audio: 3 x 0.49, capped; one: 1
    assertThat(c.toFloatArray()).containsExactly(new float[] {9 * 0.061f, 1f, 1f}, within(1e-5f));

    // Every pair shares a label (positive-or-neutral words, a neutral-or-negative face, an aroused
    // voice), yet no label fits all three: pairwise overlaps would call this agreement.
    float[] impossible = {0.49f, 0.49f, 0.02f, 0.02f, 0.49f, 0.49f, 0.49f, 0.02f, 0.49f};
    NDArray d = FusionOutputs.consistency(logits(impossible, 1), manager.create(new float[][] {{1, 1, 1}}));
    assertThat(d.toFloatArray()[0]).isCloseTo(9 * 3 * 0.49f * 0.49f * 0.02f, within(1e-5f));
    assertThat(d.toFloatArray()[0]).isLessThan(0.2f);
  }

  /** (rows, 3, 3) logits whose softmax over the last axis is {@code probs}, repeated per row. */
  private NDArray logits(float[] probs, int rows) {
    float[] batch = new float[rows * 9];
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < 9; k++) {
        batch[r * 9 + k] = (float) Math.log(probs[k]);
      }
    }
    return manager.create(batch, new Shape(rows, 3, 3));
  }
}
