package io.fusionstream.fusion.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fusionstream.schema.Modality;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaithfulnessTest {
  private static Map<Modality, Float> w(float text, float image, float audio) {
    Map<Modality, Float> m = new EnumMap<>(Modality.class);
    if (text >= 0) {
      m.put(Modality.TEXT, text);
    }
    if (image >= 0) {
      m.put(Modality.IMAGE, image);
    }
    if (audio >= 0) {
      m.put(Modality.AUDIO, audio);
    }
    return m;
  }

  @Test
  void topAndBottomNeedTwoModalitiesAndAStrictExtreme() {
    assertThat(Faithfulness.top(w(0.5f, 0.3f, 0.2f))).hasValue(Modality.TEXT);
    assertThat(Faithfulness.bottom(w(0.5f, 0.3f, 0.2f))).hasValue(Modality.AUDIO);
    assertThat(Faithfulness.bottom(w(0.6f, -1, 0.4f))).as("absent image").hasValue(Modality.AUDIO);
    assertThat(Faithfulness.top(w(1f, -1, -1))).as("one modality").isEmpty();
    assertThat(Faithfulness.bottom(w(1 / 3f, 1 / 3f, 1 / 3f))).as("uniform weights name nobody").isEmpty();
    assertThat(Faithfulness.bottom(w(0.4f, 0.3f, 0.3f))).as("a tie for lowest").isEmpty();
    assertThat(Faithfulness.top(w(0.4f, 0.3f, 0.3f))).as("the top is still strict").hasValue(Modality.TEXT);
  }

  @Test
  void noisedLowestCountsWindowsWhereTheNoisedModalityIsStrictlyLowest() {
    List<Map<Modality, Float>> weights = List.of(
        w(0.5f, 0.4f, 0.1f),   // audio noised, lowest: yes
        w(0.2f, 0.5f, 0.3f),   // text noised, lowest: yes
        w(0.2f, 0.5f, 0.3f),   // audio noised: no, text is lowest
        w(0.5f, 0.25f, 0.25f)); // image noised, tied with audio: no
    double share = Faithfulness.noisedLowest(weights,
        List.of(Modality.AUDIO, Modality.TEXT, Modality.AUDIO, Modality.IMAGE));
    assertThat(share).isCloseTo(0.5, within(1e-12));
    assertThat(Faithfulness.noisedLowest(List.of(), List.of())).isNaN();
  }

  @Test
  void removalComparesTheAccuracyLostWithoutTopAndWithoutBottom() {
    boolean[] full = {true, true, true, true, false};
    boolean[] withoutTop = {false, false, true, true, false};
    boolean[] withoutBottom = {true, true, true, false, true};
    Faithfulness.Removal r = Faithfulness.removal(full, withoutTop, withoutBottom);
    assertThat(r.windows()).isEqualTo(5);
    assertThat(r.dropTop()).isCloseTo(0.8 - 0.4, within(1e-12));
    assertThat(r.dropBottom()).isCloseTo(0.8 - 0.8, within(1e-12));
    assertThat(r.faithful()).isTrue();
    assertThat(Faithfulness.removal(withoutTop, full, full).faithful()).as("removing the top helps").isFalse();
  }
}
