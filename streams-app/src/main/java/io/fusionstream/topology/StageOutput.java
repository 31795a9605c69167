package io.fusionstream.topology;

/**
 * What a batching stage forwards: a result for the next stage, or a dead letter for the dead-letter
 * topic. The topology splits the two right after the stage ({@code FusionTopology#splitDeadLetters}).
 */
record StageOutput<V>(V value, DeadLetterRecord deadLetter) {

  static <V> StageOutput<V> of(V value) {
    return new StageOutput<>(value, null);
  }

  static <V> StageOutput<V> rejected(DeadLetterRecord letter) {
    return new StageOutput<>(null, letter);
  }

  boolean isDeadLetter() {
    return deadLetter != null;
  }
}
