package io.kpilake.spark;

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
 *       needs it. Explicit broadcast hints still broadcast.</li>
 * </ul>
 * An entry for any of these Spark settings in {@code kpi.spark.conf} wins, and this class leaves
 * them all alone.
 */
public final class SmallData {
  private static final Logger LOG = LoggerFactory.getLogger(SmallData.class);
  static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";
  static final String FACTORY_MODE = "spark.sql.codegen.factoryMode";
  static final String BROADCAST = "spark.sql.autoBroadcastJoinThreshold";
  /** Spark's default broadcast threshold (10 MB). */
  static final String SPARK_BROADCAST_DEFAULT = "10485760";

  private SmallData() {}

  /**
   * Sets the session for a step over {@code bytes} of data ({@code step} names it in the debug
   * log); {@code smallBelow} 0 always uses Spark's defaults.
   */
  public static void configure(SparkSession spark, Map<String, String> userConf, long bytes, long smallBelow, String step) {
    if (userConf.containsKey(WHOLE_STAGE) || userConf.containsKey(FACTORY_MODE) || userConf.containsKey(BROADCAST)) {
      return;
    }
    boolean small = isSmall(bytes, smallBelow);
    spark.conf().set(WHOLE_STAGE, String.valueOf(!small));
    spark.conf().set(FACTORY_MODE, small ? "NO_CODEGEN" : "FALLBACK");
    spark.conf().set(BROADCAST, small ? "-1" : SPARK_BROADCAST_DEFAULT);
    LOG.debug("{}: {} bytes of data, {} (kpi.spark.small-data-bytes = {})", step, bytes,
        small ? "small: interpreted plans, no automatic broadcast joins" : "Spark's defaults", smallBelow);
  }

  /** True when a step over {@code bytes} runs as a small one. */
  static boolean isSmall(long bytes, long smallBelow) {
    return bytes < smallBelow;
  }
}
