package io.fusionstream.encode;

import io.fusionstream.decode.DecodedAudio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BuiltinAudioEncoderTest {
  private static final AudioSpec SPEC = AudioSpec.defaults();
  private static final int M = SPEC.melBands();
  private static DjlEncoder<DecodedAudio> encoder;

  @BeforeAll
  static void load() {
    encoder = BuiltinEncoders.audio(SPEC, "cpu", 8);
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  @Test
  void silenceSitsOnTheFloorInEveryBand() {
    float[] v = encoder.encode(List.of(audio(new float[16_000])))[0];
    assertThat(v).hasSize(2 * M + 4).hasSize(encoder.dimension());
    for (int m = 0; m < M; m++) {
      assertThat(v[m]).as("mean of band %d", m).isCloseTo(-10f, within(1e-4f));
      assertThat(v[M + m]).as("std of band %d", m).isCloseTo(0f, within(1e-4f));
    }
    assertThat(v[2 * M]).as("log energy").isCloseTo(-10f, within(1e-4f));
    assertThat(v[2 * M + 2]).as("zero crossings").isZero();
  }

  @Test
  void aPureToneLandsInTheBandCentredOnItsFrequency() {
    double[] centres = MelFilterbank.centresHz(SPEC);
    for (double hz : new double[] {300, 1000, 3000, 6000}) {
      float[] v = encoder.encode(List.of(audio(tone(hz, 0.5, 1.0))))[0];
      int loudest = argMax(v, 0, M);
      int nearest = 0;
      for (int m = 1; m < M; m++) {
        if (Math.abs(centres[m] - hz) < Math.abs(centres[nearest] - hz)) {
          nearest = m;
        }
      }
      assertThat(Math.abs(loudest - nearest)).as("tone %s Hz", hz).isLessThanOrEqualTo(1);
      // A steady tone: its loudest band barely changes over time.
      assertThat(v[M + loudest]).isLessThan(0.5f);
    }
  }

  @Test
  void noiseCrossesZeroMoreOftenThanALowTone() {
    Random random = new Random(7);
    float[] noise = new float[16_000];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) random.nextGaussian() * 0.3f;
    }
    float[][] v = encoder.encode(List.of(audio(noise), audio(tone(200, 0.3, 1.0))));
    assertThat(v[0][2 * M + 2]).isGreaterThan(0.4f); // white noise: about half the steps
    assertThat(v[1][2 * M + 2]).isCloseTo(400f / 16_000, within(0.002f)); // 2 per period
  }

  @Test
  void paddingInABatchDoesNotChangeAShortChunksVector() {
    DecodedAudio shortTone = audio(tone(700, 0.4, 0.25));
    DecodedAudio longTone = audio(tone(2500, 0.8, 2.0));
    float[] alone = encoder.encode(List.of(shortTone))[0];
    float[][] together = encoder.encode(List.of(longTone, shortTone, longTone));
    assertThat(together[1]).containsExactly(alone, within(1e-3f));
    assertThat(together[0]).containsExactly(together[2], within(1e-5f));
  }

  @Test
  void louderAudioHasMoreEnergy() {
    float[][] v = encoder.encode(List.of(audio(tone(440, 0.05, 1)), audio(tone(440, 0.5, 1))));
    // Ten times the amplitude is a hundred times the power: +2 in log10.
    assertThat(v[1][2 * M] - v[0][2 * M]).isCloseTo(2f, within(0.01f));
  }

  static DecodedAudio audio(float[] samples) {
    return new DecodedAudio(samples, 16_000);
  }

  static float[] tone(double hz, double amplitude, double seconds) {
    float[] s = new float[(int) (16_000 * seconds)];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / 16_000));
    }
    return s;
  }

  private static int argMax(float[] v, int from, int to) {
    int best = from;
    for (int i = from; i < to; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best - from;
  }
}
