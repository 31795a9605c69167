package io.fusionstream.fusion.synth;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.QuadCurve2D;
import java.awt.image.BufferedImage;
import java.util.Random;

/**
 * A drawn face whose mouth curve, brow slant and a faint tint follow valence (a smile and raised
 * brows when positive, a frown and knitted brows when negative), scaled by how strongly the
 * valence shows. Position, size, skin and background vary; pixel noise always. A degraded frame
 * either adds heavy noise and an occluder over the mouth or is a glitching feed of random pixels
 * with a faint trace of the face. Arousal is not drawn.
 */
final class SyntheticFace {
  static final int SIZE = 96;
  private static final Color[] SKIN = {
    new Color(241, 194, 125), new Color(224, 172, 105), new Color(198, 134, 66),
    new Color(141, 85, 36), new Color(255, 219, 172)
  };

  private SyntheticFace() {}

  static BufferedImage draw(Affect affect, boolean degraded, Random random) {
    BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(new Color(60 + random.nextInt(140), 60 + random.nextInt(140), 60 + random.nextInt(140)));
      g.fillRect(0, 0, SIZE, SIZE);

      double expression = affect.valenceSign() * affect.valenceStrength();
      double cx = SIZE / 2.0 + random.nextGaussian() * 4;
      double cy = SIZE / 2.0 + random.nextGaussian() * 4;
      double r = 30 + random.nextDouble() * 8;
      Color skin = SKIN[random.nextInt(SKIN.length)];
      g.setColor(tint(skin, expression * 0.08));
      g.fill(new Ellipse2D.Double(cx - r, cy - r * 1.1, 2 * r, 2.2 * r));

      g.setColor(new Color(30, 30, 30));
      double eyeY = cy - r * 0.25;
      double eyeDx = r * 0.4;
      for (int side = -1; side <= 1; side += 2) {
        double ex = cx + side * eyeDx;
        g.fill(new Ellipse2D.Double(ex - 3.5, eyeY - 3, 7, 6));
        // brows: inner ends down when negative (knitted), raised when positive
        double slope = side * expression * 4;
        g.setStroke(new BasicStroke(2.5f));
        g.draw(new Line2D.Double(ex - 7, eyeY - 9 - slope, ex + 7, eyeY - 9 + slope));
      }
      double mouthY = cy + r * 0.45;
      double half = r * 0.45;
      g.setStroke(new BasicStroke(3f));
      g.setColor(new Color(120, 30, 40));
      // the control point pulls the middle down for a smile, up for a frown
      g.draw(new QuadCurve2D.Double(cx - half, mouthY, cx, mouthY + expression * 12, cx + half, mouthY));

      if (degraded && random.nextBoolean()) {
        g.dispose();
        return brokenFeed(image, random);
      }
      if (degraded) {
        g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
        double w = r * (1.0 + random.nextDouble());
        g.fillRect((int) (cx - w / 2), (int) (mouthY - 12 - random.nextInt(10)), (int) w, 26 + random.nextInt(14));
      }
    } finally {
      g.dispose();
    }
    addNoise(image, degraded ? 55 + random.nextInt(30) : 10 + random.nextInt(20), random);
    return image;
  }

  /** A glitching camera: random pixels with only a faint trace of the face left. */
  private static BufferedImage brokenFeed(BufferedImage face, Random random) {
    double keep = 0.1 + 0.15 * random.nextDouble();
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        int rgb = face.getRGB(x, y);
        int noise = random.nextInt(0x1000000);
        int mixed = 0;
        for (int shift = 0; shift <= 16; shift += 8) {
          int c = (int) (keep * ((rgb >> shift) & 0xff) + (1 - keep) * ((noise >> shift) & 0xff));
          mixed |= clamp(c) << shift;
        }
        face.setRGB(x, y, mixed);
      }
    }
    return face;
  }

  /** Warm (toward red) for positive, cool (toward blue) for negative. */
  private static Color tint(Color c, double amount) {
    int red = clamp(c.getRed() + (int) (amount * 255));
    int blue = clamp(c.getBlue() - (int) (amount * 255));
    return new Color(red, c.getGreen(), blue);
  }

  /** A noise frame: what a camera shows with the lens covered or the feed broken. */
  static BufferedImage noise(Random random) {
    BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
    addNoise(image, 0, random);
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        image.setRGB(x, y, random.nextInt(0x1000000));
      }
    }
    return image;
  }

  private static void addNoise(BufferedImage image, int sigma, Random random) {
    if (sigma == 0) {
      return;
    }
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        int rgb = image.getRGB(x, y);
        int red = clamp(((rgb >> 16) & 0xff) + (int) (random.nextGaussian() * sigma));
        int green = clamp(((rgb >> 8) & 0xff) + (int) (random.nextGaussian() * sigma));
        int blue = clamp((rgb & 0xff) + (int) (random.nextGaussian() * sigma));
        image.setRGB(x, y, (red << 16) | (green << 8) | blue);
      }
    }
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }
}
