package io.kpilake;

import io.kpilake.config.KpiConfig;
import io.kpilake.ingest.IngestGates;
import io.kpilake.ingest.IngestJob;
import io.kpilake.metrics.KpiJob;
import io.kpilake.ops.OpsTables;
import io.kpilake.ops.QualityGates;
import io.kpilake.ops.Retry;
import io.kpilake.ops.RunContext;
import io.kpilake.ops.StepLog;
import io.kpilake.ops.WarehouseLock;
import io.kpilake.publish.PublishedCatalog;
import io.kpilake.publish.report.ReportJob;
import io.kpilake.spark.Warehouse;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nightly pipeline for one as-of date, holding the warehouse writer lock: ingest new landing
 * files into bronze and silver, check the quality gates, then model, compute and publish the KPIs.
 * Every step leaves a row in {@code ops.pipeline_runs}, success or failure, written while the run still
 * holds the lock; a run refused by the lock writes nothing to the warehouse.
 */
public final class NightlyJob {
  private static final Logger LOG = LoggerFactory.getLogger("io.kpilake.progress");
  private final Warehouse wh;
  private final KpiConfig cfg;
  private final boolean kpis;
  private final LocalDate backfillFrom;

  public NightlyJob(Warehouse wh, KpiConfig cfg) {
    this(wh, cfg, true, null);
  }

  private NightlyJob(Warehouse wh, KpiConfig cfg, boolean kpis, LocalDate backfillFrom) {
    this.wh = wh;
    this.cfg = cfg;
    this.kpis = kpis;
    this.backfillFrom = backfillFrom;
  }

  /** The same run up to the ingest gates: loads landing files into bronze and silver, publishes nothing. */
  public NightlyJob ingestOnly() {
    return new NightlyJob(wh, cfg, false, null);
  }

  /**
   * A backfill restating history from {@code from}: the run recomputes every KPI under the current
   * definitions even when its inputs and policy match the published ones (a definition changed in
   * code leaves both unchanged). Each publication holds the whole history up to its as-of date, so
   * one recompute as of the backfill's last day restates every month from {@code from} on.
   */
  public NightlyJob backfill(LocalDate from) {
    return new NightlyJob(wh, cfg, true, from);
  }

  public Result run(LocalDate asOf) {
    RunContext run = RunContext.start(asOf, cfg.policyHash());
    StepLog steps = new StepLog(run);
    String kind = backfillFrom == null ? "nightly" : "backfill";
    LOG.info("{} run {} as of {} (landing {}, warehouse {})", kind, run.runId(), asOf, cfg.landingPath(), wh.root());
    StepLog.Step whole = steps.start(kind);
    WarehouseLock lock;
    try {
      lock = Retry.of(cfg.ops()).call("taking the warehouse lock", () -> WarehouseLock.acquire(wh.root(),
          wh.spark().sparkContext().hadoopConfiguration(), run.runId(), Duration.ofSeconds(cfg.ops().lockWaitSeconds()),
          Duration.ofMinutes(cfg.ops().lockStaleAfterMinutes())));
    } catch (Exception e) {
      // Not the writer: this run leaves no trace in the warehouse; its exit status and stderr say why.
      whole.end("failed", null, null, null, e.getMessage());
      throw e;
    }
    try {
      OpsTables.ensure(wh);
      List<IngestJob.FeedResult> ingested = new IngestJob(wh, cfg, run, steps).run();
      QualityGates.enforce(IngestGates.quarantineRate(ingested, cfg.quality()), cfg.quality(), steps.start("quality gates"),
          "ingest gates passed", "");
      String report = null;
      if (kpis) {
        KpiJob.Published published = new KpiJob(wh, cfg, run, steps).recompute(backfillFrom != null).run();
        report = writeReport(steps, published, run);
      }
      io.kpilake.spark.JobCounter jobs = io.kpilake.spark.JobCounter.get();
      whole.succeeded(null, null, null, "run " + run.runId() + " finished"
          + (backfillFrom == null ? "" : ": history from " + backfillFrom + " to " + asOf + " restated under the current definitions")
          + String.format(java.util.Locale.ROOT, " (%d Spark jobs in this process; the first %.1f s after JVM start)",
              jobs.jobs(), jobs.secondsToFirstJob()));
      LoggerFactory.getLogger(io.kpilake.spark.JobCounter.class).debug("Spark jobs by source (--verbose):{}", jobs.topSources(40));
      return new Result(run, ingested, report);
    } catch (Exception e) {
      whole.end("failed", null, null, null, e.getMessage());
      throw e;
    } finally {
      try {
        writeRuns(steps); // still holding the lock: ops.pipeline_runs has one writer too
      } finally {
        lock.close();
      }
    }
  }

  /**
   * The HTML report of the publication (see {@link ReportJob}). The tables are the product: a report
   * that cannot be written is a failed "report" step and a warning, not a failed run.
   */
  private String writeReport(StepLog steps, KpiJob.Published published, RunContext run) {
    StepLog.Step step = steps.start("report");
    try {
      // From the tables this run computed and published, when it did; else from the warehouse's
      // latest publication (a night with nothing to recompute).
      if (published.tables().isEmpty()) {
        String current = Retry.of(cfg.ops()).call("read the report", () -> ReportJob.upToDate(wh));
        if (current != null) {
          step.succeeded(null, null, null, "report " + current + " (the publication is unchanged)");
          return current;
        }
      }
      ReportJob job = published.tables().isEmpty() ? new ReportJob(wh) : new ReportJob(wh, published.tables(), run);
      String path = Retry.of(cfg.ops()).call("write the report", job::run);
      step.succeeded(null, null, null, path == null ? "nothing published yet" : "report " + path);
      return path;
    } catch (Exception e) {
      LOG.warn("the HTML report was not written (the KPI tables are published): {}", e.getMessage());
      step.end("failed", null, null, null, e.getMessage());
      return null;
    }
  }

  private void writeRuns(StepLog steps) {
    try {
      wh.spark().createDataFrame(steps.rows(), OpsTables.PIPELINE_RUNS_SCHEMA)
          .write().format("delta").mode("append").save(wh.path("ops", OpsTables.PIPELINE_RUNS));
      PublishedCatalog.registerAll(wh);
    } catch (Exception e) {
      LOG.error("could not record the run in ops.pipeline_runs: {}", e.getMessage());
    }
  }

  /** What a run did; {@code report} is the HTML report's path (null when none was written). */
  public record Result(RunContext run, List<IngestJob.FeedResult> ingested, String report) {}
}
