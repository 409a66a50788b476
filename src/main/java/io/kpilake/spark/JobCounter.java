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
  private final Map<String, AtomicLong> byGroup = new ConcurrentHashMap<>();

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
    // A stage's details are the long call site of the job that created it (the stack down to our code).
    String details = start.stageInfos().isEmpty() ? null : start.stageInfos().last().details();
    bySource.computeIfAbsent(source(start.properties(), details), k -> new AtomicLong()).incrementAndGet();
    String group = start.properties() == null ? null : start.properties().getProperty("spark.jobGroup.id");
    if (group != null) {
      byGroup.computeIfAbsent(group, k -> new AtomicLong()).incrementAndGet();
    }
  }

  /**
   * What started a job: Delta's and our own job descriptions when set (numbers folded, so "version
   * 3" and "version 4" count together), else Spark's short call site; followed by the first frame of
   * our own code in the long call site ("@ KpiJob.java:120"), which the description alone hides.
   */
  static String source(java.util.Properties p, String longCallSite) {
    String ours = ownFrame(longCallSite);
    if (p == null) {
      return ours == null ? "?" : "? @ " + ours;
    }
    String d = p.getProperty("spark.job.description");
    String s = d != null && !d.isBlank() ? d.replaceAll("\\d+", "N") : p.getProperty("callSite.short", "?");
    s = s.replaceAll("\\s+", " ").strip();
    s = s.length() > 120 ? s.substring(0, 120) : s;
    return ours == null || s.endsWith(ours) ? s : s + " @ " + ours;
  }

  /** "File.java:line" of the first io.kpilake frame of a long call site, or null. */
  private static String ownFrame(String longCallSite) {
    if (longCallSite == null) {
      return null;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("io\\.kpilake\\.[\\w.$]+\\(([\\w$]+\\.java:\\d+)\\)").matcher(longCallSite);
    return m.find() ? m.group(1) : null;
  }

  /** The {@code n} most frequent job sources with their counts, most frequent first. */
  public String topSources(int n) {
    return bySource.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get()))
        .limit(n)
        .map(e -> e.getValue().get() + " x " + e.getKey())
        .collect(Collectors.joining("\n  ", "\n  ", ""));
  }

  /** Jobs started so far in job group {@code group} (set with {@code SparkContext.setJobGroup}). */
  public long jobsInGroup(String group) {
    AtomicLong n = byGroup.get(group);
    return n == null ? 0 : n.get();
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
