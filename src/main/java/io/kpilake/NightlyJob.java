package io.kpilake;

import io.kpilake.config.KpiConfig;
import io.kpilake.ingest.IngestJob;
import io.kpilake.metrics.RevenueJob;
import io.kpilake.ops.OpsTables;
import io.kpilake.ops.QualityGateFailure;
import io.kpilake.ops.QualityGates;
import io.kpilake.ops.RunContext;
import io.kpilake.ops.StepLog;
import io.kpilake.spark.Warehouse;
import java.time.LocalDate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nightly pipeline for one as-of date: ingest new landing files into bronze and silver, check
 * the quality gates, then (later stages) model, compute and publish. Every step leaves a row in
 * {@code ops.pipeline_runs}, success or failure.
 */
public final class NightlyJob {
  private static final Logger LOG = LoggerFactory.getLogger("io.kpilake.progress");
  private final Warehouse wh;
  private final KpiConfig cfg;

  public NightlyJob(Warehouse wh, KpiConfig cfg) {
    this.wh = wh;
    this.cfg = cfg;
  }

  public Result run(LocalDate asOf) {
    RunContext run = RunContext.start(asOf, cfg.policyHash());
    StepLog steps = new StepLog(run);
    LOG.info("nightly run {} as of {} (landing {}, warehouse {})", run.runId(), asOf, cfg.landingPath(), wh.root());
    StepLog.Step whole = steps.start("nightly");
    try {
      OpsTables.ensure(wh);
      List<IngestJob.FeedResult> ingested = new IngestJob(wh, cfg, run, steps).run();
      StepLog.Step gates = steps.start("quality gates");
      List<String> failures = QualityGates.ingest(ingested, cfg.quality());
      if (!failures.isEmpty()) {
        gates.end("failed", null, null, null, String.join("; ", failures));
        throw new QualityGateFailure(String.join("; ", failures));
      }
      gates.succeeded(null, null, null, "ingest gates passed");
      new RevenueJob(wh, cfg, run, steps).run();
      whole.succeeded(null, null, null, "run " + run.runId() + " finished");
      return new Result(run, ingested);
    } catch (RuntimeException e) {
      whole.end("failed", null, null, null, e.getMessage());
      throw e;
    } finally {
      writeRuns(steps);
    }
  }

  private void writeRuns(StepLog steps) {
    try {
      wh.spark().createDataFrame(steps.rows(), OpsTables.PIPELINE_RUNS_SCHEMA)
          .write().format("delta").mode("append").save(wh.path("ops", OpsTables.PIPELINE_RUNS));
      wh.registerAll();
    } catch (RuntimeException e) {
      LOG.error("could not record the run in ops.pipeline_runs: {}", e.getMessage());
    }
  }

  /** What a run did. */
  public record Result(RunContext run, List<IngestJob.FeedResult> ingested) {}
}
