package io.fusionstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpreadTest {

  @Test
  void medianOfOddCountIsTheMiddleValueAndRangeIsMinToMax() {
    Spread s = Spread.of(List.of(30.0, 10.0, 20.0));
    assertThat(s.median()).isEqualTo(20.0);
    assertThat(s.min()).isEqualTo(10.0);
    assertThat(s.max()).isEqualTo(30.0);
    assertThat(s.n()).isEqualTo(3);
  }

  @Test
  void medianOfEvenCountIsTheMeanOfTheTwoMiddleValues() {
    assertThat(Spread.of(List.of(4.0, 1.0, 3.0, 2.0)).median()).isEqualTo(2.5);
  }

  @Test
  void unmeasuredValuesAreLeftOut() {
    Spread s = Spread.of(List.of(Double.NaN, 5.0, 7.0));
    assertThat(s.n()).isEqualTo(2);
    assertThat(s.median()).isEqualTo(6.0);
    Spread none = Spread.of(List.of(Double.NaN));
    assertThat(none.median()).isNaN();
    assertThat(none.format()).isEqualTo("n/a");
  }

  @Test
  void formatShowsMedianAndRangeWithDigitsByMagnitude() {
    assertThat(Spread.of(List.of(1234.4, 1000.0, 1500.6)).format()).isEqualTo("1234 (1000-1501)");
    assertThat(Spread.of(List.of(0.914)).format()).isEqualTo("0.91");
    assertThat(Spread.of(List.of(12.34, 11.0, 13.0)).format()).isEqualTo("12.3 (11.0-13.0)");
  }

  @Test
  void percentileUsesNearestRankOnUnsortedInput() {
    long[] latencies = {50, 10, 40, 20, 30, 60, 70, 80, 90, 100};
    assertThat(Spread.percentile(latencies, 0.5)).isEqualTo(50);
    assertThat(Spread.percentile(latencies, 0.95)).isEqualTo(100);
    assertThat(Spread.percentile(latencies, 0.99)).isEqualTo(100);
    assertThat(Spread.percentile(latencies, 0.1)).isEqualTo(10);
    assertThat(latencies[0]).as("input is not reordered").isEqualTo(50);
  }

  @Test
  void percentileOfNothingIsNaNAndQuantileMustBeInRange() {
    assertThat(Spread.percentile(new long[0], 0.5)).isNaN();
    assertThatThrownBy(() -> Spread.percentile(new long[] {1}, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Spread.percentile(new long[] {1}, 1.5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void residentPeakIsParsedFromProcStatusLine() {
    assertThat(ProcessProbe.parseKb("VmHWM:\t  123456 kB")).isEqualTo(123456);
  }
}
