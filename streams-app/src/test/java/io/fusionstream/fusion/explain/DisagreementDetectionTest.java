package io.fusionstream.fusion.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DisagreementDetectionTest {
  // six windows: the last one has a single modality and can never be flagged
  private static final float[] CONSISTENCY = {0.1f, 0.3f, 0.4f, 0.7f, 0.9f, 0.05f};
  private static final boolean[] FLAGGABLE = {true, true, true, true, true, false};
  private static final boolean[] CONTRADICTING = {true, false, true, false, false, true};

  @Test
  void precisionRecallAndF1AtAThreshold() {
    DisagreementDetection.Score s = DisagreementDetection.at(0.5, CONSISTENCY, FLAGGABLE, CONTRADICTING);
    // flagged: 0.1 (right), 0.3 (wrong), 0.4 (right); missed: the single-modality window
    assertThat(s.truePositives()).isEqualTo(2);
    assertThat(s.falsePositives()).isEqualTo(1);
    assertThat(s.falseNegatives()).isEqualTo(1);
    assertThat(s.precision()).isCloseTo(2 / 3.0, within(1e-12));
    assertThat(s.recall()).isCloseTo(2 / 3.0, within(1e-12));
    assertThat(s.f1()).isCloseTo(4 / 6.0, within(1e-12));

    DisagreementDetection.Score none = DisagreementDetection.at(0.0, CONSISTENCY, FLAGGABLE, CONTRADICTING);
    assertThat(none.precision()).as("nothing flagged").isNaN();
    assertThat(none.recall()).isZero();
    assertThat(none.f1()).isZero();
  }

  @Test
  void bestThresholdMaximisesF1AndPrefersFewerFlags() {
    DisagreementDetection.Score best = DisagreementDetection.best(CONSISTENCY, FLAGGABLE, CONTRADICTING);
    // under 0.2: P 1, R 1/3, F1 0.5; under 0.35: F1 0.4; under 0.55: F1 2/3, the best
    assertThat(best.f1()).isCloseTo(2 / 3.0, within(1e-12));
    assertThat(best.threshold()).isCloseTo(0.55, within(1e-6));
    assertThat(DisagreementDetection.best(CONSISTENCY, FLAGGABLE, new boolean[6]))
        .as("no contradiction, nothing to fit").isNull();
  }
}
