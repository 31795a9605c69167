package io.fusionstream.fusion.synth;

import io.fusionstream.fusion.explain.WindowStory;
import io.fusionstream.schema.Modality;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A session generated with one known {@link WindowStory}: every modality clean except the one the
 * story is about. Used by {@code dataset synth --stories} to measure whether what a prediction says
 * about itself (weights, consistency, scores) is true.
 *
 * <p>Only text and face carry valence and only the voice carries arousal, so a contradiction is
 * only visible when the two valence witnesses disagree in an aroused session: a calm session is
 * neutral whatever its valence, and a lying voice has no other witness to be caught by. A
 * contradiction therefore flips the valence of the text or of the face in a positive or negative
 * session, and a calm session drawn for a contradiction stays clean.
 *
 * <p>"Clean" has to mean that every modality shows the hidden state, or the ground truth is wrong:
 * so outside its story a modality is plain. Utterances are plain statements (none of the classic
 * generator's small talk, sarcasm or understatement, which are contradictions or silences of their
 * own) and the face shows its valence with a strength of at least {@value #CLEAR_VALENCE}.
 */
record StoriedSession(SyntheticSession session, WindowStory story) {
  static final double NOISE = 0.2;
  static final double CONTRADICT = 0.2;
  static final double MISSING = 0.2;
  static final double CLEAR_VALENCE = 0.6;
  private static final List<Modality> VALENCE_WITNESSES = List.of(Modality.TEXT, Modality.IMAGE);

  static StoriedSession sample(Random random) {
    Affect affect = Affect.sample(random);
    WindowStory story = story(affect, random);
    affect = affect.atLeast(CLEAR_VALENCE);
    List<String> texts = new ArrayList<>();
    if (!story.is(WindowStory.Kind.MISSING, Modality.TEXT)) {
      for (int i = 0, n = 1 + random.nextInt(2); i < n; i++) {
        if (story.is(WindowStory.Kind.NOISE, Modality.TEXT)) {
          texts.add(SyntheticText.garbled(random));
        } else if (story.is(WindowStory.Kind.CONTRADICT, Modality.TEXT)) {
          texts.add(SyntheticText.plain(affect.oppositeValence(), random));
        } else {
          texts.add(SyntheticText.plain(affect, random));
        }
      }
    }
    List<BufferedImage> frames = new ArrayList<>();
    if (!story.is(WindowStory.Kind.MISSING, Modality.IMAGE)) {
      for (int i = 0, n = 1 + random.nextInt(2); i < n; i++) {
        if (story.is(WindowStory.Kind.NOISE, Modality.IMAGE)) {
          frames.add(SyntheticFace.noise(random));
        } else if (story.is(WindowStory.Kind.CONTRADICT, Modality.IMAGE)) {
          frames.add(SyntheticFace.draw(affect.oppositeValence(), false, random));
        } else {
          frames.add(SyntheticFace.draw(affect, false, random));
        }
      }
    }
    List<float[]> voice = new ArrayList<>();
    if (!story.is(WindowStory.Kind.MISSING, Modality.AUDIO)) {
      for (int i = 0, n = 1 + random.nextInt(2); i < n; i++) {
        voice.add(story.is(WindowStory.Kind.NOISE, Modality.AUDIO)
            ? SyntheticVoice.noise(random)
            : SyntheticVoice.speak(affect, false, random));
      }
    }
    boolean noise = story.kind() == WindowStory.Kind.NOISE;
    return new StoriedSession(
        new SyntheticSession(affect, texts, frames, voice, noise && story.modality() == Modality.TEXT,
            noise && story.modality() == Modality.IMAGE, noise && story.modality() == Modality.AUDIO),
        story);
  }

  private static WindowStory story(Affect affect, Random random) {
    double roll = random.nextDouble();
    Modality any = Modality.values()[random.nextInt(Modality.values().length)];
    Modality witness = VALENCE_WITNESSES.get(random.nextInt(VALENCE_WITNESSES.size()));
    if (roll < NOISE) {
      return new WindowStory(WindowStory.Kind.NOISE, any);
    }
    if (roll < NOISE + MISSING) {
      return new WindowStory(WindowStory.Kind.MISSING, any);
    }
    if (roll < NOISE + MISSING + CONTRADICT && affect.aroused()) {
      return new WindowStory(WindowStory.Kind.CONTRADICT, witness);
    }
    return WindowStory.CLEAN;
  }
}
