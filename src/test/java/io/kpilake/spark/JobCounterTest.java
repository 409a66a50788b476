package io.kpilake.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** How a job's source is named (no Spark needed: the listener reads the job's properties). */
class JobCounterTest {
  private static Properties props(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return p;
  }

  @Test
  void descriptionsFoldTheirNumbersCallSitesKeepTheirLine() {
    assertEquals("Delta: Compute snapshot for version: N",
        JobCounter.source(props("spark.job.description", "Delta: Compute snapshot for version: 12", "callSite.short", "x at Y.java:1"), null));
    assertEquals("collectAsList at IngestJob.java:106", JobCounter.source(props("callSite.short", "collectAsList at IngestJob.java:106"), null));
    assertEquals("collectAsList at IngestJob.java:106",
        JobCounter.source(props("spark.job.description", " ", "callSite.short", "collectAsList at IngestJob.java:106"), null));
    assertEquals("?", JobCounter.source(null, null));
    assertEquals("?", JobCounter.source(props(), null));
  }

  @Test
  void aDescriptionIsFollowedByOurFirstFrameOfTheLongCallSite() {
    String longSite = "org.apache.spark.sql.Dataset.count(Dataset.scala:1500)\n"
        + "io.kpilake.publish.Publisher.publish(Publisher.java:71)\nio.kpilake.metrics.KpiJob.run(KpiJob.java:160)";
    assertEquals("Delta: publish kpi.* as of N-N-N: Compute snapshot for version: N @ Publisher.java:71",
        JobCounter.source(props("spark.job.description", "Delta: publish kpi.* as of 2024-03-31: Compute snapshot for version: 3",
            "callSite.short", "count at Publisher.java:71"), longSite));
    // Without a description, the short call site already names our line: nothing is repeated.
    assertEquals("count at Publisher.java:71",
        JobCounter.source(props("callSite.short", "count at Publisher.java:71"), longSite));
  }
}
