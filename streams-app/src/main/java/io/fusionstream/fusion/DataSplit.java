package io.fusionstream.fusion;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A seeded, label-stratified split into training, validation (early stopping) and held-out test
 * windows. Same windows and seed, same split, so every strategy in a comparison sees the same.
 */
public record DataSplit(
    List<LabeledWindow> train, List<LabeledWindow> validation, List<LabeledWindow> test) {

  public static DataSplit stratified(
      List<LabeledWindow> windows, long seed, double validationFraction, double testFraction) {
    if (validationFraction <= 0 || testFraction <= 0 || validationFraction + testFraction >= 1) {
      throw new IllegalArgumentException(
          "fractions must be positive and leave room for training: " + validationFraction + ", "
              + testFraction);
    }
    Map<Integer, List<LabeledWindow>> byLabel = new TreeMap<>();
    for (LabeledWindow w : windows) {
      byLabel.computeIfAbsent(w.label(), k -> new ArrayList<>()).add(w);
    }
    Random random = new Random(seed);
    List<LabeledWindow> train = new ArrayList<>();
    List<LabeledWindow> validation = new ArrayList<>();
    List<LabeledWindow> test = new ArrayList<>();
    for (List<LabeledWindow> group : byLabel.values()) {
      java.util.Collections.shuffle(group, random);
      int nTest = (int) Math.round(group.size() * testFraction);
      int nVal = (int) Math.round(group.size() * validationFraction);
      test.addAll(group.subList(0, nTest));
      validation.addAll(group.subList(nTest, Math.min(group.size(), nTest + nVal)));
      train.addAll(group.subList(Math.min(group.size(), nTest + nVal), group.size()));
    }
    return new DataSplit(List.copyOf(train), List.copyOf(validation), List.copyOf(test));
  }
}
