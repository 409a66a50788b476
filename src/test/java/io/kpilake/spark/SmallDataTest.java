package io.kpilake.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The shuffle partitions of a large step: one per partition size of its data, between the cores and the maximum. */
class SmallDataTest {
  private static final long MB = 1L << 20;

  @Test
  void aLargeStepHasOnePartitionPerPartitionSizeBetweenTheCoresAndTheMaximum() {
    // The demo's silver tables, 28 MB at 128 MB a partition: 1 by size, raised to the 2 cores.
    assertEquals(2, SmallData.largePartitions(28 * MB, 128 * MB, 2, 8));
    // Tier S, 150 MB: 150 / 128 = 1.17, rounded up to 2.
    assertEquals(2, SmallData.largePartitions(150 * MB, 128 * MB, 2, 8));
    // 640 MB is exactly 5 partitions of 128 MB; one byte more is 6.
    assertEquals(5, SmallData.largePartitions(640 * MB, 128 * MB, 2, 8));
    assertEquals(6, SmallData.largePartitions(640 * MB + 1, 128 * MB, 2, 8));
    // Tier M, 1.5 GB: 12 by size, capped at the maximum of 8.
    assertEquals(8, SmallData.largePartitions(1536 * MB, 128 * MB, 2, 8));
    // A cluster of 16 cores: at least 16 partitions... but never more than the maximum.
    assertEquals(8, SmallData.largePartitions(28 * MB, 128 * MB, 16, 8));
    assertEquals(16, SmallData.largePartitions(28 * MB, 128 * MB, 16, 200));
    // A partition size of 0: always the maximum, whatever the size (the behaviour before the size rule).
    assertEquals(8, SmallData.largePartitions(28 * MB, 0, 2, 8));
    // Sizes near Long.MAX_VALUE (a session configured for "any size") do not overflow.
    assertEquals(8, SmallData.largePartitions(Long.MAX_VALUE, 128 * MB, 2, 8));
  }
}
