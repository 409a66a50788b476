package io.kpilake.cli;

import io.kpilake.NightlyJob;
import io.kpilake.publish.Publisher;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kpi nightly --as-of D}. An as-of date before the published one would republish every
 * {@code kpi.*} table as of that earlier date (each publication holds the whole history up to its
 * as-of date): a scheduler replaying an old date would roll the dashboards back. The contract is
 * silent; that is refused (exit 2) unless asked for with {@code --rewind}.
 */
@Command(name = "nightly", description = "Ingest, transform, compute and publish everything for one as-of date.")
public final class NightlyCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--as-of", required = true, paramLabel = "YYYY-MM-DD", converter = AsOfConverter.class,
      description = "The run's as-of date (or 'yesterday' / 'today', UTC)")
  LocalDate asOf;

  @Option(names = "--rewind", description = "Allow an --as-of date before the published one: every kpi table is "
      + "republished as of that earlier date")
  boolean rewind;

  @Override
  public Integer call() {
    AppContext ctx = common.context(true);
    if (!rewind) {
      // A storage step like the others: retried on transient errors, a clear storage error after.
      LocalDate published = io.kpilake.ops.Retry.of(ctx.config.ops()).call("reading the published as-of date",
          () -> Publisher.publishedAsOf(ctx.writer()));
      if (published != null && asOf.isBefore(published)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--as-of " + asOf + " is before the as-of date of the "
            + "published tables (" + published + "): this nightly would republish every kpi table as of " + asOf
            + "; use 'kpi backfill --from " + asOf + " --to " + published + "' to restate history, or --rewind to roll back");
      }
    }
    new NightlyJob(ctx.writer(), ctx.config).run(asOf);
    return Main.OK;
  }
}
