package io.fusionstream.fusion.synth;

import java.util.Random;

/**
 * The hidden state of one synthetic session, on the valence-arousal plane. The label needs both
 * axes: calm sessions are {@code neutral} whatever their valence; aroused ones are {@code
 * positive} or {@code negative} by the sign of their valence. Text and face show valence, the
 * voice shows arousal, so no modality alone can get the label right much more than half the time.
 *
 * @param valenceSign +1 or -1
 * @param valenceStrength how clearly the valence shows, in (0, 1]
 * @param arousal in [0, 1]: at least 0.5 for aroused sessions, below 0.45 for calm ones
 */
public record Affect(String label, int valenceSign, double valenceStrength, double arousal) {
  public static final String POSITIVE = "positive";
  public static final String NEUTRAL = "neutral";
  public static final String NEGATIVE = "negative";

  /** The same arousal with the opposite valence: the other aroused label. */
  Affect oppositeValence() {
    return new Affect(valenceSign > 0 ? NEGATIVE : POSITIVE, -valenceSign, valenceStrength, arousal);
  }

  /** At least {@code min} of valence strength, so a drawn face leaves no doubt about its sign. */
  Affect atLeast(double min) {
    return new Affect(label, valenceSign, Math.max(min, valenceStrength), arousal);
  }

  boolean aroused() {
    return !NEUTRAL.equals(label);
  }

  static Affect sample(Random random) {
    int pick = random.nextInt(3);
    double strength = 0.3 + 0.7 * random.nextDouble();
    return switch (pick) {
      case 0 -> new Affect(POSITIVE, 1, strength, 0.5 + 0.5 * random.nextDouble());
      case 1 -> new Affect(NEUTRAL, random.nextBoolean() ? 1 : -1, strength, 0.45 * random.nextDouble());
      default -> new Affect(NEGATIVE, -1, strength, 0.5 + 0.5 * random.nextDouble());
    };
  }
}
