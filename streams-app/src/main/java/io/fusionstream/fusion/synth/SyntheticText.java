package io.fusionstream.fusion.synth;

import java.util.List;
import java.util.Random;

/**
 * Utterances that carry the sign of valence only, never arousal: mostly plain sentiment, some
 * ambiguous small talk, and some that say the opposite of what they mean (sarcasm for negative
 * sessions, "not bad" understatement for positive ones). A degraded session's transcript is
 * {@link #garbled}.
 */
final class SyntheticText {
  private static final List<String> POSITIVE =
      List.of(
          "I love how this turned out",
          "this is wonderful news",
          "what a great result",
          "I am really happy with the team",
          "that was a fantastic idea",
          "thanks, this works perfectly",
          "I enjoyed every minute of it",
          "the new version is excellent",
          "you made my day",
          "everything went smoothly");
  private static final List<String> NEGATIVE =
      List.of(
          "this is terrible",
          "I am really disappointed",
          "that was an awful experience",
          "nothing works and I hate it",
          "the service was bad again",
          "I am upset about the delay",
          "what a waste of time",
          "this is the worst update so far",
          "I regret signing up",
          "it keeps failing on me");
  private static final List<String> SARCASTIC =
      List.of(
          "oh great, another outage, just wonderful",
          "fantastic, it crashed again, love that",
          "wow, what a brilliant idea to delete my files",
          "perfect, waiting two hours was exactly what I wanted",
          "sure, amazing service as always");
  private static final List<String> UNDERSTATED =
      List.of(
          "not bad at all, honestly",
          "I can't complain about anything",
          "it did not fail once, no problems",
          "nothing went wrong this time");
  private static final List<String> AMBIGUOUS =
      List.of(
          "we went over the schedule",
          "I am not sure what to think",
          "the meeting moved to Tuesday",
          "let me check the numbers first",
          "it is what it is",
          "okay, noted",
          "we will see how it goes");
  private static final List<String> OPENERS = List.of("", "Honestly, ", "Well, ", "So ", "Hmm, ");
  private static final List<String> CLOSERS = List.of("", " today", " this week", " again", ".");

  private static final List<String> GARBLE =
      List.of("uh", "mm", "[inaudible]", "the", "so", "er", "[crosstalk]", "k", "ah", "like", "--");

  private SyntheticText() {}

  /**
   * What a broken transcription gives: filler and markers, no sentiment. A model has to learn that
   * such text says nothing, rather than read noise as a signal.
   */
  static String garbled(Random random) {
    StringBuilder out = new StringBuilder();
    for (int i = 0, n = 3 + random.nextInt(5); i < n; i++) {
      if (i > 0) {
        out.append(' ');
      }
      out.append(pick(GARBLE, random));
    }
    return out.toString();
  }

  static String utterance(Affect affect, Random random) {
    double roll = random.nextDouble();
    List<String> pool;
    if (roll < 0.25) {
      pool = AMBIGUOUS;
    } else if (roll < 0.47) {
      pool = affect.valenceSign() > 0 ? UNDERSTATED : SARCASTIC;
    } else {
      pool = affect.valenceSign() > 0 ? POSITIVE : NEGATIVE;
    }
    return pick(OPENERS, random) + pick(pool, random) + pick(CLOSERS, random);
  }

  /**
   * A plain statement of the valence, never ambiguous, sarcastic or understated: what a
   * contradiction story needs so that the two valence witnesses really say opposite things.
   */
  static String plain(Affect affect, Random random) {
    return pick(OPENERS, random) + pick(affect.valenceSign() > 0 ? POSITIVE : NEGATIVE, random)
        + pick(CLOSERS, random);
  }

  private static String pick(List<String> items, Random random) {
    return items.get(random.nextInt(items.size()));
  }
}
