package io.kpilake.spark;

import io.kpilake.config.KpiConfig;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How Spark runs a step, chosen by the step's data size. Below {@code kpi.spark.small-data-bytes}
 * a step's plans run interpreted and join without broadcasts; at or above it, Spark's defaults.
 * <ul>
 *   <li><b>Interpreted.</b> Spark turns every stage and expression of a query into Java source,
 *       compiles it with Janino, and the JVM then JIT-compiles those classes: a 40-account night
 *       generated 1,129 classes (24 s of Janino alone, and most of the run's C2 time) to process a
 *       few thousand rows. {@code spark.sql.codegen.wholeStage=false} and
 *       {@code spark.sql.codegen.factoryMode=NO_CODEGEN} use Spark's interpreted operators and
 *       expressions instead: the same results.</li>
 *   <li><b>No automatic broadcast joins.</b> Every broadcast is a Spark job of its own (52 of the
 *       KPI step's 85 jobs on that night); a sort-merge join of a few rows runs inside the job that
 *       needs it. The code's own broadcast hints are off too ({@code spark.sql.optimizer.disableHints}):
 *       each use of the FX tables was two broadcast jobs of several stages each.</li>
 *   <li><b>One shuffle partition.</b> A task has a fixed cost (scheduling, a shuffle file, a
 *       partition's sort) whatever its rows: the 40-account night's KPI count job ran 672 tasks
 *       over 8 partitions per shuffle; at 1 partition its KPI step went from 36.7 s to 24.9 s with
 *       the same rows.</li>
 * </ul>
 * A large step shuffles into one partition per {@code kpi.spark.shuffle-partition-bytes} of its
 * data, at least as many as Spark has cores to run them and at most
 * {@code kpi.spark.shuffle-partitions} ({@link #largePartitions}): the same fixed cost per task,
 * which a step of tens of megabytes pays eight times over on a two-core machine (docs/design.md,
 * "Shuffle partitions by the step's size").
 * An entry for any of the four code-generation, broadcast and hint settings in {@code kpi.spark.conf}
 * wins, and this class leaves those four alone; an entry for {@code spark.sql.shuffle.partitions}
 * there likewise keeps the shuffle partitions.
 */
public final class SmallData {
  private static final Logger LOG = LoggerFactory.getLogger(SmallData.class);
  static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";
  static final String FACTORY_MODE = "spark.sql.codegen.factoryMode";
  static final String BROADCAST = "spark.sql.autoBroadcastJoinThreshold";
  static final String SHUFFLE_PARTITIONS = "spark.sql.shuffle.partitions";
  static final String DISABLE_HINTS = "spark.sql.optimizer.disableHints";
  /** Spark's default broadcast threshold (10 MB). */
  static final String SPARK_BROADCAST_DEFAULT = "10485760";

  private SmallData() {}

  /**
   * Sets the session for a step over {@code bytes} of data ({@code step} names it in the debug
   * log); {@code kpi.spark.small-data-bytes} 0 always uses Spark's defaults.
   */
  public static void configure(SparkSession spark, KpiConfig.SparkSettings settings, long bytes, String step) {
    Map<String, String> userConf = settings.conf();
    boolean small = isSmall(bytes, settings.smallDataBytes());
    int partitions = small ? 1 : largePartitions(bytes, settings.shufflePartitionBytes(),
        spark.sparkContext().defaultParallelism(), settings.shufflePartitions());
    if (!userConf.containsKey(SHUFFLE_PARTITIONS)) {
      spark.conf().set(SHUFFLE_PARTITIONS, String.valueOf(partitions));
    }
    if (java.util.stream.Stream.of(WHOLE_STAGE, FACTORY_MODE, BROADCAST, DISABLE_HINTS).noneMatch(userConf::containsKey)) {
      spark.conf().set(WHOLE_STAGE, String.valueOf(!small));
      spark.conf().set(FACTORY_MODE, small ? "NO_CODEGEN" : "FALLBACK");
      spark.conf().set(BROADCAST, small ? "-1" : SPARK_BROADCAST_DEFAULT);
      spark.conf().set(DISABLE_HINTS, String.valueOf(small));
    }
    LOG.debug("{}: {} bytes of data, {} (kpi.spark.small-data-bytes = {})", step, bytes,
        small ? "small: interpreted plans, one shuffle partition, no broadcast joins"
            : "Spark's defaults, " + partitions + " shuffle partitions", settings.smallDataBytes());
  }

  /**
   * The shuffle partitions of a large step over {@code bytes}: one per {@code bytesPerPartition}
   * (rounded up), at least {@code cores}, at most {@code max}; {@code bytesPerPartition} 0 gives
   * {@code max} whatever the size.
   */
  static int largePartitions(long bytes, long bytesPerPartition, int cores, int max) {
    if (bytesPerPartition <= 0) {
      return max;
    }
    long bySize = bytes / bytesPerPartition + (bytes % bytesPerPartition == 0 ? 0 : 1);
    return (int) Math.min(max, Math.max(cores, bySize));
  }

  /** True when a step over {@code bytes} runs as a small one. */
  static boolean isSmall(long bytes, long smallBelow) {
    return bytes < smallBelow;
  }

  /** True when a step over {@code bytes} runs as a small one under {@code settings}. */
  public static boolean isSmall(KpiConfig.SparkSettings settings, long bytes) {
    return isSmall(bytes, settings.smallDataBytes());
  }
}
