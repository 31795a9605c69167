package io.fusionstream.topology;

import io.fusionstream.schema.Modality;
import java.util.Collection;

/** Reports every pipeline metrics call to two implementations, so a test can check both. */
final class TeePipelineMetrics implements PipelineMetrics {
  private final PipelineMetrics first;
  private final PipelineMetrics second;

  TeePipelineMetrics(PipelineMetrics first, PipelineMetrics second) {
    this.first = first;
    this.second = second;
  }

  @Override
  public void eventIn(Modality modality) {
    first.eventIn(modality);
    second.eventIn(modality);
  }

  @Override
  public void deadLetter(String reason) {
    first.deadLetter(reason);
    second.deadLetter(reason);
  }

  @Override
  public void lateDropped(Modality modality) {
    first.lateDropped(modality);
    second.lateDropped(modality);
  }

  @Override
  public void windowEmitted(EmitTrigger trigger) {
    first.windowEmitted(trigger);
    second.windowEmitted(trigger);
  }

  @Override
  public void windowSkipped(String reason) {
    first.windowSkipped(reason);
    second.windowSkipped(reason);
  }

  @Override
  public void batch(String stage, int size, long nanos) {
    first.batch(stage, size, nanos);
    second.batch(stage, size, nanos);
  }

  @Override
  public void endToEndLatency(long millis) {
    first.endToEndLatency(millis);
    second.endToEndLatency(millis);
  }

  @Override
  public void prediction(String label) {
    first.prediction(label);
    second.prediction(label);
  }

  @Override
  public void modelInUse(String version) {
    first.modelInUse(version);
    second.modelInUse(version);
  }

  @Override
  public void modalitiesPresent(Collection<Modality> present) {
    first.modalitiesPresent(present);
    second.modalitiesPresent(present);
  }
}
