package io.fusionstream.fusion.synth;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One generated session window in memory: what the dataset writes to files and what the demo and
 * {@code produce --synthetic} stream to Kafka, so the model is served the distribution it was
 * trained on.
 *
 * @param voice 16 kHz mono chunks of one second each
 */
public record SyntheticSession(Affect affect, List<String> texts, List<BufferedImage> frames,
    List<float[]> voice, boolean textDegraded, boolean imageDegraded, boolean audioDegraded) {

  public static final int SAMPLE_RATE = SyntheticVoice.SAMPLE_RATE;

  /** Draws the next session from the generator: 1-2 of each modality. */
  public static SyntheticSession sample(Random random) {
    Affect affect = Affect.sample(random);
    boolean badImage = random.nextDouble() < SyntheticDataset.DEGRADED_IMAGE;
    boolean badAudio = random.nextDouble() < SyntheticDataset.DEGRADED_AUDIO;
    boolean badText = random.nextDouble() < SyntheticDataset.DEGRADED_TEXT;
    List<String> texts = new ArrayList<>();
    for (int i = 0, n = 1 + random.nextInt(2); i < n; i++) {
      texts.add(badText ? SyntheticText.garbled(random) : SyntheticText.utterance(affect, random));
    }
    List<BufferedImage> frames = new ArrayList<>();
    for (int i = 0, n = 1 + random.nextInt(2); i < n; i++) {
      frames.add(SyntheticFace.draw(affect, badImage, random));
    }
    List<float[]> voice = new ArrayList<>();
    for (int i = 0, n = 1 + random.nextInt(2); i < n; i++) {
      voice.add(SyntheticVoice.speak(affect, badAudio, random));
    }
    return new SyntheticSession(affect, texts, frames, voice, badText, badImage, badAudio);
  }

  public String label() {
    return affect.label();
  }
}
