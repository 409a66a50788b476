package io.kpilake.spark;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;

/**
 * Counts the Spark jobs of this process and notes when the first one started: a night's fixed
 * cost is mostly per job, so the count is logged with every run and read by {@code bin/kpi bench}.
 */
public final class JobCounter extends SparkListener {
  private static final JobCounter INSTANCE = new JobCounter();
  private static volatile boolean installed;
  private final AtomicLong jobs = new AtomicLong();
  private final AtomicLong firstJobAt = new AtomicLong();

  private JobCounter() {}

  /** Registers the counter with the session's context (once per process). */
  public static synchronized void install(SparkSession spark) {
    if (!installed) {
      spark.sparkContext().addSparkListener(INSTANCE);
      installed = true;
    }
  }

  public static JobCounter get() {
    return INSTANCE;
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    jobs.incrementAndGet();
    firstJobAt.compareAndSet(0, start.time());
  }

  /** Jobs started so far in this process. */
  public long jobs() {
    return jobs.get();
  }

  /** Seconds from the JVM's start to the first Spark job (NaN before any job). */
  public double secondsToFirstJob() {
    long first = firstJobAt.get();
    return first == 0 ? Double.NaN : (first - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1000.0;
  }
}
