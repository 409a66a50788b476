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
        JobCounter.source(props("spark.job.description", "Delta: Compute snapshot for version: 12", "callSite.short", "x at Y.java:1")));
    assertEquals("collectAsList at IngestJob.java:106", JobCounter.source(props("callSite.short", "collectAsList at IngestJob.java:106")));
    assertEquals("collectAsList at IngestJob.java:106",
        JobCounter.source(props("spark.job.description", " ", "callSite.short", "collectAsList at IngestJob.java:106")));
    assertEquals("?", JobCounter.source(null));
    assertEquals("?", JobCounter.source(props()));
  }
}
