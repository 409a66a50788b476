package io.kpilake.spark;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
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
  private final Map<String, AtomicLong> bySource = new ConcurrentHashMap<>();

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
    bySource.computeIfAbsent(source(start.properties()), k -> new AtomicLong()).incrementAndGet();
  }

  /**
   * What started a job: Delta's and our own job descriptions when set (numbers folded, so "version
   * 3" and "version 4" count together), else Spark's short call site (which names our line).
   */
  static String source(java.util.Properties p) {
    if (p == null) {
      return "?";
    }
    String d = p.getProperty("spark.job.description");
    String s = d != null && !d.isBlank() ? d.replaceAll("\\d+", "N") : p.getProperty("callSite.short", "?");
    s = s.replaceAll("\\s+", " ").strip();
    return s.length() > 120 ? s.substring(0, 120) : s;
  }

  /** The {@code n} most frequent job sources with their counts, most frequent first. */
  public String topSources(int n) {
    return bySource.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get()))
        .limit(n)
        .map(e -> e.getValue().get() + " x " + e.getKey())
        .collect(Collectors.joining("\n  ", "\n  ", ""));
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
