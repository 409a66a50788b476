package io.kpilake.ops;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every step of a run: a progress line on stderr when it ends and a row for
 * {@code ops.pipeline_runs} (written once, at the end of the run, success or failure).
 */
public final class StepLog {
  private static final Logger LOG = LoggerFactory.getLogger("io.kpilake.progress");
  private final RunContext run;
  private final List<Row> rows = java.util.Collections.synchronizedList(new ArrayList<>());

  public StepLog(RunContext run) {
    this.run = run;
  }

  public Step start(String name) {
    return new Step(name, Instant.now(), null);
  }

  /**
   * A step whose Spark jobs all run in job group {@code jobGroup}: its job count is that group's,
   * right while other steps run at the same time (the feeds of ingest).
   */
  public Step start(String name, String jobGroup) {
    return new Step(name, Instant.now(), jobGroup);
  }

  public List<Row> rows() {
    synchronized (rows) {
      return List.copyOf(rows);
    }
  }

  /** One step in progress. */
  public final class Step {
    private final String name;
    private final Instant started;
    private final String jobGroup;
    private final long jobsAtStart;

    private Step(String name, Instant started, String jobGroup) {
      this.name = name;
      this.started = started;
      this.jobGroup = jobGroup;
      this.jobsAtStart = jobs();
    }

    private long jobs() {
      io.kpilake.spark.JobCounter c = io.kpilake.spark.JobCounter.get();
      return jobGroup == null ? c.jobs() : c.jobsInGroup(jobGroup);
    }

    public void succeeded(Long rowsIn, Long rowsOut, Long rowsQuarantined, String message) {
      end("succeeded", rowsIn, rowsOut, rowsQuarantined, message);
    }

    public void failed(String message) {
      end("failed", null, null, null, message);
    }

    public void end(String status, Long rowsIn, Long rowsOut, Long rowsQuarantined, String fullMessage) {
      Instant finished = Instant.now();
      String message = brief(fullMessage);
      rows.add(RowFactory.create(run.runId(), Date.valueOf(run.asOf()), name, status, Timestamp.from(started),
          Timestamp.from(finished), rowsIn, rowsOut, rowsQuarantined, run.policyHash(), message));
      double secs = Duration.between(started, finished).toMillis() / 1000.0;
      long jobs = jobs() - jobsAtStart;
      String line = String.format(Locale.ROOT, "%-34s %-9s %6.1f s %4d jobs  %s", name, status, secs, jobs,
          message == null ? "" : message);
      if ("failed".equals(status) || "refused".equals(status)) {
        LOG.error(line);
      } else {
        LOG.info(line);
      }
    }
  }

  /** First line, at most 2,000 characters: messages are for people reading a table. */
  static String brief(String m) {
    if (m == null) {
      return null;
    }
    int nl = m.indexOf('\n');
    String first = nl < 0 ? m : m.substring(0, nl);
    return first.length() > 2000 ? first.substring(0, 2000) + "..." : first;
  }

  public static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
