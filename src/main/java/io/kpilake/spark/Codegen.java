package io.kpilake.spark;

import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Spark compiles generated code for a step, chosen by the step's data size. Spark turns
 * every stage and expression of a query into Java source compiled with Janino, and the JVM then
 * JIT-compiles those classes: a night of a few hundred distinct queries generated 1,129 classes
 * (24 s of Janino alone, and most of the run's C2 time) to process a few thousand rows. Below
 * {@code kpi.spark.codegen-min-bytes} a step evaluates its plans interpreted (Spark's own
 * interpreted operators and expressions: the same results); at or above it, Spark's default.
 * An entry for either setting in {@code kpi.spark.conf} wins, and this class leaves both alone.
 */
public final class Codegen {
  private static final Logger LOG = LoggerFactory.getLogger(Codegen.class);
  static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";
  static final String FACTORY_MODE = "spark.sql.codegen.factoryMode";

  private Codegen() {}

  /**
   * Sets the session's code generation for a step over {@code bytes} of data ({@code step} names it
   * in the debug log); {@code minBytes} 0 always compiles.
   */
  public static void forDataSize(SparkSession spark, Map<String, String> userConf, long bytes, long minBytes, String step) {
    if (userConf.containsKey(WHOLE_STAGE) || userConf.containsKey(FACTORY_MODE)) {
      return;
    }
    boolean compile = compiles(bytes, minBytes);
    spark.conf().set(WHOLE_STAGE, String.valueOf(compile));
    spark.conf().set(FACTORY_MODE, compile ? "FALLBACK" : "NO_CODEGEN");
    LOG.debug("{}: {} bytes of data, {} (kpi.spark.codegen-min-bytes = {})", step, bytes,
        compile ? "Spark compiles generated code" : "plans evaluated interpreted", minBytes);
  }

  /** True when a step over {@code bytes} compiles generated code. */
  static boolean compiles(long bytes, long minBytes) {
    return bytes >= minBytes;
  }
}
