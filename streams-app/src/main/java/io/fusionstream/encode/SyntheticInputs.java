package io.fusionstream.encode;

import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Deterministic made-up inputs for benchmarks and smoke tests: no files needed. */
public final class SyntheticInputs {
  private static final String[] SUBJECTS = {
    "The customer", "My camera", "The doctor", "Our team", "The stream", "This product", "The patient"
  };
  private static final String[] VERBS = {
    "reported", "noticed", "explained", "could not find", "really liked", "asked about", "fixed"
  };
  private static final String[] OBJECTS = {
    "a problem with the login page", "the blurry video during the call", "a sharp pain in the knee",
    "the new pricing plan", "the delay before the audio starts", "an error after the last update",
    "how to export the weekly report"
  };
  private static final String[] TAILS = {
    "", " yesterday evening", " and wants a refund", ", which happens every morning",
    " while we were talking to the support agent about something else entirely"
  };

  private SyntheticInputs() {}

  /** Sentences of 5 to 30 words, like chat lines or transcript segments. */
  public static List<String> sentences(int count, long seed) {
    Random random = new Random(seed);
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(pick(random, SUBJECTS) + " " + pick(random, VERBS) + " " + pick(random, OBJECTS)
          + pick(random, TAILS) + ".");
    }
    return out;
  }

  /** Colour gradients with a few rectangles and some noise. */
  public static List<DecodedImage> images(int count, int width, int height, long seed) {
    Random random = new Random(seed);
    List<DecodedImage> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] rgb = new byte[width * height * 3];
      int[] base = {random.nextInt(256), random.nextInt(256), random.nextInt(256)};
      int rx = random.nextInt(Math.max(1, width / 2));
      int ry = random.nextInt(Math.max(1, height / 2));
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          boolean inside = x >= rx && x < rx + width / 3 && y >= ry && y < ry + height / 3;
          for (int c = 0; c < 3; c++) {
            int v = inside ? 255 - base[c] : base[c] + (x + y) * 64 / (width + height);
            rgb[(y * width + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v + random.nextInt(9) - 4));
          }
        }
      }
      out.add(new DecodedImage(width, height, rgb));
    }
    return out;
  }

  /** A chord of two random tones plus noise, with a random loudness. */
  public static List<DecodedAudio> audio(int count, double seconds, int sampleRate, long seed) {
    Random random = new Random(seed);
    List<DecodedAudio> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      float[] samples = new float[(int) (seconds * sampleRate)];
      double f1 = 100 + random.nextInt(1000);
      double f2 = 1000 + random.nextInt(3000);
      double gain = 0.05 + random.nextDouble() * 0.5;
      for (int t = 0; t < samples.length; t++) {
        double s = Math.sin(2 * Math.PI * f1 * t / sampleRate) + 0.5 * Math.sin(2 * Math.PI * f2 * t / sampleRate);
        samples[t] = (float) (gain * (s / 1.5 + 0.05 * random.nextGaussian()));
      }
      out.add(new DecodedAudio(samples, sampleRate));
    }
    return out;
  }

  private static String pick(Random random, String[] options) {
    return options[random.nextInt(options.length)];
  }
}
